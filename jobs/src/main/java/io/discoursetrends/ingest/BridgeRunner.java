package io.discoursetrends.ingest;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs a bridge until the process is stopped: restores its cursor from Kafka, prints a progress line now and
 * then, and on SIGTERM/SIGINT lets the bridge finish its current step and commits what it sent. A kill without
 * that (SIGKILL, a crash) loses nothing either: the next start resumes from the last commit.
 */
public final class BridgeRunner {
    private BridgeRunner() {}

    public static int run(Bridge bridge, KafkaOutput.Settings settings, Duration progressInterval, PrintWriter err)
            throws InterruptedException {
        io.discoursetrends.kafka.KafkaClientLogging.quietWithoutBinding();
        BridgeMetrics metrics = new BridgeMetrics(settings.bridgeId());
        metrics.register();
        ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bridge-progress");
            t.setDaemon(true);
            return t;
        });
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = null;
        try (KafkaOutput output = KafkaOutput.open(settings, metrics)) {
            BridgeContext context = new BridgeContext(bridge, output, metrics, err);
            byte[] cursor = output.committedCursor();
            bridge.restore(cursor);
            metrics.cursor.set(bridge.cursorText());
            context.log(settings.bridgeId() + ": " + bridge.describe() + " -> " + settings.topic()
                    + (cursor == null ? ", no cursor yet" : ", resuming from " + bridge.cursorText()));
            progress.scheduleAtFixedRate(() -> context.log(metrics.progressLine()),
                    progressInterval.toMillis(), progressInterval.toMillis(), TimeUnit.MILLISECONDS);
            hook = new Thread(() -> {
                context.requestStop();
                try {
                    done.await(15, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "bridge-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            bridge.run(context);
            // Only after a normal return: after a failure the bridge's state may be ahead of what Kafka took.
            context.commit();
            context.log(metrics.progressLine() + " (stopped)");
            return 0;
        } finally {
            progress.shutdownNow();
            metrics.unregister();
            done.countDown();
            if (hook != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is what is running us down
                }
            }
        }
    }
}

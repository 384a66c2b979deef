package io.discoursetrends.ingest;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** What a running bridge has at hand: the output, its counters, a log, and the stop signal. */
public final class BridgeContext {

    private final Bridge bridge;
    private final KafkaOutput output;
    private final BridgeMetrics metrics;
    private final PrintWriter log;
    private final CountDownLatch stop = new CountDownLatch(1);

    BridgeContext(Bridge bridge, KafkaOutput output, BridgeMetrics metrics, PrintWriter log) {
        this.bridge = bridge;
        this.output = output;
        this.metrics = metrics;
        this.log = log;
    }

    public BridgeMetrics metrics() {
        return metrics;
    }

    /** Sends a raw record (visible once committed) with its key and Kafka timestamp (null: now). */
    public void send(byte[] key, byte[] value, Long timestampMillis) {
        output.send(key, value, timestampMillis);
    }

    /** Commits when enough was sent or long enough ago; call only where the bridge's cursor matches its sends. */
    public void commitIfDue() {
        if (output.commitDue()) {
            commit();
        }
    }

    /** Commits what was sent, with the bridge's cursor. */
    public void commit() {
        output.commit(bridge.cursor(), bridge.cursorText());
    }

    public int pending() {
        return output.pending();
    }

    public boolean stopping() {
        return stop.getCount() == 0;
    }

    void requestStop() {
        stop.countDown();
    }

    /** Waits, or less if asked to stop; returns false when stopping. */
    public boolean sleep(Duration d) throws InterruptedException {
        if (d.isNegative() || d.isZero()) {
            return !stopping();
        }
        return !stop.await(d.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A line on standard error with the time; never pass it a credential. */
    public void log(String message) {
        synchronized (log) {
            log.println(Instant.now() + " " + message);
            log.flush();
        }
    }
}

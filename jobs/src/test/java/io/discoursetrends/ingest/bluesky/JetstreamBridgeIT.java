package io.discoursetrends.ingest.bluesky;

import static org.assertj.core.api.Assertions.assertThat;

import io.discoursetrends.ingest.BridgeProcess;
import io.discoursetrends.ingest.IngestTopics;
import io.discoursetrends.ingest.RecordKeys;
import io.discoursetrends.ingest.TopicContents;
import io.discoursetrends.local.LocalKafka;
import io.discoursetrends.model.Platform;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.java_websocket.WebSocket;
import org.java_websocket.framing.CloseFrame;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.server.WebSocketServer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bridge bluesky} against a real WebSocket server that speaks Jetstream's {@code /subscribe} (query
 * parameters wantedCollections and cursor, one JSON event per text frame, replay from the cursor) serving the
 * recorded golden events with a malformed frame among them, and a real Kafka broker:
 * <ol>
 *   <li>the first connection drops mid-stream (no close handshake); the bridge reconnects with its cursor rewound
 *       3 s, and drops the replayed events it had sent;</li>
 *   <li>the bridge is killed (SIGKILL) with two records in an open transaction, and started again;</li>
 *   <li>in the end the topic, read as the job reads it, holds every frame exactly once, keyed by the post each
 *       concerns, with time_us as its timestamp.</li>
 * </ol>
 */
class JetstreamBridgeIT {

    private static final Path GOLDEN = Path.of(System.getProperty("discourse.shared.dir", "../shared"),
            "fixtures", "bluesky", "jetstream_golden_v1.jsonl");
    private static final String MALFORMED = "{\"did\":\"did:plc:truncated\",\"time_us\":17797190";
    private static final String TOPIC = IngestTopics.rawTopic(Platform.BLUESKY);

    @TempDir
    Path tmp;

    /** Jetstream's subscribe endpoint, replaying the frames; the first connection is cut after {@code cutAfter}. */
    static final class Jetstream extends WebSocketServer {
        final List<String> frames;
        final int cutAfter;
        final List<String> queries = new CopyOnWriteArrayList<>();
        final AtomicInteger connections = new AtomicInteger();
        final AtomicInteger framesSent = new AtomicInteger();

        Jetstream(List<String> frames, int cutAfter) {
            super(new InetSocketAddress("127.0.0.1", 0));
            this.frames = frames;
            this.cutAfter = cutAfter;
            setReuseAddr(true);
        }

        @Override
        public void onOpen(WebSocket conn, ClientHandshake handshake) {
            String resource = handshake.getResourceDescriptor();
            queries.add(resource);
            int n = connections.incrementAndGet();
            long cursor = Arrays.stream(resource.substring(resource.indexOf('?') + 1).split("&"))
                    .filter(p -> p.startsWith("cursor=")).mapToLong(p -> Long.parseLong(p.substring(7)))
                    .findFirst().orElse(0);
            new Thread(() -> {
                int sent = 0;
                for (String f : frames) {
                    Long t = timeUs(f);
                    if (t != null && t < cursor) {
                        continue; // Jetstream replays from the cursor on
                    }
                    if (n == 1 && sent == cutAfter) {
                        sleep(300); // the frames already queued go out before the cut, as on a real network
                        conn.closeConnection(CloseFrame.ABNORMAL_CLOSE, "cut mid-stream");
                        return;
                    }
                    conn.send(f);
                    sent++;
                    framesSent.incrementAndGet();
                }
            }, "jetstream-connection-" + n).start();
        }

        @Override public void onClose(WebSocket conn, int code, String reason, boolean remote) {}
        @Override public void onMessage(WebSocket conn, String message) {}
        @Override public void onError(WebSocket conn, Exception ex) {}
        final java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);

        @Override public void onStart() {
            started.countDown();
        }

        void awaitStart() throws InterruptedException {
            assertThat(started.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static Long timeUs(String frame) {
        int i = frame.indexOf("\"time_us\":");
        if (i < 0 || frame.equals(MALFORMED)) {
            return null;
        }
        int j = i + 10;
        int k = j;
        while (k < frame.length() && Character.isDigit(frame.charAt(k))) {
            k++;
        }
        return Long.parseLong(frame.substring(j, k));
    }

    @Test
    void shouldDeliverEveryFrameOnceAcrossADisconnectAndAKill() throws Exception {
        Assumptions.assumeTrue(Files.exists(GOLDEN), "skipped: the Jetstream fixture " + GOLDEN
                + " is absent (it lives in ../shared/fixtures, beside the repository)");
        List<String> golden = Files.readAllLines(GOLDEN).stream().filter(l -> !l.isBlank()).toList();
        List<String> frames = new ArrayList<>(golden);
        frames.add(3, MALFORMED);

        Jetstream server = new Jetstream(frames, 6);
        server.start();
        try (LocalKafka kafka = LocalKafka.launch()) {
            kafka.createTopics(Map.of(TOPIC, 2));
            server.awaitStart();
            String url = "ws://127.0.0.1:" + server.getPort() + "/subscribe";
            Path log = tmp.resolve("bridge.log");
            List<String> common = List.of("bridge", "bluesky", "--url", url, "--bootstrap-servers",
                    kafka.bootstrapServers(), "--commit-records", "3", "--progress-interval", "PT1S");

            // 1. Six frames, cut; reconnect, replay, three more committed (9), two left in an open transaction.
            List<String> first = new ArrayList<>(common);
            first.addAll(List.of("--commit-interval", "PT30S"));
            try (BridgeProcess bridge = BridgeProcess.start(log, first)) {
                bridge.await(() -> server.connections.get() >= 2 && server.framesSent.get() >= 6 + 11
                        && committed(kafka).size() == 9);
                Thread.sleep(1500); // let the producer hand the two open records over, and a progress line print
                bridge.kill();
                assertThat(bridge.log()).contains("received 17").contains("duplicates 6").contains("malformed 1");
            }
            assertThat(committed(kafka)).hasSize(9);
            assertThat(TopicContents.read(kafka.bootstrapServers(), TOPIC, false))
                    .as("the kill hit an open transaction").hasSize(11);

            // 2. Restarted: resumes from the committed cursor, drops the replayed nine, sends the last two again.
            List<String> second = new ArrayList<>(common);
            second.addAll(List.of("--commit-interval", "PT0.2S"));
            try (BridgeProcess bridge = BridgeProcess.start(log, second)) {
                bridge.await(() -> server.connections.get() >= 3 && committed(kafka).size() >= 11);
                Thread.sleep(1500); // a duplicate would show by now
                bridge.stop();
                assertThat(bridge.log()).contains("resuming from time_us").contains("duplicates 9");
            }

            // 3. Every frame exactly once, keyed by its post, stamped with time_us.
            List<ConsumerRecord<byte[], byte[]>> records = committed(kafka);
            assertThat(records).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                    .containsExactlyInAnyOrderElementsOf(frames);
            RecordKeys keys = new RecordKeys(Platform.BLUESKY);
            for (ConsumerRecord<byte[], byte[]> r : records) {
                String frame = new String(r.value(), StandardCharsets.UTF_8);
                assertThat(r.key()).as(frame).isEqualTo(keys.key(r.value()).key());
                Long t = timeUs(frame);
                if (t != null) {
                    assertThat(r.timestamp()).isEqualTo(t / 1000);
                }
            }
            assertThat(records).filteredOn(r -> r.key() != null).extracting(r -> new String(r.key(),
                    StandardCharsets.UTF_8)).contains("at://did:plc:vfnmgxg2yscfliemmcxzyfyh/app.bsky.feed.post/3mmoodizfwc2j");

            // 4. What the bridge asked for: the three collections, no compression, a cursor rewound 3 s.
            long maxOfFirstSix = frames.subList(0, 6).stream().map(JetstreamBridgeIT::timeUs)
                    .filter(t -> t != null).mapToLong(Long::longValue).max().orElseThrow();
            assertThat(server.queries).hasSize(3).allSatisfy(q -> assertThat(q)
                    .contains("wantedCollections=app.bsky.feed.post", "wantedCollections=app.bsky.feed.like",
                            "wantedCollections=app.bsky.feed.repost")
                    .doesNotContain("compress"));
            assertThat(server.queries.get(0)).doesNotContain("cursor=");
            assertThat(server.queries.get(1)).endsWith("cursor=" + (maxOfFirstSix - 3_000_000));
            assertThat(server.queries.get(2)).contains("cursor=");
        } finally {
            server.stop(1000);
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> committed(LocalKafka kafka) {
        return TopicContents.read(kafka.bootstrapServers(), TOPIC, true);
    }
}

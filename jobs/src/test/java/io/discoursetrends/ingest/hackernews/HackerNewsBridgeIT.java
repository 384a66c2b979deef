package io.discoursetrends.ingest.hackernews;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.discoursetrends.ingest.BridgeProcess;
import io.discoursetrends.ingest.IngestTopics;
import io.discoursetrends.ingest.RecordKeys;
import io.discoursetrends.ingest.TopicContents;
import io.discoursetrends.local.LocalKafka;
import io.discoursetrends.model.Platform;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bridge hackernews} against a local HTTP server speaking the Firebase API (maxitem.json, item/ID.json,
 * updates.json) with the recorded items, and a real broker. On the way: a malformed item, a 429 with Retry-After,
 * a connection dropped without an answer, a changed score, and a SIGKILL with an open transaction. In the end
 * every distinct item JSON is in the topic exactly once (the changed item twice: once per version).
 */
class HackerNewsBridgeIT {

    private static final Path DIR = Path.of(System.getProperty("discourse.shared.dir", "../shared"),
            "fixtures", "hackernews");
    private static final String TOPIC = IngestTopics.rawTopic(Platform.HACKERNEWS);
    private static final String MALFORMED = "{\"by\":\"someone\",\"id\":8864,\"type\":\"story\",\"time\":";

    @TempDir
    Path tmp;

    final Map<String, String> items = new ConcurrentHashMap<>();
    final List<Long> rateLimitedAt = new CopyOnWriteArrayList<>();
    final AtomicInteger updatesServed = new AtomicInteger();
    final AtomicInteger dropped = new AtomicInteger();

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String body;
        if (path.equals("/v0/maxitem.json")) {
            body = "8866";
        } else if (path.equals("/v0/updates.json")) {
            updatesServed.incrementAndGet();
            body = "{\"items\":[121003,126809,160705,192327,2921983,8863],\"profiles\":[\"pg\"]}";
        } else if (path.equals("/v0/item/8865.json") && rateLimitedAt.isEmpty()) {
            rateLimitedAt.add(System.nanoTime());
            ex.getResponseHeaders().add("Retry-After", "1");
            ex.sendResponseHeaders(429, -1);
            ex.close();
            return;
        } else if (path.equals("/v0/item/126809.json") && dropped.getAndIncrement() == 0) {
            ex.getResponseBody().close();
            throw new IOException("dropped on purpose");
        } else if (path.startsWith("/v0/item/")) {
            if (path.equals("/v0/item/8865.json")) {
                rateLimitedAt.add(System.nanoTime());
            }
            String id = path.substring("/v0/item/".length(), path.length() - ".json".length());
            body = items.getOrDefault(id, "null");
        } else {
            ex.sendResponseHeaders(404, -1);
            ex.close();
            return;
        }
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
        ex.sendResponseHeaders(200, b.length);
        ex.getResponseBody().write(b);
        ex.close();
    }

    @Test
    void shouldSendEachItemVersionOnceThroughErrorsAndAKill() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(DIR), "skipped: the Hacker News fixtures " + DIR
                + " are absent (they live in ../shared/fixtures, beside the repository)");
        for (String id : List.of("8863", "121003", "126809", "160705", "192327", "2921983")) {
            items.put(id, Files.readString(DIR.resolve("item_" + id + ".json")).strip());
        }
        items.put("8864", MALFORMED);
        String v1 = items.get("8863");
        String v2 = v1.replaceFirst("\"score\"\\s*:\\s*(\\d+)", "\"score\": 112");
        assertThat(v2).isNotEqualTo(v1);

        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            try {
                handle(ex);
            } catch (IOException e) {
                ex.close();
            }
        });
        server.start();
        try (LocalKafka kafka = LocalKafka.launch()) {
            kafka.createTopics(Map.of(TOPIC, 2));
            Path log = tmp.resolve("bridge.log");
            List<String> common = List.of("bridge", "hackernews", "--url",
                    "http://127.0.0.1:" + server.getAddress().getPort() + "/v0/", "--bootstrap-servers",
                    kafka.bootstrapServers(), "--start-id", "8863", "--poll-interval", "PT0.3S",
                    "--updates-interval", "PT0.3S", "--commit-records", "3", "--progress-interval", "PT1S");

            // 1. 8863, 8864 (malformed), 8865 (429, then null), 8866 (null); updates: five items and 8863 again.
            //    Commits after 3 and 6 records; 2921983 is left in an open transaction when the bridge is killed.
            List<String> first = new ArrayList<>(common);
            first.addAll(List.of("--commit-interval", "PT30S"));
            try (BridgeProcess bridge = BridgeProcess.start(log, first)) {
                bridge.await(() -> committed(kafka).size() == 6 && updatesServed.get() >= 2);
                Thread.sleep(1500);
                bridge.kill();
                assertThat(bridge.log()).contains("answered 429 (rate limited, Retry-After 1 s)")
                        .contains("rate-limited 1").contains("malformed 1");
            }
            assertThat(TopicContents.read(kafka.bootstrapServers(), TOPIC, false))
                    .as("the kill hit an open transaction").hasSize(7);
            assertThat(rateLimitedAt).hasSize(2);
            assertThat(rateLimitedAt.get(1) - rateLimitedAt.get(0)).as("Retry-After honoured")
                    .isGreaterThanOrEqualTo(Duration.ofSeconds(1).toNanos());
            assertThat(dropped.get()).isGreaterThanOrEqualTo(2);

            // 2. 8863's score moves; the restarted bridge sends 2921983 (aborted before) and the new 8863, nothing else.
            items.put("8863", v2);
            List<String> second = new ArrayList<>(common);
            second.addAll(List.of("--commit-interval", "PT0.2S"));
            int servedBefore = updatesServed.get();
            try (BridgeProcess bridge = BridgeProcess.start(log, second)) {
                bridge.await(() -> committed(kafka).size() >= 8 && updatesServed.get() >= servedBefore + 3);
                bridge.stop();
                assertThat(bridge.log()).contains("resuming from next item 8867");
            }

            List<ConsumerRecord<byte[], byte[]>> records = committed(kafka);
            List<String> expected = new ArrayList<>(List.of(v1, MALFORMED, v2));
            for (String id : List.of("121003", "126809", "160705", "192327", "2921983")) {
                expected.add(items.get(id));
            }
            assertThat(records).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                    .containsExactlyInAnyOrderElementsOf(expected);
            RecordKeys keys = new RecordKeys(Platform.HACKERNEWS);
            for (ConsumerRecord<byte[], byte[]> r : records) {
                assertThat(r.key()).isEqualTo(keys.key(r.value()).key());
            }
            assertThat(records).filteredOn(r -> new String(r.value(), StandardCharsets.UTF_8).equals(v2))
                    .extracting(r -> new String(r.key(), StandardCharsets.UTF_8)).containsExactly("hn:8863");
        } finally {
            server.stop(0);
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> committed(LocalKafka kafka) {
        return TopicContents.read(kafka.bootstrapServers(), TOPIC, true);
    }
}

package io.discoursetrends.ingest.mastodon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.discoursetrends.ingest.BridgeProcess;
import io.discoursetrends.ingest.IngestTopics;
import io.discoursetrends.ingest.RecordKeys;
import io.discoursetrends.ingest.TopicContents;
import io.discoursetrends.local.LocalKafka;
import io.discoursetrends.model.Platform;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bridge mastodon} against a local server speaking Mastodon's streaming API (server-sent events on
 * /api/v1/streaming/public, heartbeat comments) and REST API (/api/v1/timelines/public with min_id, the batched
 * /api/v1/statuses?id[]= of 4.3 and the single /api/v1/statuses/:id of older instances, X-RateLimit-* headers)
 * with the recorded statuses, and a real broker. On the way: a 429 with Retry-After on connecting, two malformed
 * events, a connection cut in the middle of an event, a catch-up over REST that overlaps the stream, a used-up
 * rate-limit budget, a delete, counters that move on re-fetch, and a SIGKILL with an open transaction followed by
 * a restart on an instance without the batched endpoint. In the end every status version is in the topic once.
 */
class MastodonBridgeIT {

    private static final Path DIR = Path.of(System.getProperty("discourse.shared.dir", "../shared"),
            "fixtures", "mastodon");
    private static final String TOPIC = IngestTopics.rawTopic(Platform.MASTODON);
    private static final String TOKEN = "tok-s3cret-mastodon";
    private static final String NOT_JSON = "{\"id\":\"110446223051565770\",\"uri\":\"https://mastodon.social/us";
    private final ObjectMapper mapper = new ObjectMapper();

    @TempDir
    Path tmp;

    /** The instance's statuses as they are now (versions change as the test moves counters). */
    final Map<String, ObjectNode> statuses = new ConcurrentHashMap<>();
    /** What the public timeline lists (REST), by id. */
    final Set<String> timeline = ConcurrentHashMap.newKeySet();
    final Set<String> deleted = ConcurrentHashMap.newKeySet();
    final AtomicInteger connections = new AtomicInteger();
    final List<Long> connectedAt = new CopyOnWriteArrayList<>();
    final List<String> minIds = new CopyOnWriteArrayList<>();
    final List<Long> restAt = new CopyOnWriteArrayList<>();
    final AtomicInteger batchedServed = new AtomicInteger();
    final AtomicInteger singleServed = new AtomicInteger();
    final List<String> badAuth = new CopyOnWriteArrayList<>();
    volatile boolean batchedSupported = true;
    volatile long budgetResetAt;
    volatile int budgetIndex;
    volatile boolean serving = true;
    String s0;
    String s1;
    String a;
    String d;
    ObjectNode notAStatus;

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String query = ex.getRequestURI().getRawQuery() == null ? ""
                : URLDecoder.decode(ex.getRequestURI().getRawQuery(), StandardCharsets.UTF_8);
        if (!("Bearer " + TOKEN).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
            badAuth.add(path);
        }
        if (path.equals("/api/v1/streaming/public")) {
            stream(ex);
            return;
        }
        restAt.add(System.nanoTime());
        int status = 200;
        String body;
        if (path.equals("/api/v1/timelines/public")) {
            String min = param(query, "min_id");
            minIds.add(min);
            int limit = Integer.parseInt(param(query, "limit"));
            // min_id: the `limit` statuses right after it, newest first (as Mastodon answers)
            List<String> ids = timeline.stream().filter(id -> Long.parseLong(id) > Long.parseLong(min)).sorted()
                    .limit(limit).sorted((x, y) -> y.compareTo(x)).toList();
            body = array(ids);
            if (budgetResetAt == 0) {
                // this answer uses up the budget: the next request must wait for the reset (an ISO instant)
                budgetResetAt = System.nanoTime() + Duration.ofSeconds(1).toNanos();
                budgetIndex = restAt.size();
                ex.getResponseHeaders().add("X-RateLimit-Limit", "300");
                ex.getResponseHeaders().add("X-RateLimit-Remaining", "0");
                ex.getResponseHeaders().add("X-RateLimit-Reset", Instant.now().plusSeconds(1).toString());
            }
        } else if (path.equals("/api/v1/statuses") && batchedSupported) {
            batchedServed.incrementAndGet();
            List<String> ids = new ArrayList<>();
            for (String kv : query.split("&")) {
                String id = kv.substring(kv.indexOf('=') + 1);
                if (kv.startsWith("id[]=") && statuses.containsKey(id) && !deleted.contains(id)) {
                    ids.add(id);
                }
            }
            body = array(ids);
        } else if (path.startsWith("/api/v1/statuses/") && statuses.containsKey(path.substring(17))
                && !deleted.contains(path.substring(17))) {
            singleServed.incrementAndGet();
            body = statuses.get(path.substring(17)).toString();
        } else {
            status = 404;
            body = "{\"error\":\"Record not found\"}";
        }
        ex.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
        ex.close();
    }

    private String array(List<String> ids) {
        return mapper.createArrayNode().addAll(ids.stream().map(statuses::get).toList()).toString();
    }

    private static String param(String query, String name) {
        for (String kv : query.split("&")) {
            if (kv.startsWith(name + "=")) {
                return kv.substring(name.length() + 1);
            }
        }
        throw new AssertionError("no " + name + " in " + query);
    }

    /** The streaming endpoint; what each connection does is the script of the test. */
    private void stream(HttpExchange ex) throws IOException {
        int n = connections.incrementAndGet();
        connectedAt.add(System.nanoTime());
        if (n == 1) {
            ex.getResponseHeaders().add("Retry-After", "1");
            byte[] b = "{\"error\":\"Too many requests\"}".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(429, b.length);
            ex.getResponseBody().write(b);
            ex.close();
            return;
        }
        ex.getResponseHeaders().add("Content-Type", "text/event-stream");
        ex.getResponseHeaders().add("Cache-Control", "no-store");
        if (n == 2) {
            // A length the server never reaches: closing early cuts the connection in the middle of an event.
            ex.sendResponseHeaders(200, 1 << 20);
            OutputStream out = ex.getResponseBody();
            write(out, ":)\n");
            event(out, "update", statuses.get(s1).toString());
            event(out, "update", NOT_JSON);
            event(out, "update", notAStatus.toString());
            event(out, "update", statuses.get(s0).toString());
            write(out, "event: update\ndata: {\"id\":\"1104462230515657");
            sleep(200);
            timeline.add(a); // posted while the bridge is away: only the catch-up can see it
            ex.close(); // short of the length: the server drops the connection, which is the point
            return;
        }
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        try {
            write(out, ":)\n");
            sleep(300);
            if (n == 3) {
                event(out, "update", statuses.get(a).toString()); // already caught up: a duplicate
                event(out, "delete", s1);
                event(out, "notification", "{\"id\":\"1\",\"type\":\"mention\"}");
            } else {
                event(out, "update", statuses.get(d).toString()); // caught up after the restart: a duplicate
            }
            while (serving) {
                sleep(300);
                write(out, ":thump\n");
            }
        } catch (IOException clientGone) {
            // the bridge was killed or reconnected
        } finally {
            ex.close();
        }
    }

    private static void event(OutputStream out, String type, String data) throws IOException {
        write(out, "event: " + type + "\ndata: " + data + "\n\n");
    }

    private static void write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private ObjectNode load(String file) throws IOException {
        return (ObjectNode) mapper.readTree(DIR.resolve(file).toFile());
    }

    private void put(ObjectNode status) {
        statuses.put(status.path("id").asText(), status);
    }

    /** A new version of a status with one counter moved. */
    private ObjectNode bump(String id, String counter) {
        ObjectNode v = statuses.get(id).deepCopy();
        v.put(counter, v.path(counter).asInt() + 1);
        statuses.put(id, v);
        return v;
    }

    @Test
    void shouldSendEachStatusVersionOnceThroughDisconnectsRateLimitsAndAKill() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(DIR), "skipped: the Mastodon fixtures " + DIR
                + " are absent (they live in ../shared/fixtures, beside the repository)");
        ObjectNode first = load("test_entity_status__0__mastodon_social_api_v1_statuses_110446223051565765.json");
        ObjectNode second = load("test_entity_status__1__mastodon_social_api_v1_statuses_110446183735368325.json");
        JsonNode context = load("test_entity_context__0__mastodon_social_api_v1_statuses_110446983926957470"
                + "_context.json");
        put(first);
        put(second);
        // The context's two statuses are followers-only in the recording; here they are public, as on a public
        // timeline (the job ignores statuses that are not public).
        ObjectNode ancestor = ((ObjectNode) context.get("ancestors").get(0)).put("visibility", "public");
        ObjectNode descendant = ((ObjectNode) context.get("descendants").get(0)).put("visibility", "public");
        put(ancestor);
        put(descendant);
        s0 = first.get("id").asText();
        s1 = second.get("id").asText();
        a = ancestor.get("id").asText();
        d = descendant.get("id").asText();
        timeline.addAll(List.of(s0, s1));
        notAStatus = (ObjectNode) mapper.readTree("{\"id\":\"110446223051565771\",\"content\":\"<p>no uri</p>\"}");
        List<JsonNode> expected = new ArrayList<>(List.of(second, TextNode.valueOf(NOT_JSON), notAStatus, first,
                ancestor));

        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "mastodon-test-server");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", ex -> {
            try {
                handle(ex);
            } catch (IOException | RuntimeException e) {
                ex.close();
            }
        });
        server.start();
        try (LocalKafka kafka = LocalKafka.launch()) {
            kafka.createTopics(Map.of(TOPIC, 2));
            Path token = Files.writeString(tmp.resolve("token"), TOKEN + "\n");
            Path log = tmp.resolve("bridge.log");
            List<String> common = List.of("bridge", "mastodon",
                    "--instance", "http://127.0.0.1:" + server.getAddress().getPort(), "--token-file", token.toString(),
                    "--bootstrap-servers", kafka.bootstrapServers(), "--refresh-interval", "PT0.5S",
                    "--commit-records", "2", "--progress-interval", "PT1S");

            // 1. A 429, then 4 events (2 malformed) and a cut mid-event: commits after 2 and 4. The reconnect
            //    catches up over REST (s0 again, and a, posted meanwhile); the stream repeats a and deletes s1.
            //    Two counters move on re-fetch (batched): s0 is committed with a, a's new version stays open.
            List<String> args = new ArrayList<>(common);
            args.addAll(List.of("--commit-interval", "PT30S"));
            try (BridgeProcess bridge = BridgeProcess.start(log, args)) {
                bridge.await(() -> all(kafka).size() == 5 && connections.get() >= 3 && batchedServed.get() >= 1);
                expected.add(bump(s0, "favourites_count"));
                bridge.await(() -> committed(kafka).size() == 6);
                expected.add(bump(a, "reblogs_count"));
                bridge.await(() -> all(kafka).size() == 7);
                Thread.sleep(1200); // a progress line
                bridge.kill();
                assertThat(bridge.log()).contains("stream ended (HTTP 429, asked to wait 1 s)")
                        .contains("rate-limit budget used up").contains("malformed 2")
                        .doesNotContain(TOKEN);
            }
            assertThat(committed(kafka)).as("the kill hit an open transaction").hasSize(6);
            assertThat(connectedAt.get(1) - connectedAt.get(0)).as("Retry-After honoured")
                    .isGreaterThanOrEqualTo(Duration.ofSeconds(1).toNanos());
            assertThat(restAt.get(budgetIndex)).as("the rate-limit reset was waited for")
                    .isGreaterThanOrEqualTo(budgetResetAt);
            assertThat(minIds.get(0)).as("the catch-up starts a minute before the newest status sent")
                    .isEqualTo(String.valueOf(((Long.parseLong(s0) >> 16) - 60_000) << 16));

            // 2. Restarted on an instance without the batched endpoint, d posted meanwhile: the catch-up sends
            //    a's aborted version and d; the stream repeats d; a re-fetch one by one moves d's counter.
            deleted.add(s1);
            timeline.add(d);
            batchedSupported = false;
            args = new ArrayList<>(common);
            args.addAll(List.of("--commit-interval", "PT0.2S"));
            expected.add(statuses.get(d));
            try (BridgeProcess bridge = BridgeProcess.start(log, args)) {
                bridge.await(() -> committed(kafka).size() == 8 && connections.get() >= 4);
                expected.add(bump(d, "replies_count"));
                bridge.await(() -> committed(kafka).size() == 9 && singleServed.get() >= 6);
                Thread.sleep(1000); // a duplicate would show by now
                bridge.stop();
                assertThat(bridge.log()).contains("resuming from status " + a)
                        .contains("re-fetching one by one").doesNotContain(TOKEN);
            }
            assertThat(minIds).as("the restart caught up from a, rewound").contains(
                    String.valueOf(((Long.parseLong(a) >> 16) - 60_000) << 16));
            assertThat(badAuth).isEmpty();

            List<JsonNode> actual = new ArrayList<>();
            RecordKeys keys = new RecordKeys(Platform.MASTODON);
            for (ConsumerRecord<byte[], byte[]> r : committed(kafka)) {
                JsonNode value = parse(r.value());
                actual.add(value);
                assertThat(r.key()).isEqualTo(keys.key(r.value()).key());
                if (value.has("uri")) {
                    assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(value.get("uri").asText());
                } else {
                    assertThat(r.key()).as("a malformed record concerns no post").isNull();
                }
            }
            assertThat(actual).containsExactlyInAnyOrderElementsOf(expected);
        } finally {
            serving = false;
            server.stop(0);
        }
    }

    /** A record as JSON, or as its text when it is not JSON. */
    private JsonNode parse(byte[] value) {
        try {
            return mapper.readTree(value);
        } catch (IOException notJson) {
            return TextNode.valueOf(new String(value, StandardCharsets.UTF_8));
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> committed(LocalKafka kafka) {
        return TopicContents.read(kafka.bootstrapServers(), TOPIC, true);
    }

    private static List<ConsumerRecord<byte[], byte[]>> all(LocalKafka kafka) {
        return TopicContents.read(kafka.bootstrapServers(), TOPIC, false);
    }
}

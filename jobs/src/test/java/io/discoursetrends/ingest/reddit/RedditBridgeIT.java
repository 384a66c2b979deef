package io.discoursetrends.ingest.reddit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bridge reddit} against a local server speaking Reddit's OAuth token endpoint and listing API
 * (/r/SUB/new, /r/SUB/comments, /api/info, X-Ratelimit-* headers) with the recorded listings, and a real broker:
 * a 429 with Retry-After, a used-up rate-limit budget, a malformed child, a score that moves, a SIGKILL with an
 * open transaction and a restart. In the end every thing version is in the topic exactly once.
 */
class RedditBridgeIT {

    private static final Path DIR = Path.of(System.getProperty("discourse.shared.dir", "../shared"),
            "fixtures", "reddit");
    private static final String TOPIC = IngestTopics.rawTopic(Platform.REDDIT);
    private final ObjectMapper mapper = new ObjectMapper();

    @TempDir
    Path tmp;

    final Map<String, ObjectNode> things = new LinkedHashMap<>();
    final List<String> submissions = new ArrayList<>();
    final List<String> comments = new ArrayList<>();
    final List<Long> commentRequests = new CopyOnWriteArrayList<>();
    final AtomicInteger tokens = new AtomicInteger();
    final AtomicInteger infoRequests = new AtomicInteger();
    final List<String> badAuth = new CopyOnWriteArrayList<>();
    volatile long budgetResetAt;
    ObjectNode malformed;

    private String listing(List<ObjectNode> children) {
        ObjectNode l = mapper.createObjectNode().put("kind", "Listing");
        ArrayNode a = l.putObject("data").putArray("children");
        children.forEach(a::add);
        return l.toString();
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String body;
        int status = 200;
        if (path.equals("/api/v1/access_token")) {
            String expected = "Basic " + Base64.getEncoder().encodeToString("cid:csecret".getBytes());
            if (!expected.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                badAuth.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
            }
            tokens.incrementAndGet();
            body = "{\"access_token\":\"tok-" + tokens.get() + "\",\"token_type\":\"bearer\",\"expires_in\":86400}";
        } else {
            if (!String.valueOf(ex.getRequestHeaders().getFirst("Authorization")).startsWith("bearer tok-")) {
                badAuth.add(path);
            }
            if (path.equals("/r/test+other/new")) {
                List<ObjectNode> c = new ArrayList<>();
                submissions.forEach(n -> c.add(things.get(n)));
                c.add(5, malformed);
                body = listing(c);
                // the budget is used up after this answer: the next request must wait for the reset
                if (budgetResetAt == 0) {
                    budgetResetAt = System.nanoTime() + Duration.ofSeconds(1).toNanos();
                    ex.getResponseHeaders().add("X-Ratelimit-Remaining", "0.0");
                    ex.getResponseHeaders().add("X-Ratelimit-Used", "600");
                    ex.getResponseHeaders().add("X-Ratelimit-Reset", "1");
                }
            } else if (path.equals("/r/test+other/comments")) {
                commentRequests.add(System.nanoTime());
                if (commentRequests.size() == 1) {
                    ex.getResponseHeaders().add("Retry-After", "1");
                    ex.sendResponseHeaders(429, -1);
                    ex.close();
                    return;
                }
                List<ObjectNode> c = new ArrayList<>();
                comments.forEach(n -> c.add(things.get(n)));
                body = listing(c);
            } else if (path.equals("/api/info")) {
                infoRequests.incrementAndGet();
                String q = URLDecoder.decode(ex.getRequestURI().getRawQuery(), StandardCharsets.UTF_8);
                String ids = q.substring(q.indexOf("id=") + 3);
                List<ObjectNode> c = new ArrayList<>();
                for (String id : ids.split(",")) {
                    if (things.containsKey(id)) {
                        c.add(things.get(id));
                    }
                }
                body = listing(c);
            } else {
                status = 404;
                body = "{\"message\":\"Not Found\",\"error\":404}";
            }
        }
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json; charset=UTF-8");
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
        ex.close();
    }

    private void load(String file, List<String> names) throws IOException {
        for (JsonNode child : mapper.readTree(DIR.resolve(file).toFile()).path("data").path("children")) {
            String name = child.path("data").path("name").asText();
            things.put(name, (ObjectNode) child);
            names.add(name);
        }
    }

    @Test
    void shouldSendEachThingVersionOnceThroughRateLimitsAndAKill() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(DIR), "skipped: the Reddit fixtures " + DIR
                + " are absent (they live in ../shared/fixtures, beside the repository)");
        load("TestSubredditListings.test_hot__oauth_reddit_com_r_askreddit_hot.json", submissions);
        load("TestRedditorListings.test_overview__new__oauth_reddit_com_user_spez_overview.json", comments);
        malformed = (ObjectNode) mapper.readTree("{\"kind\":\"t3\",\"data\":{\"title\":\"a thing without id\"}}");

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
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            Path id = Files.writeString(tmp.resolve("id"), "cid\n");
            Path secret = Files.writeString(tmp.resolve("secret"), "csecret\n");
            Path log = tmp.resolve("bridge.log");
            List<String> common = List.of("bridge", "reddit", "--subreddits", "test,other",
                    "--client-id-file", id.toString(), "--client-secret-file", secret.toString(),
                    "--user-agent", "test:discourse-trends:0.1 (by /u/nobody)",
                    "--auth-url", base + "/api/v1/access_token", "--api-url", base + "/",
                    "--bootstrap-servers", kafka.bootstrapServers(), "--poll-interval", "PT0.3S",
                    "--refresh-interval", "PT0.3S", "--commit-records", "5", "--progress-interval", "PT1S");
            int expectedFirst = submissions.size() + 1 + comments.size(); // 10 + malformed + 8 = 19

            // 1. 11 submissions (one malformed), then a wait for the rate-limit reset, a 429, 8 comments:
            //    commits after 5, 10 and 15; 4 comments are in an open transaction when the bridge is killed.
            List<String> first = new ArrayList<>(common);
            first.addAll(List.of("--commit-interval", "PT30S"));
            try (BridgeProcess bridge = BridgeProcess.start(log, first)) {
                bridge.await(() -> committed(kafka).size() == 15 && infoRequests.get() >= 1);
                Thread.sleep(1500);
                bridge.kill();
                assertThat(bridge.log()).contains("answered 429 (rate limited, Retry-After 1 s)")
                        .contains("rate-limit budget used up").contains("malformed 1")
                        .doesNotContain("csecret").doesNotContain("tok-");
            }
            assertThat(TopicContents.read(kafka.bootstrapServers(), TOPIC, false))
                    .as("the kill hit an open transaction").hasSize(expectedFirst);
            assertThat(commentRequests.get(0)).as("the budget reset was waited for").isGreaterThanOrEqualTo(budgetResetAt);
            assertThat(commentRequests.get(1) - commentRequests.get(0)).as("Retry-After honoured")
                    .isGreaterThanOrEqualTo(Duration.ofSeconds(1).toNanos());

            // 2. One submission's score moves; the restarted bridge sends the 4 aborted comments and the new version.
            String moved = submissions.get(2);
            ObjectNode v1 = things.get(moved).deepCopy();
            ObjectNode v2 = things.get(moved).deepCopy();
            ((ObjectNode) v2.get("data")).put("score", v1.path("data").path("score").asInt() + 7);
            things.put(moved, v2);
            int infoBefore = infoRequests.get();
            List<String> second = new ArrayList<>(common);
            second.addAll(List.of("--commit-interval", "PT0.2S"));
            try (BridgeProcess bridge = BridgeProcess.start(log, second)) {
                bridge.await(() -> committed(kafka).size() >= expectedFirst + 1
                        && infoRequests.get() >= infoBefore + 3);
                bridge.stop();
            }
            assertThat(badAuth).isEmpty();

            List<ConsumerRecord<byte[], byte[]>> records = committed(kafka);
            List<JsonNode> expected = new ArrayList<>();
            submissions.forEach(n -> expected.add(n.equals(moved) ? v1 : things.get(n)));
            comments.forEach(n -> expected.add(things.get(n)));
            expected.add(malformed);
            expected.add(v2);
            List<JsonNode> actual = new ArrayList<>();
            RecordKeys keys = new RecordKeys(Platform.REDDIT);
            for (ConsumerRecord<byte[], byte[]> r : records) {
                actual.add(mapper.readTree(r.value()));
                assertThat(r.key()).isEqualTo(keys.key(r.value()).key());
            }
            assertThat(actual).containsExactlyInAnyOrderElementsOf(expected);
        } finally {
            server.stop(0);
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> committed(LocalKafka kafka) {
        return TopicContents.read(kafka.bootstrapServers(), TOPIC, true);
    }
}

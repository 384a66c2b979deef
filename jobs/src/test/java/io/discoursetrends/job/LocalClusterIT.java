package io.discoursetrends.job;

import static io.discoursetrends.local.Waiting.await;
import static io.discoursetrends.local.Waiting.poll;
import static org.assertj.core.api.Assertions.assertThat;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.FieldValue;
import co.elastic.clients.elasticsearch._types.SortOrder;
import co.elastic.clients.elasticsearch.core.search.Hit;
import co.elastic.clients.json.JsonData;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.discoursetrends.buckets.TrendBucket;
import io.discoursetrends.classify.CompiledTaxonomy;
import io.discoursetrends.classify.Taxonomy;
import io.discoursetrends.elasticsearch.ElasticsearchClients;
import io.discoursetrends.elasticsearch.ElasticsearchConnection;
import io.discoursetrends.local.DemoStory;
import io.discoursetrends.local.StackLayout;
import io.discoursetrends.model.Platform;
import io.discoursetrends.replay.KafkaReplayer;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's path, driven through {@code deploy/local/stack} exactly as the README's runbook runs it: a real
 * Kafka broker, Elasticsearch node and Flink 2.2 session cluster (JobManager and TaskManager JVMs), the job jar
 * submitted through Flink's REST API, and on the way every failure an operator must see survived:
 * <ol>
 *   <li>up, submit at parallelism 1, produce: bucket documents appear;</li>
 *   <li>stop with a savepoint, resume from it at parallelism 2, produce more;</li>
 *   <li>kill -9 the TaskManager mid-stream, start a new one: the job comes back from its last checkpoint;</li>
 *   <li>stop the Elasticsearch node for 30 s mid-stream, start it again;</li>
 *   <li>restart the Kafka broker mid-stream;</li>
 *   <li>every bucket document equals {@link TrendReference} (nothing lost, nothing counted twice), and spike
 *       documents were written;</li>
 *   <li>kill -9 the stack's supervisor: every process it started exits by itself.</li>
 * </ol>
 * The input is {@link TrendStream}'s (duplicates, counter snapshots, late events, bots; no taxonomy switch and no
 * too-late events, which TrendsJobIT covers) plus the demo's bursts, so that spikes open; small, so the whole
 * test stays within a few minutes on two cores.
 */
class LocalClusterIT {
    private static final Instant START = Instant.parse("2026-05-25T12:00:00Z");
    private static final Duration SPAN = Duration.ofHours(2);
    private static final int RECORDS_PER_PLATFORM = 3_000;
    /** As in TrendsJobIT: out of reach, so the outcome does not depend on arrival order across partitions. */
    private static final int AUTHOR_CAP = 1_000;
    private static final double HLL_TOLERANCE = 3 * 1.04 / Math.sqrt(4096);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static Path stackDir;
    private static ElasticsearchClient es;

    @AfterAll
    static void down() throws Exception {
        if (es != null) {
            es._transport().close();
        }
        if (stackDir != null && Files.exists(stackDir.resolve("stack.properties"))) {
            stack("down");
        }
    }

    @Test
    void shouldEqualTheReferenceAfterAnUpgradeARescaleALostTaskManagerAnElasticsearchOutageAndABrokerRestart(
            @TempDir Path tmp) throws Exception {
        long began = System.nanoTime();
        stackDir = tmp.resolve("stack");

        // 1. The input and its reference; the order records are produced in, and five slices of it.
        TrendStream stream = new TrendStream(START, SPAN, RECORDS_PER_PLATFORM, 42);
        List<TrendStream.Produced> input = produceOrder(stream, DemoStory.of(START, SPAN));
        CompiledTaxonomy taxonomy = CompiledTaxonomy.compile(Taxonomy.defaultTaxonomy());
        TrendReference reference = new TrendReference(input, taxonomy, taxonomy, stream.switchAt.toEpochMilli(),
                60_000, AUTHOR_CAP);
        assertThat(reference.capConflicts).isEmpty();
        assertThat(reference.tooLate).isEmpty();
        List<TrendStream.Produced> body = input.stream().filter(r -> !r.closer()).toList();
        List<TrendStream.Produced> closers = input.stream().filter(TrendStream.Produced::closer).toList();
        int n = body.size();
        List<List<TrendStream.Produced>> slices = List.of(body.subList(0, n * 25 / 100),
                body.subList(n * 25 / 100, n * 50 / 100), body.subList(n * 50 / 100, n * 70 / 100),
                body.subList(n * 70 / 100, n));
        phase("input: " + input.size() + " records, " + reference.events + " events, " + reference.buckets.size()
                + " reference buckets", began);

        // 2. Up: broker, node, JobManager, one TaskManager with two slots; topics; es-setup.
        long t = System.nanoTime();
        stack("up", "--taskmanagers", "1", "--slots", "2", "--partitions", "1",
                "--owner-pid", String.valueOf(ProcessHandle.current().pid()));
        Properties state = state();
        es = ElasticsearchClients.create(ElasticsearchConnection.of(state.getProperty("elasticsearch.url")));
        phase("up", t);

        // 3. Submit at parallelism 1; the first quarter; bucket documents appear.
        t = System.nanoTime();
        stack(submitArgs("submit", "--parallelism", "1"));
        String job1 = runningJob();
        try (KafkaProducer<byte[], byte[]> producer = producer(state)) {
            produce(producer, slices.get(0));
        }
        await("complete bucket documents", Duration.ofSeconds(120),
                () -> countDocuments("discourse-trends", "{\"term\":{\"complete\":true}}") > 0);
        phase("submit at parallelism 1, first quarter produced, " + countDocuments("discourse-trends",
                "{\"match_all\":{}}") + " bucket documents", t);

        // 4. Upgrade: stop with a savepoint, resume from it at parallelism 2; the second quarter, mid-stream of
        //    which the TaskManager is killed (after a checkpoint of the resumed job) and a new one started.
        t = System.nanoTime();
        String stopped = stack("stop");
        assertThat(stopped).contains("stopped with savepoint file:");
        stack(submitArgs("resume", "--parallelism", "2"));
        String job2 = runningJob();
        assertThat(job2).isNotEqualTo(job1);
        assertThat(maxParallelism(job2)).isEqualTo(2);
        phase("stop with savepoint, resume at parallelism 2", t);

        t = System.nanoTime();
        long tmPid = Long.parseLong(state().getProperty("taskmanager-1.pid"));
        try (KafkaProducer<byte[], byte[]> producer = producer(state)) {
            CompletableFuture<Void> feeding = feed(producer, slices.get(1), Duration.ofSeconds(12));
            long afterResume = completedCheckpoints(job2);
            await("a checkpoint of the resumed job", Duration.ofSeconds(60),
                    () -> completedCheckpoints(job2) > afterResume);
            run("kill", "-9", String.valueOf(tmPid));
            await("taskmanager-1 gone", Duration.ofSeconds(30),
                    () -> ProcessHandle.of(tmPid).map(h -> !h.isAlive()).orElse(true));
            stack("service", "taskmanager", "start");
            feeding.get(120, TimeUnit.SECONDS);
        }
        await("the job restored from a checkpoint and running", Duration.ofSeconds(120),
                () -> restoredFromCheckpoint(job2) && allRunning(job2));
        phase("kill -9 taskmanager-1 mid-stream, taskmanager-2 started, job restored from checkpoint "
                + rest("/jobs/" + job2 + "/checkpoints").path("latest").path("restored").path("id").asLong(), t);

        // 5. Elasticsearch down for 30 s while the third slice streams in.
        t = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = producer(state)) {
            CompletableFuture<Void> feeding = feed(producer, slices.get(2), Duration.ofSeconds(20));
            Thread.sleep(3_000);
            stack("service", "elasticsearch", "stop");
            Thread.sleep(30_000);
            stack("service", "elasticsearch", "start");
            feeding.get(120, TimeUnit.SECONDS);
        }
        phase("elasticsearch stopped for 30 s mid-stream and started again", t);

        // 6. The broker restarted while the last slice streams in; then the closers.
        t = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = producer(state)) {
            CompletableFuture<Void> feeding = feed(producer, slices.get(3), Duration.ofSeconds(15));
            Thread.sleep(4_000);
            stack("service", "kafka", "restart");
            feeding.get(180, TimeUnit.SECONDS);
            produce(producer, closers);
        }
        phase("kafka broker restarted mid-stream, closers produced", t);

        // 7. Every bucket document equals the reference; spikes were detected and written.
        t = System.nanoTime();
        long cutoff = START.plus(SPAN).plus(TrendStream.CLOSER_DELAY).minus(Duration.ofHours(12)).toEpochMilli();
        String before = "{\"range\":{\"bucket_start\":{\"lt\":" + cutoff + "}}}";
        Map<String, TrendBucket> expected = reference.buckets;
        poll(Duration.ofSeconds(180), () -> countDocuments("discourse-trends", "{\"bool\":{\"filter\":[{\"term\":"
                + "{\"complete\":true}}," + before + "]}}") == expected.size()
                && countDocuments("discourse-trends", "{\"bool\":{\"filter\":[{\"term\":{\"complete\":false}},"
                + before + "]}}") == 0);
        Map<String, TrendBucket> actual = readBuckets(cutoff);
        if (!mismatches(expected, actual, reference).isEmpty()) {
            Thread.sleep(5_000); // a last update may still be in a bulk request
            actual = readBuckets(cutoff);
        }
        assertThat(mismatches(expected, actual, reference)).as("differences from the reference").isEmpty();
        assertThat(actual.keySet()).isEqualTo(expected.keySet());
        long spikes = countDocuments("discourse-spikes", "{\"match_all\":{}}");
        assertThat(spikes).as("spike documents").isPositive();
        phase(actual.size() + " bucket documents equal the reference; " + spikes + " spike documents", t);
        // What the state costs (README, "State backend"): the last checkpoint, and the TaskManager's heap in use.
        JsonNode latest = rest("/jobs/" + job2 + "/checkpoints").path("latest").path("completed");
        String tm = rest("/taskmanagers").path("taskmanagers").path(0).path("id").asText();
        System.out.println("last checkpoint: " + latest.path("state_size").asLong() + " bytes of state ("
                + latest.path("checkpointed_size").asLong() + " uploaded) for " + reference.events + " events; "
                + "taskmanager heap used: " + rest("/taskmanagers/" + tm + "/metrics?get=Status.JVM.Memory.Heap.Used"));
        System.out.println(stack("status"));

        // 8. The supervisor killed: its children (broker, node, JobManager, TaskManager) exit on their own.
        t = System.nanoTime();
        Properties last = state();
        long supervisor = Long.parseLong(last.getProperty("supervisor.pid"));
        List<Long> children = new ArrayList<>();
        last.stringPropertyNames().stream().filter(k -> k.endsWith(".pid") && !k.startsWith("supervisor"))
                .forEach(k -> children.add(Long.parseLong(last.getProperty(k))));
        children.removeIf(pid -> pid <= 0);
        run("kill", "-9", String.valueOf(supervisor));
        await("every process of the stack gone after its supervisor was killed", Duration.ofSeconds(60),
                () -> children.stream().noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive)
                        .orElse(false)));
        phase("supervisor killed: " + children.size() + " children exited by themselves", t);
        phase("whole test", began);
    }

    // --- input -----------------------------------------------------------------------------------------------

    /**
     * The stream's records without the too-late ones, with the demo's bursts merged into each platform by the time
     * a bridge observed them, and the platforms interleaved by progress (each platform's own order kept, which is
     * what the reference assumes: one partition per platform). Closers last.
     */
    private static List<TrendStream.Produced> produceOrder(TrendStream stream, DemoStory story) {
        record Slot(TrendStream.Produced record, double progress) {}
        List<Slot> slots = new ArrayList<>();
        List<TrendStream.Produced> closers = new ArrayList<>();
        for (Platform p : Platform.values()) {
            List<TrendStream.Produced> own = stream.records.stream()
                    .filter(r -> r.platform() == p && !r.tooLate() && !r.closer()).toList();
            List<KafkaReplayer.Observed> bursts = new ArrayList<>(story.records(p));
            bursts.sort(Comparator.comparing(KafkaReplayer.Observed::observedAt));
            List<TrendStream.Produced> merged = new ArrayList<>();
            int b = 0;
            for (TrendStream.Produced r : own) {
                while (b < bursts.size() && bursts.get(b).observedAt().toEpochMilli() <= r.timestamp()) {
                    KafkaReplayer.Observed o = bursts.get(b++);
                    merged.add(new TrendStream.Produced(p, o.value(), o.observedAt().toEpochMilli(), 1, false, false));
                }
                merged.add(r);
            }
            while (b < bursts.size()) {
                KafkaReplayer.Observed o = bursts.get(b++);
                merged.add(new TrendStream.Produced(p, o.value(), o.observedAt().toEpochMilli(), 1, false, false));
            }
            for (int i = 0; i < merged.size(); i++) {
                slots.add(new Slot(merged.get(i), (double) i / merged.size()));
            }
            stream.records.stream().filter(r -> r.platform() == p && r.closer()).forEach(closers::add);
        }
        slots.sort(Comparator.comparingDouble(Slot::progress));
        List<TrendStream.Produced> out = new ArrayList<>();
        slots.forEach(s -> out.add(s.record()));
        out.addAll(closers);
        return out;
    }

    private static String[] submitArgs(String command, String... more) {
        List<String> args = new ArrayList<>(List.of(command));
        args.addAll(List.of(more));
        args.addAll(List.of(
                "-Dkafka.starting-offsets=earliest",
                // No partition may go idle while the test prepares the next step (see TrendsJobIT).
                "-Dwatermark.idleness=30 min",
                "-Dcheckpoint.interval=2 s",
                "-Dbuckets.early-results=2 s",
                "-Dbuckets.max-posts-per-author=" + AUTHOR_CAP,
                "-Des.bulk.max-actions=500",
                "-Dpipeline.generic-types=false"));
        return args.toArray(new String[0]);
    }

    private static KafkaProducer<byte[], byte[]> producer(Properties state) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, state.getProperty("kafka.bootstrap-servers"));
        p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        // Idempotent (the default with acks=all): a send retried across the broker restart is written once, in order.
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 180_000);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 180_000);
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static void produce(KafkaProducer<byte[], byte[]> producer, List<TrendStream.Produced> records) {
        for (TrendStream.Produced r : records) {
            producer.send(new ProducerRecord<>(topic(r.platform()), 0, r.timestamp(), null, r.value()));
        }
        producer.flush();
    }

    /** Sends {@code records} in 20 even steps over {@code duration}, so a failure lands mid-stream. */
    private static CompletableFuture<Void> feed(KafkaProducer<byte[], byte[]> producer,
            List<TrendStream.Produced> records, Duration duration) {
        return CompletableFuture.runAsync(() -> {
            int steps = 20;
            for (int i = 0; i < steps; i++) {
                produce(producer, records.subList(records.size() * i / steps, records.size() * (i + 1) / steps));
                try {
                    Thread.sleep(duration.toMillis() / steps);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        });
    }

    private static String topic(Platform p) {
        return switch (p) {
            case BLUESKY -> JobOptions.TOPIC_BLUESKY.defaultValue();
            case MASTODON -> JobOptions.TOPIC_MASTODON.defaultValue();
            case REDDIT -> JobOptions.TOPIC_REDDIT.defaultValue();
            case HACKERNEWS -> JobOptions.TOPIC_HACKERNEWS.defaultValue();
        };
    }

    // --- the stack -------------------------------------------------------------------------------------------

    /** Runs {@code deploy/local/stack --dir DIR ARGS}, prints what it printed, fails unless it exits with 0. */
    private static String stack(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash",
                StackLayout.locate().root().resolve("deploy/local/stack").toString(), "--dir", stackDir.toString()));
        command.addAll(List.of(args));
        String output = run(command.toArray(new String[0]));
        return output;
    }

    private static String run(String... command) throws IOException, InterruptedException {
        long t = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output;
        try (InputStream in = process.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!process.waitFor(6, TimeUnit.MINUTES)) {
            process.destroyForcibly();
        }
        String shown = String.join(" ", command).replace(stackDir == null ? "\0" : stackDir.toString(), "$DIR");
        System.out.printf("$ %s   (%.1f s, exit %d)%n%s", shown.replaceFirst("^bash \\S*/deploy/local/stack",
                "deploy/local/stack"), (System.nanoTime() - t) / 1e9, process.exitValue(),
                output.isEmpty() || output.endsWith("\n") ? output : output + "\n");
        assertThat(process.exitValue()).as("exit code of %s", shown).isZero();
        return output;
    }

    private static Properties state() throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(stackDir.resolve("stack.properties"))) {
            p.load(in);
        }
        return p;
    }

    private static JsonNode rest(String path) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(state().getProperty("flink.rest") + path))
                    .timeout(Duration.ofSeconds(10)).GET().build();
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? JSON.readTree(response.body()) : JSON.createObjectNode();
        } catch (IOException e) {
            return JSON.createObjectNode();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static String runningJob() {
        List<String> running = new ArrayList<>();
        rest("/jobs/overview").path("jobs").forEach(j -> {
            if (j.path("state").asText().equals("RUNNING")) {
                running.add(j.path("jid").asText());
            }
        });
        assertThat(running).hasSize(1);
        return running.get(0);
    }

    private static int maxParallelism(String job) {
        int max = 0;
        for (JsonNode v : rest("/jobs/" + job).path("vertices")) {
            max = Math.max(max, v.path("parallelism").asInt());
        }
        return max;
    }

    private static boolean allRunning(String job) {
        JsonNode details = rest("/jobs/" + job);
        if (!details.path("state").asText().equals("RUNNING") || details.path("vertices").isEmpty()) {
            return false;
        }
        for (JsonNode v : details.path("vertices")) {
            if (!v.path("status").asText().equals("RUNNING")) {
                return false;
            }
        }
        return true;
    }

    private static long completedCheckpoints(String job) {
        return rest("/jobs/" + job + "/checkpoints").path("counts").path("completed").asLong();
    }

    private static boolean restoredFromCheckpoint(String job) {
        JsonNode restored = rest("/jobs/" + job + "/checkpoints").path("latest").path("restored");
        return restored.isObject() && !restored.path("is_savepoint").asBoolean(true);
    }

    private static void phase(String what, long startNanos) {
        System.out.printf("=== %s: %.1f s%n", what, (System.nanoTime() - startNanos) / 1e9);
    }

    // --- Elasticsearch ---------------------------------------------------------------------------------------

    private static long countDocuments(String alias, String queryJson) {
        try {
            es.indices().refresh(r -> r.index(alias + "-*").ignoreUnavailable(true).allowNoIndices(true));
            return es.count(c -> c.index(alias + "-*").ignoreUnavailable(true).allowNoIndices(true)
                    .query(q -> q.withJson(new StringReader(queryJson)))).count();
        } catch (Exception e) {
            return 0; // not there yet, or the node is down
        }
    }

    private static Map<String, TrendBucket> readBuckets(long beforeMillis) throws Exception {
        Map<String, TrendBucket> out = new TreeMap<>();
        es.indices().refresh(r -> r.index("discourse-trends-*"));
        List<FieldValue> after = null;
        while (true) {
            List<FieldValue> searchAfter = after;
            var response = es.search(s -> {
                s.index("discourse-trends-*").size(5_000)
                        .query(q -> q.range(r -> r.untyped(u -> u.field("bucket_start").lt(JsonData.of(beforeMillis)))))
                        .sort(o -> o.field(f -> f.field("bucket_start").order(SortOrder.Asc)))
                        .sort(o -> o.field(f -> f.field("topic").order(SortOrder.Asc)))
                        .sort(o -> o.field(f -> f.field("platform").order(SortOrder.Asc)));
                if (searchAfter != null) {
                    s.searchAfter(searchAfter);
                }
                return s;
            }, ObjectNode.class);
            List<Hit<ObjectNode>> hits = response.hits().hits();
            for (Hit<ObjectNode> hit : hits) {
                TrendBucket b = TrendsJobIT.parse(hit.source());
                assertThat(hit.id()).isEqualTo(b.documentId());
                out.put(hit.id(), b);
            }
            if (hits.size() < 5_000) {
                return out;
            }
            after = hits.get(hits.size() - 1).sort();
        }
    }

    private static List<String> mismatches(Map<String, TrendBucket> expected, Map<String, TrendBucket> actual,
            TrendReference reference) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, TrendBucket> e : expected.entrySet()) {
            TrendBucket a = actual.get(e.getKey());
            if (a == null) {
                out.add("missing " + e.getKey());
            } else if (!a.equalsExceptEstimates(e.getValue())) {
                out.add("expected " + e.getValue() + "\n     got " + a);
            } else if (!within(a.uniqueAuthors(), reference.exactAuthors.get(e.getKey()))
                    || !within(a.uniqueEngagers(), reference.exactEngagers.get(e.getKey()))) {
                out.add(e.getKey() + " unique authors/engagers " + a.uniqueAuthors() + "/" + a.uniqueEngagers());
            }
            if (out.size() >= 5) {
                return out;
            }
        }
        actual.keySet().stream().filter(id -> !expected.containsKey(id)).limit(5).forEach(id -> out.add("unexpected "
                + id));
        return out;
    }

    private static boolean within(long estimate, long exact) {
        return Math.abs(estimate - exact) <= 1 + exact * HLL_TOLERANCE;
    }
}

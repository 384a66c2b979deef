package io.discoursetrends.local;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.aggregations.Aggregate;
import co.elastic.clients.elasticsearch._types.aggregations.StringTermsBucket;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.discoursetrends.buckets.TrendBucket;
import io.discoursetrends.elasticsearch.ElasticsearchClients;
import io.discoursetrends.elasticsearch.ElasticsearchConnection;
import io.discoursetrends.job.JobConfiguration;
import io.discoursetrends.job.JobOptions;
import io.discoursetrends.job.TrendsJobRunner;
import io.discoursetrends.model.Platform;
import io.discoursetrends.replay.FixtureRecords;
import io.discoursetrends.replay.KafkaReplayer;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The end-to-end demo: a real Kafka broker and Elasticsearch node started on this machine, the shared
 * fixtures plus a generated stream plus a few malformed records replayed onto the raw topics, the trends
 * job run bounded on a local MiniCluster with the production connectors, and a summary read back from
 * Elasticsearch and the dead-letter and late-data topics.
 *
 * <p>The generated stream tells a story for the spike detector, at fixed fractions of the span so it stays
 * deterministic: an image-model launch that every platform talks about at once, then a model release on the
 * events calendar ({@code events.file}, written next to the checkpoints) that r/LocalLLaMA and Hacker News react
 * to while Bluesky, which talks about local models steadily, does not. The summary ends with the spikes found,
 * each with its explanation, and the release's impact per platform.
 */
public final class Demo {

    /** What to replay and how to run. */
    public record Settings(Path fixtures, int generatedPerPlatform, Duration span, Instant start, int malformedPerPlatform,
                           int parallelism, boolean keepRunning) {}

    private final Settings settings;
    private final DemoStream stream;
    private final PrintStream out;
    private final ObjectMapper json = new ObjectMapper();

    public Demo(Settings settings, PrintStream out) {
        this.settings = settings;
        this.stream = new DemoStream(settings.start(), settings.span(), settings.generatedPerPlatform(),
                settings.malformedPerPlatform());
        this.out = out;
    }

    public void run() throws Exception {
        Path checkpointDir = Files.createTempDirectory("discourse-trends-demo-checkpoints");
        try {
            run(checkpointDir);
        } finally {
            try (var paths = Files.walk(checkpointDir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private void run(Path checkpointDir) throws Exception {
        long t0 = System.nanoTime();
        step(1, "starting a Kafka broker");
        try (LocalKafka kafka = LocalKafka.launch()) {
            done("ready at " + kafka.bootstrapServers(), t0);

            long t1 = System.nanoTime();
            step(2, "starting an Elasticsearch node");
            try (LocalElasticsearch es = LocalElasticsearch.launch()) {
                done("ready at " + es.httpUrl(), t1);
                DemoStory story = stream.story();
                Path eventsFile = Files.writeString(checkpointDir.resolve("events.yaml"), story.eventsYaml());
                Configuration config = jobConfig(kafka, es, checkpointDir,
                        story.events().isEmpty() ? null : eventsFile);
                createTopics(kafka, config);

                long t2 = System.nanoTime();
                step(3, "replaying raw platform records onto Kafka");
                Map<Platform, Integer> replayed = replay(kafka, config, story);
                StringBuilder perPlatform = new StringBuilder();
                replayed.forEach((p, n) -> perPlatform.append(perPlatform.length() == 0 ? "" : ", ")
                        .append(p.id()).append(' ').append(String.format("%,d", n)));
                done(String.format("%,d records sent (%s)",
                        replayed.values().stream().mapToInt(Integer::intValue).sum(), perPlatform), t2);

                long t3 = System.nanoTime();
                step(4, "running the trends job on a local Flink MiniCluster (bounded, parallelism "
                        + settings.parallelism() + ")");
                TrendsJobRunner.run(config, "discourse-trends demo");
                done("finished", t3);

                step(5, "reading the results back");
                out.println();
                printSummary(es, kafka, config, story);
                if (settings.keepRunning()) {
                    out.printf("%nKafka %s and Elasticsearch %s keep running; press Ctrl-C to stop them.%n",
                            kafka.bootstrapServers(), es.httpUrl());
                    Thread.currentThread().join();
                }
            }
        }
    }

    private Configuration jobConfig(LocalKafka kafka, LocalElasticsearch es, Path checkpointDir, Path eventsFile) {
        Map<String, String> s = new HashMap<>();
        if (eventsFile != null) {
            s.put(JobOptions.EVENTS_FILE.key(), eventsFile.toString());
        }
        s.put(JobOptions.KAFKA_BOOTSTRAP.key(), kafka.bootstrapServers());
        s.put(JobOptions.ES_URLS.key(), es.httpUrl());
        s.put(JobOptions.BOUNDED.key(), "true");
        s.put(JobOptions.STARTING_OFFSETS.key(), "earliest");
        s.put(CoreOptions.DEFAULT_PARALLELISM.key(), String.valueOf(settings.parallelism()));
        // Checkpoints to local files: the job's keyed state outgrows the JobManager's in-memory storage.
        s.put(CheckpointingOptions.CHECKPOINTS_DIRECTORY.key(), checkpointDir.toUri().toString());
        return JobConfiguration.load(null, s);
    }

    private static void createTopics(LocalKafka kafka, Configuration config) {
        Map<String, Integer> topics = new LinkedHashMap<>();
        for (Platform p : Platform.values()) {
            topics.put(rawTopic(config, p), 2);
        }
        topics.put(config.get(JobOptions.TOPIC_DEAD_LETTERS), 1);
        topics.put(config.get(JobOptions.TOPIC_LATE), 1);
        // One partition: a spike's alerts (open, updates, close) stay in order for a consumer.
        topics.put(config.get(JobOptions.TOPIC_SPIKES), 1);
        kafka.createTopics(topics);
    }

    private static String rawTopic(Configuration config, Platform p) {
        return switch (p) {
            case BLUESKY -> config.get(JobOptions.TOPIC_BLUESKY);
            case MASTODON -> config.get(JobOptions.TOPIC_MASTODON);
            case REDDIT -> config.get(JobOptions.TOPIC_REDDIT);
            case HACKERNEWS -> config.get(JobOptions.TOPIC_HACKERNEWS);
        };
    }

    private Map<Platform, Integer> replay(LocalKafka kafka, Configuration config, DemoStory story) throws Exception {
        Map<Platform, List<byte[]>> fixtures = Map.of();
        if (settings.fixtures() != null && Files.isDirectory(settings.fixtures())) {
            fixtures = FixtureRecords.load(settings.fixtures());
            out.println("      fixtures: " + settings.fixtures().toAbsolutePath().normalize());
        } else {
            out.println("      fixtures: none (" + settings.fixtures() + " is absent); generated records only");
        }
        out.printf("      generated: %,d records per platform over %d min from %s, and %d malformed per platform;%n"
                + "      Mastodon, Reddit and Hacker News posts polled again 5 and 15 min later (counter snapshots)%n",
                settings.generatedPerPlatform(), settings.span().toMinutes(), settings.start(),
                settings.malformedPerPlatform());
        story.describe().forEach(out::println);
        Map<Platform, String> topics = new EnumMap<>(Platform.class);
        for (Platform p : Platform.values()) {
            topics.put(p, rawTopic(config, p));
        }
        Map<Platform, Integer> counts = new EnumMap<>(Platform.class);
        try (KafkaReplayer replayer = new KafkaReplayer(kafka.bootstrapServers(), topics)) {
            for (Platform p : Platform.values()) {
                List<KafkaReplayer.Observed> records = new ArrayList<>();
                for (byte[] r : fixtures.getOrDefault(p, List.of())) {
                    records.add(new KafkaReplayer.Observed(r, null));
                }
                records.addAll(stream.records(p));
                replayer.replayObserved(p, records, n -> out.printf("      %s: %,d sent%n", p.id(), n));
                counts.put(p, records.size());
            }
        }
        return counts;
    }

    private void printSummary(LocalElasticsearch es, LocalKafka kafka, Configuration config, DemoStory story)
            throws Exception {
        String alias = config.get(JobOptions.ES_INDEX_TRENDS);
        ElasticsearchClient client = ElasticsearchClients.create(ElasticsearchConnection.of(es.httpUrl()));
        try {
            client.indices().refresh(r -> r.index(alias));
            printPlatforms(client, alias);
            printTopTopics(client, alias);
            printDeadAndLate(kafka, config);
            List<JsonNode> alerts = readTopic(kafka, config.get(JobOptions.TOPIC_SPIKES));
            printSpikes(documents(client, config.get(JobOptions.ES_INDEX_SPIKES)), alerts.size(),
                    config.get(JobOptions.ES_INDEX_SPIKES), config.get(JobOptions.TOPIC_SPIKES));
            printImpact(documents(client, config.get(JobOptions.ES_INDEX_EVENT_IMPACT)),
                    config.get(JobOptions.ES_INDEX_EVENT_IMPACT), story);
        } finally {
            client._transport().close();
        }
    }

    private void printDeadAndLate(LocalKafka kafka, Configuration config) throws Exception {
        List<JsonNode> deadLetters = readTopic(kafka, config.get(JobOptions.TOPIC_DEAD_LETTERS));
        out.printf("%nDead letters (topic %s): %d%n", config.get(JobOptions.TOPIC_DEAD_LETTERS), deadLetters.size());
        Map<String, Integer> reasons = new LinkedHashMap<>();
        for (JsonNode d : deadLetters) {
            String reason = d.get("platform").asText() + ": " + d.get("reason").asText();
            reasons.merge(reason.length() > 110 ? reason.substring(0, 107) + "..." : reason, 1, Integer::sum);
        }
        reasons.forEach((reason, n) -> out.printf("  %3d x %s%n", n, reason));
        List<JsonNode> late = readTopic(kafka, config.get(JobOptions.TOPIC_LATE));
        out.printf("Late events (topic %s): %d%n", config.get(JobOptions.TOPIC_LATE), late.size());
    }

    /** Every document of a kind's monthly indices (a handful here), as JSON. */
    private static List<JsonNode> documents(ElasticsearchClient client, String base) throws Exception {
        String pattern = base + "-*";
        client.indices().refresh(r -> r.index(pattern).ignoreUnavailable(true).allowNoIndices(true));
        var response = client.search(s -> s.index(pattern).ignoreUnavailable(true).allowNoIndices(true).size(1_000),
                JsonNode.class);
        List<JsonNode> docs = new ArrayList<>();
        response.hits().hits().forEach(h -> docs.add(h.source()));
        return docs;
    }

    /** One line per spike, then what explains it: distinctive terms and the most engaged post. */
    private void printSpikes(List<JsonNode> spikes, int alerts, String index, String topic) {
        out.printf("%nSpikes (index %s; %d alerts on Kafka topic %s, one per open, update and close): %d%n",
                index, alerts, topic, spikes.size());
        if (spikes.isEmpty()) {
            return;
        }
        List<String> order = platformOrder();
        spikes.sort(Comparator.<JsonNode, String>comparing(d -> d.get("started_at").asText())
                .thenComparing(d -> d.get("topic").asText())
                .thenComparingInt(d -> order.indexOf(d.get("platform").asText())));
        out.printf("%-19s %-11s %-6s %5s %8s %6s %-8s %-16s %s%n", "topic", "platform", "start", "peak", "baseline",
                "ratio", "severity", "event", "quiet platforms");
        for (JsonNode d : spikes) {
            List<String> quiet = new ArrayList<>();
            d.get("quiet_platforms").forEach(q -> quiet.add(q.asText()));
            out.printf("%-19s %-11s %-6s %5.0f %8.2f %6.1f %-8s %-16s %s%n", d.get("topic").asText(),
                    d.get("platform").asText(), d.get("started_at").asText().substring(11, 16),
                    d.get("peak_value").asDouble(), d.get("baseline").asDouble(), d.get("ratio").asDouble(),
                    d.get("severity").asText(), d.path("event").path("id").asText("-"),
                    quiet.isEmpty() ? "-" : String.join(", ", quiet));
            List<String> terms = new ArrayList<>();
            d.get("distinctive_terms").forEach(t -> terms.add(t.get("term").asText()));
            out.printf("    terms: %s%n", terms.isEmpty() ? "-" : String.join(", ", terms.subList(0,
                    Math.min(6, terms.size()))));
            JsonNode top = d.get("top_posts").path(0);
            if (!top.isMissingNode()) {
                out.printf("    top post (%d engagement): %s%n", top.get("engagement").asLong(),
                        snippet(top.path("text").asText(""), 90));
            }
        }
    }

    /** Per event on the calendar and each of its topics, how each platform moved in the 48 hours after it. */
    private void printImpact(List<JsonNode> impacts, String index, DemoStory story) {
        out.printf("%nEvent impact (index %s; 48 h after each event, on each of its topics):%n", index);
        if (impacts.isEmpty()) {
            out.println("  none");
            return;
        }
        List<String> order = platformOrder();
        for (DemoStory.Event e : story.events()) {
            // The story's topic first, then any other topic the event's documents measure.
            Set<String> topics = new LinkedHashSet<>(List.of(e.topic()));
            impacts.stream().filter(d -> d.get("event_id").asText().equals(e.id()))
                    .map(d -> d.get("topic").asText()).sorted().forEach(topics::add);
            for (String topic : topics) {
                printImpact(impacts, e, topic, order);
            }
        }
        if (impacts.stream().anyMatch(d -> !d.get("complete").asBoolean())) {
            out.println("  (the stream ends before 48 hours have passed: these are the figures so far, complete=false)");
        }
    }

    private void printImpact(List<JsonNode> impacts, DemoStory.Event e, String topic, List<String> order) {
        out.printf("%s \"%s\" at %s, topic %s:%n", e.id(), e.name(), e.time(), topic);
        out.printf("  %-11s %12s %6s %6s %13s %13s %18s%n", "platform", "baseline/min", "peak", "lift",
                "time to peak", "excess posts", "excess engagement");
        impacts.stream()
                .filter(d -> d.get("event_id").asText().equals(e.id()) && d.get("topic").asText().equals(topic))
                .sorted(Comparator.comparingInt(d -> order.indexOf(d.get("platform").asText())))
                .forEach(d -> out.printf("  %-11s %12.2f %6.0f %6.1f %13s %13.0f %18.0f%n",
                        d.get("platform").asText(), d.get("baseline_posts_per_bucket").asDouble(),
                        d.get("peak_posts").asDouble(), d.get("peak_lift").asDouble(),
                        d.has("time_to_peak_minutes")
                                ? String.format("%.0f min", d.get("time_to_peak_minutes").asDouble()) : "-",
                        d.get("excess_posts").asDouble(), d.get("excess_engagement").asDouble()));
    }

    private static List<String> platformOrder() {
        List<String> order = new ArrayList<>();
        for (Platform p : Platform.values()) {
            order.add(p.id());
        }
        order.add(TrendBucket.ALL_PLATFORMS);
        return order;
    }

    /** The first {@code max} characters on one line. */
    private static String snippet(String text, int max) {
        String line = text.replaceAll("\\s+", " ").trim();
        return line.length() <= max ? line : line.substring(0, max - 3) + "...";
    }


    /** Per platform, from the {@code _all} topic's buckets: volume, engagement, and the busiest minute. */
    private void printPlatforms(ElasticsearchClient client, String alias) throws Exception {
        String query = """
                {"size":0,"query":{"term":{"topic":"_all"}},
                 "aggs":{"platforms":{"terms":{"field":"platform","size":10,"order":{"_key":"asc"}},
                   "aggs":{"posts":{"sum":{"field":"posts"}},"bots":{"sum":{"field":"bot_posts"}},
                           "capped":{"sum":{"field":"capped_posts"}},"likes":{"sum":{"field":"likes"}},
                           "reposts":{"sum":{"field":"reposts"}},"replies":{"sum":{"field":"replies"}},
                           "votes":{"sum":{"field":"votes"}},"engagement":{"sum":{"field":"engagement"}},
                           "unattributed":{"sum":{"field":"unattributed_engagement"}},
                           "busiest":{"top_hits":{"size":1,"_source":{"includes":["bucket_start","posts"]},
                             "sort":[{"posts":"desc"},{"bucket_start":"asc"}]}}}}}}""";
        var response = client.search(s -> s.index(alias).withJson(new StringReader(query)), Void.class);
        out.printf("Elasticsearch alias %s, topic _all (every post), per platform:%n", alias);
        out.printf("%-11s %8s %6s %6s %8s %8s %8s %7s %10s %12s  %s%n", "platform", "buckets", "posts", "bots",
                "likes", "reposts", "replies", "votes", "engagement", "unattributed", "busiest minute");
        for (var b : inPlatformOrder(response.aggregations().get("platforms").sterms().buckets().array())) {
            var a = b.aggregations();
            JsonNode top = a.get("busiest").topHits().hits().hits().get(0).source().to(JsonNode.class);
            out.printf("%-11s %8d %6.0f %6.0f %8.0f %8.0f %8.0f %7.0f %10.0f %12.0f  %s (%d posts)%n",
                    b.key().stringValue(), b.docCount(), sum(a, "posts"), sum(a, "bots"), sum(a, "likes"),
                    sum(a, "reposts"), sum(a, "replies"), sum(a, "votes"), sum(a, "engagement"),
                    sum(a, "unattributed"), top.get("bucket_start").asText(), top.get("posts").asLong());
        }
    }

    /** The platforms in their usual order, then all platforms together. */
    private static List<StringTermsBucket> inPlatformOrder(List<StringTermsBucket> buckets) {
        List<String> order = new ArrayList<>();
        for (Platform p : Platform.values()) {
            order.add(p.id());
        }
        order.add(TrendBucket.ALL_PLATFORMS);
        return buckets.stream().sorted(Comparator.comparingInt(b -> {
            int i = order.indexOf(b.key().stringValue());
            return i < 0 ? order.size() : i;
        })).toList();
    }

    /** The three topics with the most posts on each platform, with their engagement: what the demo is for. */
    private void printTopTopics(ElasticsearchClient client, String alias) throws Exception {
        String query = """
                {"size":0,"query":{"bool":{"must_not":[{"term":{"topic":"_all"}}]}},
                 "aggs":{"platforms":{"terms":{"field":"platform","size":10,"order":{"_key":"asc"}},
                   "aggs":{"topics":{"terms":{"field":"topic","size":3,"order":[{"posts":"desc"},{"_key":"asc"}]},
                     "aggs":{"posts":{"sum":{"field":"posts"}},"engagement":{"sum":{"field":"engagement"}}}}}}}}""";
        var response = client.search(s -> s.index(alias).withJson(new StringReader(query)), Void.class);
        out.printf("%nTop topics per platform (posts, engagement):%n");
        for (var b : inPlatformOrder(response.aggregations().get("platforms").sterms().buckets().array())) {
            StringBuilder line = new StringBuilder(String.format("%-11s", b.key().stringValue()));
            for (var t : b.aggregations().get("topics").sterms().buckets().array()) {
                line.append(String.format("  %-26s %6.0f %7.0f", t.key().stringValue(), sum(t.aggregations(), "posts"),
                        sum(t.aggregations(), "engagement")));
            }
            out.println(line);
        }
    }

    private static double sum(Map<String, Aggregate> aggs, String name) {
        return aggs.get(name).sum().value();
    }

    /**
     * Everything on a topic written by the finished job: its partitions are read from the beginning up to the
     * end offsets taken now. Assigned rather than subscribed, so no consumer-group join can race the reading.
     */
    private List<JsonNode> readTopic(LocalKafka kafka, String topic) throws Exception {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<JsonNode> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                     new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read topic " + topic + " to its end within 30 s");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    out.add(json.readTree(r.value()));
                }
            }
        }
        return out;
    }

    private void step(int n, String what) {
        out.printf("[%d/5] %s ...%n", n, what);
    }

    private void done(String what, long startedNanos) {
        out.printf("      %s (%.1f s)%n", what, (System.nanoTime() - startedNanos) / 1e9);
    }
}

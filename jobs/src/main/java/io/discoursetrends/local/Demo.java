package io.discoursetrends.local;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch.core.search.Hit;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.discoursetrends.elasticsearch.ElasticsearchClients;
import io.discoursetrends.elasticsearch.ElasticsearchConnection;
import io.discoursetrends.job.JobConfiguration;
import io.discoursetrends.job.JobOptions;
import io.discoursetrends.job.TrendsJobRunner;
import io.discoursetrends.model.Platform;
import io.discoursetrends.replay.FixtureRecords;
import io.discoursetrends.replay.KafkaReplayer;
import io.discoursetrends.replay.RawStreamGenerator;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
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
 */
public final class Demo {

    /** What to replay and how to run. */
    public record Settings(Path fixtures, int generatedPerPlatform, Duration span, Instant start, int malformedPerPlatform,
                           int parallelism, boolean keepRunning) {}

    private final Settings settings;
    private final PrintStream out;
    private final ObjectMapper json = new ObjectMapper();

    public Demo(Settings settings, PrintStream out) {
        this.settings = settings;
        this.out = out;
    }

    public void run() throws Exception {
        long t0 = System.nanoTime();
        step(1, "starting a Kafka broker");
        try (LocalKafka kafka = LocalKafka.launch()) {
            done("ready at " + kafka.bootstrapServers(), t0);

            long t1 = System.nanoTime();
            step(2, "starting an Elasticsearch node");
            try (LocalElasticsearch es = LocalElasticsearch.launch()) {
                done("ready at " + es.httpUrl(), t1);
                Configuration config = jobConfig(kafka, es);
                createTopics(kafka, config);

                long t2 = System.nanoTime();
                step(3, "replaying raw platform records onto Kafka");
                Map<Platform, Integer> replayed = replay(kafka, config);
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
                printSummary(es, kafka, config);
                if (settings.keepRunning()) {
                    out.printf("%nKafka %s and Elasticsearch %s keep running; press Ctrl-C to stop them.%n",
                            kafka.bootstrapServers(), es.httpUrl());
                    Thread.currentThread().join();
                }
            }
        }
    }

    private Configuration jobConfig(LocalKafka kafka, LocalElasticsearch es) {
        Map<String, String> s = new HashMap<>();
        s.put(JobOptions.KAFKA_BOOTSTRAP.key(), kafka.bootstrapServers());
        s.put(JobOptions.ES_URLS.key(), es.httpUrl());
        s.put(JobOptions.BOUNDED.key(), "true");
        s.put(JobOptions.STARTING_OFFSETS.key(), "earliest");
        s.put(CoreOptions.DEFAULT_PARALLELISM.key(), String.valueOf(settings.parallelism()));
        return JobConfiguration.load(null, s);
    }

    private static void createTopics(LocalKafka kafka, Configuration config) {
        Map<String, Integer> topics = new LinkedHashMap<>();
        for (Platform p : Platform.values()) {
            topics.put(rawTopic(config, p), 2);
        }
        topics.put(config.get(JobOptions.TOPIC_DEAD_LETTERS), 1);
        topics.put(config.get(JobOptions.TOPIC_LATE), 1);
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

    private Map<Platform, Integer> replay(LocalKafka kafka, Configuration config) throws Exception {
        Map<Platform, List<byte[]>> fixtures = Map.of();
        if (settings.fixtures() != null && Files.isDirectory(settings.fixtures())) {
            fixtures = FixtureRecords.load(settings.fixtures());
            out.println("      fixtures: " + settings.fixtures().toAbsolutePath().normalize());
        } else {
            out.println("      fixtures: none (" + settings.fixtures() + " is absent); generated records only");
        }
        out.printf("      generated: %,d records per platform over %d min from %s, and %d malformed per platform%n",
                settings.generatedPerPlatform(), settings.span().toMinutes(), settings.start(),
                settings.malformedPerPlatform());
        Map<Platform, String> topics = new EnumMap<>(Platform.class);
        for (Platform p : Platform.values()) {
            topics.put(p, rawTopic(config, p));
        }
        Map<Platform, Integer> counts = new EnumMap<>(Platform.class);
        try (KafkaReplayer replayer = new KafkaReplayer(kafka.bootstrapServers(), topics)) {
            for (Platform p : Platform.values()) {
                List<byte[]> records = new ArrayList<>(fixtures.getOrDefault(p, List.of()));
                records.addAll(RawStreamGenerator.values(RawStreamGenerator.generate(p,
                        settings.generatedPerPlatform(), settings.start(), settings.span(), 1_000 + p.ordinal())));
                for (var m : RawStreamGenerator.malformed(p, settings.malformedPerPlatform(), 7)) {
                    records.add(m.value());
                }
                replayer.replay(p, records, n -> out.printf("      %s: %,d sent%n", p.id(), n));
                counts.put(p, records.size());
            }
        }
        return counts;
    }

    private void printSummary(LocalElasticsearch es, LocalKafka kafka, Configuration config) throws Exception {
        String index = config.get(JobOptions.ES_INDEX_PLATFORM_COUNTS);
        ElasticsearchClient client = ElasticsearchClients.create(ElasticsearchConnection.of(es.httpUrl()));
        Map<Platform, long[]> totals = new EnumMap<>(Platform.class);
        Map<Platform, String> busiest = new EnumMap<>(Platform.class);
        try {
            client.indices().refresh(r -> r.index(index));
            var response = client.search(s -> s.index(index).size(10_000), ObjectNode.class);
            for (Hit<ObjectNode> hit : response.hits().hits()) {
                JsonNode d = hit.source();
                Platform p = Platform.of(d.get("platform").asText());
                long[] t = totals.computeIfAbsent(p, k -> new long[8]);
                long posts = d.get("posts").asLong();
                t[0]++;
                t[1] += posts;
                t[2] += d.get("replies").asLong();
                t[3] += d.get("quotes").asLong();
                t[4] += d.get("likes").asLong();
                t[5] += d.get("reposts").asLong();
                t[6] += d.get("engagement").asLong();
                String bucket = d.get("bucket_start").asText();
                // Ties go to the earliest minute, so the summary does not depend on the order of the hits.
                if (posts > t[7] || posts == t[7] && posts > 0 && bucket.compareTo(busiest.get(p)) < 0) {
                    t[7] = posts;
                    busiest.put(p, bucket);
                }
            }
        } finally {
            client._transport().close();
        }
        out.printf("Elasticsearch index %s (one document per platform and minute):%n", index);
        out.printf("%-11s %8s %8s %8s %7s %8s %8s %10s  %s%n",
                "platform", "buckets", "posts", "replies", "quotes", "likes", "reposts", "engagement", "busiest minute");
        for (Platform p : Platform.values()) {
            long[] t = totals.getOrDefault(p, new long[8]);
            out.printf("%-11s %8d %8d %8d %7d %8d %8d %10d  %s%n", p.id(), t[0], t[1], t[2], t[3], t[4], t[5], t[6],
                    busiest.containsKey(p) ? busiest.get(p) + " (" + t[7] + " posts)" : "-");
        }
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

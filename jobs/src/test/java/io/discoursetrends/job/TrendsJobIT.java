package io.discoursetrends.job;

import static org.assertj.core.api.Assertions.assertThat;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch.core.search.Hit;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.discoursetrends.buckets.PlatformCount;
import io.discoursetrends.elasticsearch.ElasticsearchClients;
import io.discoursetrends.elasticsearch.ElasticsearchConnection;
import io.discoursetrends.elasticsearch.DocumentSchemaTest;
import com.networknt.schema.JsonSchema;
import io.discoursetrends.local.LocalElasticsearch;
import io.discoursetrends.local.LocalKafka;
import io.discoursetrends.model.Platform;
import io.discoursetrends.normalize.Normalizers;
import io.discoursetrends.replay.FixtureRecords;
import io.discoursetrends.replay.KafkaReplayer;
import io.discoursetrends.replay.RawStreamGenerator;
import io.discoursetrends.replay.RawStreamGenerator.RawRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.CoreOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole path against real servers: a Kafka broker and an Elasticsearch node (child JVMs), the job on a
 * Flink MiniCluster with the production connectors. Input: every record of the shared fixtures (when
 * ../shared is there), a generated stream per platform, and malformed records.
 *
 * <p>Expected values come from two places that share nothing with the job: {@link ReferenceCounts} (a batch
 * computation over the same records) for every bucket document, and the generator's own account of what
 * each record holds for the totals.
 */
class TrendsJobIT {
    private static final Instant START = Instant.parse("2026-05-25T12:00:00Z");
    private static final int GENERATED_PER_PLATFORM = 2_500;
    private static final int MALFORMED_PER_PLATFORM = 6;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonSchema PLATFORM_COUNT_SCHEMA = DocumentSchemaTest.schema("platform-count");
    private static final JsonSchema DEAD_LETTER_SCHEMA = DocumentSchemaTest.schema("dead-letter");

    private static LocalKafka kafka;
    private static LocalElasticsearch elasticsearch;
    private static ElasticsearchClient es;

    @BeforeAll
    static void startServers() throws Exception {
        kafka = LocalKafka.launch();
        elasticsearch = LocalElasticsearch.launch();
        es = ElasticsearchClients.create(ElasticsearchConnection.of(elasticsearch.httpUrl()));
    }

    @AfterAll
    static void stopServers() throws Exception {
        if (es != null) {
            es._transport().close();
        }
        if (elasticsearch != null) {
            elasticsearch.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void shouldIndexExactlyTheReferenceCountsAndDeadLetterEveryMalformedRecord() throws Exception {
        // 1. Topics of our own, so this test does not depend on others' data.
        Map<Platform, String> topics = new EnumMap<>(Platform.class);
        Map<String, Integer> partitions = new HashMap<>();
        for (Platform p : Platform.values()) {
            topics.put(p, "it.raw." + p.id());
            partitions.put("it.raw." + p.id(), 2);
        }
        partitions.put("it.dead-letters", 1);
        partitions.put("it.late", 1);
        kafka.createTopics(partitions);

        // 2. Input: fixtures, generated records and malformed records for each platform.
        Map<Platform, List<byte[]>> input = new EnumMap<>(Platform.class);
        Path fixtures = Path.of(System.getProperty("discourse.shared.dir", "../shared"), "fixtures");
        Map<Platform, List<byte[]>> fixtureRecords = Files.isDirectory(fixtures)
                ? FixtureRecords.load(fixtures) : Map.of();
        if (fixtureRecords.isEmpty()) {
            System.err.println("TrendsJobIT: " + fixtures + " is absent; running on generated records only");
        }
        long generatedPosts = 0;
        long generatedEngagement = 0;
        Set<String> expectedDeadLetters = new HashSet<>();
        List<byte[]> malformedValues = new ArrayList<>();
        for (Platform p : Platform.values()) {
            List<byte[]> records = new ArrayList<>(fixtureRecords.getOrDefault(p, List.of()));
            List<RawRecord> generated = RawStreamGenerator.generate(p, GENERATED_PER_PLATFORM, START,
                    Duration.ofHours(2), 42 + p.ordinal());
            for (RawRecord r : generated) {
                records.add(r.value());
                generatedPosts += r.expectedPosts();
                generatedEngagement += r.expectedEngagements();
            }
            for (RawStreamGenerator.MalformedRecord m : RawStreamGenerator.malformed(p, MALFORMED_PER_PLATFORM, 7)) {
                records.add(m.value());
                malformedValues.add(m.value());
            }
            input.put(p, records);
        }

        // 3. Replay in event-time order per platform, remembering where each malformed record landed.
        try (KafkaReplayer replayer = new KafkaReplayer(kafka.bootstrapServers(), topics)) {
            for (Platform p : Platform.values()) {
                var normalizer = Normalizers.forPlatform(p);
                for (KafkaReplayer.Sent s : replayer.replay(p, input.get(p), n -> {})) {
                    var result = normalizer.normalize(s.value());
                    if (result.isMalformed()) {
                        expectedDeadLetters.add(deadLetterKey(p.id(), s.topic(), s.partition(), s.offset(),
                                result.malformedReason(), s.value()));
                    }
                }
            }
        }
        assertThat(expectedDeadLetters).hasSizeGreaterThanOrEqualTo(Platform.values().length * MALFORMED_PER_PLATFORM);

        // 4. Run the job, bounded, with the production connectors.
        String index = "discourse-platform-counts-it";
        runJob(topics, index, "it-run-1");

        // 5. Every bucket document equals the reference, and nothing else is there.
        Map<String, PlatformCount> expected = ReferenceCounts.compute(input, 60_000);
        Map<String, PlatformCount> actual = readCounts(index);
        // Two hours of generated records per platform fill at least 4 x 100 minute buckets.
        assertThat(expected).hasSizeGreaterThan(400);
        assertThat(actual).containsExactlyInAnyOrderEntriesOf(expected);

        // The generator's own account of its records: the generated part of the totals.
        long fixturePosts = 0;
        long fixtureEngagement = 0;
        for (Platform p : Platform.values()) {
            var normalizer = Normalizers.forPlatform(p);
            for (byte[] raw : fixtureRecords.getOrDefault(p, List.of())) {
                for (var e : normalizer.normalize(raw).events()) {
                    if (e.isPost()) {
                        fixturePosts++;
                    } else {
                        fixtureEngagement++;
                    }
                }
            }
        }
        assertThat(actual.values().stream().mapToLong(PlatformCount::posts).sum())
                .isEqualTo(generatedPosts + fixturePosts);
        assertThat(actual.values().stream().mapToLong(PlatformCount::engagement).sum())
                .isEqualTo(generatedEngagement + fixtureEngagement);

        // 6. The dead-letter topic holds exactly the malformed records, with coordinates, reason and bytes.
        Set<String> deadLetters = readDeadLetters("it.dead-letters", expectedDeadLetters.size());
        assertThat(deadLetters).isEqualTo(expectedDeadLetters);

        // 7. A second run over the same input overwrites the same documents: nothing is added or changed.
        runJob(topics, index, "it-run-2");
        assertThat(readCounts(index)).isEqualTo(actual);
    }

    private static void runJob(Map<Platform, String> topics, String index, String groupId) throws Exception {
        Map<String, String> settings = new HashMap<>();
        settings.put(JobOptions.KAFKA_BOOTSTRAP.key(), kafka.bootstrapServers());
        settings.put(JobOptions.KAFKA_GROUP_ID.key(), groupId);
        settings.put(JobOptions.TOPIC_BLUESKY.key(), topics.get(Platform.BLUESKY));
        settings.put(JobOptions.TOPIC_MASTODON.key(), topics.get(Platform.MASTODON));
        settings.put(JobOptions.TOPIC_REDDIT.key(), topics.get(Platform.REDDIT));
        settings.put(JobOptions.TOPIC_HACKERNEWS.key(), topics.get(Platform.HACKERNEWS));
        settings.put(JobOptions.TOPIC_DEAD_LETTERS.key(), "it.dead-letters");
        settings.put(JobOptions.TOPIC_LATE.key(), "it.late");
        settings.put(JobOptions.STARTING_OFFSETS.key(), "earliest");
        settings.put(JobOptions.BOUNDED.key(), "true");
        settings.put(JobOptions.ES_URLS.key(), elasticsearch.httpUrl());
        settings.put(JobOptions.ES_INDEX_PLATFORM_COUNTS.key(), index);
        // Small batches, so a run exercises many bulk requests and the interval flush.
        settings.put(JobOptions.ES_BULK_MAX_ACTIONS.key(), "100");
        settings.put(CoreOptions.DEFAULT_PARALLELISM.key(), "2");
        settings.put(PipelineOptions.GENERIC_TYPES.key(), "false");
        Configuration config = JobConfiguration.load(null, settings);
        TrendsJobRunner.run(config, "trends-it-" + groupId);
    }

    private static Map<String, PlatformCount> readCounts(String index) throws Exception {
        es.indices().refresh(r -> r.index(index));
        var response = es.search(s -> s.index(index).size(10_000), ObjectNode.class);
        assertThat(response.hits().total().value()).isLessThan(10_000);
        Map<String, PlatformCount> out = new TreeMap<>();
        for (Hit<ObjectNode> hit : response.hits().hits()) {
            JsonNode d = hit.source();
            assertThat(PLATFORM_COUNT_SCHEMA.validate(d)).as("document %s", hit.id()).isEmpty();
            PlatformCount c = new PlatformCount(Platform.of(d.get("platform").asText()),
                    Instant.parse(d.get("bucket_start").asText()).toEpochMilli(),
                    Instant.parse(d.get("bucket_end").asText()).toEpochMilli(),
                    d.get("posts").asLong(), d.get("replies").asLong(), d.get("quotes").asLong(),
                    d.get("likes").asLong(), d.get("reposts").asLong(), d.get("votes").asLong());
            assertThat(d.get("engagement").asLong()).isEqualTo(c.engagement());
            assertThat(hit.id()).isEqualTo(c.documentId());
            out.put(hit.id(), c);
        }
        return out;
    }

    private static Set<String> readDeadLetters(String topic, int expected) throws Exception {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-dead-letter-reader");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        Set<String> out = new HashSet<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                     new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            // Read until the expected number arrived, then a little longer to catch any extra one.
            long quietUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, quietUntil)) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    JsonNode d = JSON.readTree(r.value());
                    assertThat(DEAD_LETTER_SCHEMA.validate(d)).as("dead letter %s", d).isEmpty();
                    JsonNode src = d.get("source");
                    out.add(deadLetterKey(d.get("platform").asText(), src.get("topic").asText(),
                            src.get("partition").asInt(), src.get("offset").asLong(), d.get("reason").asText(),
                            Base64.getDecoder().decode(d.get("raw_base64").asText())));
                    assertThat(new String(r.key())).isEqualTo(src.get("topic").asText() + "/"
                            + src.get("partition").asInt() + "/" + src.get("offset").asLong());
                }
                if (out.size() >= expected && quietUntil == Long.MAX_VALUE) {
                    quietUntil = System.nanoTime() + Duration.ofSeconds(2).toNanos();
                }
            }
        }
        return out;
    }

    private static String deadLetterKey(String platform, String topic, int partition, long offset, String reason,
                                        byte[] raw) {
        return platform + " " + topic + "/" + partition + "/" + offset + " " + reason + " "
                + Base64.getEncoder().encodeToString(raw);
    }
}

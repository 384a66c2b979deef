package io.discoursetrends.job;

import static io.discoursetrends.local.Waiting.await;
import static io.discoursetrends.local.Waiting.poll;
import static org.assertj.core.api.Assertions.assertThat;

import co.elastic.clients.elasticsearch._types.FieldValue;
import co.elastic.clients.elasticsearch._types.SortOrder;
import co.elastic.clients.elasticsearch.core.search.Hit;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import io.discoursetrends.buckets.TrendBucket;
import io.discoursetrends.classify.CompiledTaxonomy;
import io.discoursetrends.classify.Taxonomy;
import io.discoursetrends.classify.TaxonomyParser;
import io.discoursetrends.cli.Main;
import io.discoursetrends.elasticsearch.DocumentSchemaTest;
import io.discoursetrends.local.KafkaAndElasticsearch;
import io.discoursetrends.model.Platform;
import io.discoursetrends.replay.RawStreamGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole path against real servers: a Kafka broker and an Elasticsearch node (child JVMs), the job on a
 * Flink MiniCluster (parallelism 2) with the production connectors, running unbounded while the test feeds it.
 *
 * <p>Input ({@link TrendStream}): over 100,000 events on four platforms, shuffled within the out-of-orderness
 * bound, with duplicates, counter snapshots, bot accounts, late and too-late events and malformed records, and a
 * taxonomy published to the control topic midway (effective from the middle of the stream) while the job runs,
 * and the job stopped with a savepoint and restarted from it between the two halves.
 * Every bucket document in Elasticsearch must equal {@link TrendReference}, a plain-Java batch computation over
 * the same records (unique counts within the HyperLogLog's error); the late-data topic must hold exactly the
 * too-late events and the dead-letter topic exactly the malformed records.
 */
class TrendsJobIT {
    private static final Instant START = Instant.parse("2026-05-25T12:00:00Z");
    private static final Duration SPAN = Duration.ofHours(2);
    private static final int RECORDS_PER_PLATFORM = 27_000;
    private static final int MALFORMED_PER_PLATFORM = 4;
    private static final String V2 = "it-v2";
    /**
     * Which of an author's posts beyond the cap count depends on arrival order across partitions (the harness
     * tests cover the cap); the generator's authors post often enough to reach the default of 3, so the cap is
     * set out of reach here and the reference checks that it is.
     */
    private static final int AUTHOR_CAP = 1_000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonSchema BUCKET_SCHEMA = DocumentSchemaTest.schema("trend-bucket");
    private static final JsonSchema LATE_SCHEMA = DocumentSchemaTest.schema("late-event");
    /** Three standard errors of an lgK=12 HyperLogLog (1.04/sqrt(4096)), with one unit of slack for rounding. */
    private static final double HLL_TOLERANCE = 3 * 1.04 / Math.sqrt(4096);

    @RegisterExtension
    static final KafkaAndElasticsearch servers = new KafkaAndElasticsearch();

    @Test
    void shouldIndexExactlyTheReferenceBucketsAcrossATaxonomySwitchWithLateDuplicateAndBotEvents(@TempDir Path tmp)
            throws Exception {
        // 1. Topics: one partition per platform (each platform's order is the produce order, as the reference
        //    assumes), the control topic, dead letters, late events.
        Map<Platform, String> topics = new EnumMap<>(Platform.class);
        Map<String, Integer> partitions = new HashMap<>();
        for (Platform p : Platform.values()) {
            topics.put(p, "it.raw." + p.id());
            partitions.put("it.raw." + p.id(), 1);
        }
        partitions.put("it.control", 1);
        partitions.put("it.dead-letters", 1);
        partitions.put("it.late", 1);
        partitions.put("it.es-dead-letters", 1);
        servers.kafka().createTopics(partitions);

        // 2. The input, the taxonomies before and after the switch, and the reference.
        TrendStream stream = new TrendStream(START, SPAN, RECORDS_PER_PLATFORM, 42);
        Taxonomy before = Taxonomy.defaultTaxonomy();
        String v2Yaml = before.source().replaceFirst("(?m)^version: .*$", "version: \"" + V2 + "\"") + """

                  - id: local-hardware
                    label: Running models on your own hardware
                    phrases: ["RTX 3090", "3090s", "4090", "Raspberry Pi", "Framework desktop", "VRAM"]
                """;
        Taxonomy after = TaxonomyParser.parse(v2Yaml, "v2");
        TrendReference reference = new TrendReference(stream.records, CompiledTaxonomy.compile(before),
                CompiledTaxonomy.compile(after), stream.switchAt.toEpochMilli(), 60_000, AUTHOR_CAP);
        assertThat(reference.events).as("events in the input").isGreaterThan(100_000);
        assertThat(reference.capConflicts).as("authors over the cap, whose outcome would depend on arrival order")
                .isEmpty();
        assertThat(reference.buckets.values()).as("the input exercises every rule")
                .anySatisfy(b -> assertThat(b.botPosts()).isPositive())
                .anySatisfy(b -> assertThat(b.unattributedEngagement()).isPositive())
                .anySatisfy(b -> assertThat(b.votes()).isPositive())
                .anySatisfy(b -> assertThat(b.taxonomyVersions()).contains(V2))
                .anySatisfy(b -> assertThat(b.topic()).isEqualTo("local-hardware"));
        assertThat(reference.tooLate).isNotEmpty();

        // 3. Start the job, unbounded, with the production connectors.
        Configuration config = config(topics, tmp.resolve("checkpoints"));
        JobClient job = TrendsJobRunner.start(config, "trends-it");
        try {
            // 4. Phase 1, with malformed records at its start.
            int malformed = 0;
            try (KafkaProducer<byte[], byte[]> producer = producer()) {
                for (Platform p : Platform.values()) {
                    for (RawStreamGenerator.MalformedRecord m : RawStreamGenerator.malformed(p, MALFORMED_PER_PLATFORM,
                            7)) {
                        producer.send(new ProducerRecord<>(topics.get(p), 0, START.toEpochMilli(), null, m.value()));
                        malformed++;
                    }
                }
                produce(producer, topics, stream.phase(1));
            }
            // The watermark must be far past the first minutes before the too-late events of phase 2 arrive.
            long farEnough = START.plus(Duration.ofMinutes(30)).toEpochMilli();
            await("a complete bucket 30 minutes into the stream", Duration.ofSeconds(120),
                    () -> countDocuments("discourse-trends", "{\"bool\":{\"filter\":[{\"term\":{\"complete\":true}},"
                            + "{\"range\":{\"bucket_start\":{\"gte\":" + farEnough + "}}}]}}") > 0);

            // 5. The taxonomy switch, published with the CLI while the job runs; wait until the job applied it.
            Path v2File = tmp.resolve("v2.yaml");
            Files.writeString(v2File, v2Yaml);
            int exit = Main.commandLine().execute("topics", "publish", v2File.toString(), "--bootstrap-servers",
                    servers.kafka().bootstrapServers(), "--topic", "it.control",
                    "--effective-from", stream.switchAt.toString());
            assertThat(exit).isZero();
            await("the job applied taxonomy " + V2, Duration.ofSeconds(60),
                    () -> countDocuments("discourse-taxonomies", "{\"term\":{\"version\":\"" + V2 + "\"}}") > 0);

            // 6. An upgrade in the middle: stop with a savepoint, start a new job from it. Its taxonomy, posts,
            //    seen ids and open buckets must all come back.
            String savepoint = job.stopWithSavepoint(false, tmp.resolve("savepoints").toUri().toString(),
                    SavepointFormatType.CANONICAL).get();
            config.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
            job = TrendsJobRunner.start(config, "trends-it-restored");

            // 7. Phase 2: the rest; once the restored job's watermark is well into it (watermarks restart after a
            //    restore), the too-late events; then the closers that move the watermark past everything.
            List<TrendStream.Produced> phase2 = stream.phase(2);
            try (KafkaProducer<byte[], byte[]> producer = producer()) {
                produce(producer, topics, phase2.stream().filter(r -> !r.closer() && !r.tooLate()).toList());
                long wellInto = stream.switchAt.plus(Duration.ofMinutes(20)).toEpochMilli();
                await("a complete bucket 20 minutes into phase 2", Duration.ofSeconds(120),
                        () -> countDocuments("discourse-trends", "{\"bool\":{\"filter\":[{\"term\":"
                                + "{\"complete\":true}},{\"range\":{\"bucket_start\":{\"gte\":" + wellInto
                                + "}}}]}}") > 0);
                produce(producer, topics, phase2.stream().filter(TrendStream.Produced::tooLate).toList());
                produce(producer, topics, phase2.stream().filter(TrendStream.Produced::closer).toList());
            }

            // 8. Every bucket document equals the reference.
            long closers = START.plus(SPAN).plus(TrendStream.CLOSER_DELAY).minus(Duration.ofHours(12)).toEpochMilli();
            Map<String, TrendBucket> expected = reference.buckets;
            // Counting is cheap for the node; the documents are read once the counts say the job is through.
            String beforeClosers = "{\"range\":{\"bucket_start\":{\"lt\":" + closers + "}}}";
            // Not an assertion: if the counts never match, the comparison below says which buckets differ.
            poll(Duration.ofSeconds(180),
                    () -> countDocuments("discourse-trends", "{\"bool\":{\"filter\":[{\"term\":{\"complete\":true}},"
                            + beforeClosers + "]}}") == expected.size()
                            && countDocuments("discourse-trends", "{\"bool\":{\"filter\":[{\"term\":"
                            + "{\"complete\":false}}," + beforeClosers + "]}}") == 0);
            Map<String, TrendBucket> actual = readBuckets(closers);
            if (!mismatches(expected, actual, reference).isEmpty()) {
                Thread.sleep(5_000); // a last late update may still be in a bulk request
                actual = readBuckets(closers);
            }
            assertThat(mismatches(expected, actual, reference)).as("differences from the reference").isEmpty();
            assertThat(actual.values()).allSatisfy(b -> assertThat(b.complete()).isTrue());
            assertThat(actual.keySet()).isEqualTo(expected.keySet());

            // 9. The drill-down index: every matched post once, with all the engagement it received.
            assertThat(matchedPosts(closers)).isEqualTo(asLists(reference.matchedPosts));

            // 10. The too-late events, once each, on the late-data topic; the malformed records as dead letters.
            List<JsonNode> late = readTopic("it.late", reference.tooLate.size());
            assertThat(late).allSatisfy(d -> assertThat(LATE_SCHEMA.validate(d)).isEmpty());
            assertThat(late.stream().map(d -> d.path("post_id").asText()).sorted().toList())
                    .isEqualTo(reference.tooLate.stream().map(TrendReference.Event::postId).sorted().toList());
            assertThat(readTopic("it.dead-letters", malformed)).hasSize(malformed);
        } finally {
            job.cancel().get();
        }
    }

    private static Configuration config(Map<Platform, String> topics, Path checkpoints) {
        Map<String, String> settings = new HashMap<>();
        settings.put(JobOptions.KAFKA_BOOTSTRAP.key(), servers.kafka().bootstrapServers());
        settings.put(JobOptions.KAFKA_GROUP_ID.key(), "trends-it");
        settings.put(JobOptions.TOPIC_BLUESKY.key(), topics.get(Platform.BLUESKY));
        settings.put(JobOptions.TOPIC_MASTODON.key(), topics.get(Platform.MASTODON));
        settings.put(JobOptions.TOPIC_REDDIT.key(), topics.get(Platform.REDDIT));
        settings.put(JobOptions.TOPIC_HACKERNEWS.key(), topics.get(Platform.HACKERNEWS));
        settings.put(JobOptions.TOPIC_TAXONOMY.key(), "it.control");
        settings.put(JobOptions.TOPIC_DEAD_LETTERS.key(), "it.dead-letters");
        settings.put(JobOptions.TOPIC_LATE.key(), "it.late");
        settings.put(JobOptions.ES_DEAD_LETTER_TOPIC.key(), "it.es-dead-letters");
        settings.put(JobOptions.STARTING_OFFSETS.key(), "earliest");
        // No partition may go idle while the test prepares the next phase: idle partitions would let the
        // watermark run ahead of a platform whose records are still to come.
        settings.put(JobOptions.IDLENESS.key(), "30 min");
        settings.put(JobOptions.CHECKPOINT_INTERVAL.key(), "3 s");
        settings.put(JobOptions.EARLY_RESULTS.key(), "2 s");
        settings.put(JobOptions.MAX_POSTS_PER_AUTHOR.key(), String.valueOf(AUTHOR_CAP));
        settings.put(JobOptions.ES_URLS.key(), servers.elasticsearch().httpUrl());
        settings.put(JobOptions.ES_BULK_MAX_ACTIONS.key(), "500");
        settings.put(CoreOptions.DEFAULT_PARALLELISM.key(), "2");
        // The attribution state of 100,000 posts is more than the JobManager's in-memory checkpoint storage takes.
        settings.put(CheckpointingOptions.CHECKPOINTS_DIRECTORY.key(), checkpoints.toUri().toString());
        settings.put(PipelineOptions.GENERIC_TYPES.key(), "false");
        return JobConfiguration.load(null, settings);
    }

    /** Per platform: {posts, likes, reposts, replies, quotes, votes} summed over discourse-posts. */
    private static Map<String, List<Long>> matchedPosts(long beforeMillis) throws Exception {
        servers.client().indices().refresh(r -> r.index("discourse-posts-*"));
        String query = """
                {"size":0,"query":{"range":{"created_at":{"lt":%d}}},
                 "aggs":{"p":{"terms":{"field":"platform","size":10},"aggs":{
                  "likes":{"sum":{"field":"likes"}},"reposts":{"sum":{"field":"reposts"}},
                  "replies":{"sum":{"field":"replies"}},"quotes":{"sum":{"field":"quotes"}},
                  "votes":{"sum":{"field":"votes"}}}}}}""".formatted(beforeMillis);
        var response = servers.client().search(
                s -> s.index("discourse-posts-*").withJson(new java.io.StringReader(query)),
                Void.class);
        Map<String, long[]> out = new TreeMap<>();
        for (var b : response.aggregations().get("p").sterms().buckets().array()) {
            var a = b.aggregations();
            out.put(b.key().stringValue(), new long[] {b.docCount(), (long) a.get("likes").sum().value(),
                (long) a.get("reposts").sum().value(), (long) a.get("replies").sum().value(),
                (long) a.get("quotes").sum().value(), (long) a.get("votes").sum().value()});
        }
        return asLists(out);
    }

    private static Map<String, List<Long>> asLists(Map<String, long[]> m) {
        Map<String, List<Long>> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(k, java.util.Arrays.stream(v).boxed().toList()));
        return out;
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers.kafka().bootstrapServers());
        p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static void produce(KafkaProducer<byte[], byte[]> producer, Map<Platform, String> topics,
            List<TrendStream.Produced> records) {
        for (TrendStream.Produced r : records) {
            producer.send(new ProducerRecord<>(topics.get(r.platform()), 0, r.timestamp(), null, r.value()));
        }
        producer.flush();
    }

    private static long countDocuments(String alias, String queryJson) {
        try {
            servers.client().indices().refresh(r -> r.index(alias + "-*").ignoreUnavailable(true).allowNoIndices(true));
            return servers.client().count(c -> c.index(alias + "-*").ignoreUnavailable(true).allowNoIndices(true)
                    .query(q -> q.withJson(new java.io.StringReader(queryJson)))).count();
        } catch (Exception e) {
            return 0; // not there yet
        }
    }

    /** Every bucket document before the closers' buckets, by id, validated against its schema. */
    private static Map<String, TrendBucket> readBuckets(long beforeMillis) {
        Map<String, TrendBucket> out = new TreeMap<>();
        try {
            servers.client().indices().refresh(r -> r.index("discourse-trends-*"));
            List<FieldValue> after = null;
            while (true) {
                List<FieldValue> searchAfter = after;
                var response = servers.client().search(s -> {
                    s.index("discourse-trends-*").size(5_000)
                            .query(q -> q.range(r -> r.untyped(u -> u.field("bucket_start")
                                    .lt(co.elastic.clients.json.JsonData.of(beforeMillis)))))
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
                    JsonNode d = hit.source();
                    assertThat(BUCKET_SCHEMA.validate(d)).as("document %s", hit.id()).isEmpty();
                    TrendBucket b = parse(d);
                    assertThat(hit.id()).isEqualTo(b.documentId());
                    out.put(hit.id(), b);
                }
                if (hits.size() < 5_000) {
                    return out;
                }
                after = hits.get(hits.size() - 1).sort();
            }
        } catch (Exception e) {
            throw new AssertionError("cannot read the bucket documents: " + e, e);
        }
    }

    static TrendBucket parse(JsonNode d) {
        List<TrendBucket.TopPost> posts = new ArrayList<>();
        d.get("top_posts").forEach(p -> posts.add(new TrendBucket.TopPost(p.get("id").asText(),
                p.hasNonNull("url") ? p.get("url").asText() : null, p.hasNonNull("text") ? p.get("text").asText() : null,
                p.get("engagement").asLong())));
        List<String> versions = new ArrayList<>();
        d.get("taxonomy_versions").forEach(v -> versions.add(v.asText()));
        return new TrendBucket(d.get("topic").asText(), d.get("platform").asText(),
                Instant.parse(d.get("bucket_start").asText()).toEpochMilli(),
                Instant.parse(d.get("bucket_end").asText()).toEpochMilli(), d.get("complete").asBoolean(),
                versions.toArray(new String[0]), d.get("posts").asLong(), d.get("capped_posts").asLong(),
                d.get("bot_posts").asLong(), d.get("likes").asLong(), d.get("reposts").asLong(),
                d.get("replies").asLong(), d.get("quotes").asLong(), d.get("votes").asLong(),
                d.get("engagement").asLong(), d.get("unattributed_engagement").asLong(),
                d.get("unique_authors").asLong(), d.get("unique_engagers").asLong(),
                posts.toArray(new TrendBucket.TopPost[0]), counts(d.get("top_terms"), "term", "count"),
                counts(d.get("top_communities"), "community", "posts"), counts(d.get("languages"), "lang", "posts"),
                null); // the sketch's terms are not part of the document
    }

    private static TrendBucket.Count[] counts(JsonNode array, String value, String count) {
        List<TrendBucket.Count> out = new ArrayList<>();
        array.forEach(c -> out.add(new TrendBucket.Count(c.get(value).asText(), c.get(count).asLong())));
        return out.toArray(new TrendBucket.Count[0]);
    }

    /** What differs between the reference and the documents, at most a few lines. */
    private static List<String> mismatches(Map<String, TrendBucket> expected, Map<String, TrendBucket> actual,
            TrendReference reference) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, TrendBucket> e : expected.entrySet()) {
            TrendBucket a = actual.get(e.getKey());
            TrendBucket x = e.getValue();
            if (a == null) {
                out.add("missing " + e.getKey());
            } else if (!a.equalsExceptEstimates(x)) {
                out.add("expected " + x + "\n     got " + a);
            } else if (!within(a.uniqueAuthors(), reference.exactAuthors.get(e.getKey()))
                    || !within(a.uniqueEngagers(), reference.exactEngagers.get(e.getKey()))) {
                out.add(e.getKey() + " unique authors/engagers " + a.uniqueAuthors() + "/" + a.uniqueEngagers()
                        + ", exact " + reference.exactAuthors.get(e.getKey()) + "/"
                        + reference.exactEngagers.get(e.getKey()));
            }
            if (out.size() >= 5) {
                return out;
            }
        }
        for (String id : actual.keySet()) {
            if (!expected.containsKey(id) && out.size() < 5) {
                out.add("unexpected " + actual.get(id));
            }
        }
        return out;
    }

    private static boolean within(long estimate, long exact) {
        return Math.abs(estimate - exact) <= 1 + exact * HLL_TOLERANCE;
    }

    private static List<JsonNode> readTopic(String topic, int expected) throws Exception {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers.kafka().bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-reader-" + topic);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<JsonNode> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                     new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            long quietUntil = Long.MAX_VALUE; // read a little past the expected number, to catch any extra one
            while (System.nanoTime() < Math.min(deadline, quietUntil)) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    out.add(JSON.readTree(r.value()));
                }
                if (out.size() >= expected && quietUntil == Long.MAX_VALUE) {
                    quietUntil = System.nanoTime() + Duration.ofSeconds(3).toNanos();
                }
            }
        }
        return out;
    }
}

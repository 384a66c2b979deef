package io.discoursetrends.job;

import static org.assertj.core.api.Assertions.assertThat;

import co.elastic.clients.elasticsearch.core.search.Hit;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.discoursetrends.local.DemoStream;
import io.discoursetrends.local.KafkaAndElasticsearch;
import io.discoursetrends.model.Platform;
import io.discoursetrends.normalize.Normalizers;
import io.discoursetrends.replay.FileReplay;
import io.discoursetrends.replay.KafkaReplayer;
import io.discoursetrends.replay.ReplayProgress;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backfill equals streaming: the demo's stream over two hours (background, counter snapshots, bots, the story's
 * bursts and calendar event, malformed records), recorded as one JSON Lines file per platform and replayed onto
 * Kafka with {@code replay}'s code, then indexed three times into a real Elasticsearch node, each time from
 * empty indices: by the streaming job (bounded, with early results), by the backfill over the Kafka offsets,
 * and by the backfill over the files. Every document of every kind (buckets, posts, spikes, event impact,
 * taxonomies) must be the same in all three, id for id and field for field; so must the dead letters.
 */
class BackfillIT {
    private static final Instant START = Instant.parse("2026-05-25T12:00:00Z");
    private static final List<String> KINDS = List.of("discourse-trends", "discourse-posts", "discourse-spikes",
            "discourse-event-impact", "discourse-taxonomies");

    @RegisterExtension
    static final KafkaAndElasticsearch servers = new KafkaAndElasticsearch();

    @Test
    void shouldWriteExactlyTheDocumentsOfTheStreamingJobFromOffsetsAndFromFiles(@TempDir Path tmp) throws Exception {
        // 1. The recordings: each platform's records in the order a bridge observed them, gzip for two of them.
        DemoStream stream = new DemoStream(START, Duration.ofMinutes(120), 2_000, 2);
        Map<Platform, List<Path>> files = new EnumMap<>(Platform.class);
        Map<Platform, String> topics = new EnumMap<>(Platform.class);
        Map<String, Integer> partitions = new HashMap<>();
        List<FileReplay.Input> inputs = new ArrayList<>();
        for (Platform p : Platform.values()) {
            Path f = tmp.resolve(p.id() + (p.ordinal() % 2 == 0 ? ".jsonl.gz" : ".jsonl"));
            record(f, stream.records(p), p);
            files.put(p, List.of(f));
            inputs.add(new FileReplay.Input(p, f));
            topics.put(p, "bf.raw." + p.id());
            partitions.put("bf.raw." + p.id(), 2);
        }
        partitions.put("bf.dead-letters", 1);
        servers.kafka().createTopics(partitions);
        Path events = Files.writeString(tmp.resolve("events.yaml"), stream.story().eventsYaml());

        // 2. Onto Kafka as `replay` puts them.
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            new FileReplay(producer, topics, System::nanoTime, FileReplay.REAL_TIME).run(
                    new FileReplay.Settings(inputs, 0, 0, 0, 5_000), ReplayProgress.load(null), quiet());
        }
        Map<TopicPartition, long[]> offsets = endOffsets(topics);

        // 3. Streaming, bounded: what the live job writes once it has read everything.
        Configuration config = config(topics, events);
        Configuration streaming = new Configuration(config);
        streaming.set(JobOptions.BOUNDED, true);
        streaming.set(JobOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(2));
        streaming.set(JobOptions.EARLY_RESULTS, Duration.ofSeconds(1));
        TrendsJobRunner.run(streaming, "backfill-it-streaming");
        Map<String, Map<String, ObjectNode>> expected = readAll();
        long deadLetters = countRecords("bf.dead-letters");
        assertThat(expected.get("discourse-trends")).as("bucket documents").hasSizeGreaterThan(500);
        assertThat(expected.get("discourse-posts")).as("post documents").hasSizeGreaterThan(1_000);
        assertThat(expected.get("discourse-spikes")).as("spikes of the story's bursts").isNotEmpty();
        assertThat(expected.get("discourse-event-impact")).as("impact of the story's event").isNotEmpty();
        assertThat(deadLetters).isEqualTo(2L * Platform.values().length);

        // 4. The backfill over the offset range, from empty indices.
        deleteIndices();
        Backfill.run(config, Backfill.Input.offsets(offsets), "backfill-it-offsets");
        assertSame(expected, readAll(), "backfill over Kafka offsets");
        assertThat(countRecords("bf.dead-letters")).isEqualTo(2 * deadLetters);

        // 5. The backfill over the files, from empty indices.
        deleteIndices();
        Backfill.run(config, Backfill.Input.files(files), "backfill-it-files");
        assertSame(expected, readAll(), "backfill over files");
        assertThat(countRecords("bf.dead-letters")).isEqualTo(3 * deadLetters);
    }

    private static void assertSame(Map<String, Map<String, ObjectNode>> expected,
            Map<String, Map<String, ObjectNode>> actual, String what) {
        for (String kind : KINDS) {
            Map<String, ObjectNode> x = expected.get(kind);
            Map<String, ObjectNode> a = actual.get(kind);
            List<String> diffs = new ArrayList<>();
            for (String id : x.keySet()) {
                if (!a.containsKey(id)) {
                    diffs.add("missing " + id);
                } else if (!a.get(id).equals(x.get(id))) {
                    diffs.add(id + "\n  streaming " + x.get(id) + "\n  " + what + " " + a.get(id));
                }
            }
            a.keySet().stream().filter(id -> !x.containsKey(id)).forEach(id -> diffs.add("unexpected " + id));
            assertThat(diffs).as("%s: %s documents that differ from streaming's (%d of them)", what, kind,
                    x.size()).isEmpty();
        }
    }

    /** Every document of every kind by id; taxonomies without published_at (the time the job started). */
    private static Map<String, Map<String, ObjectNode>> readAll() throws Exception {
        Map<String, Map<String, ObjectNode>> out = new LinkedHashMap<>();
        for (String kind : KINDS) {
            servers.client().indices().refresh(r -> r.index(kind + "-*").ignoreUnavailable(true).allowNoIndices(true));
            Map<String, ObjectNode> docs = new TreeMap<>();
            var response = servers.client().search(q -> q.index(kind + "-*")
                    .ignoreUnavailable(true).allowNoIndices(true)
                    .size(10_000).trackTotalHits(t -> t.enabled(true)), ObjectNode.class);
            assertThat(response.hits().total().value()).as("%s documents, all in one page", kind).isLessThan(10_000);
            for (Hit<ObjectNode> h : response.hits().hits()) {
                ObjectNode d = h.source();
                if (kind.equals("discourse-taxonomies")) {
                    d.remove("published_at");
                }
                docs.put(h.index() + "/" + h.id(), d);
            }
            out.put(kind, docs);
        }
        return out;
    }

    private static void deleteIndices() throws Exception {
        List<String> names = new ArrayList<>(
                servers.client().indices().get(g -> g.index("discourse-*")).result().keySet());
        if (!names.isEmpty()) {
            servers.client().indices().delete(d -> d.index(names));
        }
    }

    /** Writes a recording: malformed records first, then in observed order (event time where not given). */
    private static void record(Path file, List<KafkaReplayer.Observed> records, Platform p) throws Exception {
        var normalizer = Normalizers.forPlatform(p);
        List<Map.Entry<Instant, byte[]>> timed = new ArrayList<>();
        for (KafkaReplayer.Observed o : records) {
            Instant t = o.observedAt() != null ? o.observedAt()
                    : KafkaReplayer.eventTime(normalizer.normalize(o.value()));
            timed.add(Map.entry(t, o.value()));
        }
        timed.sort(Map.Entry.comparingByKey(Comparator.naturalOrder())); // stable
        try (OutputStream raw = Files.newOutputStream(file);
             OutputStream out = file.toString().endsWith(".gz") ? new GZIPOutputStream(raw) : raw) {
            for (Map.Entry<Instant, byte[]> e : timed) {
                out.write(e.getValue());
                out.write('\n');
            }
        }
    }

    private static Configuration config(Map<Platform, String> topics, Path events) {
        Map<String, String> s = new HashMap<>();
        s.put(JobOptions.KAFKA_BOOTSTRAP.key(), servers.kafka().bootstrapServers());
        s.put(JobOptions.KAFKA_GROUP_ID.key(), "backfill-it");
        s.put(JobOptions.TOPIC_BLUESKY.key(), topics.get(Platform.BLUESKY));
        s.put(JobOptions.TOPIC_MASTODON.key(), topics.get(Platform.MASTODON));
        s.put(JobOptions.TOPIC_REDDIT.key(), topics.get(Platform.REDDIT));
        s.put(JobOptions.TOPIC_HACKERNEWS.key(), topics.get(Platform.HACKERNEWS));
        s.put(JobOptions.TOPIC_DEAD_LETTERS.key(), "bf.dead-letters");
        s.put(JobOptions.STARTING_OFFSETS.key(), "earliest");
        s.put(JobOptions.EVENTS_FILE.key(), events.toString());
        // Which of an author's posts beyond the cap count depends on arrival order (see TrendsJobIT).
        s.put(JobOptions.MAX_POSTS_PER_AUTHOR.key(), "1000");
        s.put(JobOptions.ES_URLS.key(), servers.elasticsearch().httpUrl());
        s.put(CoreOptions.DEFAULT_PARALLELISM.key(), "2");
        s.put(PipelineOptions.GENERIC_TYPES.key(), "false");
        return JobConfiguration.load(null, s);
    }

    private static Map<TopicPartition, long[]> endOffsets(Map<Platform, String> topics) {
        Map<TopicPartition, long[]> out = new LinkedHashMap<>();
        try (KafkaConsumer<byte[], byte[]> c = consumer()) {
            List<TopicPartition> tps = new ArrayList<>();
            for (String t : topics.values()) {
                c.partitionsFor(t).forEach(i -> tps.add(new TopicPartition(t, i.partition())));
            }
            c.endOffsets(tps).forEach((tp, end) -> out.put(tp, new long[] {0, end}));
        }
        return out;
    }

    private static long countRecords(String topic) {
        try (KafkaConsumer<byte[], byte[]> c = consumer()) {
            TopicPartition tp = new TopicPartition(topic, 0);
            return c.endOffsets(List.of(tp)).get(tp);
        }
    }

    private static KafkaConsumer<byte[], byte[]> consumer() {
        Properties p = new Properties();
        p.put("bootstrap.servers", servers.kafka().bootstrapServers());
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers.kafka().bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static FileReplay.Listener quiet() {
        return new FileReplay.Listener() {
            @Override
            public void started(long totalLines, long doneLines) {}

            @Override
            public void progressed(long doneLines) {}

            @Override
            public void finished(long doneLines) {}
        };
    }
}

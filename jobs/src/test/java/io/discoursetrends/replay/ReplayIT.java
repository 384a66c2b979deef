package io.discoursetrends.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.discoursetrends.cli.Main;
import io.discoursetrends.local.LocalKafka;
import io.discoursetrends.model.Platform;
import io.discoursetrends.normalize.Normalizers;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.zip.GZIPOutputStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code replay} against a real broker: a gzip and a plain recording replayed in two runs (the first stopped
 * part-way) land on Kafka once each, keyed and timestamped as the job expects; the pace and the rate limit are
 * checked on a clock the test moves (speed is never asserted in wall time); the command prints plain progress
 * lines when not on a terminal.
 */
class ReplayIT {
    private static final Instant START = Instant.parse("2026-05-25T12:00:00Z");
    private static LocalKafka kafka;

    @BeforeAll
    static void start() throws Exception {
        kafka = LocalKafka.launch();
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void shouldPutEveryRecordOnKafkaOnceAcrossAStoppedAndResumedReplay(@TempDir Path tmp) throws Exception {
        // 1. A gzip Bluesky recording and a plain Reddit one with a blank line, and their topics.
        List<byte[]> bluesky = RawStreamGenerator.values(RawStreamGenerator.generate(Platform.BLUESKY, 1_200, START,
                Duration.ofMinutes(30), 5));
        List<byte[]> reddit = RawStreamGenerator.values(RawStreamGenerator.generate(Platform.REDDIT, 800, START,
                Duration.ofMinutes(30), 6));
        Path bsky = write(tmp.resolve("bluesky.jsonl.gz"), bluesky, true, false);
        Path rdt = write(tmp.resolve("r.jsonl"), reddit, false, true);
        Map<Platform, String> topics = Map.of(Platform.BLUESKY, "replay.bluesky", Platform.REDDIT, "replay.reddit");
        kafka.createTopics(Map.of("replay.bluesky", 2, "replay.reddit", 2));
        Path progressFile = tmp.resolve("progress.json");
        List<FileReplay.Input> inputs = List.of(new FileReplay.Input(Platform.BLUESKY, bsky),
                new FileReplay.Input(Platform.REDDIT, rdt));

        // 2. The first run stops after 700 records; the second goes on from the progress file.
        FileReplay.Result first;
        FileReplay.Result second;
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            FileReplay replay = new FileReplay(producer, topics, System::nanoTime, FileReplay.REAL_TIME);
            first = replay.run(new FileReplay.Settings(inputs, 0, 0, 700, 250), ReplayProgress.load(progressFile),
                    silent());
        }
        assertThat(first.sent()).isEqualTo(700);
        assertThat(first.complete()).isFalse();
        ReplayProgress saved = ReplayProgress.load(progressFile);
        assertThat(saved.acknowledged(bsky) + saved.acknowledged(rdt)).isEqualTo(700);
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            second = new FileReplay(producer, topics, System::nanoTime, FileReplay.REAL_TIME)
                    .run(new FileReplay.Settings(inputs, 0, 0, 0, 250), ReplayProgress.load(progressFile), silent());
        }
        assertThat(second.resumedFrom()).isEqualTo(700);
        assertThat(second.sent()).isEqualTo(1_300);
        assertThat(second.complete()).isTrue();

        // 3. Each record once, keyed by its post, stamped with its file's clock, in file order per key.
        assertOnKafkaOnce("replay.bluesky", Platform.BLUESKY, bluesky);
        assertOnKafkaOnce("replay.reddit", Platform.REDDIT, reddit);
    }

    @Test
    void shouldKeepTheRecordedPaceTimesTheSpeedAndTheRateLimitOnAMovedClock(@TempDir Path tmp) throws Exception {
        // 600 records over 10 recorded minutes: at 60x the last is due 10 s after the first; at 20/s, 29.95 s.
        List<RawStreamGenerator.RawRecord> records = RawStreamGenerator.generate(Platform.HACKERNEWS, 600, START,
                Duration.ofMinutes(10), 8);
        Path file = write(tmp.resolve("hackernews.jsonl"), RawStreamGenerator.values(records), false, false);
        kafka.createTopics(Map.of("pace.hackernews", 1));
        long[] clock = {0};
        List<Long> dues = new ArrayList<>();
        FileReplay.Sleeper sleeper = due -> {
            dues.add(due);
            clock[0] = Math.max(clock[0], due);
        };
        // The recorded span as the replay sees it: from the first record with an event time to the file's clock.
        RecordClock recordClock = new RecordClock();
        Instant first = null;
        var normalizer = Normalizers.forPlatform(Platform.HACKERNEWS);
        for (RawStreamGenerator.RawRecord r : records) {
            Instant t = KafkaReplayer.eventTime(normalizer.normalize(r.value()));
            if (first == null && !t.equals(Instant.MIN)) {
                first = t;
            }
            recordClock.observe(t);
        }
        Duration recorded = Duration.between(first, recordClock.now());
        assertThat(recorded).isGreaterThan(Duration.ofMinutes(9));
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            FileReplay replay = new FileReplay(producer, Map.of(Platform.HACKERNEWS, "pace.hackernews"),
                    () -> clock[0], sleeper);
            replay.run(new FileReplay.Settings(List.of(new FileReplay.Input(Platform.HACKERNEWS, file)), 60, 0, 0,
                    10_000), ReplayProgress.load(null), silent());
            assertThat(dues.get(dues.size() - 1) - dues.get(0)).isEqualTo((long) (recorded.toNanos() / 60.0));
            assertThat(dues).isSorted();

            dues.clear();
            clock[0] = 0;
            replay.run(new FileReplay.Settings(List.of(new FileReplay.Input(Platform.HACKERNEWS, file)), 0, 20, 0,
                    10_000), ReplayProgress.load(null), silent());
            assertThat(dues.get(dues.size() - 1) - dues.get(0)).isEqualTo(599L * 1_000_000_000L / 20);

            // Both: the slower of the two for each record (60x of 10 min is 10 s, 20/s is 30 s, so the rate).
            dues.clear();
            clock[0] = 0;
            replay.run(new FileReplay.Settings(List.of(new FileReplay.Input(Platform.HACKERNEWS, file)), 60, 20, 0,
                    10_000), ReplayProgress.load(null), silent());
            assertThat(dues.get(dues.size() - 1) - dues.get(0)).isEqualTo(599L * 1_000_000_000L / 20);
        }
    }

    @Test
    void shouldPrintPlainProgressLinesAndASummaryWhenNotOnATerminal(@TempDir Path tmp) throws Exception {
        Path file = write(tmp.resolve("mastodon.jsonl"), RawStreamGenerator.values(RawStreamGenerator.generate(
                Platform.MASTODON, 300, START, Duration.ofMinutes(5), 9)), false, false);
        kafka.createTopics(Map.of("cli.mastodon", 1));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        var cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cl.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        int exit = cl.execute("replay", file.toString(), "--bootstrap-servers", kafka.bootstrapServers(),
                "-Dkafka.topic.mastodon=cli.mastodon", "--progress", tmp.resolve("p.json").toString());
        assertThat(exit).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).matches("(?s)replayed 300 records in [0-9.]+ s .*\n");
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("progress: 300/300 records (100%)").doesNotContain("\r");
        assertThat(read("cli.mastodon")).hasSize(300);

        // Run again: everything is acknowledged, nothing is sent twice.
        exit = cl.execute("replay", file.toString(), "--bootstrap-servers", kafka.bootstrapServers(),
                "-Dkafka.topic.mastodon=cli.mastodon", "--progress", tmp.resolve("p.json").toString());
        assertThat(exit).isZero();
        assertThat(read("cli.mastodon")).hasSize(300);

        // A file without a platform is refused with what to do.
        exit = cl.execute("replay", tmp.resolve("p.json").toString(), "--bootstrap-servers", "127.0.0.1:1");
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("which platform's records are in");
    }

    private static void assertOnKafkaOnce(String topic, Platform platform, List<byte[]> values) throws Exception {
        List<ConsumerRecord<byte[], byte[]>> got = read(topic);
        assertThat(got).hasSize(values.size());
        Map<String, Integer> expected = new HashMap<>();
        Map<String, Long> timeOf = new HashMap<>();
        RecordClock clock = new RecordClock();
        var normalizer = Normalizers.forPlatform(platform);
        for (byte[] v : values) {
            expected.merge(new String(v, StandardCharsets.UTF_8), 1, Integer::sum);
            Instant t = clock.observe(KafkaReplayer.eventTime(normalizer.normalize(v)));
            timeOf.put(new String(v, StandardCharsets.UTF_8), t.equals(Instant.MIN) ? -1 : t.toEpochMilli());
        }
        Map<String, Integer> actual = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : got) {
            String text = new String(r.value(), StandardCharsets.UTF_8);
            actual.merge(text, 1, Integer::sum);
            byte[] key = KafkaReplayer.key(normalizer.normalize(r.value()));
            assertThat(r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8))
                    .isEqualTo(key == null ? null : new String(key, StandardCharsets.UTF_8));
            if (timeOf.get(text) >= 0) {
                assertThat(r.timestamp()).isEqualTo(timeOf.get(text));
            }
        }
        assertThat(actual).isEqualTo(expected);
    }

    private static Path write(Path file, List<byte[]> lines, boolean gzip, boolean blankLine) throws Exception {
        try (OutputStream raw = Files.newOutputStream(file);
             OutputStream out = gzip ? new GZIPOutputStream(raw) : raw) {
            for (int i = 0; i < lines.size(); i++) {
                out.write(lines.get(i));
                out.write('\n');
                if (blankLine && i == lines.size() / 2) {
                    out.write("\n".getBytes(StandardCharsets.UTF_8));
                }
            }
        }
        return file;
    }

    private static FileReplay.Listener silent() {
        return new FileReplay.Listener() {
            @Override
            public void started(long totalLines, long doneLines) {}

            @Override
            public void progressed(long doneLines) {}

            @Override
            public void finished(long doneLines) {}
        };
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    static List<ConsumerRecord<byte[], byte[]>> read(String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                     new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))
                    && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }
}

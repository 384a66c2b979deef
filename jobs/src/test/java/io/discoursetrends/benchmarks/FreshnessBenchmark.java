package io.discoursetrends.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.discoursetrends.classify.Taxonomy;
import io.discoursetrends.job.JobConfiguration;
import io.discoursetrends.job.JobOptions;
import io.discoursetrends.job.TrendsJobRunner;
import io.discoursetrends.local.LocalElasticsearch;
import io.discoursetrends.local.LocalKafka;
import io.discoursetrends.model.Platform;
import io.discoursetrends.replay.RawStreamGenerator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Freshness, end to end: the time from a record's append to Kafka to its trend bucket being searchable in
 * Elasticsearch, with early results on, at a steady load. A real Kafka broker and a real Elasticsearch node
 * ({@link LocalKafka}, {@link LocalElasticsearch}: child JVMs, as the integration tests start them) and the
 * production job ({@link TrendsJobRunner#start}: the Kafka source, the Elasticsearch sink, checkpoints) on a
 * MiniCluster in this JVM.
 *
 * <p>Method. A load generator produces the generated mix of all four platforms ({@link RawStreamGenerator},
 * event time = wall time, paced to the configured rate). Once a second a probe joins it: a Bluesky Jetstream post
 * in the Bluesky topic (partition 0, behind the load), whose text holds a marker word that only one of ten probe
 * topics of the job's taxonomy matches ({@code probe-0} .. {@code probe-9}, in turn), by an author of its own
 * (the per-author cap does not apply). Every topic is a Kafka topic with {@code message.timestamp.type=
 * LogAppendTime}, so the producer's acknowledgement carries the broker's append time: the start of the clock. A
 * poller searches the trend index every {@code --poll-ms} for the probe topics' bucket documents (a plain
 * {@code _search}, so it sees only what a refresh has made searchable) and notes, for each document (probe topic,
 * platform bluesky, minute), the first time its {@code posts} reached each count. The n-th probe of a topic and
 * minute is searchable when that document first shows n posts: the end of the clock. Probes of one topic are ten
 * seconds apart, so they cannot overtake each other. Resolution: the poll period plus a search's round trip
 * (the time taken is the response's arrival, an upper bound). The first {@code --warmup-seconds} are not measured
 * (the job's start, the JIT), nor the last probes a drain wait does not cover.
 *
 * <p>A grid of settings runs one after another on the same broker and node, each with fresh topics, a fresh job
 * and fresh indices: the rate, {@code buckets.early-results}, {@code checkpoint.interval} and the index refresh
 * interval ({@code es.index.refresh-interval}).
 *
 * <p>Run: see docs/benchmarks.md ("Freshness"). Options:
 * {@code --grid=rate/early/checkpoint/refresh[/sink flush],...} (events per second; durations in Flink's syntax;
 * refresh in Elasticsearch's; the sink flush is {@code es.bulk.flush-interval}, 1 s unless given),
 * {@code --warmup-seconds=N} (20), {@code --seconds=N} (60), {@code --parallelism=N} (2), {@code --poll-ms=N} (100).
 */
public final class FreshnessBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] MARKERS = {"fprobealpha", "fprobebravo", "fprobecharlie", "fprobedelta",
        "fprobeecho", "fprobefoxtrot", "fprobegolf", "fprobehotel", "fprobeindia", "fprobejuliett"};
    /** Canonical events per generated record on the mix (docs/benchmarks.md: 280,644 from 300,000). */
    private static final double EVENTS_PER_RECORD = 280_644 / 300_000.0;
    private static final Map<Platform, Double> SHARES = BenchmarkData.SHARES;

    private FreshnessBenchmark() {}

    /** One point of the grid; {@code flush} is the sink's {@code es.bulk.flush-interval} (default 1 s). */
    record Setting(int eventsPerSecond, String early, String checkpoint, String refresh, String flush) {
        static Setting parse(String s) {
            String[] f = s.split("/");
            return new Setting(Integer.parseInt(f[0]), f[1], f[2], f[3], f.length > 4 ? f[4] : "1 s");
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%,d ev/s, early %s, checkpoint %s, refresh %s, sink flush %s",
                    eventsPerSecond, early, checkpoint, refresh, flush);
        }
    }

    record Probe(String topic, long bucketStart, int ordinal, long appendMillis) {}

    record Result(Setting setting, int probes, int seen, double p50, double p99, double max, double producedRate,
            String loadBefore, String loadAfter) {}

    public static void main(String[] args) throws Exception {
        String grid = arg(args, "grid", "10000/10 s/30 s/5s,10000/2 s/30 s/5s,10000/2 s/30 s/1s,"
                + "10000/1 s/30 s/1s,10000/2 s/5 s/1s,2000/2 s/30 s/1s,20000/2 s/30 s/1s");
        int warmup = Integer.parseInt(arg(args, "warmup-seconds", "20"));
        int seconds = Integer.parseInt(arg(args, "seconds", "60"));
        int parallelism = Integer.parseInt(arg(args, "parallelism", "2"));
        int pollMillis = Integer.parseInt(arg(args, "poll-ms", "100"));
        List<Setting> settings = Arrays.stream(grid.split(",")).map(Setting::parse).toList();

        System.out.println("# FreshnessBenchmark");
        System.out.println("machine: " + BenchmarkData.machine());
        System.out.printf(Locale.ROOT, "options: warmup-seconds=%d seconds=%d parallelism=%d poll-ms=%d%n", warmup,
                seconds, parallelism, pollMillis);
        Path tmp = Files.createTempDirectory("freshness-");
        Path taxonomyFile = tmp.resolve("taxonomy.yaml");
        Files.writeString(taxonomyFile, probeTaxonomy());
        List<Result> results = new ArrayList<>();
        try (LocalKafka kafka = LocalKafka.launch(); LocalElasticsearch es = LocalElasticsearch.launch()) {
            int n = 0;
            for (Setting s : settings) {
                n++;
                System.out.printf("%n## %d of %d: %s%n", n, settings.size(), s);
                Result r = runOne(kafka, es, s, "fr" + n, tmp.resolve("run" + n), taxonomyFile, warmup, seconds,
                        parallelism, pollMillis);
                results.add(r);
                System.out.printf(Locale.ROOT, "  probes %d, seen %d; p50 %.2f s, p99 %.2f s, max %.2f s; "
                        + "produced %,.0f events/s; %s -> %s%n", r.probes, r.seen, r.p50, r.p99, r.max,
                        r.producedRate, r.loadBefore, r.loadAfter);
            }
        }
        System.out.println("\n| events/s | early results | checkpoint | refresh | sink flush | probes | p50 s | p99 s "
                + "| max s | p99 - early s | load (1 min) before -> after |");
        System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        for (Result r : results) {
            double early = millis(r.setting.early) / 1000.0;
            System.out.printf(Locale.ROOT,
                    "| %,.0f | %s | %s | %s | %s | %d/%d | %.2f | %.2f | %.2f | %.2f | %s -> %s |%n",
                    r.producedRate, r.setting.early, r.setting.checkpoint, r.setting.refresh, r.setting.flush, r.seen,
                    r.probes,
                    r.p50, r.p99, r.max, r.p99 - early, r.loadBefore, r.loadAfter);
        }
    }

    private static Result runOne(LocalKafka kafka, LocalElasticsearch es, Setting s, String prefix, Path dir,
            Path taxonomyFile, int warmup, int seconds, int parallelism, int pollMillis) throws Exception {
        deleteIndices(es);
        Map<Platform, String> topics = new EnumMap<>(Platform.class);
        for (Platform p : Platform.values()) {
            topics.put(p, prefix + ".raw." + p.id());
        }
        createTopics(kafka, topics, parallelism);

        Configuration config = config(kafka, es, topics, prefix, s, taxonomyFile, dir, parallelism);
        String loadBefore = load();
        JobClient job = TrendsJobRunner.start(config, "freshness " + prefix);
        AtomicBoolean stop = new AtomicBoolean();
        Map<String, long[]> firstSeen = new ConcurrentHashMap<>(); // doc key -> first time of each count
        Thread poller = new Thread(() -> poll(es, stop, firstSeen, pollMillis), "freshness-poller");
        List<Probe> probes = new ArrayList<>();
        long produced;
        double producedRate;
        long t0;
        long measureFrom;
        try {
            poller.setDaemon(true);
            poller.start();
            t0 = System.currentTimeMillis() + 2_000;
            measureFrom = t0 + warmup * 1000L;
            long end = measureFrom + seconds * 1000L;
            produced = produce(kafka, topics, s.eventsPerSecond, t0, end, probes);
            producedRate = produced * EVENTS_PER_RECORD / ((System.currentTimeMillis() - t0) / 1000.0);
            // Drain: long enough for the slowest setting's probes (early results + refresh + flushes + slack).
            Thread.sleep(Math.max(15_000, 3 * millis(s.early) + 3 * millis(s.refresh) + 5_000));
        } finally {
            stop.set(true);
            poller.join(5_000);
            job.cancel().get();
        }
        String loadAfter = load();
        List<Double> latencies = new ArrayList<>();
        int measured = 0;
        synchronized (probes) {
            for (Probe p : probes) {
                if (p.appendMillis < measureFrom) {
                    continue;
                }
                measured++;
                long[] seen = firstSeen.get(p.topic + "|" + p.bucketStart);
                if (seen != null && p.ordinal < seen.length && seen[p.ordinal] > 0) {
                    latencies.add((seen[p.ordinal] - p.appendMillis) / 1000.0);
                }
            }
        }
        latencies.sort(Comparator.naturalOrder());
        return new Result(s, measured, latencies.size(), quantile(latencies, 0.5), quantile(latencies, 0.99),
                latencies.isEmpty() ? Double.NaN : latencies.get(latencies.size() - 1), producedRate, loadBefore,
                loadAfter);
    }

    private static Configuration config(LocalKafka kafka, LocalElasticsearch es, Map<Platform, String> topics,
            String prefix, Setting s, Path taxonomyFile, Path dir, int parallelism) {
        Map<String, String> settings = new HashMap<>();
        settings.put(JobOptions.KAFKA_BOOTSTRAP.key(), kafka.bootstrapServers());
        settings.put(JobOptions.KAFKA_GROUP_ID.key(), prefix);
        settings.put(JobOptions.TOPIC_BLUESKY.key(), topics.get(Platform.BLUESKY));
        settings.put(JobOptions.TOPIC_MASTODON.key(), topics.get(Platform.MASTODON));
        settings.put(JobOptions.TOPIC_REDDIT.key(), topics.get(Platform.REDDIT));
        settings.put(JobOptions.TOPIC_HACKERNEWS.key(), topics.get(Platform.HACKERNEWS));
        settings.put(JobOptions.TOPIC_TAXONOMY.key(), prefix + ".control");
        settings.put(JobOptions.TOPIC_DEAD_LETTERS.key(), prefix + ".dead-letters");
        settings.put(JobOptions.TOPIC_LATE.key(), prefix + ".late");
        settings.put(JobOptions.ES_DEAD_LETTER_TOPIC.key(), prefix + ".es-dead-letters");
        settings.put(JobOptions.STARTING_OFFSETS.key(), "earliest");
        settings.put(JobOptions.TAXONOMY_FILE.key(), taxonomyFile.toString());
        settings.put(JobOptions.EARLY_RESULTS.key(), s.early);
        settings.put(JobOptions.CHECKPOINT_INTERVAL.key(), s.checkpoint);
        settings.put(JobOptions.ES_INDEX_REFRESH_INTERVAL.key(), s.refresh);
        settings.put(JobOptions.ES_BULK_FLUSH_INTERVAL.key(), s.flush);
        settings.put(JobOptions.ES_URLS.key(), es.httpUrl());
        settings.put(CoreOptions.DEFAULT_PARALLELISM.key(), String.valueOf(parallelism));
        settings.put(CheckpointingOptions.CHECKPOINTS_DIRECTORY.key(), dir.resolve("checkpoints").toUri().toString());
        settings.put(PipelineOptions.GENERIC_TYPES.key(), "false");
        return JobConfiguration.load(null, settings);
    }

    /** The default taxonomy plus ten probe topics, each matched by one marker word no generated text contains. */
    static String probeTaxonomy() {
        StringBuilder b = new StringBuilder(Taxonomy.defaultTaxonomy().source()
                .replaceFirst("(?m)^version: .*$", "version: \"freshness-probes\""));
        b.append('\n');
        for (int i = 0; i < MARKERS.length; i++) {
            b.append("  - id: probe-").append(i).append('\n')
                    .append("    label: Freshness probe ").append(i).append('\n')
                    .append("    phrases: [\"").append(MARKERS[i]).append("\"]\n");
        }
        return b.toString();
    }

    private static void createTopics(LocalKafka kafka, Map<Platform, String> topics, int parallelism)
            throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (Admin admin = Admin.create(p)) {
            List<NewTopic> list = new ArrayList<>();
            for (Map.Entry<Platform, String> e : topics.entrySet()) {
                int partitions = e.getKey() == Platform.BLUESKY ? parallelism : 1;
                list.add(new NewTopic(e.getValue(), partitions, (short) 1)
                        .configs(Map.of("message.timestamp.type", "LogAppendTime")));
            }
            admin.createTopics(list).all().get();
        }
    }

    /**
     * Produces the load from {@code t0} to {@code end} at the wall time of each record's event time, with a probe
     * every second; returns the number of load records sent.
     */
    private static long produce(LocalKafka kafka, Map<Platform, String> topics, int eventsPerSecond, long t0,
            long end, List<Probe> probes) throws Exception {
        double recordsPerSecond = eventsPerSecond / EVENTS_PER_RECORD;
        BlockingQueue<List<RawStreamGenerator.RawRecord>> chunks = new ArrayBlockingQueue<>(2);
        int chunkSeconds = 5;
        Thread generator = new Thread(() -> {
            try {
                long seed = 1;
                for (long from = t0; from < end; from += chunkSeconds * 1000L) {
                    chunks.put(chunk(Instant.ofEpochMilli(from), chunkSeconds, recordsPerSecond, seed++));
                }
                chunks.put(List.of());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "freshness-generator");
        generator.setDaemon(true);
        generator.start();

        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.ACKS_CONFIG, "1");
        Map<String, Integer> ordinals = new HashMap<>();
        AtomicLong failures = new AtomicLong();
        long sent = 0;
        long nextProbe = t0;
        int probeNo = 0;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (List<RawStreamGenerator.RawRecord> chunk = chunks.take(); !chunk.isEmpty(); chunk = chunks.take()) {
                for (RawStreamGenerator.RawRecord r : chunk) {
                    long due = r.eventTime().toEpochMilli();
                    while (nextProbe <= due) {
                        sleepUntil(nextProbe);
                        sendProbe(producer, topics.get(Platform.BLUESKY), probeNo++, nextProbe, ordinals, probes,
                                failures);
                        nextProbe += 1000;
                    }
                    sleepUntil(due);
                    producer.send(new ProducerRecord<>(topics.get(r.platform()), r.value()), (m, e) -> {
                        if (e != null) {
                            failures.incrementAndGet();
                        }
                    });
                    sent++;
                }
            }
            producer.flush();
        }
        if (failures.get() > 0) {
            System.out.println("  " + failures.get() + " sends failed");
        }
        long behind = System.currentTimeMillis() - end;
        if (behind > 1_000) {
            System.out.println("  the producer fell " + behind + " ms behind its schedule");
        }
        return sent;
    }

    private static List<RawStreamGenerator.RawRecord> chunk(Instant from, int seconds, double recordsPerSecond,
            long seed) {
        List<RawStreamGenerator.RawRecord> all = new ArrayList<>();
        for (Map.Entry<Platform, Double> e : SHARES.entrySet()) {
            int count = (int) Math.round(recordsPerSecond * seconds * e.getValue());
            all.addAll(RawStreamGenerator.generate(e.getKey(), count, from, Duration.ofSeconds(seconds), seed));
        }
        all.sort(Comparator.comparing(RawStreamGenerator.RawRecord::eventTime));
        return all;
    }

    private static void sendProbe(KafkaProducer<byte[], byte[]> producer, String topic, int probeNo, long at,
            Map<String, Integer> ordinals, List<Probe> probes, AtomicLong failures) {
        int k = probeNo % MARKERS.length;
        String probeTopic = "probe-" + k;
        long createdAt = System.currentTimeMillis();
        long bucketStart = Math.floorDiv(createdAt, 60_000L) * 60_000L;
        int ordinal = ordinals.merge(probeTopic + "|" + bucketStart, 1, Integer::sum);
        producer.send(new ProducerRecord<>(topic, 0, null, probeRecord(probeNo, createdAt, MARKERS[k])), (m, e) -> {
            if (e != null) {
                failures.incrementAndGet();
                return;
            }
            synchronized (probes) {
                probes.add(new Probe(probeTopic, bucketStart, ordinal, m.timestamp()));
            }
        });
    }

    /** A Jetstream commit creating a post, as the Bluesky normalizer reads it. */
    static byte[] probeRecord(int probeNo, long createdAtMillis, String marker) {
        long micros = createdAtMillis * 1000;
        ObjectNode e = JSON.createObjectNode();
        String did = "did:plc:freshnessprobe" + probeNo;
        e.put("did", did);
        e.put("time_us", micros);
        e.put("kind", "commit");
        ObjectNode commit = e.putObject("commit");
        commit.put("rev", "3probe" + probeNo);
        commit.put("operation", "create");
        commit.put("collection", "app.bsky.feed.post");
        commit.put("rkey", "3probe" + probeNo);
        ObjectNode rec = commit.putObject("record");
        rec.put("$type", "app.bsky.feed.post");
        rec.put("createdAt", Instant.ofEpochMilli(createdAtMillis).truncatedTo(ChronoUnit.MILLIS).toString());
        rec.putArray("langs").add("en");
        rec.put("text", "freshness probe " + probeNo + " " + marker);
        commit.put("cid", "bafyreiprobe" + probeNo);
        try {
            return JSON.writeValueAsBytes(e);
        } catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** Searches the probe topics' bucket documents until told to stop; notes when each count first showed. */
    private static void poll(LocalElasticsearch es, AtomicBoolean stop, Map<String, long[]> firstSeen,
            int pollMillis) {
        HttpClient http = HttpClient.newHttpClient();
        String body = """
                {"size":200,"_source":["topic","bucket_start","posts"],"query":{"bool":{"filter":[
                 {"prefix":{"topic":"probe-"}},{"term":{"platform":"bluesky"}},
                 {"range":{"bucket_start":{"gte":"now-5m"}}}]}}}""";
        HttpRequest request = HttpRequest.newBuilder(URI.create(es.httpUrl() + "/discourse-trends-*/_search"
                + "?ignore_unavailable=true&allow_no_indices=true"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build();
        while (!stop.get()) {
            long started = System.currentTimeMillis();
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                long now = System.currentTimeMillis();
                if (response.statusCode() == 200) {
                    for (JsonNode hit : JSON.readTree(response.body()).path("hits").path("hits")) {
                        JsonNode src = hit.path("_source");
                        String key = src.path("topic").asText() + "|"
                                + Instant.parse(src.path("bucket_start").asText()).toEpochMilli();
                        int posts = src.path("posts").asInt();
                        firstSeen.compute(key, (k, seen) -> {
                            long[] s = seen == null ? new long[8] : seen;
                            if (posts >= s.length) {
                                s = Arrays.copyOf(s, posts + 8);
                            }
                            for (int i = 1; i <= posts; i++) {
                                if (s[i] == 0) {
                                    s[i] = now;
                                }
                            }
                            return s;
                        });
                    }
                }
            } catch (Exception e) {
                // the index does not exist before the first document: keep polling
            }
            long rest = pollMillis - (System.currentTimeMillis() - started);
            if (rest > 0) {
                try {
                    Thread.sleep(rest);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private static void deleteIndices(LocalElasticsearch es) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> list = http.send(HttpRequest.newBuilder(URI.create(es.httpUrl()
                + "/_cat/indices/discourse-*?h=index")).GET().build(), HttpResponse.BodyHandlers.ofString());
        for (String index : list.body().split("\\s+")) {
            if (!index.isBlank()) {
                http.send(HttpRequest.newBuilder(URI.create(es.httpUrl() + "/" + index)).DELETE().build(),
                        HttpResponse.BodyHandlers.ofString());
            }
        }
    }

    private static double quantile(List<Double> sorted, double q) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(q * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    private static long millis(String duration) {
        String d = duration.replace(" ", "").toLowerCase(Locale.ROOT);
        if (d.endsWith("ms")) {
            return Long.parseLong(d.substring(0, d.length() - 2));
        }
        if (d.endsWith("min")) {
            return Long.parseLong(d.substring(0, d.length() - 3)) * 60_000;
        }
        if (d.endsWith("m")) {
            return Long.parseLong(d.substring(0, d.length() - 1)) * 60_000;
        }
        return Long.parseLong(d.substring(0, d.length() - 1)) * 1000;
    }

    private static void sleepUntil(long wallMillis) throws InterruptedException {
        long rest = wallMillis - System.currentTimeMillis();
        if (rest > 0) {
            Thread.sleep(rest);
        }
    }

    private static String load() {
        return BenchmarkData.loadAverage().replace("load average ", "").split(" ")[0];
    }

    private static String arg(String[] args, String name, String def) {
        for (String a : args) {
            if (a.startsWith("--" + name + "=")) {
                return a.substring(name.length() + 3);
            }
        }
        return def;
    }
}

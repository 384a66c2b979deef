package io.discoursetrends.benchmarks;

import io.discoursetrends.buckets.BucketAccumulator;
import io.discoursetrends.buckets.BucketAccumulatorSerializer;
import io.discoursetrends.buckets.TrendBucket;
import io.discoursetrends.classify.Classification;
import io.discoursetrends.classify.ClassifiedEvent;
import io.discoursetrends.classify.CompiledTaxonomy;
import io.discoursetrends.engagement.AttributedEvent;
import io.discoursetrends.engagement.AttributionOperator;
import io.discoursetrends.engagement.EngagementAttribution;
import io.discoursetrends.engagement.StateSizes;
import io.discoursetrends.model.CanonicalEvent;
import io.discoursetrends.model.Platform;
import io.discoursetrends.model.Post;
import io.discoursetrends.normalize.NormalizeResult;
import io.discoursetrends.normalize.Normalizer;
import io.discoursetrends.replay.RawStreamGenerator;
import io.discoursetrends.spikes.DetectorSettings;
import io.discoursetrends.spikes.DetectorState;
import io.discoursetrends.spikes.SpikeDetector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateObject;
import org.apache.flink.runtime.state.storage.FileSystemCheckpointStorage;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/**
 * Bytes of keyed state: per tracked post (dedup and attribution, {@link AttributionOperator}) on the heap backend
 * and on RocksDB, and per topic x platform key (bucket accumulators, detector state).
 *
 * <p>Attribution: the realistic mix ({@link RawStreamGenerator}, all four platforms, 1,000 records per second of
 * event time), normalized and classified with {@code default+multiword-2000} as the job does, goes through the
 * production operator in Flink's operator test harness until {@code --posts} posts are tracked, with the
 * watermark 30 s behind the newest event (engagement waiting for its post is released as in the job; nothing
 * expires, since a post is kept 7 days and an id 1 day). Then:
 * <ul>
 *   <li><b>checkpoint</b>: one snapshot to a file-system checkpoint storage; its keyed-state handles' sizes
 *       (what a checkpoint or savepoint writes, keys, expiry queues and timers included), and how long it took
 *       (synchronously, in the harness: the heap backend's asynchronous part runs inside {@code snapshot});</li>
 *   <li><b>restore</b>: a new operator initialized from that snapshot and opened, as after a failure (the heap
 *       backend decodes every entry; for it the restored entry count is printed beside the time);</li>
 *   <li><b>heap</b>: used heap after a full collection, after the feed minus before it (harness and taxonomy
 *       exist before; outputs are dropped as they come): what the heap backend's objects occupy;</li>
 *   <li><b>breakdown</b> (heap backend): the serialized bytes of each part of each key's state value, and of each
 *       field as the state's serializer writes it.</li>
 * </ul>
 * Buckets: the attributed events of the first backend's run are also counted into one
 * {@link BucketAccumulator} per topic (and {@code _all}), platform and minute, as the bucket operator does; each
 * finished minute's accumulators are serialized with the state's serializer. Detector: a {@link DetectorState}
 * after a day of minutes, and the four recent complete buckets the detector keeps per key.
 *
 * <p>Run: see docs/benchmarks.md ("State"). Options: {@code --posts=N} (1000000), {@code --backends=heap,
 * heap-snappy,rocksdb,rocksdb-snappy,rocksdb-incremental}; {@code -snappy} is the backend with
 * {@code execution.checkpointing.snapshot-compression} on (Snappy, per key group of a full snapshot), as the
 * deployments set it; {@code --shuffle-texts=true} shuffles each post's characters (see {@link #shuffled});
 * {@code --ai-share=S} the generator's share of AI texts (0.65; a real firehose's matched share is far lower).
 */
public final class StateBenchmark {
    private static boolean shuffleTexts;
    /** The generator's mix; {@code --ai-share} sets its share of AI texts (most of what the taxonomy matches). */
    private static RawStreamGenerator.Mix mix = RawStreamGenerator.Mix.DEFAULT;
    private static final Duration POST_TTL = Duration.ofDays(7);
    private static final Duration DEDUP_TTL = Duration.ofDays(1);
    private static final int CHUNK_RECORDS = 100_000;
    private static final long MINUTE = 60_000;

    private StateBenchmark() {}

    record Run(String backend, long events, long posts, long matched, long stateEntries, long checkpointBytes,
            long checkpointMillis, long restoreMillis, long heapBytes, double feedSeconds) {}

    public static void main(String[] args) throws Exception {
        int posts = Integer.parseInt(arg(args, "posts", "1000000"));
        List<String> backends = List.of(arg(args, "backends", "heap,rocksdb,rocksdb-incremental").split(","));
        shuffleTexts = Boolean.parseBoolean(arg(args, "shuffle-texts", "false"));
        RawStreamGenerator.Mix d = RawStreamGenerator.Mix.DEFAULT;
        double aiShare = Double.parseDouble(arg(args, "ai-share", String.valueOf(d.aiShare())));
        mix = new RawStreamGenerator.Mix(d.posts(), d.replies(), d.quotes(), d.likes(), d.reposts(), d.ignored(),
                aiShare);
        System.out.println("# StateBenchmark");
        System.out.println("machine: " + BenchmarkData.machine());
        System.out.printf(Locale.ROOT, "options: posts=%d backends=%s shuffle-texts=%s ai-share=%s%n", posts,
                backends, shuffleTexts, aiShare);
        CompiledTaxonomy taxonomy = CompiledTaxonomy.compile(BenchmarkData.taxonomy("default+multiword-2000",
                BenchmarkData.SEED));
        List<Run> runs = new ArrayList<>();
        Buckets buckets = new Buckets();
        for (String backend : backends) {
            runs.add(run(backend, posts, taxonomy, runs.isEmpty() ? buckets : null));
        }
        System.out.println("\n| backend | events | tracked posts | matched | state entries | checkpoint bytes "
                + "| bytes per tracked post | checkpoint ms | restore ms | heap bytes per tracked post "
                + "| heap per million posts |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (Run r : runs) {
            System.out.printf(Locale.ROOT, "| %s | %,d | %,d | %,d | %,d | %,d | %.0f | %,d | %,d | %s | %s |%n",
                    r.backend, r.events, r.posts, r.matched, r.stateEntries, r.checkpointBytes,
                    (double) r.checkpointBytes / r.posts, r.checkpointMillis, r.restoreMillis,
                    r.heapBytes > 0 ? String.format(Locale.ROOT, "%.0f", (double) r.heapBytes / r.posts) : "-",
                    r.heapBytes > 0 ? String.format(Locale.ROOT, "%.0f MiB",
                            r.heapBytes / (double) r.posts * 1e6 / (1 << 20)) : "-");
        }
        buckets.print();
        detector();
        System.out.println("\nat the end: " + BenchmarkData.loadAverage());
    }

    private static Run run(String backend, int targetPosts, CompiledTaxonomy taxonomy, Buckets buckets)
            throws Exception {
        System.out.printf("%n## %s%n", backend);
        Path dir = Files.createTempDirectory("state-benchmark-");
        var h = harness(backend, dir);
        h.open();
        long heapBefore = usedHeap();
        Map<Platform, Normalizer> normalizers = BenchmarkData.normalizers();
        long events = 0;
        long posts = 0;
        long matched = 0;
        long t0 = System.nanoTime();
        for (int chunk = 0; posts < targetPosts; chunk++) {
            Instant from = BenchmarkData.START.plusSeconds(chunk * (long) (CHUNK_RECORDS / 1000));
            long newest = Long.MIN_VALUE;
            for (RawStreamGenerator.RawRecord r : records(from, chunk)) {
                NormalizeResult result = normalizers.get(r.platform()).normalize(r.value());
                for (CanonicalEvent e : result.events()) {
                    CanonicalEvent observed = e.observedAt(r.eventTime().toEpochMilli());
                    ClassifiedEvent c;
                    if (observed.isPost()) {
                        Classification k = taxonomy.classify(observed.post());
                        if (shuffleTexts) {
                            observed = new CanonicalEvent(shuffled(observed.post()), null, observed.observedAt());
                        }
                        c = new ClassifiedEvent(observed, k.topics(), k.terms(), taxonomy.version());
                    } else {
                        c = ClassifiedEvent.unclassified(observed);
                    }
                    long time = e.createdAt().toEpochMilli();
                    h.processElement(c, time);
                    newest = Math.max(newest, time);
                    events++;
                }
            }
            h.processWatermark(newest - 30_000);
            for (Object o : h.getOutput()) {
                if (o instanceof StreamRecord<?> sr && sr.getValue() instanceof AttributedEvent a) {
                    if (a.isPost()) {
                        posts++;
                        matched += a.topics().length > 0 ? 1 : 0;
                    }
                    if (buckets != null) {
                        buckets.add(a);
                    }
                }
            }
            h.getOutput().clear();
            var side = h.getSideOutput(EngagementAttribution.POSTS);
            if (side != null) {
                side.clear();
            }
            if (buckets != null) {
                buckets.finishBefore(newest - 30_000 - 11 * MINUTE);
            }
            if (chunk % 5 == 4) {
                System.out.printf(Locale.ROOT, "  %,d events, %,d posts tracked, %.0f s%n", events, posts,
                        (System.nanoTime() - t0) / 1e9);
            }
        }
        double feedSeconds = (System.nanoTime() - t0) / 1e9;
        long heapBytes = "heap".equals(backend) ? usedHeap() - heapBefore : 0;
        int entries = "heap".equals(backend) ? h.numKeyedStateEntries() : -1;
        if ("heap".equals(backend)) {
            StateSizes.print(h.getOperator(), System.out);
        }
        long s0 = System.nanoTime();
        OperatorSubtaskState snapshot = h.snapshot(1, System.currentTimeMillis());
        long checkpointMillis = (System.nanoTime() - s0) / 1_000_000;
        long bytes = snapshot.getManagedKeyedState().stream().mapToLong(StateObject::getStateSize).sum();
        System.out.printf(Locale.ROOT, "  checkpoint: %,d bytes in %,d ms (%,d bytes in files under %s)%n", bytes,
                checkpointMillis, sizeOnDisk(dir), dir);
        h.close();
        // A restore as after a failure: a new operator reads the snapshot back (the heap backend decodes every
        // entry into objects; RocksDB takes the files).
        var restored = harness(backend, dir);
        long r0 = System.nanoTime();
        restored.initializeState(snapshot);
        restored.open();
        long restoreMillis = (System.nanoTime() - r0) / 1_000_000;
        int restoredEntries = "heap".equals(backend) || "heap-snappy".equals(backend)
                ? restored.numKeyedStateEntries() : -1;
        System.out.printf(Locale.ROOT, "  restore: %,d ms%s%n", restoreMillis,
                restoredEntries < 0 ? "" : String.format(Locale.ROOT, " (%,d state entries)", restoredEntries));
        restored.close();
        snapshot.discardState();
        deleteRecursively(dir);
        return new Run(backend, events, posts, matched, entries, bytes, checkpointMillis, restoreMillis, heapBytes,
                feedSeconds);
    }

    /** The production attribution operator in a harness on {@code backend}, checkpointing into {@code dir}. */
    private static KeyedOneInputStreamOperatorTestHarness<String, ClassifiedEvent, AttributedEvent> harness(
            String backend, Path dir) throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(new AttributionOperator(
                new EngagementAttribution(POST_TTL, DEDUP_TTL, true)), ClassifiedEvent::postKey, Types.STRING,
                256, 1, 0);
        switch (backend) {
            case "heap" -> { }
            case "heap-snappy" -> h.getExecutionConfig().setUseSnapshotCompression(true);
            case "rocksdb" -> h.setStateBackend(rocksDb(false));
            case "rocksdb-snappy" -> {
                h.setStateBackend(rocksDb(false));
                h.getExecutionConfig().setUseSnapshotCompression(true);
            }
            case "rocksdb-incremental" -> h.setStateBackend(rocksDb(true));
            default -> throw new IllegalArgumentException("unknown backend " + backend);
        }
        h.setCheckpointStorage(new FileSystemCheckpointStorage(dir.toUri()));
        return h;
    }

    /**
     * RocksDB with its own default memory (64 MB write buffers) instead of a share of managed memory: the harness
     * has next to none, and RocksDB would flush its memtable after every few writes.
     */
    private static EmbeddedRocksDBStateBackend rocksDb(boolean incremental) {
        EmbeddedRocksDBStateBackend b = new EmbeddedRocksDBStateBackend(incremental);
        b.getMemoryConfiguration().setUseManagedMemory(false);
        return b;
    }

    private static List<RawStreamGenerator.RawRecord> records(Instant from, int chunk) {
        List<RawStreamGenerator.RawRecord> all = new ArrayList<>();
        Duration span = Duration.ofSeconds(CHUNK_RECORDS / 1000);
        for (Map.Entry<Platform, Double> e : BenchmarkData.SHARES.entrySet()) {
            all.addAll(RawStreamGenerator.generate(e.getKey(), (int) Math.round(CHUNK_RECORDS * e.getValue()), from,
                    span, BenchmarkData.SEED + chunk, mix));
        }
        all.sort(Comparator.comparing(RawStreamGenerator.RawRecord::eventTime));
        return all;
    }

    /** One accumulator per topic, platform and minute, as the bucket operator keeps them; sizes when done. */
    private static final class Buckets {
        private final Map<String, BucketAccumulator> open = new HashMap<>();
        private final List<Long> topicSizes = new ArrayList<>();
        private final List<Long> allSizes = new ArrayList<>();
        private final List<Long> recentSizes = new ArrayList<>();
        private final Map<String, List<TrendBucket>> recent = new HashMap<>();
        private final TypeSerializer<TrendBucket[]> recentSerializer =
                TypeInformation.of(TrendBucket[].class).createSerializer(new SerializerConfigImpl());
        private final DataOutputSerializer out = new DataOutputSerializer(64 * 1024);

        void add(AttributedEvent e) {
            long minute = Math.floorDiv(e.timeMillis(), MINUTE) * MINUTE;
            for (String topic : e.topics()) {
                open.computeIfAbsent(topic + "|" + e.platform() + "|" + minute, k -> new BucketAccumulator()).add(e, 3);
            }
            open.computeIfAbsent(TrendBucket.ALL_TOPICS + "|" + e.platform() + "|" + minute,
                    k -> new BucketAccumulator()).add(e, 3);
        }

        void finishBefore(long millis) throws IOException {
            var it = open.entrySet().iterator();
            while (it.hasNext()) {
                var entry = it.next();
                String[] k = entry.getKey().split("\\|");
                long minute = Long.parseLong(k[2]);
                if (minute + MINUTE > millis) {
                    continue;
                }
                out.clear();
                BucketAccumulatorSerializer.INSTANCE.serialize(entry.getValue(), out);
                (TrendBucket.ALL_TOPICS.equals(k[0]) ? allSizes : topicSizes).add((long) out.length());
                if (!TrendBucket.ALL_TOPICS.equals(k[0])) {
                    List<TrendBucket> last = recent.computeIfAbsent(k[0] + "|" + k[1], x -> new ArrayList<>());
                    last.add(entry.getValue().result(k[0], k[1], minute, minute + MINUTE, true));
                    if (last.size() > 4) {
                        last.remove(0);
                    }
                    if (last.size() == 4) {
                        out.clear();
                        recentSerializer.serialize(last.toArray(TrendBucket[]::new), out);
                        recentSizes.add((long) out.length());
                    }
                }
                it.remove();
            }
        }

        void print() {
            System.out.println("\n| bucket state (serialized, one topic x platform x minute) | buckets | mean bytes "
                    + "| median | p99 | max |");
            System.out.println("|---|---:|---:|---:|---:|---:|");
            row("accumulator of a topic", topicSizes);
            row("accumulator of _all", allSizes);
            row("detector's 4 recent complete buckets (per topic x platform)", recentSizes);
        }

        private static void row(String name, List<Long> sizes) {
            if (sizes.isEmpty()) {
                return;
            }
            List<Long> s = sizes.stream().sorted().toList();
            double mean = s.stream().mapToLong(Long::longValue).average().orElse(0);
            System.out.printf(Locale.ROOT, "| %s | %,d | %,.0f | %,d | %,d | %,d |%n", name, s.size(), mean,
                    s.get(s.size() / 2), s.get((int) Math.min(s.size() - 1, Math.ceil(s.size() * 0.99) - 1)),
                    s.get(s.size() - 1));
        }
    }

    /** A detector state after a day of one-minute buckets, serialized as its state. */
    private static void detector() throws IOException {
        SpikeDetector detector = new SpikeDetector(DetectorSettings.DEFAULTS);
        DetectorState st = new DetectorState();
        java.util.Random r = new java.util.Random(1);
        long t = BenchmarkData.START.toEpochMilli();
        for (int i = 0; i < 1440; i++) {
            detector.update(st, t + i * MINUTE, MINUTE, 20 + r.nextInt(10), 15);
        }
        TypeSerializer<DetectorState> s = TypeInformation.of(DetectorState.class)
                .createSerializer(new SerializerConfigImpl());
        DataOutputSerializer out = new DataOutputSerializer(4096);
        s.serialize(st, out);
        System.out.printf(Locale.ROOT, "%ndetector state (DetectorState, serialized): %,d bytes per topic x platform%n",
                out.length());
    }

    private static long usedHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    private static long sizeOnDisk(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /**
     * The post with its text's characters in a random order fixed by its id: the same length and characters, so the
     * same size under the text code, but without the generator's repeated phrases, which a compression of the
     * checkpoint (Snappy) would find far more often than in real posts. Classified before, on the real text.
     */
    private static Post shuffled(Post p) {
        if (p.text() == null) {
            return p;
        }
        int[] cps = p.text().codePoints().toArray();
        Random random = new Random(p.id().hashCode());
        for (int i = cps.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int c = cps[i];
            cps[i] = cps[j];
            cps[j] = c;
        }
        return new Post(p.platform(), p.id(), p.url(), p.authorId(), p.authorHandle(), p.authorBot(), p.community(),
                new String(cps, 0, cps.length), p.lang(), p.createdAt(), p.replyTo(), p.quoteOf(), p.hashtags(),
                p.metrics());
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

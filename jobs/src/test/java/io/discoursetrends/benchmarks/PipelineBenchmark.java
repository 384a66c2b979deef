package io.discoursetrends.benchmarks;

import io.discoursetrends.buckets.TrendBucket;
import io.discoursetrends.classify.Classification;
import io.discoursetrends.classify.ClassifiedEvent;
import io.discoursetrends.classify.CompiledTaxonomy;
import io.discoursetrends.classify.Taxonomy;
import io.discoursetrends.classify.TaxonomyUpdate;
import io.discoursetrends.engagement.AttributedEvent;
import io.discoursetrends.job.DiscourseTrendsJob;
import io.discoursetrends.job.JobOptions;
import io.discoursetrends.job.JobSinks;
import io.discoursetrends.job.JobSources;
import io.discoursetrends.kafka.EventTimeWatermarks;
import io.discoursetrends.model.CanonicalEvent;
import io.discoursetrends.model.DeadLetter;
import io.discoursetrends.model.Platform;
import io.discoursetrends.model.SourceEnvelope;
import io.discoursetrends.normalize.NormalizeResult;
import io.discoursetrends.normalize.Normalizer;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.util.TestStreamEnvironment;
import org.apache.flink.test.util.MiniClusterWithClientResource;
import org.apache.flink.util.Collector;
import org.apache.flink.util.NumberSequenceIterator;

/**
 * End-to-end throughput in events per CPU-second, on a realistic mix, for the stages of the job, each as a
 * ratio to the baseline of the same run (normalizing alone):
 *
 * <ol>
 *   <li>{@code normalize}: raw bytes to canonical events, in a plain loop on one thread (what the Kafka
 *       source's deserializer does per record);</li>
 *   <li>{@code normalize + classify}: the same plus {@link CompiledTaxonomy#classify} of every post, as
 *       {@code ClassifyPosts} does;</li>
 *   <li>{@code Flink: normalize only}: an in-memory source of the raw bytes, normalized and watermarked as in
 *       the Kafka source, into a discarding sink, on a MiniCluster at parallelism 1: Flink's own floor;</li>
 *   <li>{@code Flink: full topology}: the same source in front of {@link DiscourseTrendsJob#build} (split
 *       dead letters, classify, dedup and attribution, fan-out, topic buckets) with discarding sinks;</li>
 *   <li>{@code Flink SQL: baseline}: the same counting written in Flink SQL over the same bytes
 *       ({@link SqlBaseline}: JSON format tables, ROW_NUMBER dedup, a generated LIKE test per topic, 1-minute
 *       TUMBLE windows per topic and platform), into the same counting sink, at parallelism 1; also reported
 *       without its planning and its JIT compilation, which every SQL job pays afresh;</li>
 *   <li>scaling: the parse-only job and the full topology at parallelism 2 (the readers interleave the records as
 *       Kafka partitions would), and the full topology on the RocksDB state backend;</li>
 *   <li>the full topology again with a dense taxonomy ({@code synthetic-2000}: about 8 topics per post),
 *       to show what the fan-out into one bucket key per topic costs.</li>
 * </ol>
 *
 * <p>"Events" are the canonical events normalization produces (posts and engagement events; a Bluesky reply
 * is both), the unit every later operator counts in. CPU is the whole process's
 * ({@link com.sun.management.OperatingSystemMXBean#getProcessCpuTime()}): JIT, GC and Flink's own threads
 * included, which is what a deployment pays for. Rounds interleave the stages, so drift (thermal, noisy
 * neighbours) affects them alike; the first {@code --warmup-rounds} are not reported, the rest report their
 * median (and range). Four warm-up rounds by default: the JIT needs about that many runs of the full topology
 * (a million events) before its rounds stop getting faster, and a job that runs for days is compiled. One MiniCluster serves all Flink runs, so its start-up is not counted; each job's
 * submission and deployment are. No checkpoints are taken.
 *
 * <p>Run: see docs/benchmarks.md. Options: {@code --records=N} (default 300000), {@code --rounds=N} (5),
 * {@code --warmup-rounds=N} (4), {@code --events-per-second=N} (1000: the event-time density, which sets
 * how many bucket keys are open at once), {@code --dense=false} to skip the dense-taxonomy stages,
 * {@code --only=TEXT} to run only the stages whose name contains TEXT (e.g. under a profiler), {@code --sql=false}
 * and {@code --scaling=false} to skip those stages, {@code --slow-warmup=true} to run the SQL and RocksDB stages
 * in the warm-up rounds too (by default they run in the measured rounds only: each takes minutes). The job enables
 * Flink's object reuse itself, as in production.
 */
public final class PipelineBenchmark {
    private static final String FULL = "Flink: full topology";
    private static final String SQL = "Flink SQL: baseline";
    private static final String STEADY = ", without planning and JIT";
    private static final String SQL_STEADY = SQL + STEADY;
    /** The SQL stages: the baseline, then the other formulations measured beside it (see SqlBaseline). */
    private static final Map<String, SqlBaseline.Formulation> SQL_STAGES = new LinkedHashMap<>();

    static {
        SQL_STAGES.put(SQL, SqlBaseline.Formulation.BASELINE);
        SQL_STAGES.put("Flink SQL: tokens, temporal join", SqlBaseline.Formulation.TOKEN_TEMPORAL_JOIN);
        SQL_STAGES.put("Flink SQL: LIKE per topic", SqlBaseline.Formulation.LIKE_PER_TOPIC);
        SQL_STAGES.put("Flink SQL + UDF of the job's matcher", SqlBaseline.Formulation.MATCHER_UDF);
    }
    private static final String REALISTIC = "default+multiword-2000";
    private static final String DENSE = "synthetic-2000";

    /** Raw inputs by run id: Flink serializes the source function, the bytes stay here (one JVM). */
    private static final Map<String, BenchmarkData.RawInput[]> INPUTS = new ConcurrentHashMap<>();
    /** What the counting sinks saw, by sink id. */
    private static final Map<String, AtomicLong> COUNTS = new ConcurrentHashMap<>();

    private PipelineBenchmark() {}

    /** Runs a stage's work once and returns the number of events it processed. */
    @FunctionalInterface
    private interface Work {
        long run() throws Exception;
    }

    private record Stage(String name, Work work) {}

    private record Sample(long events, double cpuSeconds, double wallSeconds, double jitSeconds) {
        double rate() {
            return events / cpuSeconds;
        }
    }

    public static void main(String[] args) throws Exception {
        int records = intArg(args, "records", 300_000);
        int rounds = intArg(args, "rounds", 5);
        int warmups = intArg(args, "warmup-rounds", 4);
        int eventsPerSecond = intArg(args, "events-per-second", 1_000);
        boolean dense = Boolean.parseBoolean(arg(args, "dense", "true"));
        String only = arg(args, "only", "");
        boolean sql = Boolean.parseBoolean(arg(args, "sql", "true"));
        boolean slowWarmup = Boolean.parseBoolean(arg(args, "slow-warmup", "false"));
        boolean scaling = Boolean.parseBoolean(arg(args, "scaling", "true"));

        System.out.println("# PipelineBenchmark");
        System.out.println("machine: " + BenchmarkData.machine());
        System.out.printf(Locale.ROOT, "options: records=%d rounds=%d warmup-rounds=%d events-per-second=%d "
                + "dense=%s sql=%s scaling=%s only=%s%n", records, rounds, warmups, eventsPerSecond, dense, sql,
                scaling, only);

        Duration span = Duration.ofSeconds(Math.max(1, records / eventsPerSecond));
        List<BenchmarkData.RawInput> raw = BenchmarkData.mixedStream(records, span, BenchmarkData.SEED);
        BenchmarkData.RawInput[] input = raw.toArray(BenchmarkData.RawInput[]::new);
        String inputId = UUID.randomUUID().toString();
        INPUTS.put(inputId, input);
        Taxonomy realistic = BenchmarkData.taxonomy(REALISTIC, BenchmarkData.SEED);
        Taxonomy denseTaxonomy = BenchmarkData.taxonomy(DENSE, BenchmarkData.SEED);
        long events = describeInput(input, span, List.of(realistic, denseTaxonomy));
        Map<Platform, String> sqlRecords = SqlBaseline.register(perPlatform(input));

        Configuration clusterConfig = new Configuration();
        MiniClusterWithClientResource cluster = new MiniClusterWithClientResource(
                new MiniClusterResourceConfiguration.Builder().setConfiguration(clusterConfig)
                        .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());
        cluster.before();
        try {
            List<Stage> stages = new ArrayList<>();
            stages.add(new Stage("normalize", () -> normalizeLoop(input)));
            stages.add(new Stage("normalize + classify", () -> classifyLoop(input, realistic)));
            if (dense) {
                stages.add(new Stage("normalize + classify (dense taxonomy)",
                        () -> classifyLoop(input, denseTaxonomy)));
            }
            stages.add(new Stage("Flink: normalize only", () -> flinkNormalizeOnly(cluster, inputId, input.length)));
            stages.add(new Stage(FULL, () -> flinkFullTopology(cluster, inputId, input.length,
                    realistic, 1, false)));
            if (sql) {
                SQL_STAGES.forEach((name, formulation) -> stages.add(new Stage(name,
                        () -> flinkSql(cluster, sqlRecords, realistic, events, formulation))));
            }
            if (scaling) {
                stages.add(new Stage("Flink: normalize only, parallelism 2",
                        () -> flinkNormalizeOnly(cluster, inputId, input.length, 2)));
                stages.add(new Stage(FULL + ", parallelism 2", () -> flinkFullTopology(cluster, inputId,
                        input.length, realistic, 2, false)));
                stages.add(new Stage(FULL + ", RocksDB", () -> flinkFullTopology(cluster, inputId, input.length,
                        realistic, 1, true)));
            }
            if (dense) {
                stages.add(new Stage("Flink: full topology (dense taxonomy)", () -> flinkFullTopology(cluster, inputId,
                        input.length, denseTaxonomy, 1, false)));
            }

            stages.removeIf(s -> !s.name().contains(only));
            Map<String, List<Sample>> samples = new LinkedHashMap<>();
            for (int round = 0; round < warmups + rounds; round++) {
                boolean warm = round >= warmups;
                System.out.printf("%nround %d of %d%s%n", round + 1, warmups + rounds, warm ? "" : " (warm-up)");
                for (Stage s : stages) {
                    if (!warm && !slowWarmup && (SQL_STAGES.containsKey(s.name()) || s.name().endsWith("RocksDB"))) {
                        continue; // minutes per round; SQL's JIT and planning start afresh with every job anyway
                    }
                    Sample sample = measure(s);
                    if (sample.events() != events) {
                        throw new IllegalStateException(s.name() + " processed " + sample.events()
                                + " events, expected " + events);
                    }
                    System.out.printf(Locale.ROOT,
                            "  %-40s %,12.0f events/CPU-s  (%.2f CPU-s, %.2f s wall, JIT %.2f s)%s%n",
                            s.name(), sample.rate(), sample.cpuSeconds(), sample.wallSeconds(), sample.jitSeconds(),
                            s.name().startsWith("Flink: full") ? ", " + lastBucketDocuments + " bucket documents"
                                    : SQL_STAGES.containsKey(s.name()) ? String.format(Locale.ROOT,
                                    ", %d bucket rows, planned in %.2f CPU-s", lastBucketDocuments,
                                    lastPlanningCpuSeconds) : "");
                    if (warm) {
                        samples.computeIfAbsent(s.name(), k -> new ArrayList<>()).add(sample);
                        if (SQL_STAGES.containsKey(s.name())) {
                            // What a job that runs for days pays per event: without the query's planning and the
                            // JIT compilation of its generated classes (new classes with every job, so the JIT
                            // starts afresh in every round; the DataStream stages' classes stay compiled).
                            samples.computeIfAbsent(s.name() + STEADY, k -> new ArrayList<>()).add(new Sample(
                                    sample.events(), sample.cpuSeconds() - lastPlanningCpuSeconds
                                            - (sample.jitSeconds() - lastPlanningJitSeconds),
                                    sample.wallSeconds() - lastPlanningWallSeconds,
                                    0));
                        }
                    }
                }
            }
            printTable(samples, events, rounds);
            printRatios(samples);
            System.out.println("\nat the end: " + BenchmarkData.loadAverage());
        } finally {
            cluster.after();
            SqlBaseline.unregister(sqlRecords);
        }
    }

    private static Sample measure(Stage s) throws Exception {
        System.gc(); // the previous stage's garbage is not this stage's cost
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        double jit0 = jitCpuSeconds();
        long cpu0 = os.getProcessCpuTime();
        long wall0 = System.nanoTime();
        long n = s.work().run();
        long wall1 = System.nanoTime();
        long cpu1 = os.getProcessCpuTime();
        return new Sample(n, (cpu1 - cpu0) / 1e9, (wall1 - wall0) / 1e9, jitCpuSeconds() - jit0);
    }

    /**
     * CPU time of the JIT compiler threads so far (Linux: /proc/self/task/N/stat of the threads named "C1
     * CompilerThre..." and "C2 CompilerThre...", user + system in clock ticks of 1/100 s); NaN elsewhere. (The
     * JVM's own CompilationMXBean counts elapsed time, which a loaded machine inflates beyond the CPU used.)
     */
    private static double jitCpuSeconds() {
        long ticks = 0;
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    String comm = Files.readString(task.resolve("comm")).strip();
                    if (!comm.startsWith("C1 Compiler") && !comm.startsWith("C2 Compiler")) {
                        continue;
                    }
                    String stat = Files.readString(task.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
        return ticks / 100.0;
    }

    // --- the stages ----------------------------------------------------------------------------------

    /** Normalizes every record as the Kafka source's deserializer does; returns the number of events. */
    static long normalizeLoop(BenchmarkData.RawInput[] input) {
        Map<Platform, Normalizer> normalizers = BenchmarkData.normalizers();
        long events = 0;
        long check = 0;
        for (BenchmarkData.RawInput r : input) {
            NormalizeResult result = normalizers.get(r.platform()).normalize(r.value());
            for (CanonicalEvent e : result.events()) {
                SourceEnvelope env = SourceEnvelope.of(e.observedAt(r.timestampMillis()));
                check += env.event().createdAt().getNano();
                events++;
            }
        }
        blackhole(check);
        return events;
    }

    /** Normalizes, then classifies every post as {@code ClassifyPosts} does. */
    static long classifyLoop(BenchmarkData.RawInput[] input, Taxonomy taxonomy) {
        Map<Platform, Normalizer> normalizers = BenchmarkData.normalizers();
        CompiledTaxonomy compiled = CompiledTaxonomy.compile(taxonomy);
        long events = 0;
        long check = 0;
        for (BenchmarkData.RawInput r : input) {
            NormalizeResult result = normalizers.get(r.platform()).normalize(r.value());
            for (CanonicalEvent e : result.events()) {
                CanonicalEvent observed = e.observedAt(r.timestampMillis());
                ClassifiedEvent c;
                if (observed.isPost()) {
                    Classification k = compiled.classify(observed.post());
                    c = new ClassifiedEvent(observed, k.topics(), k.terms(), compiled.version());
                } else {
                    c = ClassifiedEvent.unclassified(observed);
                }
                check += c.topics().length + c.terms().length;
                events++;
            }
        }
        blackhole(check);
        return events;
    }

    static long flinkNormalizeOnly(MiniClusterWithClientResource cluster, String inputId, int records)
            throws Exception {
        return flinkNormalizeOnly(cluster, inputId, records, 1);
    }

    static long flinkNormalizeOnly(MiniClusterWithClientResource cluster, String inputId, int records,
            int parallelism) throws Exception {
        StreamExecutionEnvironment env = environment(cluster, baseConfig(), parallelism);
        String sink = UUID.randomUUID().toString();
        rawRecords(env, inputId, records, baseConfig(), null).sinkTo(new CountingSink<>(sink))
                .name("discard").uid("discard");
        env.execute("benchmark: normalize only");
        return COUNTS.remove(sink).get();
    }

    static long flinkFullTopology(MiniClusterWithClientResource cluster, String inputId, int records,
            Taxonomy taxonomy, int parallelism, boolean rocksDb) throws Exception {
        Configuration config = baseConfig();
        if (rocksDb) {
            // No checkpoints are taken, so only the state accesses differ: serialized keys and values in RocksDB.
            config.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        }
        StreamExecutionEnvironment env = environment(cluster, config, parallelism);
        TaxonomyUpdate initial = new TaxonomyUpdate(taxonomy.version(), taxonomy.source(), null,
                BenchmarkData.START.toEpochMilli());
        String run = UUID.randomUUID().toString();
        String eventsId = run + "/events";
        String bucketsId = run + "/buckets";
        String lateId = run + "/late";
        String deadId = run + "/dead";
        DiscourseTrendsJob.build(env, config, new JobSources() {
            @Override
            public DataStream<SourceEnvelope> platformRecords(StreamExecutionEnvironment e) {
                return rawRecords(e, inputId, records, config, eventsId);
            }

            @Override
            public DataStream<TaxonomyUpdate> taxonomyUpdates(StreamExecutionEnvironment e) {
                // No updates: the initial taxonomy stays in force. (An empty fromData fails in Flink 2.2.)
                return e.fromData(initial).filter(u -> false);
            }
        }, new JobSinks() {
            @Override
            public Sink<TrendBucket> trendBuckets() {
                return new CountingSink<>(bucketsId);
            }

            @Override
            public Sink<TaxonomyUpdate> taxonomies() {
                return new CountingSink<>(run + "/taxonomies");
            }

            @Override
            public Sink<DeadLetter> deadLetters() {
                return new CountingSink<>(deadId);
            }

            @Override
            public Sink<AttributedEvent> lateEvents() {
                return new CountingSink<>(lateId);
            }
        }, initial);
        env.execute("benchmark: full topology");
        long events = count(eventsId);
        long late = count(lateId);
        long dead = count(deadId);
        long buckets = count(bucketsId);
        COUNTS.keySet().removeIf(k -> k.startsWith(run));
        if (late != 0 || dead != 0 || buckets == 0) {
            throw new IllegalStateException("unexpected output: " + buckets + " bucket documents, " + late
                    + " late events, " + dead + " dead letters");
        }
        lastBucketDocuments = buckets;
        return events;
    }

    private static Configuration baseConfig() {
        Configuration config = new Configuration();
        config.set(PipelineOptions.GENERIC_TYPES, false); // a Kryo fallback would fail, not slow down, the run
        return config;
    }

    /**
     * The Flink SQL baseline ({@link SqlBaseline}) over the same bytes, into the same counting sink. Returns the
     * input's number of canonical events (SQL has no such events; the rate is per the same input).
     */
    static long flinkSql(MiniClusterWithClientResource cluster, Map<Platform, String> records, Taxonomy taxonomy,
            long events, SqlBaseline.Formulation formulation) throws Exception {
        StreamExecutionEnvironment env = environment(cluster, baseConfig(), 1);
        String sink = UUID.randomUUID().toString();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        long wall0 = System.nanoTime();
        double jit0 = jitCpuSeconds();
        SqlBaseline.build(env, records, taxonomy, formulation).sinkTo(new CountingSink<>(sink)).name("discard")
                .uid("discard");
        lastPlanningCpuSeconds = (os.getProcessCpuTime() - cpu0) / 1e9;
        lastPlanningWallSeconds = (System.nanoTime() - wall0) / 1e9;
        lastPlanningJitSeconds = jitCpuSeconds() - jit0;
        env.execute("benchmark: Flink SQL baseline, " + formulation);
        long rows = COUNTS.remove(sink).get();
        if (rows == 0) {
            throw new IllegalStateException("the SQL baseline wrote no bucket rows");
        }
        lastBucketDocuments = rows;
        return events;
    }

    private static StreamExecutionEnvironment environment(MiniClusterWithClientResource cluster, Configuration c,
            int parallelism) {
        StreamExecutionEnvironment env = new TestStreamEnvironment(cluster.getMiniCluster(), c, parallelism,
                List.of(), List.of());
        env.setParallelism(parallelism);
        return env;
    }

    /** Each platform's raw values in stream order (each platform's own order is event-time order). */
    private static Map<Platform, byte[][]> perPlatform(BenchmarkData.RawInput[] input) {
        Map<Platform, List<byte[]>> lists = new EnumMap<>(Platform.class);
        for (BenchmarkData.RawInput r : input) {
            lists.computeIfAbsent(r.platform(), k -> new ArrayList<>()).add(r.value());
        }
        Map<Platform, byte[][]> out = new EnumMap<>(Platform.class);
        lists.forEach((p, l) -> out.put(p, l.toArray(byte[][]::new)));
        return out;
    }

    /**
     * The raw records, normalized and watermarked as {@code Connectors} does with the Kafka source (there
     * normalization runs inside the source; here in an operator chained to it, with no serialization between).
     * Counts the events it emits under {@code countId}, when not null.
     */
    private static DataStream<SourceEnvelope> rawRecords(StreamExecutionEnvironment env, String inputId,
            int records, Configuration config, String countId) {
        return env.fromSequence(0, records - 1).name("raw records").uid("raw-records")
                .flatMap(new Normalize(inputId, countId, order(records, env.getParallelism())))
                .returns(TypeInformation.of(SourceEnvelope.class))
                .name("normalize").uid("normalize")
                .assignTimestampsAndWatermarks(EventTimeWatermarks.strategy(
                        config.get(JobOptions.OUT_OF_ORDERNESS), Duration.ZERO))
                .name("watermarks").uid("watermarks");
    }

    /**
     * Sequence number to record index. {@code fromSequence} gives each of its {@code parallelism} readers one
     * contiguous range of sequence numbers; mapped through this, reader k reads the records whose index is k
     * modulo {@code parallelism}, in stream order, as Kafka partitions would hand a job's source readers an
     * interleaved stream. (Contiguous ranges would put the readers minutes of event time apart, and every
     * bucket of the time between open at once.) Null for one reader: the identity.
     */
    private static int[] order(int records, int parallelism) {
        if (parallelism == 1) {
            return null;
        }
        NumberSequenceIterator[] splits = new NumberSequenceIterator(0, records - 1).split(parallelism);
        int[] order = new int[records];
        boolean[] used = new boolean[records];
        for (int k = 0; k < splits.length; k++) {
            int index = k;
            for (long seq = splits[k].getCurrent(); seq <= splits[k].getTo(); seq++, index += parallelism) {
                if (index >= records || used[index]) { // the split sizes are not those of the residue classes
                    throw new IllegalStateException("sequence split " + k + " of " + parallelism
                            + " does not hold the records " + k + " modulo " + parallelism);
                }
                used[index] = true;
                order[(int) seq] = index;
            }
        }
        return order;
    }

    // --- operators and sinks -------------------------------------------------------------------------

    /** Record index to normalized events, one normalizer per platform per instance. */
    private static final class Normalize extends RichFlatMapFunction<Long, SourceEnvelope> {
        private static final long serialVersionUID = 1L;
        private final String inputId;
        private final String countId;
        private final int[] order;
        private transient BenchmarkData.RawInput[] input;
        private transient Map<Platform, Normalizer> normalizers;
        private transient long emitted;

        Normalize(String inputId, String countId, int[] order) {
            this.inputId = inputId;
            this.countId = countId;
            this.order = order;
        }

        @Override
        public void open(OpenContext context) {
            input = INPUTS.get(inputId);
            normalizers = new EnumMap<>(BenchmarkData.normalizers());
        }

        @Override
        public void flatMap(Long index, Collector<SourceEnvelope> out) {
            BenchmarkData.RawInput r = input[order == null ? index.intValue() : order[index.intValue()]];
            NormalizeResult result = normalizers.get(r.platform()).normalize(r.value());
            for (CanonicalEvent e : result.events()) {
                emitted++;
                out.collect(SourceEnvelope.of(e.observedAt(r.timestampMillis())));
            }
        }

        @Override
        public void close() {
            if (countId != null) {
                counter(countId).addAndGet(emitted);
            }
        }
    }

    /** A Sink V2 that only counts: the benchmark measures the job, not an output system. */
    private static final class CountingSink<T> implements Sink<T> {
        private static final long serialVersionUID = 1L;
        private final String id;

        CountingSink(String id) {
            this.id = id;
            counter(id);
        }

        @Override
        public SinkWriter<T> createWriter(WriterInitContext context) {
            AtomicLong count = counter(id);
            return new SinkWriter<>() {
                @Override
                public void write(T element, Context ctx) {
                    count.incrementAndGet();
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }

    private static AtomicLong counter(String id) {
        return COUNTS.computeIfAbsent(id, k -> new AtomicLong());
    }

    private static long count(String id) {
        AtomicLong c = COUNTS.get(id);
        return c == null ? 0 : c.get();
    }

    // --- reporting -----------------------------------------------------------------------------------

    /** Prints what the input is (not timed) and returns its number of canonical events. */
    private static long describeInput(BenchmarkData.RawInput[] input, Duration span, List<Taxonomy> taxonomies) {
        Map<Platform, long[]> perPlatform = new EnumMap<>(Platform.class); // records, bytes, events, posts
        Map<Platform, Normalizer> normalizers = BenchmarkData.normalizers();
        List<CompiledTaxonomy> compiled = taxonomies.stream().map(CompiledTaxonomy::compile).toList();
        long[] topics = new long[taxonomies.size()];
        long[] untopical = new long[taxonomies.size()];
        long events = 0;
        long posts = 0;
        for (BenchmarkData.RawInput r : input) {
            long[] c = perPlatform.computeIfAbsent(r.platform(), k -> new long[4]);
            c[0]++;
            c[1] += r.value().length;
            for (CanonicalEvent e : normalizers.get(r.platform()).normalize(r.value()).events()) {
                c[2]++;
                events++;
                if (e.isPost()) {
                    c[3]++;
                    posts++;
                    for (int t = 0; t < compiled.size(); t++) {
                        int n = compiled.get(t).classify(e.post()).topics().length;
                        topics[t] += n;
                        untopical[t] += n == 0 ? 1 : 0;
                    }
                }
            }
        }
        System.out.printf(Locale.ROOT, "input: %,d raw records over %s of event time -> %,d events (%,d posts)%n",
                input.length, span, events, posts);
        perPlatform.forEach((p, c) -> System.out.printf(Locale.ROOT,
                "  %-10s %,9d records (%4.1f%%), %5d bytes on average, %,9d events, %,8d posts%n",
                p.id(), c[0], 100.0 * c[0] / input.length, c[1] / c[0], c[2], c[3]));
        for (int t = 0; t < taxonomies.size(); t++) {
            System.out.printf(Locale.ROOT, "taxonomy %s: %s; %.2f topics per post, %.0f%% of posts in none%n",
                    taxonomies.get(t).version(), taxonomies.get(t).summary(), (double) topics[t] / posts,
                    100.0 * untopical[t] / posts);
        }
        return events;
    }

    private static void printTable(Map<String, List<Sample>> samples, long events, int rounds) {
        System.out.printf("%nmedian of %d rounds (process CPU time; events = canonical events):%n%n", rounds);
        System.out.println("| stage | events | CPU s | wall s | events per CPU-s | range | events per wall-s "
                + "| vs normalize |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
        List<Sample> normalize = samples.get("normalize");
        double baseline = normalize == null ? Double.NaN
                : median(normalize.stream().mapToDouble(Sample::rate).sorted().toArray());
        for (Map.Entry<String, List<Sample>> e : samples.entrySet()) {
            List<Sample> s = e.getValue();
            double[] rates = s.stream().mapToDouble(Sample::rate).sorted().toArray();
            double rate = median(rates);
            double cpu = median(s.stream().mapToDouble(Sample::cpuSeconds).sorted().toArray());
            double wall = median(s.stream().mapToDouble(Sample::wallSeconds).sorted().toArray());
            double wallRate = median(s.stream().mapToDouble(x -> x.events() / x.wallSeconds()).sorted().toArray());
            String ratio = Double.isNaN(baseline) ? "–" : String.format(Locale.ROOT, "%.2f×", rate / baseline);
            System.out.printf(Locale.ROOT, "| %s | %,d | %.2f | %.2f | %,.0f | %,.0f–%,.0f | %,.0f | %s |%n",
                    e.getKey(), events, cpu, wall, rate, rates[0], rates[rates.length - 1], wallRate, ratio);
        }
    }

    /**
     * The ratios the issue asks for, each as the median of the rounds' own ratios (the two stages of a round ran
     * minutes apart at most, under the same load) and, in brackets, their range.
     */
    private static void printRatios(Map<String, List<Sample>> samples) {
        System.out.printf("%nratios (median of the rounds' ratios, range):%n%n");
        System.out.println("| ratio | per CPU-second | per wall-second |");
        System.out.println("|---|---:|---:|");
        ratio(samples, FULL, "Flink: normalize only", "full topology / Flink parse-only job (target >= 0.5)");
        ratio(samples, FULL, SQL, "full topology / Flink SQL baseline (target >= 2)");
        ratio(samples, FULL, SQL_STEADY, "full topology / Flink SQL baseline without planning and JIT");
        SQL_STAGES.keySet().stream().filter(name -> !name.equals(SQL)).forEach(name -> {
            ratio(samples, FULL, name, "full topology / " + name);
            ratio(samples, FULL, name + STEADY, "full topology / " + name + STEADY);
        });
        ratio(samples, "Flink: normalize only", SQL, "Flink parse-only job / Flink SQL baseline");
        ratio(samples, FULL + ", parallelism 2", FULL, "full topology, parallelism 2 / parallelism 1");
        ratio(samples, "Flink: normalize only, parallelism 2", "Flink: normalize only",
                "Flink parse-only job, parallelism 2 / parallelism 1");
        ratio(samples, FULL + ", RocksDB", FULL, "full topology, RocksDB / heap state");
        ratio(samples, "Flink: full topology (dense taxonomy)", FULL, "full topology, dense / realistic taxonomy");
    }

    private static void ratio(Map<String, List<Sample>> samples, String a, String b, String label) {
        List<Sample> x = samples.get(a);
        List<Sample> y = samples.get(b);
        if (x == null || y == null) {
            return;
        }
        int n = Math.min(x.size(), y.size());
        double[] cpu = new double[n];
        double[] wall = new double[n];
        for (int i = 0; i < n; i++) {
            cpu[i] = x.get(i).rate() / y.get(i).rate();
            wall[i] = (x.get(i).events() / x.get(i).wallSeconds()) / (y.get(i).events() / y.get(i).wallSeconds());
        }
        Arrays.sort(cpu);
        Arrays.sort(wall);
        System.out.printf(Locale.ROOT, "| %s | %.2f (%.2f–%.2f) | %.2f (%.2f–%.2f) |%n", label, median(cpu), cpu[0],
                cpu[n - 1], median(wall), wall[0], wall[n - 1]);
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static volatile long sink;
    /** CPU the last SQL run spent planning the query (part of its stage's CPU). */
    private static volatile double lastPlanningCpuSeconds;
    private static volatile double lastPlanningWallSeconds;
    /** JIT CPU during the last SQL run's planning (in both of the above: subtracted once). */
    private static volatile double lastPlanningJitSeconds;
    /** Bucket documents the last full-topology run wrote (printed with the round, as a sanity figure). */
    private static volatile long lastBucketDocuments;

    private static void blackhole(long v) {
        sink += v; // keeps the loops' results observable, so the JIT cannot drop the work
    }

    private static String arg(String[] args, String name, String dflt) {
        String prefix = "--" + name + "=";
        return Arrays.stream(args).filter(a -> a.startsWith(prefix)).map(a -> a.substring(prefix.length()))
                .reduce((a, b) -> b).orElse(dflt);
    }

    private static int intArg(String[] args, String name, int dflt) {
        return Integer.parseInt(arg(args, name, Integer.toString(dflt)));
    }
}

package io.discoursetrends.benchmarks;

import io.discoursetrends.spikes.DetectorSettings;
import io.discoursetrends.spikes.DetectorState;
import io.discoursetrends.spikes.SpikeDetector;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;

/**
 * {@link DetectorBenchmark}'s {@code oneKey} and {@code sparseKey} cases measured in the thread's CPU time instead
 * of wall time: on a machine shared with other builds (load average well above its cores) JMH's wall-clock
 * figures vary several-fold between runs, while the CPU time a thread spends on the same work barely moves.
 * No JMH (no forks, no blackholes: the steps' scores are summed and printed); the JIT is warmed by the first
 * rounds, and the median of the later ones is reported.
 *
 * <pre>java -cp jobs/target/test-classes:jobs/target/discourse-trends.jar \
 *   io.discoursetrends.benchmarks.DetectorCpuTime</pre>
 */
public final class DetectorCpuTime {
    private static final int ROUNDS = 9;
    private static final int WARMUP_ROUNDS = 3;
    private static final int UPDATES = 1_000_000;

    private DetectorCpuTime() {}

    public static void main(String[] args) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        SpikeDetector detector = new SpikeDetector(DetectorSettings.DEFAULTS);
        double[] values = DetectorBenchmark.series(BenchmarkData.SEED);
        long minute = DetectorBenchmark.MINUTE;
        double[] sparse = new double[ROUNDS];
        double[] one = new double[ROUNDS];
        double sink = 0;
        DetectorState sparseKey = new DetectorState();
        DetectorState oneKey = new DetectorState();
        long sparseTime = DetectorBenchmark.T0;
        long oneTime = DetectorBenchmark.T0;
        int next = 0;
        for (int r = 0; r < ROUNDS; r++) {
            long c0 = mx.getCurrentThreadCpuTime();
            for (int i = 0; i < UPDATES; i++) {
                sparseTime += DetectorBenchmark.SPARSE_EVERY * minute; // replays the 9 empty minutes in between
                sink += detector.update(sparseKey, sparseTime, minute, 1 + (i & 3), -1).score();
            }
            long c1 = mx.getCurrentThreadCpuTime();
            for (int i = 0; i < UPDATES; i++) {
                sink += detector.update(oneKey, oneTime, minute, values[next], -1).score();
                oneTime += minute;
                next = (next + 1) & (DetectorBenchmark.SERIES - 1);
            }
            long c2 = mx.getCurrentThreadCpuTime();
            sparse[r] = (c1 - c0) / (double) UPDATES;
            one[r] = (c2 - c1) / (double) UPDATES;
        }
        System.out.printf(Locale.ROOT, "CPU ns per update (median of rounds %d-%d): oneKey %.0f, sparseKey %.0f"
                + " (checksum %.3f; %s)%n", WARMUP_ROUNDS + 1, ROUNDS, median(one), median(sparse), sink,
                BenchmarkData.loadAverage());
    }

    private static double median(double[] perRound) {
        double[] later = Arrays.copyOfRange(perRound, WARMUP_ROUNDS, perRound.length);
        Arrays.sort(later);
        return later[later.length / 2];
    }
}

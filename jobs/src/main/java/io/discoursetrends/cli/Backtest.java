package io.discoursetrends.cli;

import io.discoursetrends.spikes.DetectorSettings;
import io.discoursetrends.spikes.DetectorState;
import io.discoursetrends.spikes.SpikeDetector;
import io.discoursetrends.spikes.Step;

/**
 * The streaming job's detector over a whole {@link Series}, one fresh key: what {@code detect} writes, and what
 * docs/spikes.md's evaluation scores (so the figures are those of the command a user runs).
 */
public final class Backtest {
    private Backtest() {}

    /**
     * One step per bucket of the series.
     *
     * @param gapsAreZero see {@link SpikeDetector#update(DetectorState, long, long, double, long, boolean)}
     */
    public static Step[] run(Series series, DetectorSettings settings, long bucketMillis, boolean gapsAreZero) {
        SpikeDetector detector = new SpikeDetector(settings);
        DetectorState state = new DetectorState();
        long[] t = series.times();
        double[] v = series.values();
        Step[] steps = new Step[t.length];
        for (int i = 0; i < t.length; i++) {
            steps[i] = detector.update(state, t[i], bucketMillis, v[i], -1, gapsAreZero);
        }
        return steps;
    }
}

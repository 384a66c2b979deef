package io.discoursetrends.spikes;

import java.io.Serializable;
import java.time.Duration;

/**
 * The spike detector's settings. {@link #DEFAULTS} are the shipped values, used by the streaming job and by the
 * {@code detect} backtest alike; docs/spikes.md explains each one and how the defaults were measured.
 *
 * <p>Rates of adaptation are half-lives in time, so the same settings behave alike on 1-minute, 5-minute or
 * hourly buckets; the statistical decision (slacks, thresholds, buckets to close) counts buckets and scores.
 * Scores are in noise units (see {@link SpikeDetector}): about 1 is ordinary, 10 is far out.
 *
 * @param baselineHalfLife how fast the level follows the series: an observation's weight halves after this
 *     much time. Longer holds the baseline through long bursts but follows real drift more slowly.
 * @param dailyHalfLife memory of the hour-of-day factors, in days of data (each hour is seen once a day)
 * @param weeklyHalfLife memory of the day-of-week factors, in weeks of data
 * @param noiseHalfLife memory of the noise estimate (how much the key's buckets scatter around the baseline)
 * @param burstinessHalfLife memory of the burstiness estimate (how often and how far the key bursts): a key that
 *     bursts every day needs a bigger burst to open a spike than a quiet one
 * @param warmupBuckets buckets a key must have seen before a spike may open
 * @param burstSlack score a bucket must exceed to add evidence of an abrupt burst (CUSUM reference value)
 * @param burstThreshold burst evidence at which a spike opens: one bucket alone opens one only with a score of at
 *     least {@code burstSlack + burstThreshold}; two buckets in a row need {@code burstSlack + burstThreshold / 2}
 *     each, three {@code burstSlack + burstThreshold / 3}
 * @param sustainedSlack score a bucket must exceed to add evidence of a sustained rise
 * @param sustainedThreshold sustained evidence at which a spike opens (a long, moderate rise)
 * @param closeScore a bucket scoring below this is back near the baseline
 * @param closeAfterBuckets consecutive such buckets that close an open spike
 * @param cooldown after a spike closes, no new one opens for this long (no flapping on a decaying tail)
 * @param minVolume the burst's buckets must hold at least this many items together (posts, or engagement)
 * @param minUniqueAuthors one of the burst's buckets must have at least this many unique authors, when the
 *     caller knows them (a flood from one or two accounts is not a trend)
 * @param minRatio the burst's buckets must hold at least this multiple of what the baseline expected for them
 */
public record DetectorSettings(
        Duration baselineHalfLife,
        Duration dailyHalfLife,
        Duration weeklyHalfLife,
        Duration noiseHalfLife,
        Duration burstinessHalfLife,
        int warmupBuckets,
        double burstSlack,
        double burstThreshold,
        double sustainedSlack,
        double sustainedThreshold,
        double closeScore,
        int closeAfterBuckets,
        Duration cooldown,
        double minVolume,
        long minUniqueAuthors,
        double minRatio) implements Serializable {

    /** The shipped defaults (docs/spikes.md). */
    public static final DetectorSettings DEFAULTS = new DetectorSettings(
            Duration.ofHours(12),   // baselineHalfLife
            Duration.ofDays(7),     // dailyHalfLife
            Duration.ofDays(28),    // weeklyHalfLife
            Duration.ofDays(3),     // noiseHalfLife
            Duration.ofDays(14),    // burstinessHalfLife
            30,                     // warmupBuckets
            5.0,                    // burstSlack
            5.0,                    // burstThreshold: one bucket >= 10, two >= 7.5 each, three >= 6.7 each
            1.0,                    // sustainedSlack
            25.0,                   // sustainedThreshold
            1.0,                    // closeScore
            3,                      // closeAfterBuckets
            Duration.ofHours(1),    // cooldown
            10,                     // minVolume
            3,                      // minUniqueAuthors
            1.5);                   // minRatio

    /**
     * The one setting the evaluation lets a fold tune (docs/spikes.md, leave-one-file-out); every other default is
     * fixed by its reason, not fitted.
     */
    public static final String TUNED = "burstThreshold";

    /** These settings with the {@link #TUNED} one replaced. */
    public DetectorSettings withTuned(double value) {
        return new DetectorSettings(baselineHalfLife, dailyHalfLife, weeklyHalfLife, noiseHalfLife,
                burstinessHalfLife, warmupBuckets, burstSlack, value, sustainedSlack, sustainedThreshold, closeScore,
                closeAfterBuckets, cooldown, minVolume, minUniqueAuthors, minRatio);
    }

    /** These settings with another cooldown. */
    public DetectorSettings withCooldown(Duration value) {
        return new DetectorSettings(baselineHalfLife, dailyHalfLife, weeklyHalfLife, noiseHalfLife,
                burstinessHalfLife, warmupBuckets, burstSlack, burstThreshold, sustainedSlack, sustainedThreshold,
                closeScore, closeAfterBuckets, value, minVolume, minUniqueAuthors, minRatio);
    }

    /** The value of the {@link #TUNED} setting. */
    public double tunedValue() {
        return burstThreshold;
    }

    public DetectorSettings {
        positive("baselineHalfLife", baselineHalfLife);
        positive("dailyHalfLife", dailyHalfLife);
        positive("weeklyHalfLife", weeklyHalfLife);
        positive("noiseHalfLife", noiseHalfLife);
        positive("burstinessHalfLife", burstinessHalfLife);
        if (warmupBuckets < 0) {
            throw new IllegalArgumentException("warmupBuckets must be >= 0, got " + warmupBuckets);
        }
        finiteAtLeast("burstSlack", burstSlack, 0);
        finitePositive("burstThreshold", burstThreshold);
        finiteAtLeast("sustainedSlack", sustainedSlack, 0);
        finitePositive("sustainedThreshold", sustainedThreshold);
        if (!Double.isFinite(closeScore) || closeScore > Math.min(burstSlack, sustainedSlack)) {
            throw new IllegalArgumentException("closeScore must be a finite number at most the smaller slack ("
                    + Math.min(burstSlack, sustainedSlack) + "), got " + closeScore);
        }
        if (closeAfterBuckets < 1) {
            throw new IllegalArgumentException("closeAfterBuckets must be >= 1, got " + closeAfterBuckets);
        }
        if (cooldown == null || cooldown.isNegative()) {
            throw new IllegalArgumentException("cooldown must be a duration >= 0, got " + cooldown);
        }
        finiteAtLeast("minVolume", minVolume, 0);
        if (minUniqueAuthors < 0) {
            throw new IllegalArgumentException("minUniqueAuthors must be >= 0, got " + minUniqueAuthors);
        }
        finiteAtLeast("minRatio", minRatio, 1);
    }

    private static void positive(String name, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be a duration > 0, got " + d);
        }
    }

    private static void finitePositive(String name, double v) {
        if (!Double.isFinite(v) || v <= 0) {
            throw new IllegalArgumentException(name + " must be a finite number > 0, got " + v);
        }
    }

    private static void finiteAtLeast(String name, double v, double min) {
        if (!Double.isFinite(v) || v < min) {
            throw new IllegalArgumentException(name + " must be a finite number >= " + (long) min + ", got " + v);
        }
    }
}

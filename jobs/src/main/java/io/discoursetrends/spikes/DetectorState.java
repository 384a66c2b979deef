package io.discoursetrends.spikes;

import java.util.Arrays;

/**
 * Everything the detector remembers about one key: a fixed set of primitives and two small primitive arrays
 * (24 + 7 doubles; 682 bytes in all as Flink stores it), whatever the key's history. A Flink POJO (public class,
 * public no-arg constructor, public fields of primitive and primitive-array types only), so Flink's PojoSerializer
 * stores it without Kryo; adding a field later is a compatible schema change for that serializer.
 *
 * <p>Only {@link SpikeDetector} writes it. The fields are public for Flink, not for callers: read what a
 * bucket did from the returned {@link Step}. {@link #bucketsSeen} and {@link #lastBucketStartMillis} tell the
 * operator when a key was last active, so it can clear the state of idle keys
 * ({@link SpikeDetector#isIdle}).
 */
public class DetectorState {
    public static final int HOURS = 24;
    public static final int DAYS = 7;

    /** Buckets observed, including the empty buckets of gaps. 0: nothing seen yet, every other field unset. */
    public long bucketsSeen;
    /** Start of the last bucket observed (epoch millis). */
    public long lastBucketStartMillis;
    /** Start of the first bucket observed (epoch millis): how many days the rhythm has had to learn from. */
    public long firstBucketStartMillis;

    /** The deseasonalised level: expected count = level x hourFactors[hour] x dayFactors[day]. */
    public double level;
    /**
     * Hour-of-day factors (UTC): the profile's values at the centre of each hour, linear in between. Stored at any
     * common scale and read relative to their mean (a bucket moves one or two of them; renormalising all at every
     * bucket cost more than the rest of an update). States written before this stored them at mean 1, which reads
     * the same.
     */
    public double[] hourFactors;
    /** Day-of-week factors (UTC, Monday first), stored and read like the hour factors. */
    public double[] dayFactors;
    /** Robust scale of the residuals on the variance-stabilised scale: 1 for Poisson noise, more if overdispersed. */
    public double noiseScale;
    /** Long-run mean of the squared positive scores (in noise units): 0.5 for Gaussian noise, more for a bursty key. */
    public double burstiness;

    /**
     * The key has had a value that is no count (fractional or negative): it is a measurement, judged by its own
     * scatter without Poisson's floor and without the count minimums. Never set by the job's counts; false in
     * states written before it existed, which were all counts.
     */
    public boolean measure;

    /** Evidence of an abrupt and of a sustained fall below the baseline (the burst evidences, mirrored). */
    public double dropBurstEvidence;
    public double dropSustainedEvidence;
    /** No drop is reported before this time (epoch millis): the baseline is still following the last one. */
    public long dropQuietUntilMillis;
    /**
     * An abrupt fall (the burst evidence or a record, mirrored) was seen at the last bucket and is reported only if
     * this one is still down (a drop is a fall of the level, not one low reading). States written before it existed
     * restore it as false: nothing pending.
     */
    public boolean dropPending;
    /**
     * A fall was reported and its sustained evidence has not run out since (the key has not come back): the
     * sustained evidence does not report it again. States written before it existed restore it as false.
     */
    public boolean dropFallGoesOn;

    /** The highest score (and the deepest drop) the key has had, decaying over burstinessHalfLife. */
    public double recordScore;
    public double recordDrop;

    /**
     * The key's daily extremes (UTC days): the current day (epoch day number) and its highest score and deepest
     * drop so far; the mean and mean absolute deviation of the past days' highest scores and deepest drops; how
     * many days have been folded into them. They calibrate a Gumbel law of the key's daily maximum.
     */
    public long extremesDay;
    public double dayMaxScore;
    public double dayMaxDrop;
    public double dailyMaxMean;
    public double dailyMaxDeviation;
    public double dailyDropMean;
    public double dailyDropDeviation;
    public int extremeDays;

    /**
     * The anomaly likelihood's statistics (SpikeDetector#likelihood): the short exponential mean of the clipped
     * scores, the long-run mean and variance of that short mean, and how many buckets they have seen. States
     * written before they existed restore them as 0, and the likelihood waits for them to be learned again.
     */
    public double likelihoodShortMean;
    public double likelihoodMean;
    public double likelihoodVariance;
    public long likelihoodBuckets;

    /**
     * The spread likelihood's statistics (SpikeDetector#spread): the short exponential mean of the squared clipped
     * scores, the long-run mean and variance of that short mean, and how many buckets they have seen. States
     * written before they existed restore them as 0, and the spread waits for them to be learned again.
     */
    public double spreadShortMean;
    public double spreadMean;
    public double spreadVariance;
    public long spreadBuckets;

    /** Evidence of an abrupt burst (CUSUM of scores with the large slack); 0 when there is none. */
    public double burstEvidence;
    /** Evidence of a sustained rise (CUSUM of scores with the small slack); 0 when there is none. */
    public double sustainedEvidence;
    /** Start of the first bucket of the current run of evidence (the burst's start), valid while either is > 0. */
    public long runStartMillis;
    /** Baseline at the start of the current run. */
    public double runBaseline;
    /** The burstiness factor when the current run started: scores within the run and its spike divide by it. */
    public double runBurstinessFactor;
    /** Start of the first bucket of the current abrupt burst, and the baseline then; valid while burstEvidence > 0. */
    public long burstStartMillis;
    public double burstBaseline;
    /** Sum of the values of the current run's buckets. */
    public double runVolume;
    /** Sum of the baselines of the current run's buckets (each floored as for ratios). */
    public double runExpected;
    /** The highest value of the current run, the start of its bucket and its score. */
    public double runPeak;
    public long runPeakAtMillis;
    public double runPeakScore;
    /** Most unique authors seen in one bucket of the current run; -1 if the caller never said. */
    public long runMaxAuthors;

    /** A spike is open. The fields below describe it while it is, and the last one after it closed. */
    public boolean open;
    public long startedAtMillis;
    public double baselineAtStart;
    public double peak;
    public long peakAtMillis;
    public double peakScore;
    /** Consecutive buckets near the baseline while open. */
    public int quietBuckets;
    /** No spike opens before this time (epoch millis): the cooldown after the last one closed. */
    public long cooldownUntilMillis;

    public DetectorState() {
        hourFactors = new double[HOURS];
        dayFactors = new double[DAYS];
        Arrays.fill(hourFactors, 1.0);
        Arrays.fill(dayFactors, 1.0);
        noiseScale = 1.0;
        burstiness = 0.5;
        runMaxAuthors = -1;
        cooldownUntilMillis = Long.MIN_VALUE;
    }

    /** A deep copy: continuing the copy and the original with the same input gives the same steps. */
    public DetectorState copy() {
        DetectorState c = new DetectorState();
        c.bucketsSeen = bucketsSeen;
        c.lastBucketStartMillis = lastBucketStartMillis;
        c.firstBucketStartMillis = firstBucketStartMillis;
        c.level = level;
        c.hourFactors = hourFactors.clone();
        c.dayFactors = dayFactors.clone();
        c.noiseScale = noiseScale;
        c.burstiness = burstiness;
        c.measure = measure;
        c.recordScore = recordScore;
        c.recordDrop = recordDrop;
        c.dropBurstEvidence = dropBurstEvidence;
        c.dropSustainedEvidence = dropSustainedEvidence;
        c.dropQuietUntilMillis = dropQuietUntilMillis;
        c.dropPending = dropPending;
        c.dropFallGoesOn = dropFallGoesOn;
        c.extremesDay = extremesDay;
        c.dayMaxScore = dayMaxScore;
        c.dayMaxDrop = dayMaxDrop;
        c.dailyMaxMean = dailyMaxMean;
        c.dailyMaxDeviation = dailyMaxDeviation;
        c.dailyDropMean = dailyDropMean;
        c.dailyDropDeviation = dailyDropDeviation;
        c.extremeDays = extremeDays;
        c.likelihoodShortMean = likelihoodShortMean;
        c.likelihoodMean = likelihoodMean;
        c.likelihoodVariance = likelihoodVariance;
        c.likelihoodBuckets = likelihoodBuckets;
        c.spreadShortMean = spreadShortMean;
        c.spreadMean = spreadMean;
        c.spreadVariance = spreadVariance;
        c.spreadBuckets = spreadBuckets;
        c.burstEvidence = burstEvidence;
        c.sustainedEvidence = sustainedEvidence;
        c.runStartMillis = runStartMillis;
        c.runBaseline = runBaseline;
        c.runBurstinessFactor = runBurstinessFactor;
        c.burstStartMillis = burstStartMillis;
        c.burstBaseline = burstBaseline;
        c.runVolume = runVolume;
        c.runExpected = runExpected;
        c.runPeak = runPeak;
        c.runPeakAtMillis = runPeakAtMillis;
        c.runPeakScore = runPeakScore;
        c.runMaxAuthors = runMaxAuthors;
        c.open = open;
        c.startedAtMillis = startedAtMillis;
        c.baselineAtStart = baselineAtStart;
        c.peak = peak;
        c.peakAtMillis = peakAtMillis;
        c.peakScore = peakScore;
        c.quietBuckets = quietBuckets;
        c.cooldownUntilMillis = cooldownUntilMillis;
        return c;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DetectorState s && bucketsSeen == s.bucketsSeen
                && lastBucketStartMillis == s.lastBucketStartMillis
                && firstBucketStartMillis == s.firstBucketStartMillis && Double.compare(level, s.level) == 0
                && Arrays.equals(hourFactors, s.hourFactors) && Arrays.equals(dayFactors, s.dayFactors)
                && Double.compare(noiseScale, s.noiseScale) == 0 && Double.compare(burstiness, s.burstiness) == 0
                && measure == s.measure && Double.compare(recordScore, s.recordScore) == 0
                && Double.compare(recordDrop, s.recordDrop) == 0
                && Double.compare(dropBurstEvidence, s.dropBurstEvidence) == 0
                && Double.compare(dropSustainedEvidence, s.dropSustainedEvidence) == 0
                && dropQuietUntilMillis == s.dropQuietUntilMillis && dropPending == s.dropPending
                && dropFallGoesOn == s.dropFallGoesOn
                && extremesDay == s.extremesDay && Double.compare(dayMaxScore, s.dayMaxScore) == 0
                && Double.compare(dayMaxDrop, s.dayMaxDrop) == 0 && Double.compare(dailyMaxMean, s.dailyMaxMean) == 0
                && Double.compare(dailyMaxDeviation, s.dailyMaxDeviation) == 0
                && Double.compare(dailyDropMean, s.dailyDropMean) == 0
                && Double.compare(dailyDropDeviation, s.dailyDropDeviation) == 0 && extremeDays == s.extremeDays
                && Double.compare(likelihoodShortMean, s.likelihoodShortMean) == 0
                && Double.compare(likelihoodMean, s.likelihoodMean) == 0
                && Double.compare(likelihoodVariance, s.likelihoodVariance) == 0
                && likelihoodBuckets == s.likelihoodBuckets
                && Double.compare(spreadShortMean, s.spreadShortMean) == 0
                && Double.compare(spreadMean, s.spreadMean) == 0
                && Double.compare(spreadVariance, s.spreadVariance) == 0 && spreadBuckets == s.spreadBuckets
                && Double.compare(burstEvidence, s.burstEvidence) == 0
                && Double.compare(sustainedEvidence, s.sustainedEvidence) == 0 && runStartMillis == s.runStartMillis
                && Double.compare(runBaseline, s.runBaseline) == 0
                && Double.compare(runBurstinessFactor, s.runBurstinessFactor) == 0
                && burstStartMillis == s.burstStartMillis
                && Double.compare(burstBaseline, s.burstBaseline) == 0 && Double.compare(runVolume, s.runVolume) == 0
                && Double.compare(runExpected, s.runExpected) == 0 && Double.compare(runPeak, s.runPeak) == 0
                && runPeakAtMillis == s.runPeakAtMillis && Double.compare(runPeakScore, s.runPeakScore) == 0
                && runMaxAuthors == s.runMaxAuthors
                && open == s.open && startedAtMillis == s.startedAtMillis
                && Double.compare(baselineAtStart, s.baselineAtStart) == 0 && Double.compare(peak, s.peak) == 0
                && peakAtMillis == s.peakAtMillis && Double.compare(peakScore, s.peakScore) == 0
                && quietBuckets == s.quietBuckets && cooldownUntilMillis == s.cooldownUntilMillis;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(bucketsSeen) * 31 + Long.hashCode(lastBucketStartMillis);
    }

    @Override
    public String toString() {
        return "DetectorState[seen=" + bucketsSeen + " last=" + lastBucketStartMillis + " level=" + level
                + " noise=" + noiseScale + " burstiness=" + burstiness + " evidence=" + burstEvidence + "/"
                + sustainedEvidence + (open ? " open since " + startedAtMillis + " peak=" + peak + "@"
                + peakAtMillis : "") + "]";
    }
}

package io.discoursetrends.spikes;

import java.io.Serializable;

/**
 * Finds spikes in one key's series of bucket counts, one bucket at a time, in constant memory per key
 * ({@link DetectorState}). The streaming job runs it per (topic, platform) key over its buckets; the
 * {@code detect} command runs the very same code over a CSV series. docs/spikes.md has the reasoning and the
 * measured quality.
 *
 * <p>For each bucket:
 * <ol>
 *   <li><b>Baseline</b>: the expected count is {@code level x hourFactor[hour of day] x dayFactor[day of week]}
 *       (UTC). The level is an exponentially weighted mean of the deseasonalised counts; the factors are
 *       exponentially weighted means of each hour's and each day's ratio to the level, read relative to their
 *       means (so mean 1 as read). They learn from values clipped at {@value #CLIP} noise units around the
 *       baseline (a Huber-style robust mean), so a burst barely moves them while a lasting change of level (drift)
 *       is followed within a few half-lives.</li>
 *   <li><b>Score</b>: counts are compared on the variance-stabilised scale {@code 2 sqrt(x + 3/8)} (Anscombe),
 *       where Poisson noise has unit variance whatever the count. The difference is divided by the key's noise
 *       (a robust scale of its own residuals, never below Poisson's) and by its burstiness (how often and how far
 *       it usually bursts, over {@code burstinessHalfLife}; 1 for a key without routine bursts). So 5 posts
 *       against a baseline of 1 and 140 against 100 score about the same, noisy keys need more to score high, and
 *       a key that bursts every day needs a bigger burst than a quiet one.</li>
 *   <li><b>Evidence</b>: two one-sided CUSUMs, {@code e = max(0, e + score - slack)}: one with a large slack for
 *       abrupt bursts (a single bucket opens a spike only if it scores {@code burstSlack + burstThreshold} or more,
 *       while two or three strongly elevated buckets in a row do), one with a small slack for sustained rises
 *       that no single bucket reveals. Both reset once the series is back.</li>
 *   <li><b>Lifecycle</b>: a spike OPENS when either evidence reaches its threshold, the key is warm, it is not
 *       cooling down, and the burst so far holds at least {@code minVolume} items, {@code minRatio} times what the
 *       baseline expected over the same buckets, and (when known) a bucket with {@code minUniqueAuthors}
 *       authors. Every later bucket UPDATEs it (peak tracked); after {@code closeAfterBuckets} buckets in a row
 *       scoring under {@code closeScore} it CLOSEs, and no new spike opens for {@code cooldown}. The noise learns
 *       only from ordinary buckets (within {@value #OUTLIER} noise units, no spike open); level and rhythm learn
 *       from every bucket, clipped, so a peak that returns every afternoon becomes rhythm within days and even a
 *       permanent jump of level ends its spike eventually.</li>
 *   <li><b>Calibration to the key</b>: on a key judged on its own scale (a measurement, or a count with at least
 *       twice Poisson's noise) a bucket beating the key's record score opens a spike at once; and an abrupt
 *       opening needs a score above the key's routine daily maximum, the score a Gumbel law fitted to its past
 *       daily maxima puts at once in {@value #ROUTINE_DAYS} days (a false-alarm rate on its routine); and the
 *       anomaly likelihood (HTM's) of the mean of its last ten scores against that mean's own history opens a
 *       spike or reports a drop at {@value #LIKELIHOOD_Z} of its standard deviations, and the same test on the
 *       mean of their squares (the spread: a change of scatter) opens a spike; both only when the mean is
 *       farther out than one bucket alone can take it (a single bucket is the burst evidence's). All of these wait
 *       until the key has had two whole days after its first: a new key learns its routine without alerting on
 *       it. On a measurement, the buckets of an open spike teach the burstiness no more than the routine daily
 *       maximum would, so one anomaly does not hide the next.</li>
 * </ol>
 *
 * <p><b>Determinism.</b> {@link #update} is a pure function of (settings, state, input): a state restored from a
 * checkpoint, or {@link DetectorState#copy() copied}, continues exactly as the original would. Missing buckets
 * between two updates are zero counts and are replayed as such (the job only emits buckets that had events);
 * a bucket at or before the last one seen is ignored (the state is unchanged). An instance caches rates
 * derived from the bucket size, so it is not thread-safe: use one per operator instance (Flink's model).
 */
public final class SpikeDetector implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Peak ratios (peak / baseline at the start) at which a spike's severity is MEDIUM and HIGH. */
    public static final double MEDIUM_RATIO = 3;
    public static final double HIGH_RATIO = 10;
    /** Baselines below this are taken as this for ratios (a ratio to zero says nothing). */
    public static final double RATIO_FLOOR = 0.1;
    /** Values further than this many noise units from the baseline are clipped before level and rhythm learn. */
    static final double CLIP = 3.0;
    /** Buckets this many noise units or more from the baseline are outliers: the noise does not learn from them. */
    static final double OUTLIER = 3.0;
    /**
     * Scores above this many times the key's current burstiness factor count as that in the burstiness estimate
     * (Huber-style, like the level's clip): one huge event must not mute a key for weeks, while a key whose routine
     * bursts are far out (a load balancer idle at 0 with hourly spikes) learns that, step by step, within days.
     */
    static final double BURSTINESS_CAP = 20;
    /** The mean absolute deviation of a standard normal variable is this fraction of its standard deviation. */
    private static final double MEAN_ABS_TO_SD = Math.sqrt(Math.PI / 2);
    /** Gaps up to this many buckets are replayed bucket by bucket; beyond, the level just decays (cost bound). */
    static final int MAX_REPLAYED_GAP = 2_880;
    private static final double MIN_FACTOR = 0.02;
    private static final double MAX_FACTOR = 50;
    private static final double ANSCOMBE = 0.375;
    private static final double ROOT_AT_ZERO = Math.sqrt(ANSCOMBE);
    /** A measurement that has never moved has this much noise (on the root scale): any move is then news. */
    private static final double MIN_MEASURE_NOISE = 1e-6;
    /**
     * The false-alarm rate of an abrupt spike on a key's routine: its ordinary daily maximum score passes the bar
     * about once in this many days (a week: an analyst's routine is weekly). See {@link #routineMax}.
     */
    static final double ROUTINE_DAYS = 7;
    /**
     * Memory of the record rule's record: on a key with no anomaly, a new record (tail probability 1/(n+1) among
     * the n buckets remembered) comes about once per half-life / ln 2, here once in about 40 days.
     */
    static final long RECORD_HALF_LIFE_MILLIS = 28 * 24 * 3_600_000L;
    /**
     * A count key whose noise is at least this many times Poisson's (variance 4x) is judged on its own scale, like a
     * measurement, by the record rule: Poisson's floor no longer anchors its scores (a taxi count, a request count).
     * Below it, one minute at 3.5x the baseline stays a blip (the job's small topics).
     */
    static final double OWN_SCALE = 2;
    /** Whole days of daily extremes (after the key's first, partial day) before its routine maximum is known. */
    static final int ROUTINE_KNOWN_DAYS = 2;
    private static final double EULER_GAMMA = 0.5772156649;
    /**
     * The likelihood's short window, in buckets (HTM's: the mean of the last 10 scores), as an exponential mean of
     * about that memory.
     */
    static final int LIKELIHOOD_SHORT = 10;
    private static final double LIKELIHOOD_SHORT_RATE = 1.0 / LIKELIHOOD_SHORT;
    /**
     * The most one bucket alone moves the likelihood's short mean (its score clipped at {@value #OUTLIER}, weighted
     * 1 / {@value #LIKELIHOOD_SHORT}) and the spread's (its square, at most {@value #OUTLIER} squared). A short mean
     * no farther than that from its long-run mean may be one bucket, not a shift of many: the likelihoods stay
     * silent there (a CPU idle at 0.07 with one bucket at 1.4 every night, ec2_cpu_utilization_c6585a, fired them
     * 9 times in 14 days; 2 remain, where a second bucket followed the first). No new constant: the clip and the
     * window are the likelihood's own.
     */
    static final double LEVEL_ONE_BUCKET = OUTLIER * LIKELIHOOD_SHORT_RATE;
    static final double SPREAD_ONE_BUCKET = OUTLIER * OUTLIER * LIKELIHOOD_SHORT_RATE;
    /**
     * The likelihood's threshold: a short mean this many of its own standard deviations from its long-run mean
     * (one-sided Gaussian tail 3e-7; about one bucket in ten years of 5-minute buckets taken ten at a time) opens a
     * spike or reports a drop. HTM flags at a tail of 1e-5 (4.26); 4.26, 4.5, 5, 5.5 and 6 were measured on the
     * development half of nab-other (60.8, 61.7, 62.6, 60.4, 60.7, all above the 58.6 without it) and 5 kept.
     */
    static final double LIKELIHOOD_Z = 5;
    /** A Gumbel law's scale is sqrt(6) / pi times its standard deviation; here from a mean absolute deviation. */
    private static final double GUMBEL_SCALE_PER_MEAN_ABS = MEAN_ABS_TO_SD * Math.sqrt(6) / Math.PI;
    /** The standard Gumbel quantile exceeded with probability 1 / ROUTINE_DAYS. */
    private static final double GUMBEL_ROUTINE_QUANTILE = -Math.log(-Math.log(1 - 1 / ROUTINE_DAYS));
    private static final long HOUR = 3_600_000L;
    private static final long DAY = 24 * HOUR;
    private static final long WEEK = 7 * DAY;
    private static final double PER_HOUR = 1.0 / HOUR;
    private static final double PER_DAY = 1.0 / DAY;
    private static final double PER_HOUR_OF_DAY = 1.0 / DetectorState.HOURS;
    private static final double PER_DAY_OF_WEEK = 1.0 / DetectorState.DAYS;

    private final DetectorSettings settings;
    private final long cooldownMillis;
    private final long baselineHalfLifeMillis;

    // Per-update rates for the last bucket size seen; recomputed when it changes (never, in practice).
    private transient long ratesForBucketMillis;
    private transient double levelRate;
    private transient double hourRate;
    private transient double dayRate;
    private transient double noiseRate;
    private transient double burstinessRate;
    private transient double recordDecay;
    private transient double dailyRate;
    /** 2 x the bucket's share of an hour: the hour factors' weight on a key's first day. */
    private transient double twoHoursShare;
    // The UTC day of the last bucket seen (a pure function of its time, cached: the long divisions that find the
    // day and the time of day were a sizeable part of an update, and a gap's replay stays within a day or two).
    private transient boolean calendarKnown;
    private transient long calendarDayStart;
    private transient long calendarDay;
    private transient int calendarDayOfWeek;
    // What the last observed bucket gave, for the callers that need no Step (a gap's replay allocates none).
    private transient double observedScore;
    private transient double observedBaseline;
    private transient long observedEndedAt;
    private transient boolean observedDrop;

    public SpikeDetector(DetectorSettings settings) {
        if (settings == null) {
            throw new IllegalArgumentException("settings must not be null");
        }
        this.settings = settings;
        this.cooldownMillis = settings.cooldown().toMillis();
        this.baselineHalfLifeMillis = settings.baselineHalfLife().toMillis();
    }

    public DetectorSettings settings() {
        return settings;
    }

    /**
     * Feeds one bucket of one key.
     *
     * @param state the key's state, updated in place (a new {@link DetectorState} for a new key)
     * @param bucketStartMillis the bucket's start, epoch millis; buckets must come in increasing order
     * @param bucketMillis the bucket size (the same for every call of a key)
     * @param value the bucket's count (posts, engagement, ...), >= 0
     * @param uniqueAuthors the bucket's unique authors, or -1 if unknown (then {@code minUniqueAuthors} is not
     *     checked)
     * @return what happened at this bucket
     * @throws IllegalArgumentException on a bucket size <= 0 or a value that is negative or not finite
     */
    public Step update(DetectorState state, long bucketStartMillis, long bucketMillis, double value,
            long uniqueAuthors) {
        return update(state, bucketStartMillis, bucketMillis, value, uniqueAuthors, true);
    }

    /**
     * Feeds one bucket of one key, saying what a gap before it means.
     *
     * @param gapsAreZero true for counts (the job: a bucket nobody posted in is not emitted, so a gap is zeros,
     *     replayed as such); false for a series whose gaps are unknown (a sensor that did not report, an irregular
     *     sampler): then the bucket is taken as the one after the last, whatever the time between them
     * @see #update(DetectorState, long, long, double, long)
     */
    public Step update(DetectorState state, long bucketStartMillis, long bucketMillis, double value,
            long uniqueAuthors, boolean gapsAreZero) {
        if (bucketMillis <= 0) {
            throw new IllegalArgumentException("bucketMillis must be > 0, got " + bucketMillis);
        }
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("value must be a finite number, got " + value);
        }
        if (!state.measure && (value < 0 || value != Math.rint(value))) {
            // Not a count: from now on the key is judged as a measurement (see DetectorState.measure).
            state.measure = true;
        }
        rates(bucketMillis);
        if (state.bucketsSeen == 0) {
            state.firstBucketStartMillis = bucketStartMillis;
            state.level = value;
        } else {
            if (bucketStartMillis <= state.lastBucketStartMillis) {
                return stale(state, bucketStartMillis, bucketMillis, value);
            }
            long missing = (bucketStartMillis - state.lastBucketStartMillis) / bucketMillis - 1;
            if (missing > 0 && gapsAreZero) {
                long closedAt = replayGap(state, bucketMillis, missing);
                if (closedAt != -1) {
                    // The spike ended during the gap: report it now. This bucket may not open a new one (it would
                    // need both transitions in one step); the evidence it adds still counts for the next bucket.
                    Step s = observe(state, bucketStartMillis, bucketMillis, value, uniqueAuthors, false);
                    return step(state, value, s.score(), s.baseline(), Transition.CLOSE, closedAt);
                }
            }
        }
        return observe(state, bucketStartMillis, bucketMillis, value, uniqueAuthors, true);
    }

    /**
     * True when the key has had no bucket for at least {@code idleMillis} before {@code nowMillis}: its state can
     * be cleared. (To close an open spike of a key that fell silent, feed it an empty bucket instead:
     * {@code update(state, t, bucketMillis, 0, 0)} replays the silence and reports the CLOSE.)
     */
    public static boolean isIdle(DetectorState state, long nowMillis, long idleMillis) {
        return state.bucketsSeen == 0 || nowMillis - state.lastBucketStartMillis >= idleMillis;
    }

    /** Zero buckets for the gap; returns the end time of a spike that closed in it, or -1. */
    private long replayGap(DetectorState state, long bucketMillis, long missing) {
        long start = state.lastBucketStartMillis;
        long replayed = Math.min(missing, MAX_REPLAYED_GAP);
        long closedAt = -1;
        for (long i = 1; i <= replayed; i++) {
            if (observeBucket(state, start + i * bucketMillis, bucketMillis, 0, 0, true) == Transition.CLOSE) {
                closedAt = observedEndedAt;
            }
        }
        if (missing > replayed) {
            // A key silent for this long is long back at its baseline; only the level keeps decaying, as zero
            // counts would make it (the rhythm and noise estimates keep what they had).
            long rest = missing - replayed;
            state.level *= Math.pow(1 - levelRate, (double) rest);
            state.burstiness *= Math.pow(1 - burstinessRate, (double) rest);
            state.bucketsSeen += rest;
            state.lastBucketStartMillis = start + missing * bucketMillis;
        }
        return closedAt;
    }

    private Step observe(DetectorState st, long t, long bucketMillis, double value, long authors, boolean mayOpen) {
        Transition transition = observeBucket(st, t, bucketMillis, value, authors, mayOpen);
        Step out = step(st, value, observedScore, observedBaseline, transition, observedEndedAt);
        return observedDrop ? out.withDrop() : out;
    }

    /** Sets the calendar fields to the UTC day holding {@code t}. */
    private void calendar(long t) {
        long offset = t - calendarDayStart;
        if (!calendarKnown || offset < 0 || offset >= DAY) {
            calendarDay = Math.floorDiv(t, DAY);
            calendarDayStart = calendarDay * DAY;
            calendarDayOfWeek = (int) Math.floorMod(calendarDay + 3, 7L); // 0 = Monday (day 0 was a Thursday)
            calendarKnown = true;
        }
    }

    /** Milliseconds since UTC midnight of the centre of the bucket starting at {@code t} (after calendar(t)). */
    private long centreOfDay(long t, long bucketMillis) {
        long m = t - calendarDayStart + bucketMillis / 2;
        return m < DAY ? m : Math.floorMod(t + bucketMillis / 2, DAY);
    }

    /**
     * Observes one bucket: updates the state and returns the transition; the bucket's score, baseline, a spike's
     * end (on CLOSE) and whether it was a drop are left in the observed* fields.
     */
    private Transition observeBucket(DetectorState st, long t, long bucketMillis, double value, long authors,
            boolean mayOpen) {
        final DetectorSettings s = settings;
        calendar(t);
        // The hour-of-day profile is piecewise linear between the centres of the hours, read at the bucket's
        // centre: a rise at 13:30 is half in hour 13's factor and half in hour 14's, not a step at 14:00.
        double position = centreOfDay(t, bucketMillis) * PER_HOUR - 0.5;
        int below = (int) Math.floor(position);
        double w = position - below;
        int hourA = below < 0 ? 23 : below;
        int hourB = hourA == 23 ? 0 : hourA + 1;
        int day = calendarDayOfWeek;
        // The factors are stored at any common scale (see DetectorState): read relative to their mean.
        double hMean = rescaledMean(st.hourFactors);
        double dMean = rescaledMean(st.dayFactors);
        double hf = hourFactor(st.hourFactors, hourA, hourB, w, hMean);
        double df = factor(st.dayFactors[day], dMean);
        double baseline = st.level * hf * df;
        double sigma = noiseFloor(st);
        double rootBase = root(baseline);
        double rawScore = 2 * ((value == 0 ? ROOT_AT_ZERO : root(value)) - rootBase); // a gap's zeros: no root
        double noiseScore = rawScore / sigma;
        // Within a burst the key is judged by the burstiness it had before: its own rise must not raise the bar.
        double factor = inRun(st) ? st.runBurstinessFactor : burstinessFactor(st);
        double score = noiseScore / factor;
        boolean warm = st.bucketsSeen >= s.warmupBuckets();
        double likelihood = likelihood(st, score, bucketMillis);
        double spread = spread(st, score, bucketMillis);
        foldDay(st, t);
        double gate = routineMax(st.dailyMaxMean, st.dailyMaxDeviation, st.extremeDays);

        Transition transition = Transition.NONE;
        long endedAt = -1;
        if (st.open) {
            transition = Transition.UPDATE;
            if (value > st.peak) {
                st.peak = value;
                st.peakAtMillis = t;
            }
            st.peakScore = Math.max(st.peakScore, score);
            if (score < s.closeScore()) {
                st.quietBuckets++;
                if (st.quietBuckets >= s.closeAfterBuckets()) {
                    transition = Transition.CLOSE;
                    endedAt = t - (long) (st.quietBuckets - 1) * bucketMillis;
                    st.open = false;
                    st.cooldownUntilMillis = t + bucketMillis + cooldownMillis;
                    resetRun(st);
                }
            } else {
                st.quietBuckets = 0;
            }
        } else if (!warm || t < st.cooldownUntilMillis) {
            resetRun(st);
        } else {
            double burst = Math.max(0, st.burstEvidence + score - s.burstSlack());
            double sustained = Math.max(0, st.sustainedEvidence + score - s.sustainedSlack());
            if (burst == 0 && sustained == 0) {
                resetRun(st);
            } else {
                if (st.burstEvidence == 0 && st.sustainedEvidence == 0) {
                    st.runStartMillis = t;
                    st.runBaseline = baseline;
                    st.runBurstinessFactor = factor;
                    st.runPeak = -1;
                }
                if (st.burstEvidence == 0 && burst > 0) {
                    st.burstStartMillis = t;
                    st.burstBaseline = baseline;
                }
                st.burstEvidence = burst;
                st.sustainedEvidence = sustained;
                st.runVolume += value;
                st.runExpected += Math.max(baseline, RATIO_FLOOR);
                if (value > st.runPeak) {
                    st.runPeak = value;
                    st.runPeakAtMillis = t;
                    st.runPeakScore = score;
                }
                if (authors > st.runMaxAuthors) {
                    st.runMaxAuthors = authors;
                }
                boolean record = recordBeaten(st, t, score, st.recordScore);
                boolean aboveRoutine = Math.max(score, st.runPeakScore) > gate;
                // The likelihood and the spread, like the sustained evidence, are shifts of many buckets: not held
                // to the routine bar of single buckets.
                if ((burst >= s.burstThreshold() || record) && aboveRoutine || sustained >= s.sustainedThreshold()
                        || likelihood > LIKELIHOOD_Z || spread > LIKELIHOOD_Z) {
                    // The minimums are about counts (a handful of posts is no trend); a measurement has no
                    // volume, and a ratio of temperatures or of negative values means nothing.
                    boolean enough = st.measure || st.runVolume >= s.minVolume()
                            && st.runVolume >= s.minRatio() * st.runExpected
                            && (st.runMaxAuthors < 0 || st.runMaxAuthors >= s.minUniqueAuthors());
                    if (enough && mayOpen) {
                        transition = Transition.OPEN;
                        st.open = true;
                        // An abrupt burst started with its first burst-sized bucket; a sustained rise when the
                        // evidence of it began (the CUSUM's estimate of the change point).
                        boolean abrupt = (burst >= s.burstThreshold() || record) && aboveRoutine;
                        st.startedAtMillis = abrupt ? st.burstStartMillis : st.runStartMillis;
                        st.baselineAtStart = abrupt ? st.burstBaseline : st.runBaseline;
                        // The peak may have come before the bucket that confirmed the burst.
                        st.peak = st.runPeak;
                        st.peakAtMillis = st.runPeakAtMillis;
                        st.peakScore = Math.max(st.runPeakScore, score);
                        st.quietBuckets = 0;
                    } else {
                        // Held back (too few items or authors, too small a ratio): keep the evidence at the
                        // threshold rather than let it grow without bound, so a later bucket must still be elevated.
                        st.burstEvidence = Math.min(burst, s.burstThreshold());
                        st.sustainedEvidence = Math.min(sustained, s.sustainedThreshold());
                    }
                }
            }
        }

        boolean dropped = warm && !st.open && drop(st, t, noiseScore / factor, likelihood < -LIKELIHOOD_Z);
        if (st.open) {
            st.dropPending = false;
        }
        // A key's first day is scored against noise and burstiness estimates still forming: its scores are not
        // yet the key's, so its extremes set neither the record nor the routine daily maximum.
        boolean calibrated = t - st.firstBucketStartMillis >= DAY;
        st.dayMaxScore = Math.max(st.dayMaxScore, calibrated ? score : 0);
        st.dayMaxDrop = Math.max(st.dayMaxDrop, calibrated ? -noiseScore / factor : 0);
        st.recordScore = Math.max(calibrated ? score : 0, st.recordScore * recordDecay);
        st.recordDrop = Math.max(calibrated ? -noiseScore / factor : 0, st.recordDrop * recordDecay);
        learn(st, t, bucketMillis, value, rootBase, rawScore, noiseScore, sigma, hourA, hourB, w, day, hf, df, hMean,
                dMean, gate);
        st.bucketsSeen++;
        st.lastBucketStartMillis = t;
        observedScore = score;
        observedBaseline = baseline;
        observedEndedAt = endedAt;
        observedDrop = dropped;
        return transition;
    }

    /**
     * A key judged on its own scale (a measurement, or a count at least {@value #OWN_SCALE} times as noisy as
     * Poisson) whose bucket beats its own record (its highest score, decaying with a half-life of
     * {@link #RECORD_HALF_LIFE_MILLIS} = 28 days) by scoring above {@value #OUTLIER} noise units opens a spike (or
     * reports a drop) at once, once the key has had {@value #ROUTINE_KNOWN_DAYS} whole days of extremes. A measurement's scores have no anchor but its own scatter:
     * a CPU load that wanders scores 5 on its worst day, a spiky one 60, and only the key's own extremes say
     * which is news. Counts keep the fixed thresholds: Poisson's floor anchors their scale, so one minute at 3.5x
     * its baseline stays a blip on every count key.
     */
    private boolean recordBeaten(DetectorState st, long t, double score, double record) {
        return (st.measure || st.noiseScale >= OWN_SCALE) && score > OUTLIER && score > record
                && st.extremeDays >= ROUTINE_KNOWN_DAYS;
    }

    /**
     * At the first bucket of a new UTC day, folds the day before's highest score and deepest drop into the key's
     * daily extremes (a running mean over the first days, then exponential over {@code burstinessHalfLife}); the
     * key's first day is partial and left out. Each day's extreme counts at most as the current routine maximum
     * (Huber-style, like the burstiness): one extraordinary day moves the estimate a step, not to itself.
     */
    private void foldDay(DetectorState st, long t) {
        long day = calendarDay; // observeBucket set the calendar to t's day
        if (day == st.extremesDay) {
            return;
        }
        if (st.bucketsSeen > 0 && st.extremesDay > Math.floorDiv(st.firstBucketStartMillis, DAY)) {
            // The deviation's running mean starts on the second day (the first has nothing to deviate from).
            double a = Math.max(dailyRate, 1.0 / (st.extremeDays + 1));
            double max = clip(st.dayMaxScore, routineMax(st.dailyMaxMean, st.dailyMaxDeviation, st.extremeDays));
            if (st.extremeDays == 0) {
                st.dailyMaxMean = max; // the deviations start from the second day
            }
            st.dailyMaxDeviation += a * (Math.abs(max - st.dailyMaxMean) - st.dailyMaxDeviation);
            st.dailyMaxMean += a * (max - st.dailyMaxMean);
            double drop = clip(st.dayMaxDrop, routineMax(st.dailyDropMean, st.dailyDropDeviation, st.extremeDays));
            if (st.extremeDays == 0) {
                st.dailyDropMean = drop;
            }
            st.dailyDropDeviation += a * (Math.abs(drop - st.dailyDropMean) - st.dailyDropDeviation);
            st.dailyDropMean += a * (drop - st.dailyDropMean);
            st.extremeDays++;
        }
        st.extremesDay = day;
        st.dayMaxScore = Double.NEGATIVE_INFINITY;
        st.dayMaxDrop = Double.NEGATIVE_INFINITY;
    }

    /**
     * The anomaly likelihood of a key judged on its own scale (HTM's, Ahmad et al. 2017, on this detector's score):
     * how far the mean of the last ~{@value #LIKELIHOOD_SHORT} scores (each clipped at {@value #OUTLIER}, so one
     * huge bucket is the record rule's business, not this) is from its own long-run mean, in units of its own
     * long-run standard deviation (over {@code burstinessHalfLife}). It finds what no single bucket shows and
     * the fixed CUSUM slack misjudges on a key whose residuals are correlated (a CPU load, a taxi count): a shift
     * of level or of scatter of a few hours, also shortly after a larger anomaly (the record does not hold it).
     * The short mean's own spread calibrates it: a key whose short means wander is held to its wandering.
     * Returns 0 (no evidence) for a key near Poisson (the job's small topics keep their fixed thresholds) and
     * until the key has had {@value #ROUTINE_KNOWN_DAYS} days after its first of these statistics (a restored
     * state of a release without them starts them then).
     */
    private double likelihood(DetectorState st, double score, long bucketMillis) {
        double c = clipOutlier(score);
        st.likelihoodShortMean += LIKELIHOOD_SHORT_RATE * (c - st.likelihoodShortMean);
        double d = st.likelihoodShortMean - st.likelihoodMean;
        double z = likelihoodZ(st, d, LEVEL_ONE_BUCKET, st.likelihoodVariance, st.likelihoodBuckets, bucketMillis);
        double a = likelihoodRate(st.likelihoodBuckets);
        st.likelihoodMean += a * d;
        st.likelihoodVariance += a * (d * d - st.likelihoodVariance);
        st.likelihoodBuckets++;
        return z;
    }

    /**
     * The spread likelihood: the likelihood's test on the scatter instead of the level. The mean of the last
     * ~{@value #LIKELIHOOD_SHORT} squared scores (each clipped at {@value #OUTLIER}, as for the likelihood) against
     * that short mean's own long-run mean and standard deviation (over {@code burstinessHalfLife}), in the same
     * units and at the same bar as the likelihood. It finds a change of variance or shape that moves the mean score
     * little (a series that starts to swing, a sensor gone erratic, spikes come thicker), and a moderate rise
     * that the mean's own spread hides. Same conditions and wait as {@link #likelihood}, with its own count of
     * buckets, so a state restored from a release without it (its fields restore as 0) learns it anew first.
     */
    private double spread(DetectorState st, double score, long bucketMillis) {
        double c = clipOutlier(score);
        st.spreadShortMean += LIKELIHOOD_SHORT_RATE * (c * c - st.spreadShortMean);
        double d = st.spreadShortMean - st.spreadMean;
        double z = likelihoodZ(st, d, SPREAD_ONE_BUCKET, st.spreadVariance, st.spreadBuckets, bucketMillis);
        double a = likelihoodRate(st.spreadBuckets);
        st.spreadMean += a * d;
        st.spreadVariance += a * (d * d - st.spreadVariance);
        st.spreadBuckets++;
        return z;
    }

    private static double clipOutlier(double score) {
        return score > OUTLIER ? OUTLIER : score < -OUTLIER ? -OUTLIER : score;
    }

    /**
     * The likelihoods' test, shared by {@link #likelihood} and {@link #spread} so that both apply and wait alike:
     * {@code d}, a short mean's distance from its long-run mean, in units of that mean's long-run standard
     * deviation; 0 for a key near Poisson, until {@code buckets} span {@value #ROUTINE_KNOWN_DAYS} days after the
     * key's first, and while {@code d} is no farther than one bucket alone can move the short mean
     * ({@code oneBucket}): the likelihoods are the test of shifts of many buckets; a single bucket, however far out,
     * is the burst evidence's and the record's business, and those are held to the key's routine daily maximum.
     */
    private static double likelihoodZ(DetectorState st, double d, double oneBucket, double variance, long buckets,
            long bucketMillis) {
        boolean ownScale = st.measure || st.noiseScale >= OWN_SCALE;
        return ownScale && st.extremeDays >= ROUTINE_KNOWN_DAYS && variance > 0 && Math.abs(d) > oneBucket
                && buckets * bucketMillis >= (ROUTINE_KNOWN_DAYS + 1) * DAY ? d / Math.sqrt(variance) : 0;
    }

    /** How fast the likelihoods' long-run mean and variance learn: a running mean, then {@code burstinessHalfLife}. */
    private double likelihoodRate(long buckets) {
        return Math.max(burstinessRate, 1.0 / (buckets + 1));
    }

    /** A day's extreme as the estimate learns it: at most the current bar, once there is one. */
    private static double clip(double extreme, double bar) {
        return bar == Double.NEGATIVE_INFINITY ? extreme : Math.min(extreme, bar);
    }

    /**
     * The score the key's routine daily maximum exceeds only once in {@value #ROUTINE_DAYS} days: the quantile of a
     * Gumbel law (the law of the maximum of many buckets) fitted by moments to its past daily maxima. Infinite
     * (no bar) until two days are known.
     */
    static double routineMax(double mean, double meanAbsDeviation, int days) {
        if (days < ROUTINE_KNOWN_DAYS) {
            return Double.NEGATIVE_INFINITY;
        }
        double beta = meanAbsDeviation * GUMBEL_SCALE_PER_MEAN_ABS;
        return mean - EULER_GAMMA * beta + beta * GUMBEL_ROUTINE_QUANTILE;
    }

    /**
     * The mirror of the burst evidence for a fall below the baseline (a key falling silent, a level shift down):
     * the same slacks and thresholds on the negated score, and the likelihood's shift downwards. A drop is an
     * event, not a lifecycle: it is reported once, and not again before the baseline has had
     * {@code baselineHalfLife} to follow the new level. A fall seen by one bucket alone (the burst evidence or a
     * record) is reported at the next bucket, and only if that one is still down (at least {@code closeScore}
     * below the baseline, the mirror of a spike that is not yet over): a drop is a fall of the level, and one low
     * reading back at the next is a glitch (a price or a sensor). The sustained evidence and the likelihood are
     * falls of many buckets already and report at once. A fall that goes on is the same fall: the sustained
     * evidence keeps running through the quiet time (held at its threshold) and reports again only once it has run
     * out, the key having come back; the baseline follows a fall clipped at {@value #CLIP} noise units, so a level
     * shift down keeps the key below it for days, and restarting the evidence from zero after each
     * {@code baselineHalfLife} reported the same shift every 12 hours.
     */
    private boolean drop(DetectorState st, long t, double score, boolean unlikely) {
        final DetectorSettings s = settings;
        // The sustained evidence goes on through the quiet time, held at its threshold: once a fall is reported,
        // it is reported again only after the evidence of it ran out (the key came back), not while it goes on.
        st.dropSustainedEvidence = Math.min(s.sustainedThreshold(),
                Math.max(0, st.dropSustainedEvidence - score - s.sustainedSlack()));
        if (st.dropSustainedEvidence == 0) {
            st.dropFallGoesOn = false;
        }
        boolean sustained = st.dropSustainedEvidence >= s.sustainedThreshold() && !st.dropFallGoesOn;
        if (t < st.dropQuietUntilMillis) {
            st.dropBurstEvidence = 0;
            st.dropPending = false;
            return false;
        }
        if (st.dropPending) {
            st.dropPending = false;
            if (score <= -s.closeScore()) {
                // Still down a bucket later: the fall is reported (here, one bucket after it began).
                quietDrops(st, t);
                return true;
            }
            // Back at once: one low reading, not a fall of the level.
            st.dropBurstEvidence = 0;
        }
        st.dropBurstEvidence = Math.max(0, st.dropBurstEvidence - score - s.burstSlack());
        // A count cannot fall below zero, and a low count's zero buckets tie: its deepest drop is bounded and a
        // "new record" of it is no tail event, so counts report drops by the evidence only.
        boolean record = st.measure && recordBeaten(st, t, -score, st.recordDrop);
        boolean aboveRoutine = -score > routineMax(st.dailyDropMean, st.dailyDropDeviation, st.extremeDays);
        boolean abrupt = (st.dropBurstEvidence >= s.burstThreshold() || record) && aboveRoutine;
        if (abrupt && !unlikely && !sustained) {
            st.dropPending = true;
            return false;
        }
        if (abrupt || sustained || unlikely) {
            quietDrops(st, t);
            return true;
        }
        return false;
    }

    /**
     * After a drop: the abrupt evidence starts again, the sustained one stays silent until it has run out, and no
     * other drop until the baseline has had {@code baselineHalfLife} to follow this one.
     */
    private void quietDrops(DetectorState st, long t) {
        st.dropBurstEvidence = 0;
        st.dropFallGoesOn = true;
        st.dropQuietUntilMillis = t + baselineHalfLifeMillis;
    }

    /**
     * Updates the estimates from this bucket: level and rhythm from its value clipped near the baseline, the
     * burstiness from its score (bursts are what it measures), the noise only if it is an ordinary bucket.
     */
    private void learn(DetectorState st, long t, long bucketMillis, double value, double rootBase, double rawScore,
            double noiseScore, double sigma, int hourA, int hourB, double w, int day, double hf, double df,
            double hMean, double dMean, double routineBar) {
        double half = CLIP * sigma / 2;
        double hi = unroot(rootBase + half);
        double lo = st.measure ? unroot(rootBase - half)
                : rootBase > half ? (rootBase - half) * (rootBase - half) - ANSCOMBE : 0;
        double x = value > hi ? hi : value < lo ? lo : value;
        long n = st.bucketsSeen;
        double levelOld = st.level;
        // A running mean at first, then exponential weighting: a new key finds its level in a few buckets.
        double runningMean = 1.0 / (n + 1);
        double a = Math.max(levelRate, runningMean);
        st.level = levelOld + a * (x / (hf * df) - levelOld);

        double cap = BURSTINESS_CAP * burstinessFactor(st);
        if (st.open && st.measure && routineBar > 0) {
            // A measurement's anomaly is no routine burst: a bucket of an open spike teaches the burstiness at most
            // what the key's routine daily maximum would (in noise units). Otherwise one anomaly raises the bar
            // several-fold for weeks and hides the next one (a second failure, a second price shock). Counts
            // keep the 20x clip: on a count, what opens spikes is mostly routine bursts the burstiness must learn
            // (AAPL's several a week on Twitter; capped too, the tweets' leave-one-out fell from 82.3 to 75.5).
            cap = Math.min(cap, routineBar * st.runBurstinessFactor);
        }
        double positive = noiseScore > 0 ? Math.min(noiseScore, cap) : 0;
        // A running mean over the first buckets, as for the level and the noise: a new key that bursts every
        // few hours must not alert on each burst for the weeks an exponential mean would take to learn that.
        double ab = Math.max(burstinessRate, runningMean);
        st.burstiness += ab * (positive * positive - st.burstiness);

        if (n == 0) {
            return;
        }
        // The rhythm learns from every bucket, clipped like the level, spikes included: a peak that comes back
        // every afternoon is learned within days, while one burst moves an hour's factor only a little.
        if (levelOld > 1e-9 && (hourRate > 0 || dayRate > 0)) {
            double hourSumChange = 0;
            double daySumChange = 0;
            // The bucket's ratio to its baseline before this bucket: x / (levelOld hf) is its day's factor, and
            // x / (levelOld df) its hour's (one division for both).
            double ratio = x / (levelOld * hf * df);
            if (hourRate > 0) {
                // Each hour is seen once a day: over the first days learn faster (a day's weight 2/(d+1) on day d,
                // until the half-life takes over), so a new key knows its daily rhythm after a day or two.
                double days = (t - st.firstBucketStartMillis) * PER_DAY;
                double ah = Math.max(hourRate, Math.min(0.5, twoHoursShare / (days + 1)));
                // On the stored scale: the factors' mean is hMean there.
                double step = ah * (clampFactor(ratio * hf) - hf) * hMean;
                hourSumChange = learnFactor(st.hourFactors, hourA, (1 - w) * step, hMean)
                        + learnFactor(st.hourFactors, hourB, w * step, hMean);
            }
            if (dayRate > 0) {
                daySumChange = learnFactor(st.dayFactors, day, dayRate * (clampFactor(ratio * df) - df) * dMean, dMean);
            }
            // The factors' means moved by these steps: read relative to the new means, the factors of every other
            // hour and day fall or rise a little, and the level takes the difference, so that no baseline but this
            // bucket's hour and day changes (what renormalising every factor to mean 1 did, without the loop).
            st.level *= (1 + hourSumChange * PER_HOUR_OF_DAY / hMean) * (1 + daySumChange * PER_DAY_OF_WEEK / dMean);
        }
        // The noise is what ordinary buckets scatter: outliers are left to the burstiness estimate.
        if (st.open || Math.abs(noiseScore) >= OUTLIER) {
            return;
        }
        double an = Math.max(noiseRate, runningMean);
        st.noiseScale += an * (Math.abs(rawScore) * MEAN_ABS_TO_SD - st.noiseScale);
    }

    /**
     * The mean of a set of factors as stored, first bringing them back to mean 1 if it has drifted far from it.
     * The factors are stored at any common scale and read relative to their mean (see {@link #factor}), so a
     * bucket's learning changes one or two of them and nothing else: renormalising all 31 at every bucket was
     * the largest part of a bucket's cost (a gap's replay especially). The sum is taken in four independent
     * parts: one chain of 24 additions waited on each one.
     */
    private static double rescaledMean(double[] f) {
        double mean = mean(f);
        if (mean < 0.5 || mean > 2) {
            // Rare (the scale drifts by a bucket's small step at a time): keeps the stored values far from
            // underflow and overflow. The factors as read do not change.
            double inv = 1 / mean;
            for (int i = 0; i < f.length; i++) {
                f[i] *= inv;
            }
            return 1;
        }
        return mean;
    }

    /** The mean of a set of factors as stored. */
    private static double mean(double[] f) {
        double sum;
        if (f.length == DetectorState.HOURS) {
            double s0 = 0;
            double s1 = 0;
            double s2 = 0;
            double s3 = 0;
            for (int i = 0; i < DetectorState.HOURS; i += 4) {
                s0 += f[i];
                s1 += f[i + 1];
                s2 += f[i + 2];
                s3 += f[i + 3];
            }
            sum = (s0 + s1) + (s2 + s3);
        } else {
            sum = 0;
            for (double v : f) {
                sum += v;
            }
        }
        return sum / f.length;
    }

    /**
     * Moves one stored factor by {@code step}, never below {@value #MIN_FACTOR} as read (as the floor of every
     * factor after renormalising did); returns how much the stored value changed.
     */
    private static double learnFactor(double[] f, int i, double step, double mean) {
        double old = f[i];
        double v = old + step;
        double floor = MIN_FACTOR * mean;
        f[i] = v < floor ? floor : v;
        return f[i] - old;
    }

    /** A stored factor as read: relative to its set's mean, never below {@value #MIN_FACTOR}. */
    private static double factor(double stored, double mean) {
        double f = stored / mean;
        return f < MIN_FACTOR ? MIN_FACTOR : f;
    }

    /** The hour-of-day profile at a point between the centres of hours a and b (weight w on b). */
    private static double hourFactor(double[] h, int a, int b, double w, double mean) {
        return (1 - w) * factor(h[a], mean) + w * factor(h[b], mean);
    }

    /** 1 for a key whose scores are Gaussian noise; sqrt(2 E[max(score, 0)^2]) when it bursts more than that. */
    private static double burstinessFactor(DetectorState st) {
        return Math.max(1.0, Math.sqrt(2 * st.burstiness));
    }

    private static boolean inRun(DetectorState st) {
        return st.open || st.burstEvidence > 0 || st.sustainedEvidence > 0;
    }

    /** 0 = Monday (1970-01-01, day 0 of the epoch, was a Thursday). */
    static int dayOfWeek(long t) {
        return (int) Math.floorMod(Math.floorDiv(t, DAY) + 3, 7L);
    }

    private static double clampFactor(double factor) {
        return factor < MIN_FACTOR ? MIN_FACTOR : factor > MAX_FACTOR ? MAX_FACTOR : factor;
    }

    /**
     * {@code sqrt(x + 3/8)}, Anscombe's root (half of the variance-stabilised value), continued below 0 by its
     * tangent there, so that a measurement that goes negative still has a scale (counts never do).
     */
    static double root(double x) {
        return x >= 0 ? Math.sqrt(x + ANSCOMBE) : ROOT_AT_ZERO + x / (2 * ROOT_AT_ZERO);
    }

    /** The inverse of {@link #root}. */
    static double unroot(double r) {
        return r >= ROOT_AT_ZERO ? r * r - ANSCOMBE : (r - ROOT_AT_ZERO) * 2 * ROOT_AT_ZERO;
    }

    /**
     * The noise unit: for counts never below Poisson's (1 on this scale), so that 3 posts against 1 is no spike;
     * a measurement (CPU load, a price, a temperature) has no such floor and is judged by its own scatter.
     */
    private static double noiseFloor(DetectorState st) {
        return st.measure ? Math.max(MIN_MEASURE_NOISE, st.noiseScale) : Math.max(1.0, st.noiseScale);
    }

    private static void resetRun(DetectorState st) {
        st.burstEvidence = 0;
        st.sustainedEvidence = 0;
        st.runVolume = 0;
        st.runExpected = 0;
        st.runPeak = 0;
        st.runPeakAtMillis = 0;
        st.runPeakScore = 0;
        st.runMaxAuthors = -1;
    }

    private Step step(DetectorState st, double value, double score, double baseline, Transition transition,
            long endedAt) {
        double ratio = value / Math.max(baseline, RATIO_FLOOR);
        double evidence = Math.max(st.burstEvidence / settings.burstThreshold(),
                st.sustainedEvidence / settings.sustainedThreshold());
        if (transition == Transition.NONE) {
            return new Step(value, score, evidence, baseline, ratio, transition, -1, 0, 0, -1, 0, 0, -1,
                    Severity.NONE, false);
        }
        double peakRatio = st.peak / Math.max(st.baselineAtStart, RATIO_FLOOR);
        return new Step(value, score, evidence, baseline, ratio, transition, st.startedAtMillis, st.baselineAtStart,
                st.peak, st.peakAtMillis, st.peakScore, peakRatio, endedAt, Severity.ofPeakRatio(peakRatio), false);
    }

    /** The step for a bucket that changed nothing: it came at or before the last one. */
    private Step stale(DetectorState st, long t, long bucketMillis, double value) {
        double position = (double) Math.floorMod(t + bucketMillis / 2, DAY) / HOUR - 0.5;
        int below = (int) Math.floor(position);
        double w = position - below;
        int hourA = Math.floorMod(below, 24);
        double hf = hourFactor(st.hourFactors, hourA, hourA == 23 ? 0 : hourA + 1, w, mean(st.hourFactors));
        double baseline = st.level * hf * factor(st.dayFactors[dayOfWeek(t)], mean(st.dayFactors));
        double score = 2 * (root(value) - root(baseline))
                / noiseFloor(st) / (inRun(st) ? st.runBurstinessFactor : burstinessFactor(st));
        return step(st, value, score, baseline, st.open ? Transition.UPDATE : Transition.NONE, -1);
    }

    private void rates(long bucketMillis) {
        if (bucketMillis == ratesForBucketMillis) {
            return;
        }
        levelRate = rate(bucketMillis, settings.baselineHalfLife().toMillis());
        // The hour-of-day factors see each hour once a day: their half-life counts only that hour's time.
        hourRate = bucketMillis >= DAY ? 0 : rate(bucketMillis, settings.dailyHalfLife().toMillis() / 24.0);
        dayRate = bucketMillis >= WEEK ? 0 : rate(bucketMillis, settings.weeklyHalfLife().toMillis() / 7.0);
        noiseRate = rate(bucketMillis, settings.noiseHalfLife().toMillis());
        burstinessRate = rate(bucketMillis, settings.burstinessHalfLife().toMillis());
        recordDecay = 1 - rate(bucketMillis, RECORD_HALF_LIFE_MILLIS);
        dailyRate = rate(DAY, settings.burstinessHalfLife().toMillis());
        twoHoursShare = 2.0 * bucketMillis / HOUR;
        ratesForBucketMillis = bucketMillis;
    }

    /** The weight of one new observation for an exponential mean with this half-life. */
    private static double rate(long bucketMillis, double halfLifeMillis) {
        return 1 - Math.pow(0.5, bucketMillis / halfLifeMillis);
    }
}

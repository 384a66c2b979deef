package io.discoursetrends.spikes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.LongToDoubleFunction;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The detector's lifecycle and its robustness, without a Flink harness: the detector is a pure function of
 * (state, bucket), so each test feeds a generated series and looks at the steps. Series are Poisson counts
 * around a known rate (a seeded generator, so every run sees the same numbers) in 1-minute buckets, the job's.
 */
class SpikeDetectorTest {
    static final long T0 = Instant.parse("2026-05-25T00:00:00Z").toEpochMilli(); // a Monday
    static final long MINUTE = 60_000;
    static final long HOUR = 60 * MINUTE;
    static final long DAY = 24 * HOUR;

    private final SpikeDetector detector = new SpikeDetector(DetectorSettings.DEFAULTS);

    /** A Poisson draw (Knuth's method; fine for the rates used here). */
    static long poisson(Random r, double lambda) {
        double l = Math.exp(-lambda);
        long k = 0;
        double p = 1;
        do {
            k++;
            p *= r.nextDouble();
        } while (p > l);
        return k - 1;
    }

    /** Feeds Poisson counts at {@code rate(t)} for every minute in [from, to); returns the steps. */
    private List<Step> feed(DetectorState state, long from, long to, Random random, LongToDoubleFunction rate) {
        List<Step> steps = new ArrayList<>();
        for (long t = from; t < to; t += MINUTE) {
            steps.add(detector.update(state, t, MINUTE, poisson(random, rate.applyAsDouble(t)), -1));
        }
        return steps;
    }

    private Step feedOne(DetectorState state, long t, double value) {
        return detector.update(state, t, MINUTE, value, -1);
    }

    private static List<Step> opened(List<Step> steps) {
        return steps.stream().filter(Step::opened).toList();
    }

    /** A key that has seen two quiet days at 20 posts a minute. */
    private DetectorState warmKey(Random random) {
        DetectorState state = new DetectorState();
        assertThat(opened(feed(state, T0, T0 + 2 * DAY, random, t -> 20))).isEmpty();
        return state;
    }

    @Test
    void shouldOpenUpdateWithThePeakAndCloseWhenBackAtTheBaseline() {
        Random random = new Random(1);
        DetectorState state = warmKey(random);
        long start = T0 + 2 * DAY;
        double[] burst = {100, 160, 130, 90, 60};
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < burst.length; i++) {
            steps.add(feedOne(state, start + i * MINUTE, burst[i]));
        }
        long after = start + burst.length * MINUTE;
        steps.addAll(feed(state, after, after + 30 * MINUTE, random, t -> 20));

        // 100 against 20 is a 12-sigma bucket: the spike opens at once.
        assertThat(steps.get(0).transition()).isEqualTo(Transition.OPEN);
        assertThat(steps.get(0).startedAtMillis()).isEqualTo(start);
        assertThat(steps.get(0).baselineAtStart()).isBetween(18.0, 22.0);
        assertThat(steps.get(0).ratio()).isBetween(4.5, 5.5);
        // While elevated it updates, tracking the peak.
        assertThat(steps.subList(1, 5)).extracting(Step::transition).containsOnly(Transition.UPDATE);
        assertThat(steps.get(1).peak()).isEqualTo(160);
        assertThat(steps.get(4).peak()).isEqualTo(160);
        assertThat(steps.get(4).peakAtMillis()).isEqualTo(start + MINUTE);
        assertThat(steps.get(4).peakRatio()).isBetween(7.0, 9.0);
        assertThat(steps.get(4).severity()).isEqualTo(Severity.MEDIUM);
        // Back at 20 a minute: three quiet buckets close it; it ended at the first of them.
        int close = indexOf(steps, Transition.CLOSE);
        assertThat(close).isBetween(5 + 2, 5 + 4);
        Step closed = steps.get(close);
        assertThat(closed.endedAtMillis()).isEqualTo(start + (close - 2) * MINUTE);
        assertThat(closed.peak()).isEqualTo(160);
        assertThat(closed.startedAtMillis()).isEqualTo(start);
        assertThat(steps.subList(close + 1, steps.size())).extracting(Step::transition).containsOnly(Transition.NONE);
        assertThat(state.open).isFalse();
    }

    @Test
    void shouldNotFlapDuringTheCooldownButOpenAgainAfterIt() {
        Random random = new Random(2);
        DetectorState state = warmKey(random);
        long t = T0 + 2 * DAY;
        List<Step> steps = new ArrayList<>();
        steps.add(feedOne(state, t, 150));
        steps.addAll(feed(state, t + MINUTE, t + 6 * MINUTE, random, x -> 20));
        assertThat(indexOf(steps, Transition.CLOSE)).isPositive();
        // A decaying tail that flares again within the hour's cooldown: no new spike.
        long flare = t + 10 * MINUTE;
        steps.add(feedOne(state, flare, 150));
        steps.add(feedOne(state, flare + MINUTE, 150));
        steps.addAll(feed(state, flare + 2 * MINUTE, t + 90 * MINUTE, random, x -> 20));
        assertThat(opened(steps)).hasSize(1);
        // After the cooldown the same burst is a new spike.
        long later = t + 90 * MINUTE;
        assertThat(feedOne(state, later, 150).transition()).isEqualTo(Transition.OPEN);
    }

    @Test
    void shouldLearnADailyPeakAndStillFlagABurstOffTheRhythm() {
        Random random = new Random(3);
        DetectorState state = new DetectorState();
        // 10 a minute, four times that every afternoon from 14:00 to 17:00 (ramping over half an hour).
        LongToDoubleFunction daily = t -> {
            double h = (double) Math.floorMod(t, DAY) / HOUR;
            double up = Math.min(1, Math.max(0, (h - 13.5) / 0.5)) * Math.min(1, Math.max(0, (17.5 - h) / 0.5));
            return 10 * (1 + 3 * up);
        };
        // New to the key, the afternoon rise is a spike; each day teaches the rhythm a little more.
        assertThat(opened(feed(state, T0, T0 + 3 * DAY, random, daily))).isNotEmpty();
        // Learned after three days: a week more of the same rhythm opens nothing.
        List<Step> rhythm = feed(state, T0 + 3 * DAY, T0 + 10 * DAY, random, daily);
        assertThat(opened(rhythm)).isEmpty();
        // A burst at 03:00, when the key is at its quietest, is a spike, found within three buckets of its start.
        long burst = T0 + 10 * DAY + 3 * HOUR;
        feed(state, T0 + 10 * DAY, burst, random, daily);
        List<Step> night = feed(state, burst, burst + 30 * MINUTE, random, t -> 60);
        assertThat(indexOf(night, Transition.OPEN)).isBetween(0, 2);
        assertThat(opened(night).get(0).startedAtMillis()).isEqualTo(burst);
    }

    @ParameterizedTest(name = "{0} posts a minute")
    @ValueSource(doubles = {0.05, 0.5, 3, 20, 300})
    void shouldNotFireOnPoissonNoise(double rate) {
        for (int seed = 0; seed < 3; seed++) {
            DetectorState state = new DetectorState();
            List<Step> steps = feed(state, T0, T0 + 7 * DAY, new Random(100 + seed), t -> rate);
            assertThat(opened(steps)).as("seed %d", seed).isEmpty();
        }
    }

    @Test
    void shouldIgnoreAOneBucketBlipButFindAThreeBucketBurstWithinThreeBuckets() {
        Random random = new Random(4);
        DetectorState state = warmKey(random);
        long t = T0 + 2 * DAY;
        // 3.5 x the baseline for one minute: unusual, but one bucket of it is a blip.
        List<Step> blip = new ArrayList<>();
        blip.add(feedOne(state, t, 70));
        blip.addAll(feed(state, t + MINUTE, t + 2 * HOUR, random, x -> 20));
        assertThat(opened(blip)).isEmpty();
        // The same level held for three minutes is a burst.
        long burst = t + 2 * HOUR;
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            steps.add(feedOne(state, burst + i * MINUTE, 70));
        }
        int open = indexOf(steps, Transition.OPEN);
        assertThat(open).isBetween(0, 2);
        assertThat(steps.get(open).startedAtMillis()).isEqualTo(burst);
    }

    @Test
    void shouldFollowASlowDriftWithoutFiring() {
        Random random = new Random(5);
        DetectorState state = warmKey(random);
        long t = T0 + 2 * DAY;
        // From 20 to 60 a minute over three days, then back down to 20 over three more.
        List<Step> up = feed(state, t, t + 3 * DAY, random, x -> 20 + 40.0 * (x - t) / (3 * DAY));
        List<Step> down = feed(state, t + 3 * DAY, t + 6 * DAY, random,
                x -> 60 - 40.0 * (x - t - 3 * DAY) / (3 * DAY));
        assertThat(opened(up)).isEmpty();
        assertThat(opened(down)).isEmpty();
        assertThat(up.get(up.size() - 1).baseline()).isBetween(50.0, 62.0);
    }

    @Test
    void shouldTreatMissingBucketsAsZeroCounts() {
        Random random = new Random(6);
        DetectorState explicit = new DetectorState();
        DetectorState gaps = new DetectorState();
        // A quiet key: about one post every four minutes, so most minutes have no bucket at all.
        feedOne(explicit, T0, 1);
        feedOne(gaps, T0, 1);
        for (long t = T0 + MINUTE; t < T0 + 2 * DAY; t += MINUTE) {
            long v = poisson(random, 0.25);
            Step a = feedOne(explicit, t, v);
            if (v > 0) {
                Step b = feedOne(gaps, t, v);
                assertThat(b).isEqualTo(a);
            }
        }
        feedOne(explicit, T0 + 2 * DAY, 1);
        feedOne(gaps, T0 + 2 * DAY, 1);
        assertThat(gaps).isEqualTo(explicit);
    }

    @Test
    void shouldReadTheRhythmRelativeToItsMeanWhateverScaleItIsStoredAt() {
        // The factors are stored at any common scale and read relative to their mean (no renormalising loop per
        // bucket): a state written with factors at mean 1 (every release before) and the same state with its
        // factors scaled continue alike, to rounding, through a day with a daily rhythm and a burst.
        Random random = new Random(11);
        DetectorState unit = new DetectorState();
        LongToDoubleFunction rhythm = t -> 10 + 8 * Math.sin(2 * Math.PI * Math.floorMod(t, DAY) / DAY);
        feed(unit, T0, T0 + 3 * DAY, random, rhythm);
        DetectorState scaled = unit.copy();
        for (int i = 0; i < DetectorState.HOURS; i++) {
            scaled.hourFactors[i] *= 1.7;
        }
        for (int i = 0; i < DetectorState.DAYS; i++) {
            scaled.dayFactors[i] *= 0.6;
        }
        int opened = 0;
        for (long t = T0 + 3 * DAY; t < T0 + 4 * DAY; t += MINUTE) {
            double v = t == T0 + 3 * DAY + 12 * HOUR ? 120 : poisson(random, rhythm.applyAsDouble(t));
            Step a = feedOne(unit, t, v);
            Step b = feedOne(scaled, t, v);
            assertThat(b.score()).isCloseTo(a.score(), org.assertj.core.data.Offset.offset(1e-9));
            assertThat(b.baseline()).isCloseTo(a.baseline(), org.assertj.core.data.Offset.offset(1e-9));
            assertThat(b.transition()).isEqualTo(a.transition());
            opened += a.opened() ? 1 : 0;
        }
        assertThat(opened).as("the burst at noon").isEqualTo(1);
    }

    @Test
    void shouldCloseASpikeWhoseKeyFellSilentAtItsNextBucket() {
        Random random = new Random(7);
        DetectorState state = warmKey(random);
        long t = T0 + 2 * DAY;
        assertThat(feedOne(state, t, 150).transition()).isEqualTo(Transition.OPEN);
        assertThat(feedOne(state, t + MINUTE, 140).transition()).isEqualTo(Transition.UPDATE);
        // Nothing for two hours: the silence ended the spike; the next bucket reports it.
        Step next = feedOne(state, t + 2 * HOUR, 20);
        assertThat(next.transition()).isEqualTo(Transition.CLOSE);
        assertThat(next.endedAtMillis()).isEqualTo(t + 2 * MINUTE);
        assertThat(next.peak()).isEqualTo(150);
        assertThat(state.open).isFalse();
        // An operator's timer can close it without waiting for a bucket: feed an empty one.
        DetectorState other = warmKey(new Random(7));
        feedOne(other, t, 150);
        feedOne(other, t + MINUTE, 140);
        assertThat(detector.update(other, t + 5 * MINUTE, MINUTE, 0, 0).transition()).isEqualTo(Transition.CLOSE);
    }

    @Test
    void shouldBoundTheCostOfAVeryLongGap() {
        Random random = new Random(8);
        DetectorState state = warmKey(random);
        long t = T0 + 2 * DAY + 30 * DAY; // a month of silence: more than the replayed gap
        Step s = feedOne(state, t, 20);
        assertThat(s.transition()).isEqualTo(Transition.NONE);
        assertThat(state.bucketsSeen).isEqualTo(2 * 1440 + 30 * 1440 + 1);
        assertThat(state.lastBucketStartMillis).isEqualTo(t);
        assertThat(SpikeDetector.isIdle(state, t + HOUR, HOUR)).isTrue();
        assertThat(SpikeDetector.isIdle(state, t + HOUR - 1, HOUR)).isFalse();
        assertThat(SpikeDetector.isIdle(new DetectorState(), t, HOUR)).isTrue();
    }

    @Test
    void shouldIgnoreABucketAtOrBeforeTheLastOne() {
        Random random = new Random(9);
        DetectorState state = warmKey(random);
        DetectorState before = state.copy();
        Step s = feedOne(state, state.lastBucketStartMillis, 500);
        assertThat(s.transition()).isEqualTo(Transition.NONE);
        assertThat(s.score()).isGreaterThan(10);
        assertThat(state).isEqualTo(before);
        feedOne(state, state.lastBucketStartMillis - 5 * MINUTE, 500);
        assertThat(state).isEqualTo(before);
    }

    @Test
    void shouldContinueIdenticallyFromACopiedOrSerializedState() throws Exception {
        Random random = new Random(10);
        long[] values = new long[3 * 1440];
        for (int i = 0; i < values.length; i++) {
            values[i] = poisson(random, i % 1440 > 800 && i % 1440 < 820 ? 120 : 20);
        }
        DetectorState original = new DetectorState();
        int half = 1440 + 810; // inside the second day's burst, with a spike open
        for (int i = 0; i < half; i++) {
            feedOne(original, T0 + i * MINUTE, values[i]);
        }
        assertThat(original.open).isTrue();
        DetectorState copy = original.copy();
        DetectorState restored = viaFlinkSerializer(original);
        assertThat(restored).isEqualTo(original);
        SpikeDetector other = new SpikeDetector(DetectorSettings.DEFAULTS); // as after a restart
        List<Transition> seen = new ArrayList<>();
        for (int i = half; i < values.length; i++) {
            long t = T0 + i * MINUTE;
            Step a = feedOne(original, t, values[i]);
            assertThat(feedOne(copy, t, values[i])).isEqualTo(a);
            assertThat(other.update(restored, t, MINUTE, values[i], -1)).isEqualTo(a);
            seen.add(a.transition());
        }
        assertThat(seen).contains(Transition.CLOSE, Transition.OPEN);
        assertThat(copy).isEqualTo(original);
        assertThat(restored).isEqualTo(original);
    }

    @Test
    void shouldKeepAKeysStateUnderAKilobyteWhateverItsHistory() throws Exception {
        DetectorState state = new DetectorState();
        feedMeasurement(state, T0, T0 + 10 * DAY, new Random(25), t -> t > T0 + 9 * DAY ? 20 : 0);
        TypeSerializer<DetectorState> serializer =
                TypeInformation.of(DetectorState.class).createSerializer(new SerializerConfigImpl());
        DataOutputSerializer out = new DataOutputSerializer(512);
        serializer.serialize(state, out);
        // 52 primitive fields before the spread, 4 since, 2 (a pending drop, a fall going on) since that, and the
        // 24 + 7 rhythm factors: 682 bytes.
        assertThat(out.length()).isLessThan(1024);
    }

    /** Flink keeps the state with its own POJO serializer: no Kryo, so generic types may stay disabled. */
    private static DetectorState viaFlinkSerializer(DetectorState state) throws Exception {
        TypeInformation<DetectorState> info = TypeInformation.of(DetectorState.class);
        assertThat(info).isInstanceOf(PojoTypeInfo.class);
        SerializerConfigImpl config = new SerializerConfigImpl();
        config.setGenericTypes(false); // a Kryo fallback would fail here
        TypeSerializer<DetectorState> serializer = info.createSerializer(config);
        DataOutputSerializer out = new DataOutputSerializer(512);
        serializer.serialize(state, out);
        return serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    }

    @Test
    void shouldNotOpenOnTooFewItemsOrAuthors() {
        Random random = new Random(11);
        // A burst needs minVolume items: with 50, one bucket of 40 is held back and the next one opens it.
        DetectorSettings d = DetectorSettings.DEFAULTS;
        SpikeDetector strict = new SpikeDetector(new DetectorSettings(d.baselineHalfLife(), d.dailyHalfLife(),
                d.weeklyHalfLife(), d.noiseHalfLife(), d.burstinessHalfLife(), d.warmupBuckets(), d.burstSlack(),
                d.burstThreshold(), d.sustainedSlack(), d.sustainedThreshold(), d.closeScore(), d.closeAfterBuckets(),
                d.cooldown(), 50, d.minUniqueAuthors(), d.minRatio()));
        DetectorState quiet = new DetectorState();
        for (long t = T0; t < T0 + DAY; t += MINUTE) {
            strict.update(quiet, t, MINUTE, poisson(random, 1), -1);
        }
        Step first = strict.update(quiet, T0 + DAY, MINUTE, 40, -1);
        assertThat(first.transition()).isEqualTo(Transition.NONE);
        assertThat(first.score()).isGreaterThan(d.burstSlack() + d.burstThreshold());
        Step second = strict.update(quiet, T0 + DAY + MINUTE, MINUTE, 40, -1);
        assertThat(second.transition()).isEqualTo(Transition.OPEN);
        assertThat(second.startedAtMillis()).isEqualTo(T0 + DAY);

        // One account flooding: many posts, one author per bucket, is no trend; a crowd is.
        DetectorState flood = warmKey(random);
        long t = T0 + 2 * DAY;
        for (int i = 0; i < 5; i++) {
            assertThat(detector.update(flood, t + i * MINUTE, MINUTE, 200, 1).transition())
                    .isEqualTo(Transition.NONE);
        }
        DetectorState crowd = warmKey(new Random(11));
        assertThat(detector.update(crowd, t, MINUTE, 200, 150).transition()).isEqualTo(Transition.OPEN);
    }

    @Test
    void shouldJudgeAMeasurementByItsOwnScatterWithoutPoissonsFloor() {
        Random random = new Random(11);
        DetectorState state = new DetectorState();
        List<Step> quiet = new ArrayList<>();
        long t = T0;
        // A load around 0.5 that wanders by 0.01 for three days (a new key learns its routine daily maximum over
        // two whole days after its first), and dips below zero once (an offset sensor).
        for (; t < T0 + 3 * DAY; t += 5 * MINUTE) {
            double v = t == T0 + DAY ? -0.2 : 0.5 + random.nextGaussian() * 0.01;
            quiet.add(detector.update(state, t, 5 * MINUTE, v, -1, false));
        }
        assertThat(state.measure).isTrue();
        assertThat(opened(quiet)).isEmpty(); // the dip is a drop (below), not a spike
        // 0.6 is far out in its own noise units: a spike, though on Poisson's scale it would be nothing, and with no
        // minimum volume (a load has none).
        Step jump = detector.update(state, t, 5 * MINUTE, 0.6, -1, false);
        assertThat(jump.transition()).isEqualTo(Transition.OPEN);
        assertThat(jump.score()).isGreaterThan(DetectorSettings.DEFAULTS.burstSlack());

        // A count key at 0 or 1 posts a bucket: 2 posts is nothing (Poisson's floor), and the key stays a count.
        DetectorState counts = new DetectorState();
        for (long u = T0; u < T0 + 2 * DAY; u += 5 * MINUTE) {
            detector.update(counts, u, 5 * MINUTE, random.nextInt(2), -1);
        }
        assertThat(counts.measure).isFalse();
        assertThat(detector.update(counts, T0 + 2 * DAY, 5 * MINUTE, 2, -1).opened()).isFalse();
    }

    @Test
    void shouldReportADropOnceWhenAKeyFallsSilentAndNeverOpenASpikeForIt() {
        Random random = new Random(12);
        DetectorState state = new DetectorState();
        assertThat(feed(state, T0, T0 + 2 * DAY, random, t -> 200)).noneMatch(Step::drop);
        long t = T0 + 2 * DAY;
        List<Step> silent = feed(state, t, t + 6 * HOUR, random, x -> 0);
        assertThat(silent).noneMatch(Step::spikeOpen);
        List<Step> drops = silent.stream().filter(Step::drop).toList();
        // Zero against 200 is a 25-noise-unit fall: reported at the first silent minute, and once only (the next
        // could come after baselineHalfLife, 12 h, when the baseline has followed the silence halfway).
        assertThat(drops).hasSize(1);
        assertThat(silent.get(0).drop()).isTrue();
    }

    @Test
    void shouldReportAFallThatGoesOnOnceAndANewFallAfterTheKeyWasBack() {
        Random random = new Random(33);
        DetectorState state = new DetectorState();
        long fall = T0 + 2 * DAY;
        feed(state, T0, fall, random, t -> 100);
        // From 100 to 70 a minute, for two days: about 3.3 noise units down, no bucket an abrupt fall, so the
        // sustained evidence reports it (within half an hour). The baseline follows the new level only
        // slowly (half-way in baselineHalfLife, 12 h), so after the 12 h without drops the key is still some
        // 1.7 noise units down: that is the same fall going on, not a new one, and was reported again then.
        List<Step> fallen = feed(state, fall, fall + 2 * DAY, random, t -> 70);
        assertThat(fallen.stream().filter(Step::drop).count()).isEqualTo(1);
        assertThat(fallen.subList(0, 30)).anyMatch(Step::drop);
        // Back at 100 for a day, then down again: a new fall, reported.
        long back = fall + 2 * DAY;
        feed(state, back, back + DAY, random, t -> 100);
        List<Step> again = feed(state, back + DAY, back + 2 * DAY, random, t -> 70);
        assertThat(again).anyMatch(Step::drop);
    }

    @Test
    void shouldReportAFallOfTheLevelButNotOneLowReadingThatIsBackAtTheNextBucket() {
        Random random = new Random(32);
        DetectorState state = new DetectorState();
        long t = T0 + 6 * DAY;
        feedMeasurement(state, T0, t, random, x -> 0);
        // One reading 8 noise units low (a glitch of a price or a sensor), and the next back at the baseline: far
        // beyond the key's deepest fall so far (its record drop, about 3 to 4), so it used to be reported at once.
        // A drop is a fall of the level (a key falling silent, a shift down), which one reading is not.
        long glitch = t;
        List<Step> glitchAndAfter = feedMeasurement(state, glitch, glitch + HOUR, random,
                x -> x == glitch ? -8 : 0);
        assertThat(glitchAndAfter.get(0).score()).isLessThan(-5);
        assertThat(glitchAndAfter).noneMatch(Step::drop);
        assertThat(glitchAndAfter).noneMatch(Step::opened);
        // A fall of the level that lasts (8 lower for an hour, days later) is reported, one bucket after it began,
        // and once.
        long fall = glitch + 3 * DAY;
        feedMeasurement(state, glitch + HOUR, fall, random, x -> 0);
        List<Step> fallen = feedMeasurement(state, fall, fall + HOUR, random, x -> -8);
        assertThat(fallen.get(0).drop()).isFalse();
        assertThat(fallen.get(1).drop()).isTrue();
        assertThat(fallen.stream().filter(Step::drop).count()).isEqualTo(1);
    }

    @Test
    void shouldTakeAnUnknownGapAsTheNextBucketAndAZeroGapAsZeros() {
        Random random = new Random(13);
        DetectorState unknown = warmKey(random);
        DetectorState zeros = unknown.copy();
        long t = T0 + 2 * DAY + 6 * HOUR; // six hours after the last bucket
        Step afterUnknown = detector.update(unknown, t, MINUTE, 20, -1, false);
        Step afterZeros = detector.update(zeros, t, MINUTE, 20, -1, true);
        assertThat(afterUnknown.baseline()).isBetween(17.0, 23.0); // nothing was replayed
        assertThat(afterZeros.baseline()).isLessThan(15.0);         // six hours of zeros: half a half-life down
        assertThat(unknown.bucketsSeen).isEqualTo(2 * 24 * 60 + 1);
        assertThat(zeros.bucketsSeen).isEqualTo(2 * 24 * 60 + 6 * 60 + 1); // 360 zeros replayed, then this one
    }

    /** A measurement around 50 with Gaussian noise of 1, in 5-minute buckets, plus {@code shift(t)}. */
    private List<Step> feedMeasurement(DetectorState state, long from, long to, Random random,
            LongToDoubleFunction shift) {
        List<Step> steps = new ArrayList<>();
        for (long t = from; t < to; t += 5 * MINUTE) {
            double v = 50 + random.nextGaussian() + shift.applyAsDouble(t);
            steps.add(detector.update(state, t, 5 * MINUTE, v, -1, false));
        }
        return steps;
    }

    @Test
    void shouldFindAShiftNoSingleBucketShowsByItsLikelihood() {
        Random random = new Random(21);
        DetectorState state = new DetectorState();
        long shiftAt = T0 + 6 * DAY;
        feedMeasurement(state, T0, shiftAt, random, t -> 0);
        double record = state.recordScore;
        // 1.5 noise units up for three hours: no bucket beats the record of six days of noise (about 3), and the
        // sustained evidence (slack 1, threshold 25) would need 50 buckets; the short mean of the scores is five of
        // its own standard deviations out within a dozen or so (without the likelihood nothing opens in these 36).
        List<Step> shifted = feedMeasurement(state, shiftAt, shiftAt + 3 * HOUR, random, t -> 1.5);
        int opened = indexOf(shifted, Transition.OPEN);
        assertThat(opened).as("buckets into the shift").isBetween(0, 24);
        assertThat(shifted.subList(0, opened + 1)).allMatch(s -> s.score() < record);
    }

    @Test
    void shouldLearnTheLikelihoodAnewInAStateRestoredFromAReleaseWithoutIt() {
        Random random = new Random(22);
        DetectorState state = new DetectorState();
        feedMeasurement(state, T0, T0 + 6 * DAY, random, t -> 0);
        // A snapshot of the release before restores these as 0 (PojoSerializer: a field added since).
        DetectorState restored = state.copy();
        restored.likelihoodShortMean = 0;
        restored.likelihoodMean = 0;
        restored.likelihoodVariance = 0;
        restored.likelihoodBuckets = 0;
        restored.spreadShortMean = 0;
        restored.spreadMean = 0;
        restored.spreadVariance = 0;
        restored.spreadBuckets = 0;
        List<Step> steps = feedMeasurement(restored, T0 + 6 * DAY, T0 + 10 * DAY, random, t -> 0);
        // Nothing opens or drops on the noise while the statistics are learned again (a variance of a few
        // buckets would make every wobble "unlikely"), and they are learned within the three days they wait.
        assertThat(steps).noneMatch(s -> s.opened() || s.drop());
        assertThat(restored.likelihoodBuckets).isEqualTo(4 * 24 * 12);
        assertThat(Math.sqrt(restored.likelihoodVariance)).isBetween(0.1, 0.6);
        assertThat(restored.spreadBuckets).isEqualTo(4 * 24 * 12);
        assertThat(restored.spreadMean).isBetween(0.5, 1.5); // squared scores of unit noise
    }

    @Test
    void shouldFindAChangeOfScatterByTheSpreadLikelihood() {
        Random random = new Random(27);
        DetectorState state = new DetectorState();
        long from = T0 + 6 * DAY;
        feedMeasurement(state, T0, from, random, t -> 0);
        // The same level, but the sensor starts to swing: 1.5 noise units up, then down, bucket after bucket. The
        // mean score stays near 0 (the likelihood of the level sees nothing), no bucket is an outlier (no burst
        // evidence, no record), but the short mean of the squared scores is far out of its own range.
        List<Step> steps = feedMeasurement(state, from, from + 4 * HOUR, random,
                t -> (t - from) / (5 * MINUTE) % 2 == 0 ? 1.5 : -1.5);
        int opened = indexOf(steps, Transition.OPEN);
        assertThat(opened).as("buckets into the change").isBetween(0, 12);
        assertThat(steps.subList(0, opened + 1)).allMatch(s -> Math.abs(s.score()) < SpikeDetector.OUTLIER);
    }

    @Test
    void shouldNotTakeOneRoutineBucketForAShiftOfManyBuckets() {
        Random random = new Random(31);
        DetectorState state = new DetectorState();
        List<Step> steps = new ArrayList<>();
        // A CPU idle at 0.066 or 0.134 (its sampling's steps), and one bucket at about 1.4 every night at 03:30
        // (ec2_cpu_utilization_c6585a's routine). The routine bar learns the nightly bucket within days; the
        // likelihood and the spread, which are not held to that bar, moved by that one clipped bucket alone, fired
        // on it night after night before they were kept to shifts of more than one bucket.
        for (long t = T0; t < T0 + 14 * DAY; t += 5 * MINUTE) {
            boolean nightly = Math.floorMod(t, DAY) == 3 * HOUR + 30 * MINUTE;
            double v = nightly ? 1.4 + 0.2 * random.nextDouble() : random.nextInt(4) == 0 ? 0.134 : 0.066;
            steps.add(detector.update(state, t, 5 * MINUTE, v, -1, false));
        }
        int afterWarmUp = (int) (3 * DAY / (5 * MINUTE));
        assertThat(opened(steps.subList(afterWarmUp, steps.size()))).isEmpty();
        assertThat(steps.subList(afterWarmUp, steps.size())).noneMatch(Step::drop);
    }

    @Test
    void shouldFindASecondAnomalyOnAMeasurementDaysAfterALargerOne() {
        Random random = new Random(24);
        DetectorState state = new DetectorState();
        long first = T0 + 6 * DAY;
        feedMeasurement(state, T0, first, random, t -> 0);
        double before = Math.sqrt(2 * state.burstiness);
        // A large anomaly (+30, a few hours), then four days later a smaller one (+8 for an hour).
        List<Step> large = feedMeasurement(state, first, first + 4 * DAY, random,
                t -> t < first + 3 * HOUR ? 30 : 0);
        assertThat(large).anyMatch(Step::opened);
        double after = Math.sqrt(2 * state.burstiness);
        List<Step> second = feedMeasurement(state, first + 4 * DAY, first + 4 * DAY + 2 * HOUR, random,
                t -> t < first + 4 * DAY + HOUR ? 8 : 0);
        // The large one taught the burstiness no more than a routine day's maximum: the bar is where it was, and
        // the smaller one (about 8 noise units) opens within a few buckets. With the 20x clip alone the factor
        // rose to about 4 and it was not found.
        assertThat(after).isLessThan(1.25 * before);
        assertThat(indexOf(second, Transition.OPEN)).isBetween(0, 6);
    }

    @Test
    void shouldOpenOnAMeasurementThatBeatsItsOwnRecordOnceItHasHadADay() {
        Random random = new Random(14);
        DetectorState state = new DetectorState();
        long t = T0;
        // A spiky measurement: idle near 0.05, and every two hours a spike to 2 (its routine, ~25 noise units up).
        List<Step> routine = new ArrayList<>();
        for (int i = 0; t < T0 + 3 * DAY; t += 5 * MINUTE, i++) {
            double v = i % 24 == 0 ? 2.0 + random.nextGaussian() * 0.05 : 0.05 + Math.abs(random.nextGaussian()) * 0.01;
            routine.add(detector.update(state, t, 5 * MINUTE, v, -1, false));
        }
        // After its first day the routine spikes seldom open: only one that happens to beat every earlier one (an
        // iid series breaks its record about ln n times), while the burstiness has learned them.
        assertThat(opened(routine.subList(24 * 12, routine.size()))).hasSizeLessThanOrEqualTo(2);
        assertThat(state.recordScore).isGreaterThan(DetectorSettings.DEFAULTS.burstSlack());
        // A spike to 20, ten times the routine one, beats the record: it opens at once.
        double record = state.recordScore;
        Step big = detector.update(state, t, 5 * MINUTE, 20, -1, false);
        assertThat(big.score()).isGreaterThan(record);
        assertThat(big.transition()).isEqualTo(Transition.OPEN);
    }

    @Test
    void shouldRefuseInvalidInputAndSettingsWithClearMessages() {
        DetectorState state = new DetectorState();
        assertThatThrownBy(() -> detector.update(state, T0, 0, 1, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("bucketMillis must be > 0, got 0");
        assertThatThrownBy(() -> detector.update(state, T0, MINUTE, Double.POSITIVE_INFINITY, -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("value must be a finite number, got Infinity");
        assertThatThrownBy(() -> detector.update(state, T0, MINUTE, Double.NaN, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got NaN");
        assertThat(state.bucketsSeen).isZero();
        DetectorSettings d = DetectorSettings.DEFAULTS;
        assertThatThrownBy(() -> new DetectorSettings(Duration.ZERO, d.dailyHalfLife(), d.weeklyHalfLife(),
                d.noiseHalfLife(), d.burstinessHalfLife(), d.warmupBuckets(), d.burstSlack(), d.burstThreshold(),
                d.sustainedSlack(), d.sustainedThreshold(), d.closeScore(), d.closeAfterBuckets(), d.cooldown(),
                d.minVolume(), d.minUniqueAuthors(), d.minRatio()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("baselineHalfLife must be a duration > 0, got PT0S");
        assertThatThrownBy(() -> new DetectorSettings(d.baselineHalfLife(), d.dailyHalfLife(), d.weeklyHalfLife(),
                d.noiseHalfLife(), d.burstinessHalfLife(), d.warmupBuckets(), d.burstSlack(), d.burstThreshold(),
                d.sustainedSlack(), d.sustainedThreshold(), d.closeScore(), d.closeAfterBuckets(), d.cooldown(),
                d.minVolume(), d.minUniqueAuthors(), 0.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("minRatio must be a finite number >= 1, got 0.5");
        assertThatThrownBy(() -> new DetectorSettings(d.baselineHalfLife(), d.dailyHalfLife(), d.weeklyHalfLife(),
                d.noiseHalfLife(), d.burstinessHalfLife(), d.warmupBuckets(), d.burstSlack(), d.burstThreshold(),
                d.sustainedSlack(), d.sustainedThreshold(), 2.0, d.closeAfterBuckets(), d.cooldown(),
                d.minVolume(), d.minUniqueAuthors(), d.minRatio()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("closeScore must be a finite number at most the smaller slack (1.0), got 2.0");
    }

    private static int indexOf(List<Step> steps, Transition t) {
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).transition() == t) {
                return i;
            }
        }
        return -1;
    }
}

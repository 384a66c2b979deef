package io.discoursetrends.spikes;

import io.discoursetrends.buckets.TrendBucket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Cross-platform divergence: a topic that spikes on one platform while another platform with enough volume on
 * that topic stays at its baseline (r/LocalLLaMA lighting up while Bluesky stays quiet). Keyed by topic.
 *
 * <p>A platform is quiet for a spike on another platform if it had no spike open at any bucket of the spike's
 * life so far ({@code started_at} to {@code updated_at}) and, at its own latest bucket up to {@code recent}
 * before the spike's latest one, the detector expected at least {@code minBaseline} posts per bucket from it
 * (it usually talks about the topic).
 *
 * <p>Deterministic whatever the interleaving of platforms: each spike document waits until the watermark passes
 * the end of its latest bucket, by when the {@link SpikeDetectionFunction.Pulse}s of every platform up to that
 * bucket have arrived (a pulse is emitted before the watermark that completes its bucket moves on). State per
 * topic and platform: the spells of spiking of the last day and the baselines of the last
 * {@value #KEPT_BASELINES} buckets.
 */
public final class DivergenceFunction
        extends KeyedCoProcessFunction<String, SpikeDocument, SpikeDetectionFunction.Pulse, SpikeDocument> {
    private static final long serialVersionUID = 1L;
    static final int KEPT_BASELINES = 64;
    private static final long FORGET_AFTER = Duration.ofDays(1).toMillis();

    private final double minBaseline;
    private final long bucketMillis;
    private final long recentMillis;

    private transient MapState<String, Track> tracks;
    private transient MapState<String, SpikeDocument> waiting;

    /** What one platform did on this topic lately. A Flink POJO of arrays. */
    public static class Track {
        /** Spells of consecutive spiking buckets: starts and ends (bucket starts), oldest first. */
        public long[] spellFrom = new long[0];
        public long[] spellTo = new long[0];
        /** The latest buckets' starts and the baseline the detector expected for each, oldest first. */
        public long[] bucketAt = new long[0];
        public double[] baseline = new double[0];

        public Track() {}

        void add(SpikeDetectionFunction.Pulse p, long bucketMillis) {
            int n = bucketAt.length;
            int keep = Math.min(n, KEPT_BASELINES - 1);
            long[] at = new long[keep + 1];
            double[] base = new double[keep + 1];
            System.arraycopy(bucketAt, n - keep, at, 0, keep);
            System.arraycopy(baseline, n - keep, base, 0, keep);
            at[keep] = p.bucketStartMillis();
            base[keep] = p.baseline();
            bucketAt = at;
            baseline = base;
            if (p.spiking()) {
                int s = spellTo.length;
                if (s > 0 && spellTo[s - 1] >= p.bucketStartMillis() - bucketMillis) {
                    spellTo[s - 1] = Math.max(spellTo[s - 1], p.bucketStartMillis());
                } else {
                    spellFrom = append(spellFrom, p.bucketStartMillis());
                    spellTo = append(spellTo, p.bucketStartMillis());
                }
            }
        }

        boolean spikedBetween(long from, long to) {
            for (int i = 0; i < spellFrom.length; i++) {
                if (spellFrom[i] <= to && spellTo[i] >= from) {
                    return true;
                }
            }
            return false;
        }

        /** The baseline at this platform's latest bucket in {@code [at - window, at]}; NaN if it had none. */
        double baselineAt(long at, long window) {
            for (int i = bucketAt.length - 1; i >= 0; i--) {
                if (bucketAt[i] <= at) {
                    return bucketAt[i] >= at - window ? baseline[i] : Double.NaN;
                }
            }
            return Double.NaN;
        }

        boolean forget(long before) {
            int keep = 0;
            while (keep < spellTo.length && spellTo[keep] < before) {
                keep++;
            }
            if (keep > 0) {
                spellFrom = java.util.Arrays.copyOfRange(spellFrom, keep, spellFrom.length);
                spellTo = java.util.Arrays.copyOfRange(spellTo, keep, spellTo.length);
            }
            return bucketAt.length == 0 || bucketAt[bucketAt.length - 1] < before;
        }

        private static long[] append(long[] a, long v) {
            long[] out = java.util.Arrays.copyOf(a, a.length + 1);
            out[a.length] = v;
            return out;
        }
    }

    /**
     * @param recent how far before a spike's latest bucket a platform's latest bucket may be for its baseline to
     *     count (a platform with no bucket that recently has no recent volume to be quiet with)
     */
    public DivergenceFunction(double minBaseline, Duration bucketSize, Duration recent) {
        this.minBaseline = minBaseline;
        this.bucketMillis = bucketSize.toMillis();
        this.recentMillis = recent.toMillis();
    }

    @Override
    public void open(OpenContext context) {
        tracks = getRuntimeContext().getMapState(new MapStateDescriptor<>("platform-tracks", Types.STRING,
                TypeInformation.of(Track.class)));
        waiting = getRuntimeContext().getMapState(new MapStateDescriptor<>("waiting-spikes", Types.STRING,
                TypeInformation.of(SpikeDocument.class)));
    }

    @Override
    public void processElement1(SpikeDocument spike, Context ctx, Collector<SpikeDocument> out) throws Exception {
        if (TrendBucket.ALL_PLATFORMS.equals(spike.platform())) {
            out.collect(spike);
            return;
        }
        waiting.put(spike.spikeId() + "@" + spike.updatedAtMillis(), spike);
        ctx.timerService().registerEventTimeTimer(spike.updatedAtMillis() + bucketMillis - 1);
    }

    @Override
    public void processElement2(SpikeDetectionFunction.Pulse pulse, Context ctx, Collector<SpikeDocument> out)
            throws Exception {
        if (TrendBucket.ALL_PLATFORMS.equals(pulse.platform())) {
            return;
        }
        Track t = tracks.get(pulse.platform());
        if (t == null) {
            t = new Track();
        }
        t.add(pulse, bucketMillis);
        tracks.put(pulse.platform(), t);
        ctx.timerService().registerEventTimeTimer(pulse.bucketStartMillis() + FORGET_AFTER);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<SpikeDocument> out) throws Exception {
        List<SpikeDocument> ready = new ArrayList<>();
        for (SpikeDocument s : waiting.values()) {
            if (s.updatedAtMillis() + bucketMillis - 1 <= timestamp) {
                ready.add(s);
            }
        }
        ready.sort(Comparator.comparingLong(SpikeDocument::updatedAtMillis).thenComparing(SpikeDocument::spikeId));
        for (SpikeDocument s : ready) {
            waiting.remove(s.spikeId() + "@" + s.updatedAtMillis());
            out.collect(s.withQuietPlatforms(quiet(s)));
        }
        List<String> stale = new ArrayList<>();
        for (Map.Entry<String, Track> e : tracks.entries()) {
            if (e.getValue().forget(timestamp - FORGET_AFTER + 1)) {
                stale.add(e.getKey());
            } else {
                tracks.put(e.getKey(), e.getValue());
            }
        }
        for (String platform : stale) {
            tracks.remove(platform);
        }
    }

    private String[] quiet(SpikeDocument s) throws Exception {
        List<String> quiet = new ArrayList<>();
        for (Map.Entry<String, Track> e : tracks.entries()) {
            Track t = e.getValue();
            double baseline = t.baselineAt(s.updatedAtMillis(), recentMillis);
            if (!e.getKey().equals(s.platform()) && baseline >= minBaseline
                    && !t.spikedBetween(s.startedAtMillis(), s.updatedAtMillis())) {
                quiet.add(e.getKey());
            }
        }
        quiet.sort(null);
        return quiet.toArray(new String[0]);
    }
}

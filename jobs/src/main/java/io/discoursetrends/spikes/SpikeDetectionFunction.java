package io.discoursetrends.spikes;

import io.discoursetrends.buckets.TrendBucket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Runs the {@link SpikeDetector} over each topic x platform key's completed buckets (posts per bucket) and
 * explains what it finds. Keyed by {@code topic|platform}; the events calendar arrives as broadcast state.
 *
 * <ul>
 *   <li>Every completed bucket updates the key's detector once; the rewrites of a bucket by late events are
 *       ignored (the detector has moved on). The topic {@code _all} is not a topic and is not watched.</li>
 *   <li>A spike's document is written when it opens, at every bucket while it is open and when it closes:
 *       peak, baseline, ratio, score, severity, its posts and engagement, the posts with the most engagement,
 *       its distinctive terms against the topic's usual ones, and the calendar event it started near (an event
 *       on this topic from {@code linkBefore} before to {@code linkAfter} after the spike's start).</li>
 *   <li>A topic that goes quiet during a spike emits no buckets: a timer feeds the detector empty buckets, so
 *       the spike still closes.</li>
 *   <li>Each bucket also leaves a {@link Pulse} ({@link #PULSES}) for the cross-platform divergence check, and
 *       for each calendar event that concerns this key's topic (any of its topics), the event's impact on this
 *       topic and platform ({@link #IMPACTS}) is measured over the 48 hours after it against the baseline the
 *       detector expected.</li>
 *   <li>A key without buckets for {@code idleTtl} is forgotten (event-time timer), unless a spike is open.</li>
 * </ul>
 */
public final class SpikeDetectionFunction
        extends KeyedBroadcastProcessFunction<String, TrendBucket, CalendarEvent, SpikeDocument> {
    private static final long serialVersionUID = 1L;

    public static final MapStateDescriptor<String, CalendarEvent> CALENDAR = new MapStateDescriptor<>("calendar",
            Types.STRING, TypeInformation.of(CalendarEvent.class));
    public static final OutputTag<Pulse> PULSES = new OutputTag<>("pulses") {};
    public static final OutputTag<EventImpact> IMPACTS = new OutputTag<>("event-impacts") {};

    static final long IMPACT_WINDOW_MILLIS = Duration.ofHours(48).toMillis();
    static final int TOP_POSTS = 5;
    static final int TOP_TERMS = 10;
    private static final long DAY = Duration.ofDays(1).toMillis();
    /** Empty buckets fed at once when a spiking topic has gone quiet. */
    private static final int QUIET_STEP_BUCKETS = 5;
    /** Buckets remembered for a spike's start: the detector reports bursts up to a few buckets back. */
    private static final int RECENT_BUCKETS = 4;

    private final DetectorSettings settings;
    private final CalendarEvent[] initialCalendar;
    private final long linkBeforeMillis;
    private final long linkAfterMillis;
    private final long idleTtlMillis;
    private final long bucketMillis;

    private transient SpikeDetector detector;
    private transient ValueState<DetectorState> detectorState;
    private transient ValueState<SpikeState.Explanation> explanation;
    private transient ValueState<SpikeState.History> history;
    private transient MapState<String, SpikeState.Impact> impacts;
    private transient ValueState<TrendBucket[]> recent;
    private transient Counter opened;
    private transient Counter closed;

    public SpikeDetectionFunction(DetectorSettings settings, Duration bucketSize, List<CalendarEvent> initialCalendar,
            Duration linkBefore, Duration linkAfter, Duration idleTtl) {
        this.bucketMillis = bucketSize.toMillis();
        this.settings = settings;
        this.initialCalendar = initialCalendar.toArray(new CalendarEvent[0]);
        this.linkBeforeMillis = linkBefore.toMillis();
        this.linkAfterMillis = linkAfter.toMillis();
        this.idleTtlMillis = idleTtl.toMillis();
    }

    @Override
    public void open(OpenContext context) {
        detector = new SpikeDetector(settings);
        detectorState = getRuntimeContext().getState(new ValueStateDescriptor<>("detector", DetectorState.class));
        explanation = getRuntimeContext().getState(
                new ValueStateDescriptor<>("explanation", SpikeState.Explanation.class));
        history = getRuntimeContext().getState(new ValueStateDescriptor<>("history", SpikeState.History.class));
        impacts = getRuntimeContext().getMapState(new MapStateDescriptor<>("impacts", Types.STRING,
                TypeInformation.of(SpikeState.Impact.class)));
        recent = getRuntimeContext().getState(new ValueStateDescriptor<>("recent-buckets",
                TypeInformation.of(TrendBucket[].class)));
        opened = getRuntimeContext().getMetricGroup().counter("spikesOpened");
        closed = getRuntimeContext().getMetricGroup().counter("spikesClosed");
    }

    @Override
    public void processElement(TrendBucket b, ReadOnlyContext ctx, Collector<SpikeDocument> out) throws Exception {
        if (!b.complete() || TrendBucket.ALL_TOPICS.equals(b.topic())) {
            return;
        }
        DetectorState st = detectorState.value();
        if (st == null) {
            st = new DetectorState();
        } else if (b.bucketStartMillis() <= st.lastBucketStartMillis) {
            return; // a bucket rewritten for a late event: the detector has seen it already
        }
        long size = bucketMillis;
        Step step = detector.update(st, b.bucketStartMillis(), size, b.posts(), b.uniqueAuthors());
        detectorState.update(st);
        SpikeState.History h = history.value();
        if (h == null) {
            h = new SpikeState.History();
        }
        double termDecay = Math.pow(0.5, (double) size / DAY);
        h.adoptLegacyTerms(termDecay); // a state from before the term sketch: once
        Map<String, CalendarEvent> calendar = calendar(ctx.getBroadcastState(CALENDAR));
        onStep(step, b, h, calendar, out);
        if (!step.spikeOpen()) {
            h.learn(b, termDecay, Math.min(1, (double) size / Duration.ofHours(6).toMillis()));
        } else {
            h.lastBucketMillis = b.bucketStartMillis(); // a spike's buckets are not quiet minutes to learn from
        }
        history.update(h);
        remember(b);
        ctx.output(PULSES, new Pulse(b.topic(), b.platform(), b.bucketStartMillis(), b.posts(), step.baseline(),
                step.score(), step.spikeOpen()));
        measureImpacts(b, step, h, calendar, ctx);
        if (step.spikeOpen()) {
            // If the topic falls silent, no bucket comes to close the spike: check after a few empty buckets.
            ctx.timerService().registerEventTimeTimer(b.bucketStartMillis() + (QUIET_STEP_BUCKETS + 1) * size - 1);
        }
        ctx.timerService().registerEventTimeTimer(roundUpToDay(b.bucketStartMillis() + idleTtlMillis));
    }

    private void onStep(Step step, TrendBucket b, SpikeState.History h, Map<String, CalendarEvent> calendar,
            Collector<SpikeDocument> out) throws Exception {
        switch (step.transition()) {
            case OPEN -> {
                opened.inc();
                SpikeState.Explanation e = new SpikeState.Explanation();
                e.event = link(calendar, b.topic(), step.startedAtMillis());
                // The burst may have begun a bucket or two before the detector was sure: those count too.
                TrendBucket[] before = recent.value();
                if (before != null) {
                    for (TrendBucket r : before) {
                        if (r.bucketStartMillis() >= step.startedAtMillis()) {
                            e.add(r);
                        }
                    }
                }
                e.add(b);
                explanation.update(e);
                out.collect(document(b.topic(), b.platform(), step, b.bucketStartMillis(), e, h));
            }
            case UPDATE -> {
                SpikeState.Explanation e = explanation.value();
                if (e == null) {
                    e = new SpikeState.Explanation();
                }
                e.add(b);
                explanation.update(e);
                out.collect(document(b.topic(), b.platform(), step, b.bucketStartMillis(), e, h));
            }
            case CLOSE -> close(b.topic(), b.platform(), step, b.bucketStartMillis(), h, out);
            case NONE -> { }
        }
    }

    /** The last few buckets, so a spike that opens can count the buckets its burst began in. */
    private void remember(TrendBucket b) throws Exception {
        TrendBucket[] before = recent.value();
        int n = before == null ? 0 : Math.min(before.length, RECENT_BUCKETS - 1);
        TrendBucket[] next = new TrendBucket[n + 1];
        if (n > 0) {
            System.arraycopy(before, before.length - n, next, 0, n);
        }
        next[n] = b;
        recent.update(next);
    }

    private void close(String topic, String platform, Step step, long at, SpikeState.History h,
            Collector<SpikeDocument> out) throws Exception {
        closed.inc();
        SpikeState.Explanation e = explanation.value();
        out.collect(document(topic, platform, step, at, e == null ? new SpikeState.Explanation() : e, h));
        explanation.clear();
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<SpikeDocument> out) throws Exception {
        DetectorState st = detectorState.value();
        if (st == null) {
            return;
        }
        String key = ctx.getCurrentKey();
        int bar = key.indexOf('|');
        String topic = key.substring(0, bar);
        String platform = key.substring(bar + 1);
        long size = bucketMillis;
        if (st.open && timestamp >= st.lastBucketStartMillis + (QUIET_STEP_BUCKETS + 1) * size - 1) {
            // Empty buckets up to this time: the detector replays the gap and may close the spike.
            long emptyStart = ((timestamp + 1) / size - 1) * size;
            Step step = detector.update(st, emptyStart, size, 0, 0);
            detectorState.update(st);
            SpikeState.History h = history.value();
            if (h != null) {
                h.adoptLegacyTerms(Math.pow(0.5, (double) size / DAY));
            }
            if (step.transition() == Transition.CLOSE) {
                close(topic, platform, step, emptyStart, h == null ? new SpikeState.History() : h, out);
            } else if (st.open) {
                ctx.timerService().registerEventTimeTimer(emptyStart + (QUIET_STEP_BUCKETS + 1) * size - 1);
            }
        }
        completeImpacts(timestamp, topic, platform, ctx);
        if (!st.open && timestamp >= st.lastBucketStartMillis + idleTtlMillis) {
            detectorState.clear();
            explanation.clear();
            recent.clear();
            history.clear();
            impacts.clear();
        }
    }

    private SpikeDocument document(String topic, String platform, Step step, long updatedAt, SpikeState.Explanation e,
            SpikeState.History h) {
        boolean open = step.transition() != Transition.CLOSE;
        return new SpikeDocument(topic, platform, open, step.startedAtMillis(), updatedAt, step.peakAtMillis(),
                open ? -1 : step.endedAtMillis(), step.peak(), step.baselineAtStart(), step.peakRatio(),
                step.peakScore(), step.severity().name().toLowerCase(Locale.ROOT), e.posts, e.engagement,
                e.maxAuthors, e.topPosts(TOP_POSTS),
                DistinctiveTerms.of(e.terms, e.termCounts, h::termWeight, h.termMass(), TOP_TERMS), e.event,
                new String[0]);
    }

    /** The calendar event on this topic nearest to the spike's start, within the link window. */
    private CalendarEvent link(Map<String, CalendarEvent> calendar, String topic, long startedAt) {
        CalendarEvent best = null;
        for (CalendarEvent ev : calendar.values()) {
            if (ev.concerns(topic) && startedAt >= ev.timeMillis() - linkBeforeMillis
                    && startedAt <= ev.timeMillis() + linkAfterMillis
                    && (best == null || Math.abs(startedAt - ev.timeMillis()) < Math.abs(startedAt - best.timeMillis()))) {
                best = ev;
            }
        }
        return best;
    }

    /** The configured calendar, with what arrived on the control topic replacing it by id. */
    private Map<String, CalendarEvent> calendar(ReadOnlyBroadcastState<String, CalendarEvent> state)
            throws Exception {
        Map<String, CalendarEvent> all = new HashMap<>();
        for (CalendarEvent e : initialCalendar) {
            all.put(e.id(), e);
        }
        for (Map.Entry<String, CalendarEvent> e : state.immutableEntries()) {
            all.put(e.getKey(), e.getValue());
        }
        return all;
    }

    private void measureImpacts(TrendBucket b, Step step, SpikeState.History h, Map<String, CalendarEvent> calendar,
            ReadOnlyContext ctx) throws Exception {
        long start = b.bucketStartMillis();
        for (CalendarEvent ev : calendar.values()) {
            if (!ev.concerns(b.topic()) || start < ev.timeMillis()
                    || start >= ev.timeMillis() + IMPACT_WINDOW_MILLIS) {
                continue;
            }
            SpikeState.Impact im = impacts.get(ev.id());
            if (im == null) {
                im = new SpikeState.Impact();
                im.eventId = ev.id();
                // What the detector expected for the first bucket after the event: the usual level at that hour.
                im.baselinePosts = step.baseline();
                im.baselineEngagement = h.engagementLevel;
                ctx.timerService().registerEventTimeTimer(ev.timeMillis() + IMPACT_WINDOW_MILLIS);
            }
            // Minutes without posts on the topic have no bucket: they count as zeros against the baseline.
            im.addEmptyUntil(start, firstBucketAfter(ev.timeMillis()), bucketMillis);
            im.add(start, b.posts(), b.engagement());
            impacts.put(ev.id(), im);
            ctx.output(IMPACTS, impact(ev, b.topic(), b.platform(), im, false));
        }
    }

    private void completeImpacts(long timestamp, String topic, String platform, OnTimerContext ctx)
            throws Exception {
        List<String> done = new ArrayList<>();
        Map<String, CalendarEvent> calendar = calendar(ctx.getBroadcastState(CALENDAR));
        for (Iterator<Map.Entry<String, SpikeState.Impact>> it = impacts.iterator(); it.hasNext(); ) {
            Map.Entry<String, SpikeState.Impact> e = it.next();
            CalendarEvent ev = calendar.get(e.getKey());
            if (ev == null || timestamp >= ev.timeMillis() + IMPACT_WINDOW_MILLIS) {
                if (ev != null) {
                    SpikeState.Impact im = e.getValue();
                    // At the end of a bounded input (a replay, the demo) the watermark jumps to the end of time:
                    // the rest of the window was not seen, not silent. Report what was seen, not complete.
                    boolean endOfInput = ctx.timerService().currentWatermark() == Long.MAX_VALUE;
                    if (!endOfInput) {
                        im.addEmptyUntil(firstBucketAfter(ev.timeMillis() + IMPACT_WINDOW_MILLIS),
                                firstBucketAfter(ev.timeMillis()), bucketMillis);
                    }
                    ctx.output(IMPACTS, impact(ev, topic, platform, im, !endOfInput));
                }
                done.add(e.getKey());
            }
        }
        for (String id : done) {
            impacts.remove(id);
        }
    }

    private static EventImpact impact(CalendarEvent ev, String topic, String platform, SpikeState.Impact im,
            boolean complete) {
        return new EventImpact(ev, topic, platform, complete, im.baselinePosts, im.baselineEngagement, im.peakPosts,
                im.peakAtMillis, im.excessPosts, im.excessEngagement, im.halfLifeMinutes);
    }

    @Override
    public void processBroadcastElement(CalendarEvent event, Context ctx, Collector<SpikeDocument> out)
            throws Exception {
        ctx.getBroadcastState(CALENDAR).put(event.id(), event);
    }

    /** Start of the first bucket that starts at or after {@code millis}. */
    private long firstBucketAfter(long millis) {
        return Math.floorDiv(millis + bucketMillis - 1, bucketMillis) * bucketMillis;
    }

    private static long roundUpToDay(long millis) {
        return Math.floorDiv(millis + DAY - 1, DAY) * DAY;
    }

    /** One bucket of one key as the divergence check sees it: was the platform at its baseline? */
    public record Pulse(String topic, String platform, long bucketStartMillis, double value, double baseline,
            double score, boolean spiking) {}
}

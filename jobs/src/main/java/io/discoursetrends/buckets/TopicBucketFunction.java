package io.discoursetrends.buckets;

import io.discoursetrends.engagement.AttributedEvent;
import io.discoursetrends.model.Platform;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Event-time tumbling buckets of one topic (keyed by topic), per platform and for all platforms, with allowed
 * lateness and early results.
 *
 * <ul>
 *   <li>An event goes to the bucket of its time and its platform. When the watermark passes the bucket's end,
 *       the bucket is emitted as {@code complete}: one document per platform that had events, and one for all
 *       platforms.</li>
 *   <li>A late event (its bucket already emitted) within {@code allowedLateness} updates the bucket, whose
 *       platform and all-platforms documents are emitted again at once (once per batch) under the same ids: the
 *       last write is always the corrected one.</li>
 *   <li>Later than that, the bucket's state is gone: the event goes to {@link #TOO_LATE} (counted in
 *       {@code tooLateEvents}). Each event reaches the key of each of its topics and of
 *       {@link TrendBucket#ALL_TOPICS}; only the latter reports it, so the late-data topic holds it once.</li>
 *   <li>Every {@code earlyResultInterval} of processing time, open buckets that changed are emitted with
 *       {@code complete=false}, so dashboards move within seconds rather than at the end of each bucket.</li>
 * </ul>
 *
 * <p>Events arrive in batches per topic ({@link TopicBatcher}). Only the platforms are counted per event; the
 * all-platforms document is composed from them when it is written ({@link BucketAccumulator#combined}).
 * Keying by topic rather than topic x platform, and composing rather than counting twice, halves both the
 * copies of each event sent to this stage and the sketch updates.
 *
 * <p>Per key, state is one accumulator per open bucket and platform (at most (lateness/size + 2) x 4 of them)
 * and two event-time timers per bucket (emit, clean up); everything is cleared once the watermark passes
 * end + lateness. A hand-made keyed function rather than Flink's window operator because the accumulator needs
 * its own serializer and the early-result, late-update and too-late rules above in one place.
 */
public final class TopicBucketFunction extends KeyedProcessFunction<String, TopicBatch, TrendBucket> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<AttributedEvent> TOO_LATE = new OutputTag<>("too-late-events") {};

    private static final Platform[] PLATFORMS = Platform.values();

    private final long sizeMillis;
    private final long lateness;
    private final long earlyIntervalMillis;
    private final int maxPostsPerAuthor;

    /** Key: {@link #slot} of a bucket's start and a platform. */
    private transient MapState<Long, BucketAccumulator> buckets;
    private transient Counter tooLate;
    private transient Counter lateUpdates;
    private transient Counter earlyResults;

    public TopicBucketFunction(Duration size, Duration allowedLateness, Duration earlyResultInterval,
            int maxPostsPerAuthor) {
        if (size.toMillis() <= 0) {
            throw new IllegalArgumentException("buckets.size must be positive");
        }
        if (allowedLateness.isNegative() || earlyResultInterval.isNegative()) {
            throw new IllegalArgumentException("buckets.allowed-lateness and buckets.early-results must not be "
                    + "negative");
        }
        if (maxPostsPerAuthor < 1) {
            throw new IllegalArgumentException("buckets.max-posts-per-author must be at least 1");
        }
        this.sizeMillis = size.toMillis();
        this.lateness = allowedLateness.toMillis();
        this.earlyIntervalMillis = earlyResultInterval.toMillis();
        this.maxPostsPerAuthor = maxPostsPerAuthor;
    }

    @Override
    public void open(OpenContext context) {
        buckets = getRuntimeContext().getMapState(new MapStateDescriptor<>("platform-buckets",
                LongSerializer.INSTANCE, BucketAccumulatorSerializer.INSTANCE));
        var metrics = getRuntimeContext().getMetricGroup();
        tooLate = metrics.counter("tooLateEvents");
        lateUpdates = metrics.counter("lateUpdates");
        earlyResults = metrics.counter("earlyResults");
    }

    @Override
    public void processElement(TopicBatch batch, Context ctx, Collector<TrendBucket> out) throws Exception {
        long watermark = ctx.timerService().currentWatermark();
        // Accumulators touched by this batch, written back once at the end; starts of fired buckets it updated.
        Map<Long, BucketAccumulator> touched = new HashMap<>();
        TreeSet<Long> lateStarts = new TreeSet<>();
        boolean open = false;
        for (AttributedEvent e : batch.events()) {
            long start = Math.floorDiv(e.timeMillis(), sizeMillis) * sizeMillis;
            long lastTimestamp = start + sizeMillis - 1;
            if (lastTimestamp + lateness <= watermark) {
                if (batch.reportsLateness()) {
                    tooLate.inc();
                    ctx.output(TOO_LATE, e);
                }
                continue;
            }
            long slot = slot(start, Platform.of(e.platform()));
            BucketAccumulator acc = touched.get(slot);
            if (acc == null) {
                acc = buckets.get(slot);
                if (acc == null) {
                    acc = new BucketAccumulator();
                    // Per bucket, not per platform: registering a timer that exists is a no-op.
                    ctx.timerService().registerEventTimeTimer(lastTimestamp);
                    ctx.timerService().registerEventTimeTimer(lastTimestamp + lateness);
                }
                touched.put(slot, acc);
            }
            acc.add(e, maxPostsPerAuthor);
            // The watermark passed the bucket's end: it fired, even if this is its platform's first event.
            if (acc.fired || lastTimestamp <= watermark) {
                lateUpdates.inc();
                lateStarts.add(start);
            } else {
                open = true;
            }
        }
        for (Map.Entry<Long, BucketAccumulator> t : touched.entrySet()) {
            buckets.put(t.getKey(), t.getValue());
        }
        for (long start : lateStarts) {
            emit(ctx.getCurrentKey(), start, true, out); // the corrected documents, at once
        }
        if (open && earlyIntervalMillis > 0) {
            long now = ctx.timerService().currentProcessingTime();
            // One timer per key and interval: registering the same time again is a no-op.
            ctx.timerService().registerProcessingTimeTimer((now / earlyIntervalMillis + 1) * earlyIntervalMillis);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<TrendBucket> out) throws Exception {
        boolean eventTime = ctx.timeDomain() == TimeDomain.EVENT_TIME;
        long watermark = ctx.timerService().currentWatermark();
        // The buckets with something to write now, by start; at most a few dozen entries per key.
        TreeMap<Long, Boolean> due = new TreeMap<>();
        List<Long> expired = new ArrayList<>();
        for (Map.Entry<Long, BucketAccumulator> entry : buckets.entries()) {
            long start = start(entry.getKey());
            BucketAccumulator acc = entry.getValue();
            long lastTimestamp = start + sizeMillis - 1;
            if (eventTime) {
                if (!acc.fired && lastTimestamp <= timestamp) {
                    due.put(start, true);
                }
                if (lastTimestamp + lateness <= timestamp) {
                    expired.add(entry.getKey());
                }
            } else if (acc.dirty && !acc.fired && lastTimestamp > watermark) {
                due.put(start, false);
            }
        }
        for (Map.Entry<Long, Boolean> d : due.entrySet()) {
            if (!d.getValue()) {
                earlyResults.inc();
            }
            emit(ctx.getCurrentKey(), d.getKey(), d.getValue(), out);
        }
        for (Long slot : expired) {
            buckets.remove(slot);
        }
    }

    /**
     * Writes the bucket starting at {@code start}: each platform's document that changed since it was last
     * written, and the all-platforms document. {@code complete} marks the bucket fired (the watermark passed its
     * end); an early result leaves it open.
     */
    private void emit(String topic, long start, boolean complete, Collector<TrendBucket> out) throws Exception {
        List<BucketAccumulator> platforms = new ArrayList<>(PLATFORMS.length);
        for (Platform p : PLATFORMS) {
            long slot = slot(start, p);
            BucketAccumulator acc = buckets.get(slot);
            if (acc == null) {
                continue;
            }
            platforms.add(acc);
            if (acc.dirty || complete && !acc.fired) {
                out.collect(acc.result(topic, p.id(), start, start + sizeMillis, complete));
            }
            acc.dirty = false;
            acc.fired |= complete;
            buckets.put(slot, acc);
        }
        out.collect(BucketAccumulator.combined(platforms, topic, start, start + sizeMillis, complete));
    }

    /** One map key per bucket and platform: the start (a multiple of the bucket size) times 8, plus the platform. */
    static long slot(long start, Platform platform) {
        return start * 8 + platform.ordinal();
    }

    static long start(long slot) {
        return Math.floorDiv(slot, 8);
    }
}

package io.discoursetrends.buckets;

import io.discoursetrends.engagement.AttributedEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * Event-time tumbling buckets per key {@code topic|platform}, with allowed lateness and early results.
 *
 * <ul>
 *   <li>An event goes to the bucket of its time. When the watermark passes the bucket's end, the bucket is
 *       emitted as {@code complete}.</li>
 *   <li>A late event (its bucket already emitted) within {@code allowedLateness} updates the bucket, which is
 *       emitted again at once under the same document id: the last write is always the corrected one.</li>
 *   <li>Later than that, the bucket's state is gone: the event goes to {@link #TOO_LATE} (counted in
 *       {@code tooLateEvents}). Each event reaches several keys (its topics, all topics; its platform, all
 *       platforms) but only its {@code _all|platform} key reports it, so the late-data topic holds it once.</li>
 *   <li>Every {@code earlyResultInterval} of processing time, open buckets that changed are emitted with
 *       {@code complete=false}, so dashboards move within seconds rather than at the end of each bucket.</li>
 * </ul>
 *
 * <p>Per key, state is one accumulator per open bucket (at most lateness/size + 2 of them) and two event-time
 * timers per bucket (emit, clean up); everything is cleared once the watermark passes end + lateness. A
 * hand-made keyed function rather than Flink's window operator because the accumulator needs its own
 * serializer and the early-result, late-update and too-late rules above in one place.
 */
public final class TopicBucketFunction extends KeyedProcessFunction<String, TopicContribution, TrendBucket> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<AttributedEvent> TOO_LATE = new OutputTag<>("too-late-events") {};

    private final long sizeMillis;
    private final long lateness;
    private final long earlyIntervalMillis;
    private final int maxPostsPerAuthor;

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
        buckets = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("buckets", LongSerializer.INSTANCE, BucketAccumulatorSerializer.INSTANCE));
        var metrics = getRuntimeContext().getMetricGroup();
        tooLate = metrics.counter("tooLateEvents");
        lateUpdates = metrics.counter("lateUpdates");
        earlyResults = metrics.counter("earlyResults");
    }

    @Override
    public void processElement(TopicContribution c, Context ctx, Collector<TrendBucket> out) throws Exception {
        AttributedEvent e = c.event();
        long start = Math.floorDiv(e.timeMillis(), sizeMillis) * sizeMillis;
        long lastTimestamp = start + sizeMillis - 1;
        long watermark = ctx.timerService().currentWatermark();
        if (lastTimestamp + lateness <= watermark) {
            if (c.reportsLateness()) {
                tooLate.inc();
                ctx.output(TOO_LATE, e);
            }
            return;
        }
        BucketAccumulator acc = buckets.get(start);
        if (acc == null) {
            acc = new BucketAccumulator();
            ctx.timerService().registerEventTimeTimer(lastTimestamp);
            ctx.timerService().registerEventTimeTimer(lastTimestamp + lateness);
        }
        acc.add(e, maxPostsPerAuthor);
        if (acc.fired) {
            lateUpdates.inc();
            acc.dirty = false;
            out.collect(acc.result(c.topic(), c.platform(), start, start + sizeMillis, true));
        } else if (earlyIntervalMillis > 0) {
            long now = ctx.timerService().currentProcessingTime();
            // One timer per key and interval: registering the same time again is a no-op.
            ctx.timerService().registerProcessingTimeTimer((now / earlyIntervalMillis + 1) * earlyIntervalMillis);
        }
        buckets.put(start, acc);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<TrendBucket> out) throws Exception {
        String key = ctx.getCurrentKey();
        int bar = key.indexOf('|');
        String topic = key.substring(0, bar);
        String platform = key.substring(bar + 1);
        boolean eventTime = ctx.timeDomain() == TimeDomain.EVENT_TIME;
        long watermark = ctx.timerService().currentWatermark();
        List<Long> expired = new ArrayList<>();
        for (Map.Entry<Long, BucketAccumulator> entry : buckets.entries()) {
            long start = entry.getKey();
            BucketAccumulator acc = entry.getValue();
            long lastTimestamp = start + sizeMillis - 1;
            if (eventTime) {
                if (!acc.fired && lastTimestamp <= timestamp) {
                    acc.fired = true;
                    acc.dirty = false;
                    out.collect(acc.result(topic, platform, start, start + sizeMillis, true));
                    entry.setValue(acc);
                }
                if (lastTimestamp + lateness <= timestamp) {
                    expired.add(start);
                }
            } else if (acc.dirty && !acc.fired && lastTimestamp > watermark) {
                earlyResults.inc();
                acc.dirty = false;
                out.collect(acc.result(topic, platform, start, start + sizeMillis, false));
                entry.setValue(acc);
            }
        }
        for (Long start : expired) {
            buckets.remove(start);
        }
    }
}

package io.discoursetrends.buckets;

import io.discoursetrends.engagement.AttributedEvent;
import io.discoursetrends.model.Platform;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyContext;
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
 *
 * <p>On a state backend that serializes (RocksDB), reading and writing a key's accumulators for every batch
 * decodes and encodes their sketches every time (most of this task's CPU there; docs/benchmarks.md, "Flink SQL
 * baseline and scaling"). There {@link TopicBucketOperator} has this function cache them, as Flink SQL's mini-batch
 * aggregation does: the accumulators of open buckets stay decoded on the heap between batches (at most
 * {@value #MAX_CACHED_ACCUMULATORS}, the least recently used keys written back beyond that) and are written back
 * before each checkpoint barrier; a bucket that fires (or is corrected by a late event) is written back at once
 * and leaves the cache. What is emitted, and what is in state at every checkpoint, is the same as without the
 * cache. On the heap backend and in batch execution mode it writes through: every call reads and writes state as
 * before.
 */
public final class TopicBucketFunction extends KeyedProcessFunction<String, TopicBatch, TrendBucket> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<AttributedEvent> TOO_LATE = new OutputTag<>("too-late-events") {};

    private static final Platform[] PLATFORMS = Platform.values();

    /**
     * Accumulators the cache holds at most. Only open buckets stay cached: about 210 topic keys x 1 or 2 open
     * minutes x up to 4 platforms at this job's taxonomy; at Bluesky's surge rate their accumulators are tens of
     * KB each (docs/benchmarks.md, "Sizing"), so the cache stays well under a hundred MB.
     */
    static final int MAX_CACHED_ACCUMULATORS = 4_096;

    private final long sizeMillis;
    private final long lateness;
    private final long earlyIntervalMillis;
    private final int maxPostsPerAuthor;
    private final int maxCached;

    /** Key: {@link #slot} of a bucket's start and a platform. */
    private transient MapState<Long, BucketAccumulator> buckets;
    private transient Counter tooLate;
    private transient Counter lateUpdates;
    private transient Counter earlyResults;
    /** Switches the key to write a cached key back; null: no cache, every call writes through. */
    private transient KeyContext keys;
    /** Per key, in order of use (least recently used first), its decoded accumulators. */
    private transient LinkedHashMap<String, KeySlots> cache;
    private transient int cached;

    public TopicBucketFunction(Duration size, Duration allowedLateness, Duration earlyResultInterval,
            int maxPostsPerAuthor) {
        this(size, allowedLateness, earlyResultInterval, maxPostsPerAuthor, MAX_CACHED_ACCUMULATORS);
    }

    /** With a smaller cache, so tests reach its limit with a few keys. */
    TopicBucketFunction(Duration size, Duration allowedLateness, Duration earlyResultInterval,
            int maxPostsPerAuthor, int maxCached) {
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
        this.maxCached = maxCached;
    }

    @Override
    public void open(OpenContext context) {
        buckets = getRuntimeContext().getMapState(new MapStateDescriptor<>("platform-buckets",
                LongSerializer.INSTANCE, BucketAccumulatorSerializer.INSTANCE));
        var metrics = getRuntimeContext().getMetricGroup();
        tooLate = metrics.counter("tooLateEvents");
        lateUpdates = metrics.counter("lateUpdates");
        earlyResults = metrics.counter("earlyResults");
        cache = new LinkedHashMap<>(16, 0.75f, true);
        cached = 0;
    }

    /**
     * Keeps the accumulators of the keys touched since they were last written back decoded on the heap, instead
     * of reading and writing them through keyed state for every batch; {@code keys} switches the key to write a
     * cached key back. Called by {@link TopicBucketOperator} on backends that serialize state; see there.
     */
    void cacheWith(KeyContext keys) {
        this.keys = keys;
    }

    /** Writes every cached accumulator that changed back to keyed state (before a checkpoint barrier). */
    void writeBack() throws Exception {
        if (keys == null || cache.isEmpty()) {
            return;
        }
        for (Map.Entry<String, KeySlots> entry : cache.entrySet()) {
            KeySlots s = entry.getValue();
            if (s.hasChanges()) {
                keys.setCurrentKey(entry.getKey());
                s.writeBack(buckets);
            }
        }
    }

    /** Decoded accumulators cached (0 when writing through). */
    int cachedAccumulators() {
        return cached;
    }

    @Override
    public void processElement(TopicBatch batch, Context ctx, Collector<TrendBucket> out) throws Exception {
        long watermark = ctx.timerService().currentWatermark();
        String key = ctx.getCurrentKey();
        KeySlots s = slots(key);
        // Starts of fired buckets this batch updated.
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
            Cached c = get(s, slot);
            if (c == null) {
                c = add(s, slot, new BucketAccumulator());
                // Per bucket, not per platform: registering a timer that exists is a no-op.
                ctx.timerService().registerEventTimeTimer(lastTimestamp);
                ctx.timerService().registerEventTimeTimer(lastTimestamp + lateness);
            }
            BucketAccumulator acc = c.acc;
            acc.add(e, maxPostsPerAuthor);
            c.changed = true;
            // The watermark passed the bucket's end: it fired, even if this is its platform's first event.
            if (acc.fired || lastTimestamp <= watermark) {
                lateUpdates.inc();
                lateStarts.add(start);
            } else {
                open = true;
            }
        }
        for (long start : lateStarts) {
            emit(s, key, start, true, out); // the corrected documents, at once
        }
        if (open && earlyIntervalMillis > 0) {
            long now = ctx.timerService().currentProcessingTime();
            // One timer per key and interval: registering the same time again is a no-op.
            ctx.timerService().registerProcessingTimeTimer((now / earlyIntervalMillis + 1) * earlyIntervalMillis);
        }
        release(key, s);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<TrendBucket> out) throws Exception {
        boolean eventTime = ctx.timeDomain() == TimeDomain.EVENT_TIME;
        long watermark = ctx.timerService().currentWatermark();
        String key = ctx.getCurrentKey();
        KeySlots s = slots(key);
        // Every bucket of the key: those in state and those only in the cache so far. The decision is made on
        // the slot's start first, so that only the buckets it can concern are decoded.
        Set<Long> slots = new HashSet<>(s.accs.keySet());
        for (Long slot : buckets.keys()) {
            slots.add(slot);
        }
        // The buckets with something to write now, by start; at most a few dozen entries per key.
        TreeMap<Long, Boolean> due = new TreeMap<>();
        List<Long> expired = new ArrayList<>();
        for (long slot : slots) {
            long start = start(slot);
            long lastTimestamp = start + sizeMillis - 1;
            if (eventTime) {
                if (lastTimestamp <= timestamp && !get(s, slot).acc.fired) {
                    due.put(start, true);
                }
                if (lastTimestamp + lateness <= timestamp) {
                    expired.add(slot);
                }
            } else if (lastTimestamp > watermark) {
                BucketAccumulator acc = get(s, slot).acc;
                if (acc.dirty && !acc.fired) {
                    due.put(start, false);
                }
            }
        }
        for (Map.Entry<Long, Boolean> d : due.entrySet()) {
            if (!d.getValue()) {
                earlyResults.inc();
            }
            emit(s, key, d.getKey(), d.getValue(), out);
        }
        for (Long slot : expired) {
            if (s.accs.remove(slot) != null) {
                cached--;
            }
            buckets.remove(slot);
        }
        release(key, s);
    }

    /**
     * Writes the bucket starting at {@code start}: each platform's document that changed since it was last
     * written, and the all-platforms document. {@code complete} marks the bucket fired (the watermark passed its
     * end); an early result leaves it open.
     */
    private void emit(KeySlots s, String topic, long start, boolean complete, Collector<TrendBucket> out)
            throws Exception {
        List<BucketAccumulator> platforms = new ArrayList<>(PLATFORMS.length);
        for (Platform p : PLATFORMS) {
            long slot = slot(start, p);
            Cached c = get(s, slot);
            if (c == null) {
                continue;
            }
            BucketAccumulator acc = c.acc;
            platforms.add(acc);
            if (acc.dirty || complete && !acc.fired) {
                out.collect(acc.result(topic, p.id(), start, start + sizeMillis, complete));
            }
            acc.dirty = false;
            acc.fired |= complete;
            c.changed = true;
        }
        out.collect(BucketAccumulator.combined(platforms, topic, start, start + sizeMillis, complete));
    }

    /** The current key's cached accumulators, the most recently used key last (writing through: for this call). */
    private KeySlots slots(String key) {
        if (keys == null) {
            return new KeySlots();
        }
        KeySlots s = cache.get(key);
        if (s == null) {
            s = new KeySlots();
            cache.put(key, s);
        }
        return s;
    }

    /** The accumulator of {@code slot} of the current key: the cached one, else the one in state (then cached). */
    private Cached get(KeySlots s, long slot) throws Exception {
        Cached c = s.accs.get(slot);
        if (c == null) {
            BucketAccumulator acc = buckets.get(slot);
            if (acc != null) {
                c = add(s, slot, acc);
            }
        }
        return c;
    }

    private Cached add(KeySlots s, long slot, BucketAccumulator acc) {
        Cached c = new Cached(acc);
        s.accs.put(slot, c);
        cached++;
        return c;
    }

    /**
     * The end of a call for the current key. Fired buckets are written back and dropped from the cache at once:
     * they change only when a late event comes, so the cache holds the open buckets, which every batch changes.
     * Without a cache (write-through) everything is written back. Then, if the cache holds more than its limit
     * ({@value #MAX_CACHED_ACCUMULATORS}) of accumulators, the least recently used keys are written back and
     * dropped.
     */
    private void release(String key, KeySlots s) throws Exception {
        boolean writeThrough = keys == null;
        for (Iterator<Map.Entry<Long, Cached>> it = s.accs.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, Cached> e = it.next();
            Cached c = e.getValue();
            if (writeThrough || c.acc.fired) {
                if (c.changed) {
                    buckets.put(e.getKey(), c.acc);
                }
                it.remove();
                cached--;
            }
        }
        if (s.accs.isEmpty()) {
            cache.remove(key);
        }
        if (cached > maxCached) {
            // Down to three quarters at once, so that a full cache does not switch keys on every call.
            for (Iterator<Map.Entry<String, KeySlots>> it = cache.entrySet().iterator();
                    it.hasNext() && cached > maxCached * 3 / 4; ) {
                Map.Entry<String, KeySlots> eldest = it.next();
                if (eldest.getKey().equals(key)) {
                    continue;
                }
                keys.setCurrentKey(eldest.getKey());
                eldest.getValue().writeBack(buckets);
                cached -= eldest.getValue().accs.size();
                it.remove();
            }
            keys.setCurrentKey(key);
        }
    }

    /** A decoded accumulator, and whether it changed since it was read from or written to state. */
    private static final class Cached {
        final BucketAccumulator acc;
        boolean changed;

        Cached(BucketAccumulator acc) {
            this.acc = acc;
        }
    }

    /** One key's cached accumulators by slot. */
    private static final class KeySlots {
        final Map<Long, Cached> accs = new HashMap<>();

        boolean hasChanges() {
            for (Cached c : accs.values()) {
                if (c.changed) {
                    return true;
                }
            }
            return false;
        }

        void writeBack(MapState<Long, BucketAccumulator> buckets) throws Exception {
            for (Map.Entry<Long, Cached> e : accs.entrySet()) {
                if (e.getValue().changed) {
                    buckets.put(e.getKey(), e.getValue().acc);
                    e.getValue().changed = false;
                }
            }
        }
    }

    /** One map key per bucket and platform: the start (a multiple of the bucket size) times 8, plus the platform. */
    static long slot(long start, Platform platform) {
        return start * 8 + platform.ordinal();
    }

    static long start(long slot) {
        return Math.floorDiv(slot, 8);
    }
}

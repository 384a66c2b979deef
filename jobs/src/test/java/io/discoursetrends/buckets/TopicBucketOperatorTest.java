package io.discoursetrends.buckets;

import static org.assertj.core.api.Assertions.assertThat;

import io.discoursetrends.engagement.AttributedEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The cache of {@link TopicBucketOperator} changes nothing that is emitted or checkpointed. One random story of
 * eleven keys (events out of order, late within the allowed lateness, too late, early results on processing
 * time, watermarks) is run on the heap backend, which writes through, and on RocksDB with a cache of 16
 * accumulators, which keeps evicting; also with a snapshot taken while the cache is full, the run continuing from
 * it in a new operator. Every run must give the same documents per key in the same order and the same too-late
 * events, and leave no state, timer or cached accumulator once the watermark has passed everything.
 */
class TopicBucketOperatorTest {
    private static final long T0 = TopicBucketFunctionTest.T0;
    private static final String[] KEYS = {"_all", "t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "t9"};
    private static final String[] PLATFORMS = {"bluesky", "mastodon", "reddit", "hackernews"};
    private static final int STEPS = 1_500;
    private static final int SNAPSHOT_AT = 700;
    private static final int SMALL_CACHE = 16;

    /** One step of the story: a batch for a key, then maybe a watermark and a processing time. */
    private record Step(TopicBatch batch, Long watermark, Long processingTime) {}

    /** What a run emitted: documents per key in their order, and the too-late events in theirs. */
    private record Outputs(Map<String, List<TrendBucket>> documents, List<AttributedEvent> tooLate) {}

    private static final List<Step> STORY = story(new Random(20261207));

    @Test
    void shouldEmitTheSameOnRocksDbWithASmallCacheAsOnTheHeapWritingThrough() throws Exception {
        Outputs heap = run("heap", TopicBucketFunction.MAX_CACHED_ACCUMULATORS, -1, true);
        assertThat(heap.documents().values().stream().mapToInt(List::size).sum()).isGreaterThan(500);
        assertThat(heap.documents().get("_all")).anySatisfy(b -> assertThat(b.complete()).isFalse());
        assertThat(heap.tooLate()).isNotEmpty();

        assertThat(run("rocksdb", SMALL_CACHE, -1, true)).isEqualTo(heap);
        assertThat(run("rocksdb", TopicBucketFunction.MAX_CACHED_ACCUMULATORS, -1, true)).isEqualTo(heap);
    }

    @Test
    void shouldContinueFromASnapshotTakenWithAFullCacheAsIfThereHadBeenNone() throws Exception {
        Outputs heap = run("heap", TopicBucketFunction.MAX_CACHED_ACCUMULATORS, -1, true);

        assertThat(run("rocksdb", SMALL_CACHE, SNAPSHOT_AT, true)).isEqualTo(heap);
        assertThat(run("rocksdb", TopicBucketFunction.MAX_CACHED_ACCUMULATORS, SNAPSHOT_AT, true)).isEqualTo(heap);
        assertThat(run("heap", TopicBucketFunction.MAX_CACHED_ACCUMULATORS, SNAPSHOT_AT, true)).isEqualTo(heap);
        // The cache held changes at the snapshot: without the pre-barrier write-back they would be lost.
        assertThat(run("rocksdb", TopicBucketFunction.MAX_CACHED_ACCUMULATORS, SNAPSHOT_AT, false))
                .isNotEqualTo(heap);
    }

    /**
     * Runs the story; with {@code snapshotAt >= 0} takes a snapshot after that step ({@code preBarrier}: with the
     * task's pre-barrier step first), closes the operator and continues in a new one restored from it, with the
     * watermark and processing time it had (a source sends its watermark again after a restore).
     */
    private static Outputs run(String backend, int maxCached, int snapshotAt, boolean preBarrier) throws Exception {
        Map<String, List<TrendBucket>> documents = new LinkedHashMap<>();
        List<AttributedEvent> tooLate = new ArrayList<>();
        TopicBucketFunction function = function(maxCached);
        KeyedOneInputStreamOperatorTestHarness<String, TopicBatch, TrendBucket> h =
                TopicBucketFunctionTest.harness(backend, function);
        h.open();
        long watermark = Long.MIN_VALUE;
        long processingTime = 0;
        for (int i = 0; i < STORY.size(); i++) {
            Step step = STORY.get(i);
            h.processElement(new StreamRecord<>(step.batch()));
            if (step.watermark() != null) {
                watermark = step.watermark();
                h.processWatermark(watermark);
            }
            if (step.processingTime() != null) {
                processingTime = step.processingTime();
                h.setProcessingTime(processingTime);
            }
            if (i == snapshotAt) {
                if (backend.equals("rocksdb")) {
                    assertThat(function.cachedAccumulators()).isPositive();
                }
                OperatorSubtaskState snapshot = preBarrier ? TopicBucketFunctionTest.snapshot(h, 1)
                        : h.snapshot(1, 1);
                collect(h, documents, tooLate);
                h.close();
                function = function(maxCached);
                h = TopicBucketFunctionTest.harness(backend, function);
                h.initializeState(snapshot);
                h.open();
                h.setProcessingTime(processingTime);
                h.processWatermark(watermark);
            }
        }
        h.processWatermark(Long.MAX_VALUE);
        h.setProcessingTime(processingTime + Duration.ofHours(1).toMillis());
        collect(h, documents, tooLate);
        assertThat(TopicBucketFunctionTest.stateEntries(h)).isZero();
        assertThat(h.numEventTimeTimers()).isZero();
        assertThat(h.numProcessingTimeTimers()).isZero();
        assertThat(function.cachedAccumulators()).isZero();
        h.close();
        return new Outputs(documents, tooLate);
    }

    private static TopicBucketFunction function(int maxCached) {
        return new TopicBucketFunction(Duration.ofMinutes(1), TopicBucketFunctionTest.LATENESS,
                Duration.ofSeconds(10), 2, maxCached);
    }

    private static void collect(KeyedOneInputStreamOperatorTestHarness<String, TopicBatch, TrendBucket> h,
            Map<String, List<TrendBucket>> documents, List<AttributedEvent> tooLate) {
        // Across keys the order of timers that fire at the same time depends on the backend's timer queue.
        for (TrendBucket b : h.extractOutputValues()) {
            documents.computeIfAbsent(b.topic(), k -> new ArrayList<>()).add(b);
        }
        var late = h.getSideOutput(TopicBucketFunction.TOO_LATE);
        if (late != null) {
            late.forEach(r -> tooLate.add(r.getValue()));
        }
        h.getOutput().clear();
        if (late != null) {
            late.clear();
        }
    }

    /**
     * Eleven keys, four platforms; event time moves 3 s every 10 steps, the watermark 30 s behind it; events up
     * to 100 s behind the front (late updates once their bucket fired) and 2% of them 12 minutes behind (too
     * late, past the 10-minute lateness); processing time moves 4 s every 25 steps (early results every 10 s).
     */
    private static List<Step> story(Random random) {
        List<Step> steps = new ArrayList<>();
        long front = T0;
        long processingTime = 0;
        for (int i = 0; i < STEPS; i++) {
            String key = KEYS[random.nextInt(KEYS.length)];
            AttributedEvent[] events = new AttributedEvent[1 + random.nextInt(6)];
            for (int j = 0; j < events.length; j++) {
                long time = random.nextInt(50) == 0 ? front - Duration.ofMinutes(12).toMillis()
                        : front - random.nextInt(100_000) + random.nextInt(20_000);
                events[j] = event(random, PLATFORMS[random.nextInt(PLATFORMS.length)], time);
            }
            Long watermark = null;
            if (i % 10 == 9) {
                front += 3_000;
                watermark = front - 30_000;
            }
            Long processing = null;
            if (i % 25 == 24) {
                processingTime += 4_000;
                processing = processingTime;
            }
            steps.add(new Step(new TopicBatch(key, events), watermark, processing));
        }
        return steps;
    }

    private static AttributedEvent event(Random random, String platform, long time) {
        String post = "p" + random.nextInt(40);
        String author = platform + "|a" + random.nextInt(12);
        if (random.nextBoolean()) {
            return new AttributedEvent(AttributedEvent.Kind.POST, platform, time, new String[] {"t"}, "v1", post,
                    "https://example.org/" + post, "text of " + post, author, false, false, random.nextInt(20) == 0,
                    false, random.nextBoolean() ? "en" : "de", random.nextBoolean() ? "c1" : null,
                    new String[] {"w" + random.nextInt(30), "w" + random.nextInt(30)}, 0, 0, 0, 0, 0);
        }
        return new AttributedEvent(AttributedEvent.Kind.ENGAGEMENT, platform, time, new String[] {"t"}, "v1", post,
                "https://example.org/" + post, "text of " + post, platform + "|e" + random.nextInt(30), false, false,
                false, random.nextInt(20) == 0, null, null, AttributedEvent.NO_TOPICS, 1 + random.nextInt(3),
                random.nextInt(2), 0, 0, 0);
    }
}

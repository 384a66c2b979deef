package io.discoursetrends.buckets;

import static org.assertj.core.api.Assertions.assertThat;

import io.discoursetrends.engagement.AttributedEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The cache of {@link TopicBucketOperator} changes nothing that is emitted or checkpointed. One random story of
 * eleven keys ({@link TopicBucketSnapshots}: events out of order, late within the allowed lateness, too late,
 * early results on processing time, watermarks) is run on the heap backend, which writes through, and on
 * RocksDB with a cache of 16 accumulators, which keeps evicting, and with the default cache; also with a snapshot
 * taken while the cache is full, the run continuing from it in a new operator. Every run must give the same documents per key in the same order and the same too-late
 * events, and leave no state, timer or cached accumulator once the watermark has passed everything.
 */
class TopicBucketOperatorTest {
    private static final int SNAPSHOT_AT = TopicBucketSnapshots.SNAPSHOT_AFTER;
    private static final int SMALL_CACHE = 16;

    /** What a run emitted: documents per key in their order, and the too-late events in theirs. */
    record Outputs(Map<String, List<TrendBucket>> documents, List<AttributedEvent> tooLate) {}

    private static final List<TopicBucketSnapshots.Step> STORY = TopicBucketSnapshots.story();

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
        for (int i = 0; i < STORY.size(); i++) {
            TopicBucketSnapshots.play(h, STORY.get(i));
            if (i == snapshotAt) {
                long watermark = TopicBucketSnapshots.watermarkAfter(STORY, i);
                long processingTime = TopicBucketSnapshots.processingTimeAfter(STORY, i);
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
        finish(h);
        collect(h, documents, tooLate);
        assertThat(TopicBucketFunctionTest.stateEntries(h)).isZero();
        assertThat(h.numEventTimeTimers()).isZero();
        assertThat(h.numProcessingTimeTimers()).isZero();
        assertThat(function.cachedAccumulators()).isZero();
        h.close();
        return new Outputs(documents, tooLate);
    }

    /** The watermark past everything, and processing time an hour on: every bucket written and gone. */
    static void finish(KeyedOneInputStreamOperatorTestHarness<String, TopicBatch, TrendBucket> h) throws Exception {
        h.processWatermark(Long.MAX_VALUE);
        h.setProcessingTime(TopicBucketSnapshots.processingTimeAfter(STORY, STORY.size() - 1)
                + Duration.ofHours(1).toMillis());
    }

    private static TopicBucketFunction function(int maxCached) {
        return new TopicBucketFunction(Duration.ofMinutes(1), TopicBucketSnapshots.LATENESS,
                Duration.ofSeconds(10), 2, maxCached);
    }

    static void collect(KeyedOneInputStreamOperatorTestHarness<String, TopicBatch, TrendBucket> h,
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
}

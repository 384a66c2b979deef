package io.discoursetrends.buckets;

import static org.assertj.core.api.Assertions.assertThat;

import io.discoursetrends.engagement.AttributedEvent;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The bucket stage restores what the release before {@link TopicBucketOperator} wrote: snapshots of
 * {@link TopicBucketSnapshots}' story taken by commit {@code da9957d}'s code (the function run by a plain
 * {@code KeyedProcessOperator}), kept gzipped in src/test/resources/savepoints, on both state backends. Restored
 * into the operator (on RocksDB with its cache), the rest of the story gives exactly the documents and too-late
 * events that this release gives running the whole story without a restore, and leaves no state or timers.
 */
class TopicBucketRestoreTest {
    private static final String COMMIT = "da9957d";

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"heap", "rocksdb"})
    void shouldContinueFromTheSnapshotOfTheReleaseBeforeTheCache(String backend) throws Exception {
        List<TopicBucketSnapshots.Step> story = TopicBucketSnapshots.story();
        int after = TopicBucketSnapshots.SNAPSHOT_AFTER;

        // Expected: this release over the whole story, what it emits after the snapshot's step.
        KeyedOneInputStreamOperatorTestHarness<String, TopicBatch, TrendBucket> whole =
                TopicBucketFunctionTest.harness("heap", TopicBucketSnapshots.function());
        whole.open();
        TopicBucketOperatorTest.Outputs expected = outputs();
        for (int i = 0; i < story.size(); i++) {
            TopicBucketSnapshots.play(whole, story.get(i));
            if (i == after) {
                TopicBucketOperatorTest.collect(whole, new LinkedHashMap<>(), new ArrayList<>());
            }
        }
        TopicBucketOperatorTest.finish(whole);
        TopicBucketOperatorTest.collect(whole, expected.documents(), expected.tooLate());
        whole.close();
        assertThat(expected.documents().values().stream().mapToInt(List::size).sum()).isGreaterThan(500);

        TopicBucketFunction function = TopicBucketSnapshots.function();
        KeyedOneInputStreamOperatorTestHarness<String, TopicBatch, TrendBucket> h =
                TopicBucketFunctionTest.harness(backend, function);
        h.initializeState(snapshot("topic-buckets-" + COMMIT + "-" + backend + ".snapshot.gz"));
        h.open();
        assertThat(h.numEventTimeTimers()).isEqualTo(77); // as written
        h.setProcessingTime(TopicBucketSnapshots.processingTimeAfter(story, after));
        h.processWatermark(TopicBucketSnapshots.watermarkAfter(story, after));
        for (int i = after + 1; i < story.size(); i++) {
            TopicBucketSnapshots.play(h, story.get(i));
        }
        TopicBucketOperatorTest.finish(h);
        TopicBucketOperatorTest.Outputs restored = outputs();
        TopicBucketOperatorTest.collect(h, restored.documents(), restored.tooLate());

        assertThat(restored).isEqualTo(expected);
        assertThat(TopicBucketFunctionTest.stateEntries(h)).isZero();
        assertThat(h.numEventTimeTimers()).isZero();
        assertThat(h.numProcessingTimeTimers()).isZero();
        assertThat(function.cachedAccumulators()).isZero();
        h.close();
    }

    private static TopicBucketOperatorTest.Outputs outputs() {
        Map<String, List<TrendBucket>> documents = new LinkedHashMap<>();
        List<AttributedEvent> tooLate = new ArrayList<>();
        return new TopicBucketOperatorTest.Outputs(documents, tooLate);
    }

    private OperatorSubtaskState snapshot(String resource) throws Exception {
        Path file = tmp.resolve(resource.replace(".gz", ""));
        try (InputStream in = new GZIPInputStream(getClass().getResourceAsStream("/savepoints/" + resource))) {
            Files.copy(in, file);
        }
        return OperatorSnapshotUtil.readStateHandle(file.toString());
    }
}

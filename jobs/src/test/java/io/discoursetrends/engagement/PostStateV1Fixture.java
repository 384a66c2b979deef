package io.discoursetrends.engagement;

import static io.discoursetrends.engagement.EngagementAttributionTest.T0;
import static io.discoursetrends.engagement.EngagementAttributionTest.like;
import static io.discoursetrends.engagement.EngagementAttributionTest.post;

import io.discoursetrends.classify.ClassifiedEvent;
import io.discoursetrends.model.CanonicalEvent;
import io.discoursetrends.model.Metrics;
import io.discoursetrends.model.Platform;
import java.nio.file.Path;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;

/**
 * Writes the snapshots in src/test/resources/engagement/ that {@code PostStateMigrationTest} restores: the
 * attribution state as the release with {@link PostState} in {@code post-state} (Flink's POJO serializer, engagement
 * ids in full; up to commit ebcbeaf) wrote it, on the heap backend and on RocksDB (full snapshots). Kept so the
 * fixture can be re-created from that commit: {@code git checkout ebcbeaf -- jobs/src/main} and run its main.
 */
final class PostStateV1Fixture {
    static final String DIR = "src/test/resources/engagement/";

    private PostStateV1Fixture() {}

    public static void main(String[] args) throws Exception {
        writeSnapshots("post-state-v1");
    }

    /**
     * Feeds {@link #write} into the attribution operator of the code on the classpath, on the heap backend and on
     * RocksDB, and writes each snapshot as {@code DIR/<layout>-heap.snapshot} and {@code -rocksdb.snapshot}: every
     * layout's fixture is written this way, each by its own commit's main code.
     */
    static void writeSnapshots(String layout) throws Exception {
        for (boolean rocksDb : new boolean[] {false, true}) {
            var h = EngagementAttributionTest.harness(128, 1, 0, rocksDb);
            h.open();
            write(h);
            OperatorSnapshotUtil.writeStateHandle(h.snapshot(1, T0),
                    Path.of(DIR, layout + "-" + (rocksDb ? "rocksdb" : "heap") + ".snapshot").toString());
            h.close();
        }
    }

    /** Inline and spilled ids, a matched and an unmatched post, counters, and engagement waiting for its post. */
    static void write(KeyedOneInputStreamOperatorTestHarness<String, ClassifiedEvent, AttributedEvent> h)
            throws Exception {
        process(h, post(Platform.BLUESKY, "p1", 0, "alice", false, Metrics.NONE, "ai-courts"), "ai-courts");
        for (int i = 1; i <= 10; i++) {
            process(h, like("l" + i, "p1", i, "fan" + i), null);
        }
        process(h, post(Platform.BLUESKY, "p2", 1, "bob", false, Metrics.NONE, "chatter"), null);
        process(h, like("l20", "p2", 20, "carol"), null);
        process(h, post(Platform.MASTODON, "m1", 2, "dora", false, new Metrics(3L, 1L, 0L, 0L, null), "ai-art"),
                "ai-art");
        process(h, like("l50", "p9", 50, "erin"), null); // waits for p9, which never comes
        h.processWatermark(T0 + 30_000);
    }

    static void process(KeyedOneInputStreamOperatorTestHarness<String, ClassifiedEvent, AttributedEvent> h,
            CanonicalEvent e, String topic) throws Exception {
        ClassifiedEvent c = e.isPost()
                ? new ClassifiedEvent(e, topic == null ? new String[0] : new String[] {topic},
                        new String[] {"term-" + e.post().id()}, "v1")
                : ClassifiedEvent.unclassified(e);
        h.processElement(c, e.createdAt().toEpochMilli());
    }
}

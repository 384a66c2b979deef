package io.discoursetrends.engagement;

import static io.discoursetrends.engagement.EngagementAttributionTest.T0;

import java.nio.file.Path;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;

/**
 * Writes the snapshots in src/test/resources/engagement/ named {@code post-state-v2-*} that
 * {@code PostStateMigrationTest} restores: the attribution state as the release with one {@code post-state-v2} entry
 * per post key and expiry queues of post keys (up to commit da9957d) wrote it, after the same events as
 * {@link PostStateV1Fixture#write}, on the heap backend and on RocksDB (full snapshots). Kept so the fixture can be
 * re-created from that commit: {@code git checkout da9957d -- jobs/src/main} and run its main.
 */
final class PostStateV2Fixture {
    private PostStateV2Fixture() {}

    public static void main(String[] args) throws Exception {
        for (boolean rocksDb : new boolean[] {false, true}) {
            var h = EngagementAttributionTest.harness(128, 1, 0, rocksDb);
            h.open();
            PostStateV1Fixture.write(h);
            OperatorSnapshotUtil.writeStateHandle(h.snapshot(1, T0), Path.of(PostStateV1Fixture.DIR,
                    "post-state-v2-" + (rocksDb ? "rocksdb" : "heap") + ".snapshot").toString());
            h.close();
        }
    }
}

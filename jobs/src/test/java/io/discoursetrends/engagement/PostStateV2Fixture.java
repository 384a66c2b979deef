package io.discoursetrends.engagement;

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
        PostStateV1Fixture.writeSnapshots("post-state-v2");
    }
}

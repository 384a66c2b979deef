package io.discoursetrends.engagement;

/**
 * Writes the snapshots in src/test/resources/engagement/ named {@code post-state-v3-*} that
 * {@code PostStateMigrationTest} restores: the attribution state as the release with the post tables of
 * {@code post-state-v3} (each post's {@link PostState} with its drill-down document's text and descriptive fields,
 * under the digest of its key, expiry queues of digests; up to commit 4c0c197) wrote it, after the same events as
 * {@link PostStateV1Fixture#write}, on the heap backend and on RocksDB (full snapshots). Kept so the fixture can be
 * re-created from that commit: {@code git checkout 4c0c197 -- jobs/src/main} and run its main.
 */
final class PostStateV3Fixture {
    private PostStateV3Fixture() {}

    public static void main(String[] args) throws Exception {
        PostStateV1Fixture.writeSnapshots("post-state-v3");
    }
}

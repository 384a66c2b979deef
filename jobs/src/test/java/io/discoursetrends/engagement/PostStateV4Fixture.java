package io.discoursetrends.engagement;

/**
 * Writes the snapshots in src/test/resources/engagement/ named {@code post-state-v4-*} that
 * {@code PostStateMigrationTest} restores: the attribution state as the release with the post tables of
 * {@code post-state-v4} in format 1 ({@link PostStateV4Serializer}: every drill-down document whole, with its text and
 * descriptive fields; up to commit 10bc13a) wrote it, after the same events as {@link PostStateV1Fixture#write}, on
 * the heap backend and on RocksDB (full snapshots). Kept so the fixture can be re-created from that commit:
 * {@code git checkout 10bc13a -- jobs/src/main} and run its main.
 */
final class PostStateV4Fixture {
    private PostStateV4Fixture() {}

    public static void main(String[] args) throws Exception {
        PostStateV1Fixture.writeSnapshots("post-state-v4");
    }
}

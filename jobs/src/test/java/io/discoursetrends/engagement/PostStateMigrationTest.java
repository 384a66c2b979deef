package io.discoursetrends.engagement;

import static io.discoursetrends.engagement.EngagementAttributionTest.DEDUP_TTL;
import static io.discoursetrends.engagement.EngagementAttributionTest.POST_TTL;
import static io.discoursetrends.engagement.EngagementAttributionTest.T0;
import static io.discoursetrends.engagement.EngagementAttributionTest.like;
import static io.discoursetrends.engagement.EngagementAttributionTest.post;
import static org.assertj.core.api.Assertions.assertThat;

import io.discoursetrends.classify.ClassifiedEvent;
import io.discoursetrends.model.Metrics;
import io.discoursetrends.model.Platform;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The compact layout of {@link PostState} ({@code post-state-v2}, {@link PostStateSerializer}) takes over the first
 * one ({@code post-state}, Flink's POJO serializer): from snapshots that the release before wrote
 * ({@link PostStateV1Fixture}, heap and RocksDB), the same events give the same results as without a restore.
 */
class PostStateMigrationTest {

    /**
     * Restored from an old layout, and in the current one from the start: the same outputs, then nothing left. The
     * first layout ({@code post-state-v1}) goes through the second ({@code post-state-v2}, each post under its own
     * key) into the post tables ({@code post-state-v4}); the post tables with words in full ({@code post-state-v3},
     * {@link PostStateV3Fixture}) move into those of {@code post-state-v4}; and {@code post-state-v4} of format 1
     * ({@link PostStateV4Fixture}: documents whole) is read as it is.
     */
    @ParameterizedTest(name = "{0}, rocksdb: {1}")
    @CsvSource({"post-state-v1, false", "post-state-v1, true", "post-state-v2, false", "post-state-v2, true",
        "post-state-v3, false", "post-state-v3, true", "post-state-v4, false", "post-state-v4, true"})
    void shouldContinueFromASnapshotOfAnOlderPostStateLayout(String layout, boolean rocksDb) throws Exception {
        OperatorSubtaskState old = OperatorSnapshotUtil.readStateHandle(Path.of(PostStateV1Fixture.DIR,
                layout + "-" + (rocksDb ? "rocksdb" : "heap") + ".snapshot").toString());
        var restored = EngagementAttributionTest.harness(128, 1, 0, rocksDb);
        restored.initializeState(old);
        restored.open();
        // Moved: nothing is left under the post keys, and every post the fixture tracks is in a table.
        assertThat(keysOf(restored, LegacyState.POST_STATE_V1, EngagementAttribution.postState().getName(),
                EngagementAttribution.seenEngagement().getName(), EngagementAttribution.postTableV3().getName()))
                .isZero();
        assertThat(keysOf(restored, EngagementAttribution.postTable().getName())).isPositive();
        assertThat(keysOf(restored, EngagementAttribution.spilledIds().getName())).isEqualTo(1); // p1's
        var fresh = EngagementAttributionTest.harness(128, 1, 0, rocksDb);
        fresh.open();
        PostStateV1Fixture.write(fresh);
        fresh.getOutput().clear();
        fresh.getSideOutput(EngagementAttribution.POSTS).clear();
        try {
            List<String> restoredOut = afterwards(restored);
            List<String> freshOut = afterwards(fresh);
            // Each post's outputs in the same order; across posts a watermark may fire the restored post's old
            // timers, in their own timer service, before or after the new ones.
            assertThat(byPost(restoredOut)).isEqualTo(byPost(freshOut));
            assertThat(restoredOut).contains(
                    "ENGAGEMENT[bluesky p1 @" + (T0 + 11_000) + " topics=[ai-courts] +1] url=https://example.org/p1 "
                            + "snippet=ai-courts",
                    "ENGAGEMENT[bluesky p9 @" + (T0 + 50_000) + " topics=[] +1 unattributed] url=null snippet=null",
                    "doc bluesky|p1 likes=11",
                    "ENGAGEMENT[mastodon m1 @" + (T0 + 70_000) + " topics=[ai-art] +2] url=https://example.org/m1 "
                            + "snippet=ai-art");
            assertThat(restoredOut).filteredOn(s -> s.startsWith("ENGAGEMENT[bluesky p1")).hasSize(1);
            assertThat(keysLeft(restored)).isZero();
            assertThat(restored.numEventTimeTimers()).isZero();
        } finally {
            restored.close();
            fresh.close();
        }
    }

    /**
     * {@code post-state-v4} of format 1 kept documents whole: the first rewrite after the restore is whole again, the
     * document kept stripped after it, and a snapshot of it says format 2. A snapshot of an unknown format is refused.
     */
    @ParameterizedTest(name = "rocksdb: {0}")
    @CsvSource({"false", "true"})
    void shouldRewriteADocumentOfFormat1WholeOnceThenKeepItStripped(boolean rocksDb) throws Exception {
        OperatorSubtaskState old = OperatorSnapshotUtil.readStateHandle(Path.of(PostStateV1Fixture.DIR,
                "post-state-v4-" + (rocksDb ? "rocksdb" : "heap") + ".snapshot").toString());
        var h = EngagementAttributionTest.harness(128, 1, 0, rocksDb);
        h.initializeState(old);
        h.open();
        try {
            assertThat(EngagementAttributionTest.kept(h)).filteredOn(s -> s.indexed() != null).hasSize(2)
                    .allSatisfy(s -> {
                        assertThat(s.indexed().partial()).isFalse();
                        assertThat(s.indexed().text()).isNotNull();
                    });
            PostStateV1Fixture.process(h, like("l11", "p1", 11, "fan11"), null);
            h.processWatermark(T0 + 59_999);
            var docs = h.getSideOutput(EngagementAttribution.POSTS);
            assertThat(docs).singleElement().satisfies(r -> {
                IndexedPost d = r.getValue();
                assertThat(d.partial()).isFalse();
                assertThat(d.documentId()).isEqualTo("bluesky|p1");
                assertThat(d.text()).isEqualTo("ai-courts");
                assertThat(d.topics()).containsExactly("ai-courts");
                assertThat(d.likes()).isEqualTo(11);
            });
            docs.clear();
            assertThat(EngagementAttributionTest.kept(h)).filteredOn(s -> s.indexed() != null)
                    .filteredOn(s -> s.indexed().partial()).singleElement()
                    .satisfies(s -> assertThat(s.post().snippet()).isEqualTo("ai-courts"));
            PostStateV1Fixture.process(h, like("l12", "p1", 61, "fan12"), null);
            h.processWatermark(T0 + 119_999);
            assertThat(h.getSideOutput(EngagementAttribution.POSTS)).singleElement().satisfies(r -> {
                assertThat(r.getValue().partial()).isTrue();
                assertThat(r.getValue().likes()).isEqualTo(12);
            });
        } finally {
            h.close();
        }

        var format3 = new PostStateV4Serializer().snapshotConfiguration();
        assertThat(format3.getCurrentVersion()).isEqualTo(PostStateV4Serializer.Snapshot.FORMAT_3);
        var format2 = new PostStateV4Serializer.Snapshot();
        format2.readSnapshot(PostStateV4Serializer.Snapshot.FORMAT_2, new DataInputDeserializer(new byte[0]),
                getClass().getClassLoader());
        assertThat(format2.version()).isEqualTo(PostStateV4Serializer.Snapshot.FORMAT_2);
        assertThat(format3.resolveSchemaCompatibility(format2).isCompatibleAsIs()).isTrue();
        var format1 = new PostStateV4Serializer.Snapshot();
        format1.readSnapshot(PostStateV4Serializer.Snapshot.FORMAT_1, new DataInputDeserializer(new byte[0]),
                getClass().getClassLoader());
        assertThat(format1.version()).isEqualTo(PostStateV4Serializer.Snapshot.FORMAT_1);
        assertThat(format3.resolveSchemaCompatibility(format1).isCompatibleAsIs()).isTrue();
        assertThat(format3.resolveSchemaCompatibility(new PostStateSerializer().snapshotConfiguration())
                .isIncompatible()).isTrue();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new PostStateV4Serializer.Snapshot().readSnapshot(
                PostStateV4Serializer.Snapshot.FORMAT_3 + 1, new DataInputDeserializer(new byte[0]),
                getClass().getClassLoader())).hasMessageContaining("format (snapshot version) 6");
    }

    /** A partial drill-down document is written as its flag, id, creation time and engagement, and read back so. */
    @Test
    void shouldWriteAPartialDocumentAsItsIdAndEngagementOnly() throws Exception {
        TrackedPost post = new TrackedPost(new String[] {Words.ref(3)}, Words.ref(1), PostUrls.FROM_ID, "a text",
                false, T0 + 7 * 86_400_000L, null, null, null, null, null);
        IndexedPost whole = new IndexedPost("bluesky", "at://did:plc:alice/app.bsky.feed.post/3k", null, "a text",
                post.topics(), Words.ref(1), "did:plc:alice", "alice.bsky.social", "en", null, T0, 1, 2, 3, 4, 5,
                T0 + 60_000);
        IndexedPost partial = whole.stripped();
        assertThat(partial.partial()).isTrue();
        assertThat(partial.stripped()).isSameAs(partial);
        PostState s = new PostState(post, partial, false, null, null, null, false);
        DataOutputSerializer out = new DataOutputSerializer(512);
        new PostStateV4Serializer().serialize(s, out);
        PostState back = new PostStateV4Serializer().deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(back.indexed()).usingRecursiveComparison().isEqualTo(partial);
        assertThat(back.post()).usingRecursiveComparison().isEqualTo(post);
        // flags, platform, document flags, id (length + bytes), created, 5 counters and updated (varints); the post
        // as without a document: flags, topics, version, url, snippet, expiry
        DataOutputSerializer alone = new DataOutputSerializer(512);
        new PostStateV4Serializer().serialize(new PostState(post, null, false, null, null, null, false), alone);
        assertThat(out.length()).isEqualTo(alone.length() + 1 + 1 + 1 + partial.id().length() + 6 + 5 + 3);
        // Format 3: kept clean without its id, which is not written at all (a flag says so), and read back so.
        IndexedPost clean = partial.withoutId();
        assertThat(clean.id()).isNull();
        assertThat(clean.withoutId()).isSameAs(clean);
        DataOutputSerializer noId = new DataOutputSerializer(512);
        new PostStateV4Serializer().serialize(new PostState(post, clean, false, null, null, null, false), noId);
        PostState cleanBack = new PostStateV4Serializer().deserialize(
                new DataInputDeserializer(noId.getCopyOfBuffer()));
        assertThat(cleanBack.indexed()).usingRecursiveComparison().isEqualTo(clean);
        assertThat(cleanBack.post()).usingRecursiveComparison().isEqualTo(post);
        assertThat(noId.length()).isEqualTo(out.length() - 1 - partial.id().length());
        org.assertj.core.api.Assertions.assertThatThrownBy(clean::documentId)
                .isInstanceOf(IllegalStateException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(whole::withoutId)
                .isInstanceOf(IllegalStateException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> new PostStateSerializer().serialize(s, new DataOutputSerializer(64)))
                .isInstanceOf(IllegalStateException.class);
    }

    /** Stable by post id: each post's outputs in their order. */
    private static List<String> byPost(List<String> out) {
        List<String> sorted = new ArrayList<>(out);
        sorted.sort(java.util.Comparator.comparing(s -> {
            String token = s.split(" ")[1];
            return token.substring(token.indexOf('|') + 1);
        }));
        return sorted;
    }

    /** Duplicates of ids seen before (inline and spilled), a new like, a counter snapshot, then expiry. */
    private static List<String> afterwards(KeyedOneInputStreamOperatorTestHarness<String, ClassifiedEvent,
            AttributedEvent> h) throws Exception {
        PostStateV1Fixture.process(h, like("l1", "p1", 1, "fan1"), null); // inline id: a duplicate
        PostStateV1Fixture.process(h, like("l10", "p1", 10, "fan10"), null); // spilled id: a duplicate
        PostStateV1Fixture.process(h, like("l20", "p2", 20, "carol"), null); // a duplicate on the unmatched post
        PostStateV1Fixture.process(h, post(Platform.BLUESKY, "p1", 0, "alice", false, Metrics.NONE, "ai-courts"),
                "ai-courts"); // a duplicate post
        PostStateV1Fixture.process(h, like("l11", "p1", 11, "fan11"), null);
        // Mastodon's next snapshot: two more likes than the first one's 3.
        var snapshot = post(Platform.MASTODON, "m1", 2, "dora", false, new Metrics(5L, 1L, 0L, 0L, null), "ai-art")
                .observedAt(T0 + 70_000);
        PostStateV1Fixture.process(h, snapshot, "ai-art");
        h.processWatermark(T0 + 119_999);
        List<String> out = new ArrayList<>();
        for (AttributedEvent e : h.extractOutputValues()) {
            out.add(e + " url=" + e.url() + " snippet=" + e.snippet());
        }
        var docs = h.getSideOutput(EngagementAttribution.POSTS);
        if (docs != null) {
            docs.forEach(r -> out.add("doc " + r.getValue().documentId() + " likes=" + r.getValue().likes()));
            docs.clear();
        }
        h.processWatermark(T0 + POST_TTL.toMillis() + DEDUP_TTL.toMillis() + 120_000);
        return out;
    }

    @Test
    void shouldWriteWhatThePostAndItsDocumentShareOnceAndReadBackTheSameState() throws Exception {
        TrackedPost post = new TrackedPost(new String[] {"ai-courts"}, "v1", "https://example.org/p1", "a text",
                false, T0 + 1_000, 3L, null, 0L, null, 12L);
        IndexedPost doc = new IndexedPost("bluesky", "p1", "https://example.org/p1", "a text",
                new String[] {"ai-courts"}, "v1", "did:plc:alice", "alice.bsky.social", "en", null, T0, 1, 2, 3, 4, 5,
                T0 + 60_000);
        PostState s = new PostState(post, doc, true, new io.discoursetrends.model.Engagement[] {
            like("l9", "p1", 5, "bob").engagement()}, new String[] {PostStateSerializer.digest("l1"), "l2"},
                new long[] {T0 + 3_600_000, T0 + 1}, true);
        DataOutputSerializer out = new DataOutputSerializer(512);
        new PostStateSerializer().serialize(s, out);
        PostState back = new PostStateSerializer().deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(back.post()).usingRecursiveComparison().isEqualTo(post);
        assertThat(back.indexed()).usingRecursiveComparison().isEqualTo(doc);
        assertThat(back.pending()).containsExactly(s.pending());
        assertThat(back.seenIds()).containsExactly(s.seenIds());
        assertThat(back.seenUntil()).containsExactly(s.seenUntil());
        assertThat(back.indexedDirty()).isTrue();
        assertThat(back.seenSpilled()).isTrue();

        TypeSerializer<PostState> pojo =
                TypeInformation.of(PostState.class).createSerializer(new SerializerConfigImpl());
        DataOutputSerializer v1 = new DataOutputSerializer(512);
        pojo.serialize(s, v1);
        assertThat(out.length()).as("compact vs POJO bytes").isLessThan(v1.length() * 2 / 3);
    }

    /**
     * {@code post-state-v4}: references to a table's words as their number, words in full as they are, the platform as
     * a byte, an expiry of a whole minute in minutes; read back the same.
     */
    @Test
    void shouldWriteWordReferencesAsNumbersAndReadBackTheSameState() throws Exception {
        long expires = T0 + 7 * 86_400_000L;
        TrackedPost post = new TrackedPost(new String[] {Words.ref(3), "in-full"}, Words.ref(300),
                "https://example.org/p1", "a text", false, expires, 3L, null, 0L, null, 12L);
        IndexedPost doc = new IndexedPost("bluesky", "p1", "https://example.org/p1", "a text", post.topics(),
                Words.ref(300), "did:plc:alice", "alice.bsky.social", "en", null, T0, 1, 2, 3, 4, 5, T0 + 60_000);
        for (PostState s : List.of(PostState.EMPTY.withPost(post),
                PostState.EMPTY.withPost(post).withIndexed(doc, true),
                PostState.EMPTY.withPost(new TrackedPost(post.topics(), "v1", null, null, true, expires + 1, null, null,
                        null, null, null)))) {
            DataOutputSerializer out = new DataOutputSerializer(512);
            new PostStateV4Serializer().serialize(s, out);
            PostState back = new PostStateV4Serializer().deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
            assertThat(back.post()).usingRecursiveComparison().isEqualTo(s.post());
            assertThat(back.indexed()).usingRecursiveComparison().isEqualTo(s.indexed());
            assertThat(back.indexedDirty()).isEqualTo(s.indexedDirty());
            DataOutputSerializer v3 = new DataOutputSerializer(512);
            new PostStateSerializer().serialize(s, v3);
            if (s.indexed() != null) {
                // The platform and the document's flags 2 bytes instead of 8, the topic reference 1 instead of 3,
                // the version reference 2 instead of 4, the expiry 4 instead of 6; the topic in full as before.
                // The url and text in the text code.
                assertThat(out.length())
                        .isEqualTo(v3.length() - 6 - 2 - 2 - 2 - coded(doc.url()) - coded(doc.text()));
            }
        }
        // A Bluesky document's author id is not written (its DID is in the id), nor a handle that is the author id.
        String uri = "at://did:plc:abcdefghijklmnopqrstuvwx/app.bsky.feed.post/3kabcdefgh2xy";
        for (String[] author : new String[][] {{"did:plc:abcdefghijklmnopqrstuvwx", null}, {"pg", "pg"},
                {"did:plc:someone-else", "someone"}}) {
            IndexedPost d = new IndexedPost("bluesky", uri, null, "a text", new String[] {"ai-courts"}, "v1",
                    author[0], author[1], "en", null, T0, 1, 0, 0, 0, 0, T0);
            PostState s = PostState.EMPTY.withIndexed(d, false);
            DataOutputSerializer out = new DataOutputSerializer(512);
            new PostStateV4Serializer().serialize(s, out);
            PostState back = new PostStateV4Serializer().deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
            assertThat(back.indexed()).usingRecursiveComparison().isEqualTo(d);
            DataOutputSerializer v3 = new DataOutputSerializer(512);
            new PostStateSerializer().serialize(s, v3);
            int saved = author[1] == null ? author[0].length() + 1 + 1 - 1 // the id, its length; the null handle
                    : author[0].equals(author[1]) ? author[1].length() + 1 : 0;
            assertThat(out.length()).isEqualTo(v3.length() - 6 - saved - coded(d.text()));
        }
        // A reference's number below 64 is one byte, as is the expiry's saving of two.
        DataOutputSerializer small = new DataOutputSerializer(64);
        new PostStateV4Serializer().serialize(PostState.EMPTY.withPost(new TrackedPost(new String[] {Words.ref(1)},
                Words.ref(0), null, null, false, expires, null, null, null, null, null)), small);
        assertThat(small.length()).isEqualTo(1 + 1 + 2 + 1 + 1 + 1 + 4); // flags, post flags, topics, version, url,
                                                                        // snippet, expiry in minutes
    }

    /** A url that follows from the id is written as a flag (document) or one character (post), read back whole. */
    @Test
    void shouldNotWriteAUrlThatFollowsFromThePostsId() throws Exception {
        String uri = "at://did:plc:abcdefghijklmnopqrstuvwx/app.bsky.feed.post/3kabcdefgh2xy";
        String url = "https://bsky.app/profile/did:plc:abcdefghijklmnopqrstuvwx/post/3kabcdefgh2xy";
        IndexedPost doc = new IndexedPost("bluesky", uri, url, "a text", new String[] {"ai-courts"}, "v1", "did:plc:a",
                null, "en", null, T0, 1, 0, 0, 0, 0, T0);
        TrackedPost kept = new TrackedPost(new String[] {"ai-courts"}, "v1", PostUrls.kept("bluesky", uri, url),
                "a text", false, T0 + 1_000, null, null, null, null, null);
        assertThat(kept.url()).isEqualTo(PostUrls.FROM_ID);
        // The same state with a url of the same length that does not follow from the id, written in full.
        String other = url.replace("bsky.app", "bsky.ap0");
        TrackedPost full = new TrackedPost(kept.topics(), "v1", other, "a text", false, T0 + 1_000, null, null, null,
                null, null);
        IndexedPost fullDoc = new IndexedPost("bluesky", uri, other, "a text", doc.topics(), "v1", "did:plc:a", null,
                "en", null, T0, 1, 0, 0, 0, 0, T0);
        for (PostState s : List.of(PostState.EMPTY.withPost(kept), PostState.EMPTY.withPost(kept).withIndexed(doc,
                false))) {
            PostState written = s.indexed() == null ? s.withPost(full) : s.withPost(full).withIndexed(fullDoc, false);
            PostState back = roundTrip(s);
            assertThat(PostUrls.resolved(back.post().url(), "bluesky", uri)).isEqualTo(url);
            if (s.indexed() != null) {
                assertThat(back.indexed().url()).isEqualTo(url);
                assertThat(back.post().topics()).containsExactly("ai-courts");
            }
            assertThat(size(s)).isLessThanOrEqualTo(size(written) - url.length() + 1);
        }
    }

    /** Bytes the text code saves on {@code s}. */
    private static int coded(String s) {
        int utf8 = s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        return utf8 + 1 - TextCode.size(s);
    }

    private static PostState roundTrip(PostState s) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(512);
        new PostStateSerializer().serialize(s, out);
        return new PostStateSerializer().deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    }

    private static int size(PostState s) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(512);
        new PostStateSerializer().serialize(s, out);
        return out.length();
    }

    @Test
    void shouldGiveDistinctIdsDistinctDigests() {
        java.util.Set<String> digests = new java.util.HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            String d = PostStateSerializer.digest("at://did:plc:abc/app.bsky.feed.like/3k" + i);
            assertThat(PostStateSerializer.isDigest(d)).isTrue();
            digests.add(d);
        }
        assertThat(digests).hasSize(100_000);
        assertThat(PostStateSerializer.digest("x")).isEqualTo(PostStateSerializer.digest("x"));
    }

    private static long keysLeft(KeyedOneInputStreamOperatorTestHarness<String, ?, ?> h) {
        return keysOf(h, LegacyState.POST_STATE_V1, EngagementAttribution.postState().getName(),
                EngagementAttribution.seenEngagement().getName(), EngagementAttribution.postTable().getName(),
                EngagementAttribution.postTableV3().getName(), EngagementAttribution.spilledIds().getName(),
                AttributionOperator.DUE_POSTS, AttributionOperator.DUE_KEYS, AttributionOperator.WORDS,
                AttributionOperator.TABLE_SIZE);
    }

    /** Key and namespace pairs that have any of the states {@code names}. */
    private static long keysOf(KeyedOneInputStreamOperatorTestHarness<String, ?, ?> h, String... names) {
        KeyedStateBackend<String> backend =
                ((KeyedProcessOperator<String, ?, ?>) h.getOperator()).getKeyedStateBackend();
        long keys = 0;
        for (String name : names) {
            try (var stream = backend.getKeysAndNamespaces(name)) {
                keys += stream.count();
            }
        }
        return keys;
    }
}

package io.discoursetrends.engagement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.discoursetrends.classify.ClassifiedEvent;
import io.discoursetrends.model.CanonicalEvent;
import io.discoursetrends.model.Engagement;
import io.discoursetrends.model.Metrics;
import io.discoursetrends.model.Platform;
import io.discoursetrends.model.Post;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Harness tests of dedup, attribution, snapshot deltas, bots and expiry, including state and timer cleanup. */
class EngagementAttributionTest {
    static final long T0 = Instant.parse("2026-05-25T14:00:00Z").toEpochMilli();
    static final Duration POST_TTL = Duration.ofHours(2);
    static final Duration DEDUP_TTL = Duration.ofHours(1);

    private KeyedOneInputStreamOperatorTestHarness<String, ClassifiedEvent, AttributedEvent> h;

    @BeforeEach
    void open() throws Exception {
        h = harness();
        h.open();
    }

    @AfterEach
    void close() throws Exception {
        h.close();
    }

    static KeyedOneInputStreamOperatorTestHarness<String, ClassifiedEvent, AttributedEvent> harness() throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(new AttributionOperator(
                new EngagementAttribution(POST_TTL, DEDUP_TTL, true)), ClassifiedEvent::postKey, Types.STRING);
    }

    static KeyedOneInputStreamOperatorTestHarness<String, ClassifiedEvent, AttributedEvent> harness(
            int maxParallelism, int parallelism, int subtask, boolean rocksDb) throws Exception {
        var harness = new KeyedOneInputStreamOperatorTestHarness<>(new AttributionOperator(
                new EngagementAttribution(POST_TTL, DEDUP_TTL, true)), ClassifiedEvent::postKey, Types.STRING,
                maxParallelism, parallelism, subtask);
        if (rocksDb) {
            harness.setStateBackend(new EmbeddedRocksDBStateBackend());
        }
        return harness;
    }

    @Test
    void shouldAttributeEngagementToTheTopicsOfItsPost() throws Exception {
        process(post(Platform.BLUESKY, "p1", 0, "alice", false, Metrics.NONE, "ai-courts"));
        process(like("l1", "p1", 10, "bob"));

        List<AttributedEvent> out = h.extractOutputValues();
        assertThat(out).hasSize(2);
        assertThat(out.get(0).kind()).isEqualTo(AttributedEvent.Kind.POST);
        assertThat(out.get(0).topics()).containsExactly("ai-courts");
        assertThat(out.get(0).authorKey()).isEqualTo("bluesky|alice");
        assertThat(out.get(0).terms()).containsExactly("term-p1");
        AttributedEvent like = out.get(1);
        assertThat(like.kind()).isEqualTo(AttributedEvent.Kind.ENGAGEMENT);
        assertThat(like.topics()).containsExactly("ai-courts");
        assertThat(like.taxonomyVersion()).isEqualTo("v1");
        assertThat(like.likes()).isEqualTo(1);
        assertThat(like.timeMillis()).isEqualTo(T0 + 10_000);
        assertThat(like.url()).isEqualTo("https://example.org/p1");
        assertThat(like.unattributed()).isFalse();
    }

    @Test
    void shouldCountADuplicatedPostOrEngagementOnce() throws Exception {
        process(post(Platform.BLUESKY, "p1", 0, "alice", false, Metrics.NONE, "ai-courts"));
        process(like("l1", "p1", 10, "bob"));
        process(post(Platform.BLUESKY, "p1", 0, "alice", false, Metrics.NONE, "ai-courts"));
        process(like("l1", "p1", 10, "bob"));

        assertThat(h.extractOutputValues()).hasSize(2);
    }

    @Test
    void shouldHoldEngagementThatArrivesBeforeItsPostUntilThePostArrives() throws Exception {
        process(like("l1", "p1", 10, "bob"));
        assertThat(h.extractOutputValues()).isEmpty();
        assertThat(h.numEventTimeTimers()).isEqualTo(2); // the wait for the post, the dedup expiry

        process(post(Platform.BLUESKY, "p1", 0, "alice", false, Metrics.NONE, "ai-courts"));
        List<AttributedEvent> out = h.extractOutputValues();
        assertThat(out).extracting(AttributedEvent::kind)
                .containsExactly(AttributedEvent.Kind.POST, AttributedEvent.Kind.ENGAGEMENT);
        assertThat(out.get(1).topics()).containsExactly("ai-courts");

        h.processWatermark(T0 + 20_000); // the wait ends: nothing is left pending, nothing more is emitted
        assertThat(h.extractOutputValues()).hasSize(2);
    }

    @Test
    void shouldEmitEngagementOnAnUnknownPostAsUnattributedOnceTheWatermarkPassesIt() throws Exception {
        process(like("l1", "never-seen", 10, "bob"));
        h.processWatermark(T0 + 9_999);
        assertThat(h.extractOutputValues()).isEmpty();

        h.processWatermark(T0 + 10_000);
        List<AttributedEvent> out = h.extractOutputValues();
        assertThat(out).hasSize(1);
        assertThat(out.get(0).unattributed()).isTrue();
        assertThat(out.get(0).topics()).isEmpty();
        assertThat(out.get(0).likes()).isEqualTo(1);
        assertThat(out.get(0).timeMillis()).isEqualTo(T0 + 10_000);
    }

    @Test
    void shouldTurnCounterSnapshotsIntoDeltasAtTheTimeTheyWereObserved() throws Exception {
        process(post(Platform.MASTODON, "m1", 0, "carol", false, new Metrics(5L, 2L, 1L, null, null), "ai-art"),
                0);
        process(post(Platform.MASTODON, "m1", 0, "carol", false, new Metrics(9L, 2L, 3L, null, null), "ai-art"),
                T0 + 300_000);
        process(post(Platform.MASTODON, "m1", 0, "carol", false, new Metrics(9L, 2L, 3L, null, null), "ai-art"),
                T0 + 360_000); // nothing changed: no event
        process(post(Platform.MASTODON, "m1", 0, "carol", false, new Metrics(8L, 2L, 3L, null, null), "ai-art"),
                T0 + 420_000); // an unfavourite

        List<AttributedEvent> out = h.extractOutputValues();
        assertThat(out).hasSize(3);
        assertThat(out.get(0).isPost()).isTrue(); // first sight: the counters are the base, not engagement
        AttributedEvent delta = out.get(1);
        assertThat(delta.timeMillis()).isEqualTo(T0 + 300_000);
        assertThat(List.of(delta.likes(), delta.reposts(), delta.replies(), delta.quotes(), delta.votes()))
                .containsExactly(4L, 0L, 2L, 0L, 0L);
        assertThat(delta.topics()).containsExactly("ai-art");
        assertThat(delta.authorKey()).isNull();
        assertThat(out.get(2).likes()).isEqualTo(-1);
    }

    @Test
    void shouldNotCountAnEngagementEventAgainInTheNextSnapshot() throws Exception {
        process(post(Platform.MASTODON, "m1", 0, "carol", false, new Metrics(0L, 0L, 0L, null, null), "ai-art"), 0);
        process(CanonicalEvent.of(new Engagement(Platform.MASTODON, Engagement.Type.REPOST, "boost1", "m1", "dave",
                Instant.ofEpochMilli(T0 + 30_000), 1)));
        process(post(Platform.MASTODON, "m1", 0, "carol", false, new Metrics(2L, 1L, 0L, null, null), "ai-art"),
                T0 + 60_000);

        List<AttributedEvent> out = h.extractOutputValues();
        assertThat(out).hasSize(3);
        assertThat(out.get(1).reposts()).isEqualTo(1);
        assertThat(out.get(2).reposts()).isZero(); // the boost was counted as an event already
        assertThat(out.get(2).likes()).isEqualTo(2);
    }

    @Test
    void shouldKeepBotPostsOutOfTopicsAndMarkTheirEngagement() throws Exception {
        process(post(Platform.MASTODON, "b1", 0, "newsbot", true, Metrics.NONE, "ai-courts"));
        process(CanonicalEvent.of(new Engagement(Platform.MASTODON, Engagement.Type.REPLY, "r1", "b1", "erin",
                Instant.ofEpochMilli(T0 + 5_000), 1)));

        List<AttributedEvent> out = h.extractOutputValues();
        assertThat(out).hasSize(2);
        assertThat(out).allSatisfy(e -> {
            assertThat(e.botPost()).isTrue();
            assertThat(e.topics()).isEmpty();
        });
        assertThat(out.get(0).terms()).isEmpty();
    }

    @Test
    void shouldForgetPostsAndEngagementIdsAfterTheirTtlAndClearAllStateAndTimers() throws Exception {
        process(post(Platform.BLUESKY, "p1", 0, "alice", false, Metrics.NONE, "ai-courts"));
        process(like("l1", "p1", 10, "bob"));
        process(like("l2", "unknown", 20, "bob"));
        assertThat(h.numKeyedStateEntries()).isPositive();

        h.processWatermark(T0 + POST_TTL.toMillis() + 60_000);
        assertThat(h.numKeyedStateEntries()).isZero();
        assertThat(h.numEventTimeTimers()).isZero();

        // The post is forgotten: a like now cannot be attributed, and the old like id is no longer a duplicate.
        process(like("l1", "p1", (int) (POST_TTL.toSeconds() + 120), "bob"));
        h.processWatermark(Long.MAX_VALUE);
        List<AttributedEvent> out = h.extractOutputValues();
        assertThat(out).hasSize(4);
        assertThat(out.get(2).unattributed()).isTrue(); // l2
        assertThat(out.get(3).unattributed()).isTrue(); // l1 again, after expiry
        assertThat(h.numKeyedStateEntries()).isZero();
        assertThat(h.numEventTimeTimers()).isZero();
    }

    @Test
    void shouldQueueAPostAndItsEngagementIdsOncePerExpiryTime() throws Exception {
        long step = 2 * 60_000; // a 24th of DEDUP_TTL, in whole minutes
        process(post(Platform.BLUESKY, "p1", 0, "alice", false, Metrics.NONE, ""));
        process(like("l1", "p1", 10, "bob"));
        process(like("l2", "p1", 20, "carol")); // the same step as l1
        process(like("l3", "p1", 130, "dave")); // the next step

        long firstStep = T0 + ((10_000 + DEDUP_TTL.toMillis()) / step + 1) * step;
        long p1 = PostStateSerializer.hash64("bluesky|p1");
        assertThat(queued(T0 + POST_TTL.toMillis())).containsExactly(p1);
        assertThat(queued(firstStep)).containsExactly(p1);
        assertThat(queued(firstStep + step)).containsExactly(p1);
        assertThat(h.numEventTimeTimers()).isEqualTo(3); // one per key group and time

        h.processWatermark(firstStep);
        assertThat(queued(firstStep)).isEmpty();
        process(like("l1", "p1", 10, "bob")); // forgotten at its step: counted again
        process(like("l3", "p1", 130, "dave")); // not yet: a duplicate
        assertThat(h.extractOutputValues()).hasSize(5);
    }

    /** The digests of the posts queued to expire at {@code at}, over all table keys. */
    private List<Long> queued(long at) throws Exception {
        AttributionOperator op = (AttributionOperator) h.getOperator();
        Object current = op.getCurrentKey();
        List<Long> keys = new java.util.ArrayList<>();
        for (String table : AttributionOperator.tableKeys(128, new KeyGroupRange(0, 127))) {
            op.setCurrentKey(table);
            Iterable<Long> listed = op.getPartitionedState(at, LongSerializer.INSTANCE,
                    new ListStateDescriptor<>(AttributionOperator.DUE_POSTS, LongSerializer.INSTANCE)).get();
            if (listed != null) {
                listed.forEach(keys::add);
            }
        }
        op.setCurrentKey(current);
        return keys;
    }

    @Test
    void shouldDeduplicateEngagementBeyondTheIdsKeptInlineAndForgetThemAll() throws Exception {
        process(post(Platform.BLUESKY, "p1", 0, "alice", false, Metrics.NONE, "ai-courts"));
        int likes = PostState.INLINE_SEEN + 5;
        for (int round = 0; round < 2; round++) { // the second round is a redelivery of the first
            for (int i = 0; i < likes; i++) {
                process(like("l" + i, "p1", 10 + i, "fan" + i));
            }
        }
        assertThat(h.extractOutputValues()).hasSize(1 + likes);

        h.processWatermark(T0 + POST_TTL.toMillis() + 60_000);
        assertThat(h.numKeyedStateEntries()).isZero();
        assertThat(h.numEventTimeTimers()).isZero();
    }

    @Test
    void shouldKeepPostsAndSeenIdsAcrossARestoreFromASnapshot() throws Exception {
        process(post(Platform.BLUESKY, "p1", 0, "alice", false, Metrics.NONE, "ai-courts"));
        process(like("l1", "p1", 10, "bob"));
        OperatorSubtaskState snapshot = h.snapshot(1, T0);
        h.close();

        h = harness();
        h.initializeState(snapshot);
        h.open();
        process(like("l1", "p1", 10, "bob")); // a replay after the restore: a duplicate
        process(like("l3", "p1", 30, "frank"));
        List<AttributedEvent> out = h.extractOutputValues();
        assertThat(out).hasSize(1);
        assertThat(out.get(0).topics()).containsExactly("ai-courts");
        assertThat(out.get(0).authorKey()).isEqualTo("bluesky|frank");
    }

    /**
     * Topic ids and taxonomy versions are kept once per table: the posts' state refers to them by number, engagement
     * and drill-down documents get them in full, also after a restore; they go with the table's last post.
     */
    @ParameterizedTest(name = "rocksdb: {0}")
    @ValueSource(booleans = {false, true})
    void shouldKeepTopicsAndVersionsOncePerTableAndDropThemWithItsLastPost(boolean rocksDb) throws Exception {
        h.close();
        h = harness(128, 1, 0, rocksDb);
        h.open();
        process(post(Platform.BLUESKY, "p1", 0, "alice", false, Metrics.NONE, "ai-courts"));
        process(post(Platform.BLUESKY, "p2", 1, "bob", false, Metrics.NONE, ""));
        AttributionOperator op = (AttributionOperator) h.getOperator();
        List<PostState> kept = kept(h);
        List<String> words = new java.util.ArrayList<>();
        for (String key : AttributionOperator.tableKeys(128, new KeyGroupRange(0, 127))) {
            op.setCurrentKey(key);
            Iterable<String> listed = op.getPartitionedState(org.apache.flink.runtime.state.VoidNamespace.INSTANCE,
                    org.apache.flink.runtime.state.VoidNamespaceSerializer.INSTANCE,
                    new ListStateDescriptor<>(AttributionOperator.WORDS, Types.STRING)).get();
            if (listed != null) {
                listed.forEach(words::add);
            }
        }
        assertThat(kept).hasSize(2).allSatisfy(s -> {
            assertThat(Words.isRef(s.post().taxonomyVersion())).isTrue();
            assertThat(s.post().topics()).allMatch(Words::isRef);
        });
        assertThat(words).containsOnly("ai-courts", "v1").contains("ai-courts", "v1");
        assertThat(posts()).singleElement().satisfies(d -> {
            assertThat(d.topics()).containsExactly("ai-courts");
            assertThat(d.taxonomyVersion()).isEqualTo("v1");
        });

        OperatorSubtaskState snapshot = h.snapshot(1, T0);
        h.close();
        h = harness(128, 1, 0, rocksDb);
        h.initializeState(snapshot);
        h.open();
        process(like("l1", "p1", 10, "carol"));
        process(like("l2", "p2", 11, "dora"));
        h.processWatermark(T0 + 61_000);
        List<AttributedEvent> out = h.extractOutputValues();
        assertThat(out).hasSize(2);
        assertThat(out.get(0).topics()).containsExactly("ai-courts");
        assertThat(out.get(0).taxonomyVersion()).isEqualTo("v1");
        assertThat(out.get(1).topics()).isEmpty();
        assertThat(out.get(1).taxonomyVersion()).isEqualTo("v1");
        assertThat(posts()).singleElement().satisfies(d -> { // a partial update: no words to resolve
            assertThat(d.partial()).isTrue();
            assertThat(d.topics()).isEmpty();
            assertThat(d.likes()).isEqualTo(1);
        });

        h.processWatermark(T0 + POST_TTL.toMillis() + DEDUP_TTL.toMillis() + 120_000);
        assertThat(keysLeft()).isZero(); // the words and the table's size too
        assertThat(h.numEventTimeTimers()).isZero();
    }

    /** Every post's state in the post tables of a harness of 128 key groups, one subtask (words as kept). */
    static List<PostState> kept(KeyedOneInputStreamOperatorTestHarness<String, ClassifiedEvent, AttributedEvent> h)
            throws Exception {
        AttributionOperator op = (AttributionOperator) h.getOperator();
        List<PostState> kept = new java.util.ArrayList<>();
        var table = EngagementAttribution.postTable();
        for (String key : AttributionOperator.tableKeys(128, new KeyGroupRange(0, 127))) {
            op.setCurrentKey(key);
            for (int shard = 0; shard < AttributionOperator.SHARDS; shard++) {
                op.getPartitionedState((byte) shard, org.apache.flink.api.common.typeutils.base.ByteSerializer.INSTANCE,
                        table).values().forEach(kept::add);
            }
        }
        return kept;
    }

    /** With the heap backend and with RocksDB, whose key listing and state iteration differ. */
    @ParameterizedTest(name = "rocksdb: {0}")
    @ValueSource(booleans = {false, true})
    void shouldTakeOverStateAndTimersFromASavepointOfTheReleaseBeforePostState(boolean rocksDb) throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, ClassifiedEvent, AttributedEvent> legacy =
                new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new LegacyLayout()),
                        ClassifiedEvent::postKey, Types.STRING);
        if (rocksDb) {
            legacy.setStateBackend(new EmbeddedRocksDBStateBackend());
        }
        legacy.open();
        ClassifiedEvent p1 = new ClassifiedEvent(post(Platform.BLUESKY, "p1", 0, "alice", false, Metrics.NONE,
                "ai-courts"), new String[] {"ai-courts"}, new String[0], "v1");
        legacy.processElement(p1, T0);
        legacy.processElement(ClassifiedEvent.unclassified(like("l1", "p1", 10, "bob")), T0 + 10_000);
        legacy.processElement(ClassifiedEvent.unclassified(like("l2", "p2", 20, "carol")), T0 + 20_000);
        legacy.processElement(ClassifiedEvent.unclassified(like("l5", "p3", 5, RELEASED)), T0 + 5_000);
        OperatorSubtaskState snapshot = legacy.snapshot(1, T0);
        legacy.close();

        h.close();
        h = harness();
        if (rocksDb) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
        }
        h.initializeState(snapshot);
        h.open();
        process(post(Platform.BLUESKY, "p1", 0, "alice", false, Metrics.NONE, "ai-courts")); // known: duplicate
        process(like("l1", "p1", 10, "bob")); // seen: duplicate
        process(like("l5", "p3", 5, "erin")); // seen, though nothing else is left of p3: duplicate
        process(like("l3", "p1", 30, "dave"));
        assertThat(h.extractOutputValues()).singleElement().satisfies(e -> {
            assertThat(e.topics()).containsExactly("ai-courts");
            assertThat(e.authorKey()).isEqualTo("bluesky|dave");
        });

        h.processWatermark(T0 + 59_999);
        List<AttributedEvent> out = h.extractOutputValues();
        assertThat(out).hasSize(2);
        assertThat(out.get(1).postId()).isEqualTo("p2"); // waited in the old layout, released by its old timer
        assertThat(out.get(1).unattributed()).isTrue();
        assertThat(posts()).singleElement().satisfies(doc -> assertThat(doc.likes()).isEqualTo(2)); // old timer

        h.processWatermark(T0 + POST_TTL.toMillis() + 60_000);
        assertThat(keysLeft()).isZero(); // the harness counts state entries of the heap backend only
        assertThat(h.numEventTimeTimers()).isZero();
    }

    @Test
    void shouldExpireAKeyQueuedForATimeWhoseQueueHasFiredAlready() throws Exception {
        process(post(Platform.BLUESKY, "p1", 0, "alice", false, Metrics.NONE, ""));
        h.processWatermark(T0 + POST_TTL.toMillis() + 60_000);
        assertThat(h.numKeyedStateEntries()).isZero();

        // Created with p1, so due at the same minute, but it comes after that minute's queue fired.
        process(post(Platform.BLUESKY, "p2", 0, "bob", false, Metrics.NONE, ""));
        assertThat(h.numKeyedStateEntries()).isPositive();
        h.processWatermark(T0 + POST_TTL.toMillis() + 120_000);
        assertThat(h.numKeyedStateEntries()).isZero();
        assertThat(h.numEventTimeTimers()).isZero();
    }

    /** Queues live in the key group of their keys: after a rescale each subtask fires those it took over. */
    @ParameterizedTest(name = "rocksdb: {0}")
    @ValueSource(booleans = {false, true})
    void shouldExpireWhatWasQueuedBeforeARescaleInTheSubtasksThatTakeItOver(boolean rocksDb) throws Exception {
        int maxParallelism = 128;
        h.close();
        h = harness(maxParallelism, 1, 0, rocksDb);
        h.open();
        for (int i = 0; i < 40; i++) {
            process(post(Platform.BLUESKY, "p" + i, i, "alice", false, Metrics.NONE, ""));
            process(like("l" + i, "u" + i, i, "bob")); // on a post never seen: its id is queued on its own
        }
        OperatorSubtaskState snapshot = h.snapshot(1, T0);
        h.close();

        for (int subtask = 0; subtask < 2; subtask++) {
            h = harness(maxParallelism, 2, subtask, rocksDb);
            h.initializeState(AbstractStreamOperatorTestHarness.repartitionOperatorState(snapshot, maxParallelism,
                    1, 2, subtask));
            h.open();
            h.processWatermark(T0 + 60_000); // the likes' waits end: they go out unattributed
            int unattributed = h.extractOutputValues().size();
            assertThat(unattributed).isBetween(1, 39); // both subtasks took over some keys
            assertThat(h.numEventTimeTimers()).isPositive();
            h.processWatermark(T0 + POST_TTL.toMillis() + DEDUP_TTL.toMillis() + 120_000);
            assertThat(keysLeft()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
            h.close();
        }
        h = harness(); // for close()
        h.open();
    }

    /** A key group's words go with its posts to the subtask that takes it over, and mean the same there. */
    @ParameterizedTest(name = "rocksdb: {0}")
    @ValueSource(booleans = {false, true})
    void shouldResolveEveryPostsTopicsInTheSubtasksThatTakeOverItsKeyGroup(boolean rocksDb) throws Exception {
        int maxParallelism = 128;
        h.close();
        h = harness(maxParallelism, 1, 0, rocksDb);
        h.open();
        for (int i = 0; i < 40; i++) {
            process(post(Platform.BLUESKY, "p" + i, i, "alice", false, Metrics.NONE, "topic-" + (i % 3)));
        }
        OperatorSubtaskState snapshot = h.snapshot(1, T0);
        h.close();

        int attributed = 0;
        for (int subtask = 0; subtask < 2; subtask++) {
            h = harness(maxParallelism, 2, subtask, rocksDb);
            h.initializeState(AbstractStreamOperatorTestHarness.repartitionOperatorState(snapshot, maxParallelism,
                    1, 2, subtask));
            h.open();
            List<Integer> mine = new java.util.ArrayList<>();
            for (int i = 0; i < 40; i++) {
                if (KeyGroupRangeAssignment.assignKeyToParallelOperator("bluesky|p" + i, maxParallelism, 2)
                        == subtask) {
                    mine.add(i);
                    process(like("m" + i, "p" + i, 50 + i, "carol"));
                }
            }
            List<AttributedEvent> out = h.extractOutputValues();
            assertThat(out).hasSize(mine.size());
            for (int k = 0; k < mine.size(); k++) {
                assertThat(out.get(k).postId()).isEqualTo("p" + mine.get(k));
                assertThat(out.get(k).topics()).containsExactly("topic-" + (mine.get(k) % 3));
                assertThat(out.get(k).taxonomyVersion()).isEqualTo("v1");
            }
            attributed += out.size();
            h.processWatermark(T0 + POST_TTL.toMillis() + DEDUP_TTL.toMillis() + 120_000);
            assertThat(keysLeft()).isZero();
            h.close();
        }
        assertThat(attributed).isEqualTo(40);
        h = harness(); // for close()
        h.open();
    }

    @Test
    void shouldFindTheSameTableKeyForAKeyGroupInEveryRange() {
        String[] all = AttributionOperator.tableKeys(128, new KeyGroupRange(0, 127));
        String[] upper = AttributionOperator.tableKeys(128, new KeyGroupRange(64, 127));
        for (int group = 0; group < 128; group++) {
            assertThat(KeyGroupRangeAssignment.assignToKeyGroup(all[group], 128)).isEqualTo(group);
            assertThat(AttributionOperator.isTableKey(all[group])).isTrue();
            assertThat(all[group]).hasSizeLessThan(6); // written with every table entry's key on RocksDB
        }
        assertThat(AttributionOperator.isTableKey(AttributionOperator.QUEUE_KEY_PREFIX + 3)).isFalse();
        assertThat(AttributionOperator.isTableKey("bluesky|at://did:plc:x/app.bsky.feed.post/1")).isFalse();
        assertThat(upper).containsExactly(java.util.Arrays.copyOfRange(all, 64, 128));
    }

    /** Keys that still have any of attribution's states, old or new, in either backend. */
    private long keysLeft() {
        KeyedStateBackend<String> backend =
                ((KeyedProcessOperator<String, ?, ?>) h.getOperator()).getKeyedStateBackend();
        long keys = 0;
        List<String> names = new java.util.ArrayList<>(LegacyState.NAMES);
        names.add(LegacyState.POST_STATE_V1);
        names.add(EngagementAttribution.postState().getName());
        names.add(EngagementAttribution.seenEngagement().getName());
        names.add(EngagementAttribution.postTable().getName());
        names.add(EngagementAttribution.postTableV3().getName());
        names.add(AttributionOperator.WORDS);
        names.add(AttributionOperator.TABLE_SIZE);
        names.add(EngagementAttribution.spilledIds().getName());
        names.add(AttributionOperator.DUE_POSTS);
        names.add(AttributionOperator.DUE_KEYS);
        for (String name : names) {
            try (var stream = backend.getKeysAndNamespaces(name)) {
                keys += stream.count();
            }
        }
        return keys;
    }

    /** The actor of a like whose wait is over in {@link LegacyLayout}: only its id is left. */
    private static final String RELEASED = "released";

    /**
     * Writes state and timers the way the release before {@link PostState} did: four states per post, and expiry,
     * drill-down and waiting timers all in the one queue of a plain {@link KeyedProcessOperator}.
     */
    private static final class LegacyLayout extends KeyedProcessFunction<String, ClassifiedEvent, AttributedEvent> {
        @Override
        public void processElement(ClassifiedEvent in, Context ctx, Collector<AttributedEvent> out) throws Exception {
            long minute = EngagementAttribution.MINUTE;
            var timers = ctx.timerService();
            if (in.event().isPost()) {
                Post p = in.event().post();
                long created = p.createdAt().toEpochMilli();
                long expires = created + POST_TTL.toMillis();
                getRuntimeContext().getState(LegacyState.post()).update(new TrackedPost(in.topics(), "v1", p.url(),
                        p.text(), false, expires, null, null, null, null, null));
                getRuntimeContext().getState(LegacyState.indexed()).update(new IndexedPost("bluesky", p.id(), p.url(),
                        p.text(), in.topics(), "v1", p.authorId(), p.authorHandle(), "en", null, created, 1, 0, 0, 0,
                        0, created));
                getRuntimeContext().getState(LegacyState.indexedDirty()).update(true);
                timers.registerEventTimeTimer(Math.floorDiv(expires + minute - 1, minute) * minute);
                timers.registerEventTimeTimer(Math.floorDiv(created, minute) * minute + minute - 1);
                return;
            }
            Engagement e = in.event().engagement();
            long time = e.createdAt().toEpochMilli();
            getRuntimeContext().getMapState(EngagementAttribution.seenEngagement())
                    .put(e.id(), time + DEDUP_TTL.toMillis());
            timers.registerEventTimeTimer(Math.floorDiv(time + DEDUP_TTL.toMillis() + minute - 1, minute) * minute);
            if (getRuntimeContext().getState(LegacyState.post()).value() == null && !RELEASED.equals(e.actorId())) {
                getRuntimeContext().getListState(LegacyState.pending()).add(e);
                timers.registerEventTimeTimer(time);
            }
        }
    }

    @Test
    void shouldRefuseToRunWithoutItsExpiryTimerQueue() throws Exception {
        var plain = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(
                new EngagementAttribution(POST_TTL, DEDUP_TTL, true)), ClassifiedEvent::postKey, Types.STRING);
        plain.open();
        assertThatThrownBy(() -> plain.processElement(ClassifiedEvent.unclassified(like("l1", "p1", 10, "bob")), T0))
                .hasMessageContaining("AttributionOperator");
        plain.close();
    }

    @Test
    void shouldKeepItsStateWithFlinksOwnSerializers() throws Exception {
        assertThat(TypeInformation.of(PostState.class)).isInstanceOf(PojoTypeInfo.class);
        SerializerConfigImpl config = new SerializerConfigImpl();
        config.setGenericTypes(false); // a Kryo fallback would fail here
        TypeSerializer<PostState> serializer = TypeInformation.of(PostState.class).createSerializer(config);
        Engagement like = like("l1", "p1", 10, "bob").engagement();
        PostState s = new PostState(new TrackedPost(new String[] {"ai-courts"}, "v1", "u", "s", false, T0, 1L, null,
                null, null, 2L), null, true, new Engagement[] {like}, new String[] {"l0"}, new long[] {T0}, true);
        DataOutputSerializer bytes = new DataOutputSerializer(256);
        serializer.serialize(s, bytes);
        PostState back = serializer.deserialize(new DataInputDeserializer(bytes.getCopyOfBuffer()));
        assertThat(back.post().topics()).containsExactly("ai-courts");
        assertThat(back.post().likes()).isEqualTo(1L);
        assertThat(back.post().reposts()).isNull();
        assertThat(back.indexed()).isNull();
        assertThat(back.indexedDirty()).isTrue();
        assertThat(back.pending()).containsExactly(like);
        assertThat(back.seenIds()).containsExactly("l0");
        assertThat(back.seenUntil()).containsExactly(T0);
        assertThat(back.seenSpilled()).isTrue();
        PostState none = serializer.deserialize(new DataInputDeserializer(serialized(serializer, PostState.EMPTY)));
        assertThat(none.pending()).isEmpty();
        assertThat(none.isEmpty()).isTrue();
    }

    private static byte[] serialized(TypeSerializer<PostState> serializer, PostState s) throws Exception {
        DataOutputSerializer bytes = new DataOutputSerializer(64);
        serializer.serialize(s, bytes);
        return bytes.getCopyOfBuffer();
    }

    @Test
    void shouldIndexMatchedPostsAtOnceAndMergeTheirEngagementOncePerMinute() throws Exception {
        process(post(Platform.BLUESKY, "p1", 0, "alice", false, Metrics.NONE, "ai-courts"));
        process(post(Platform.BLUESKY, "p2", 1, "bob", false, Metrics.NONE, "")); // no topic: not indexed
        process(like("l1", "p1", 10, "bob"));
        process(like("l2", "p1", 20, "carol"));
        process(like("l3", "p1", 70, "dave"));
        assertThat(posts()).singleElement().satisfies(d -> { // the post itself, at once, whole
            assertThat(d.partial()).isFalse();
            assertThat(d.text()).isEqualTo("ai-courts");
            assertThat(d.topics()).containsExactly("ai-courts");
            assertThat(d.authorId()).isEqualTo("alice");
            assertThat(d.url()).isEqualTo("https://example.org/p1");
            assertThat(d.likes()).isZero();
        });

        h.processWatermark(T0 + 59_999);
        List<IndexedPost> docs = posts();
        assertThat(docs).hasSize(2); // one rewrite for the minute, with everything counted so far
        assertThat(docs.get(1).likes()).isEqualTo(3);
        assertThat(docs.get(1).updatedAtMillis()).isEqualTo(T0 + 70_000);
        // A partial update: the document and its engagement, nothing the whole write wrote already.
        assertThat(docs.get(1).partial()).isTrue();
        assertThat(docs.get(1).documentId()).isEqualTo("bluesky|p1");
        assertThat(docs.get(1).createdAtMillis()).isEqualTo(T0);
        assertThat(docs.get(1).text()).isNull();
        assertThat(docs.get(1).url()).isNull();
        assertThat(docs.get(1).authorId()).isNull();
        assertThat(docs.get(1).topics()).isEmpty();

        h.processWatermark(T0 + 119_999); // nothing new since: no rewrite
        assertThat(posts()).hasSize(2);
        process(like("l4", "p1", 130, "erin"));
        h.processWatermark(T0 + 179_999);
        assertThat(posts()).hasSize(3).last().satisfies(p -> assertThat(p.likes()).isEqualTo(4));
    }

    /**
     * Once written whole, a matched post's document is kept only as its partial updates need it, and so is it read
     * back from a snapshot: the tracked post keeps its own url, topics and snippet, which engagement still carries.
     */
    @ParameterizedTest(name = "rocksdb: {0}")
    @ValueSource(booleans = {false, true})
    void shouldKeepADocumentWrittenWholeOnlyAsItsPartialUpdatesNeedIt(boolean rocksDb) throws Exception {
        h.close();
        h = harness(128, 1, 0, rocksDb);
        h.open();
        String text = "ai-courts";
        process(post(Platform.MASTODON, "m1", 0, "alice", false,
                new Metrics(3L, 1L, 0L, 0L, null), text));
        process(post(Platform.BLUESKY, "p2", 1, "bob", false, Metrics.NONE, "")); // unmatched: no document
        assertThat(kept(h)).hasSize(2).filteredOn(s -> s.indexed() != null).singleElement().satisfies(s -> {
            IndexedPost d = s.indexed();
            assertThat(d.partial()).isTrue();
            assertThat(d.platform()).isEqualTo("mastodon");
            assertThat(d.id()).isNull(); // clean: the engagement that makes it dirty brings the id
            assertThat(s.indexedDirty()).isFalse();
            assertThat(d.createdAtMillis()).isEqualTo(T0);
            assertThat(d.text()).isNull();
            assertThat(d.url()).isNull();
            assertThat(d.authorId()).isNull();
            assertThat(d.authorHandle()).isNull();
            assertThat(d.lang()).isNull();
            assertThat(d.community()).isNull();
            assertThat(d.topics()).isEmpty();
            assertThat(d.taxonomyVersion()).isNull();
            assertThat(s.post().snippet()).isEqualTo(text);
            assertThat(s.post().url()).isEqualTo("https://example.org/m1");
            assertThat(s.post().topics()).hasSize(1);
        });

        OperatorSubtaskState snapshot = h.snapshot(1, T0);
        h.close();
        h = harness(128, 1, 0, rocksDb);
        h.initializeState(snapshot);
        h.open();
        assertThat(kept(h)).filteredOn(s -> s.indexed() != null).singleElement()
                .satisfies(s -> assertThat(s.indexed().partial()).isTrue());
        // The next snapshot's delta: its engagement still has the post's url, snippet and topics.
        process(post(Platform.MASTODON, "m1", 0, "alice", false,
                new Metrics(5L, 1L, 0L, 0L, null), text), T0 + 30_000);
        assertThat(h.extractOutputValues()).singleElement().satisfies(e -> {
            assertThat(e.likes()).isEqualTo(2);
            assertThat(e.topics()).containsExactly(text);
            assertThat(e.snippet()).isEqualTo(text);
            assertThat(e.url()).isEqualTo("https://example.org/m1");
        });
        assertThat(kept(h)).filteredOn(s -> s.indexed() != null).singleElement().satisfies(s -> {
            assertThat(s.indexedDirty()).isTrue();
            assertThat(s.indexed().id()).isEqualTo("m1"); // from the snapshot's post event
        });
        h.processWatermark(T0 + 59_999);
        assertThat(posts()).singleElement().satisfies(d -> {
            assertThat(d.partial()).isTrue();
            assertThat(d.documentId()).isEqualTo("mastodon|m1");
            assertThat(d.likes()).isEqualTo(2);
            assertThat(d.updatedAtMillis()).isEqualTo(T0 + 30_000);
        });
        assertThat(kept(h)).filteredOn(s -> s.indexed() != null).singleElement().satisfies(s -> {
            assertThat(s.indexedDirty()).isFalse();
            assertThat(s.indexed().id()).isNull(); // written: clean again
            assertThat(s.indexed().likes()).isEqualTo(2);
        });
        h.processWatermark(T0 + POST_TTL.toMillis() + DEDUP_TTL.toMillis() + 120_000);
        assertThat(keysLeft()).isZero();
        assertThat(h.numEventTimeTimers()).isZero();
    }

    @Test
    void shouldWriteAPostsLastEngagementWhenTheWatermarkJumpsPastItsRewriteAndItsExpiryAtOnce() throws Exception {
        // The end of a bounded input: one watermark fires the expiry queues and the rewrite timers, in either order.
        process(post(Platform.BLUESKY, "p1", 0, "alice", false, Metrics.NONE, "ai-courts"));
        process(like("l1", "p1", 10, "bob"));
        process(like("l2", "p1", 20, "carol"));
        assertThat(kept(h)).singleElement().satisfies(s -> { // the like brought the id the write needs
            assertThat(s.indexedDirty()).isTrue();
            assertThat(s.indexed().id()).isEqualTo("p1");
        });
        h.processWatermark(Long.MAX_VALUE);
        assertThat(posts()).last().satisfies(p -> {
            assertThat(p.partial()).isTrue();
            assertThat(p.documentId()).isEqualTo("bluesky|p1");
            assertThat(p.likes()).isEqualTo(2);
            assertThat(p.updatedAtMillis()).isEqualTo(T0 + 20_000);
        });
        assertThat(h.numKeyedStateEntries()).isZero();
        assertThat(h.numEventTimeTimers()).isZero();
    }

    @Test
    void shouldNotQueueExpiryInBatchExecutionWhereStateLivesForOneKeyAtATime() throws Exception {
        var batch = new KeyedOneInputStreamOperatorTestHarness<>(new AttributionOperator(
                new EngagementAttribution(POST_TTL, DEDUP_TTL, true), true), ClassifiedEvent::postKey, Types.STRING);
        batch.open();
        try {
            var e = post(Platform.BLUESKY, "p1", 0, "alice", false, Metrics.NONE, "ai-courts");
            batch.processElement(new ClassifiedEvent(e, new String[] {"ai-courts"}, new String[0], "v1"),
                    e.createdAt().toEpochMilli());
            // Only the post's own state: no queue key's list, no expiry timer.
            assertThat(batch.numKeyedStateEntries()).isEqualTo(1);
            assertThat(batch.numEventTimeTimers()).isZero();
        } finally {
            batch.close();
        }
    }

    private List<IndexedPost> posts() {
        var records = h.getSideOutput(EngagementAttribution.POSTS);
        return records == null ? List.of() : records.stream().map(r -> r.getValue()).toList();
    }

    /** Urls that follow from the post's id are not kept, and come out as the post had them. */
    @Test
    void shouldGiveEngagementThePostsUrlWhereItIsDerivedFromTheId() throws Exception {
        String uri = "at://did:plc:abcdefghijklmnopqrstuvwx/app.bsky.feed.post/3kabcdefgh2xy";
        String url = "https://bsky.app/profile/did:plc:abcdefghijklmnopqrstuvwx/post/3kabcdefgh2xy";
        assertThat(PostUrls.derived("bluesky", uri)).isEqualTo(url);
        for (String topic : new String[] {"", "ai-courts"}) { // unmatched: no document; matched: one
            h.close();
            h = harness();
            h.open();
            process(CanonicalEvent.of(new Post(Platform.BLUESKY, uri, url, "alice", "alice", false, null, topic, "en",
                    Instant.ofEpochMilli(T0), null, null, new String[0], Metrics.NONE)));
            if (!topic.isEmpty()) { // written whole: with the url, as the post had it
                assertThat(posts()).singleElement().satisfies(doc -> assertThat(doc.url()).isEqualTo(url));
            }
            OperatorSubtaskState snapshot = h.snapshot(1, T0); // read back from its serialized form
            h.close();
            h = harness();
            h.initializeState(snapshot);
            h.open();
            process(like("l1", uri, 10, "bob"));
            assertThat(h.extractOutputValues()).singleElement().satisfies(e -> assertThat(e.url()).isEqualTo(url));
        }
        assertThat(posts()).isEmpty(); // the restored harness wrote no document: the like's minute is still open
        h.processWatermark(T0 + 59_999);
        assertThat(posts()).singleElement().satisfies(doc -> { // a partial update: the url was written before
            assertThat(doc.partial()).isTrue();
            assertThat(doc.documentId()).isEqualTo("bluesky|" + uri);
        });

        // Hacker News: a counter snapshot's delta carries the url too.
        process(CanonicalEvent.of(new Post(Platform.HACKERNEWS, "hn:4242", "https://news.ycombinator.com/item?id=4242",
                "dan", "dan", false, null, "", "en", Instant.ofEpochMilli(T0), null, null, new String[0],
                new Metrics(null, null, 1L, null, 5L))));
        process(CanonicalEvent.of(new Post(Platform.HACKERNEWS, "hn:4242", "https://news.ycombinator.com/item?id=4242",
                "dan", "dan", false, null, "", "en", Instant.ofEpochMilli(T0), null, null, new String[0],
                new Metrics(null, null, 2L, null, 9L))), T0 + 60_000);
        assertThat(h.extractOutputValues()).last().satisfies(e -> {
            assertThat(e.votes()).isEqualTo(4);
            assertThat(e.url()).isEqualTo("https://news.ycombinator.com/item?id=4242");
        });
        assertThat(PostUrls.derived("mastodon", "https://mastodon.social/@a/1")).isNull();
        assertThat(PostUrls.derived("bluesky", "at://did:plc:x/app.bsky.feed.repost/1")).isNull();
    }

    /**
     * A post of no topic (a bot's included) keeps no snippet unless {@code attribution.unmatched-snippets}: its
     * engagement, which only the {@code _all} buckets count, then has the url and no text.
     */
    @ParameterizedTest(name = "unmatched snippets: {0}")
    @ValueSource(booleans = {false, true})
    void shouldKeepTheSnippetOfAPostOfNoTopicOnlyIfAskedTo(boolean unmatchedSnippets) throws Exception {
        h.close();
        h = new KeyedOneInputStreamOperatorTestHarness<>(new AttributionOperator(
                new EngagementAttribution(POST_TTL, DEDUP_TTL, true, unmatchedSnippets)), ClassifiedEvent::postKey,
                Types.STRING, 128, 1, 0);
        h.open();
        var unmatched = CanonicalEvent.of(new Post(Platform.BLUESKY, "p1", "https://example.org/p1", "alice", "alice",
                false, null, "a cat picture", "en", Instant.ofEpochMilli(T0), null, null, new String[0], Metrics.NONE));
        h.processElement(new ClassifiedEvent(unmatched, new String[0], new String[] {"cat"}, "v1"), T0);
        process(post(Platform.MASTODON, "b1", 1, "botty", true, Metrics.NONE, "ai-courts")); // a bot's: no topics
        process(post(Platform.BLUESKY, "p2", 2, "bob", false, Metrics.NONE, "ai-courts"));
        List<PostState> kept = kept(h);
        assertThat(kept).hasSize(3);
        assertThat(kept).filteredOn(s -> s.post().topics().length > 0).singleElement()
                .satisfies(s -> assertThat(s.post().snippet()).isEqualTo("ai-courts"));
        assertThat(kept).filteredOn(s -> s.post().topics().length == 0).extracting(s -> s.post().snippet())
                .containsExactlyInAnyOrderElementsOf(unmatchedSnippets ? List.of("a cat picture", "ai-courts")
                        : java.util.Arrays.asList(null, null));
        h.getOutput().clear();
        process(like("l1", "p1", 10, "carol"));
        process(like("l2", "p2", 11, "carol"));
        List<AttributedEvent> out = h.extractOutputValues();
        assertThat(out).hasSize(2);
        assertThat(out.get(0).topics()).isEmpty();
        assertThat(out.get(0).url()).isEqualTo("https://example.org/p1");
        assertThat(out.get(0).snippet()).isEqualTo(unmatchedSnippets ? "a cat picture" : null);
        assertThat(out.get(1).snippet()).isEqualTo("ai-courts");
    }

    @Test
    void shouldCutSnippetsAtWholeCharacters() {
        String text = "x".repeat(EngagementAttribution.SNIPPET_CHARS - 1) + "😀tail";
        assertThat(EngagementAttribution.snippet(text)).endsWith("x…").doesNotContain("\uD83D");
        assertThat(EngagementAttribution.snippet("  short  ")).isEqualTo("short");
    }

    private void process(CanonicalEvent e) throws Exception {
        process(e, 0);
    }

    private void process(CanonicalEvent e, long observedAt) throws Exception {
        CanonicalEvent observed = observedAt > 0 ? e.observedAt(observedAt) : e;
        ClassifiedEvent c = e.isPost()
                ? new ClassifiedEvent(observed, topicsOf(e.post()), new String[] {"term-" + e.post().id()}, "v1")
                : ClassifiedEvent.unclassified(observed);
        h.processElement(c, e.createdAt().toEpochMilli());
    }

    private static String[] topicsOf(Post p) {
        return p.text().isEmpty() ? new String[0] : new String[] {p.text()};
    }

    /** A post whose text is its topic, so the test's stand-in classifier can read it back. */
    static CanonicalEvent post(Platform platform, String id, int second, String author, boolean bot, Metrics metrics,
            String topic) {
        return CanonicalEvent.of(new Post(platform, id, "https://example.org/" + id, author, author, bot, null, topic,
                "en", Instant.ofEpochMilli(T0 + second * 1000L), null, null, new String[0], metrics));
    }

    static CanonicalEvent like(String id, String subject, int second, String actor) {
        return CanonicalEvent.of(new Engagement(Platform.BLUESKY, Engagement.Type.LIKE, id, subject, actor,
                Instant.ofEpochMilli(T0 + second * 1000L), 1));
    }
}

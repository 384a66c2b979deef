package io.discoursetrends.buckets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.discoursetrends.engagement.AttributedEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Harness tests of the bucket rules: completion on the watermark, early results, late updates within the
 * allowed lateness, too-late events, the per-author cap, the all-platforms document composed from the platforms,
 * and that state and timers are gone afterwards. On both state backends: on RocksDB the operator caches the
 * accumulators between calls ({@link TopicBucketOperator}), on the heap it writes through.
 */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"heap", "rocksdb"})
class TopicBucketFunctionTest {
    static final long T0 = Instant.parse("2026-05-25T14:00:00Z").toEpochMilli();
    static final long MINUTE = 60_000;
    static final Duration LATENESS = Duration.ofMinutes(10);

    @Parameter
    String backend;

    private KeyedOneInputStreamOperatorTestHarness<String, TopicBatch, TrendBucket> h;

    @BeforeEach
    void open() throws Exception {
        h = harness();
        h.open();
    }

    @AfterEach
    void close() throws Exception {
        h.close();
    }

    private KeyedOneInputStreamOperatorTestHarness<String, TopicBatch, TrendBucket> harness() throws Exception {
        return harness(backend, new TopicBucketFunction(Duration.ofMinutes(1), LATENESS, Duration.ofSeconds(10), 2));
    }

    static KeyedOneInputStreamOperatorTestHarness<String, TopicBatch, TrendBucket> harness(String backend,
            TopicBucketFunction function) throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, TopicBatch, TrendBucket> h =
                new KeyedOneInputStreamOperatorTestHarness<>(new TopicBucketOperator(function, false),
                        TopicBatch::topic, Types.STRING);
        if (backend.equals("rocksdb")) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
        }
        return h;
    }

    /**
     * Keys with buckets in state: on the heap the harness's count of state entries; RocksDB has no such count,
     * there the keys of the state.
     */
    static long stateEntries(KeyedOneInputStreamOperatorTestHarness<String, TopicBatch, TrendBucket> h)
            throws Exception {
        KeyedStateBackend<?> backend = ((AbstractStreamOperator<?>) h.getOperator()).getKeyedStateBackend();
        if (!backend.isSafeToReuseKVState()) {
            return h.numKeyedStateEntries();
        }
        try (var keys = backend.getKeys("platform-buckets", VoidNamespace.INSTANCE)) {
            return keys.count();
        }
    }

    /** As a task does: the operator's pre-barrier step (which writes the cache back), then the snapshot. */
    static OperatorSubtaskState snapshot(KeyedOneInputStreamOperatorTestHarness<String, TopicBatch, TrendBucket> h,
            long checkpointId) throws Exception {
        h.prepareSnapshotPreBarrier(checkpointId);
        return h.snapshot(checkpointId, checkpointId);
    }

    @Test
    void shouldEmitACompleteBucketWhenTheWatermarkPassesItsEndWhateverTheOrderOfItsEvents() throws Exception {
        add("ai-art", post("p2", 40, "bob", "diffusion", "en"));
        add("ai-art", like("p1", 50, "carol", 1));
        add("ai-art", post("p1", 5, "alice", "diffusion", "de"));
        add("ai-art", like("p2", 20, "dave", 1)); // before its post in event time: still this bucket
        add("ai-art", like("p1", 55, "erin", 1));
        add("ai-art", post("p3", 61, "alice", "next", "en")); // the next bucket
        h.processWatermark(T0 + MINUTE - 2);
        assertThat(h.extractOutputValues()).isEmpty();

        h.processWatermark(T0 + MINUTE - 1);
        List<TrendBucket> out = h.extractOutputValues();
        assertThat(out).extracting(TrendBucket::documentId)
                .containsExactly("ai-art|bluesky|2026-05-25T14:00:00Z", "ai-art|all|2026-05-25T14:00:00Z");
        assertThat(out.get(1).equalsExceptEstimates(withPlatform(out.get(0), "all"))).isTrue();
        TrendBucket b = out.get(0);
        assertThat(b.documentId()).isEqualTo("ai-art|bluesky|2026-05-25T14:00:00Z");
        assertThat(b.complete()).isTrue();
        assertThat(b.posts()).isEqualTo(2);
        assertThat(b.likes()).isEqualTo(3);
        assertThat(b.engagement()).isEqualTo(3);
        assertThat(b.uniqueAuthors()).isEqualTo(2);
        assertThat(b.uniqueEngagers()).isEqualTo(3);
        assertThat(b.topPosts()).extracting(TrendBucket.TopPost::id, TrendBucket.TopPost::engagement)
                .containsExactly(tuple("p1", 2L),
                        tuple("p2", 1L));
        assertThat(b.topTerms()).containsExactly(new TrendBucket.Count("diffusion", 2));
        assertThat(b.languages()).containsExactly(new TrendBucket.Count("de", 1), new TrendBucket.Count("en", 1));
        assertThat(b.taxonomyVersions()).containsExactly("v1");
    }

    @Test
    void shouldWriteEarlyResultsOfChangedOpenBucketsOnTheProcessingTimeInterval() throws Exception {
        h.setProcessingTime(1_000);
        add("ai-art", post("p1", 5, "alice", "x", "en"));
        add("ai-art", mastodonPost("m1", 7, "mallory"));
        h.setProcessingTime(10_000);
        List<TrendBucket> out = h.extractOutputValues();
        assertThat(out).extracting(TrendBucket::platform).containsExactly("bluesky", "mastodon", "all");
        assertThat(out).allSatisfy(b -> assertThat(b.complete()).isFalse());
        assertThat(out).extracting(TrendBucket::posts).containsExactly(1L, 1L, 2L);

        h.setProcessingTime(20_000); // nothing changed since: nothing to write
        assertThat(h.extractOutputValues()).hasSize(3);

        add("ai-art", post("p2", 6, "bob", "x", "en"));
        h.setProcessingTime(30_000); // only what changed: bluesky, and all platforms with it
        out = h.extractOutputValues();
        assertThat(out).hasSize(5);
        assertThat(out.subList(3, 5)).extracting(TrendBucket::platform, TrendBucket::posts)
                .containsExactly(tuple("bluesky", 2L), tuple("all", 3L));
        assertThat(h.numProcessingTimeTimers()).isZero();
    }

    @Test
    void shouldUpdateAndRewriteACompletedBucketForALateEventWithinTheAllowedLateness() throws Exception {
        add("ai-art", post("p1", 5, "alice", "x", "en"));
        h.processWatermark(T0 + 5 * MINUTE);
        add("ai-art", like("p1", 30, "bob", 1)); // 4.5 minutes late, within 10

        List<TrendBucket> out = h.extractOutputValues();
        assertThat(out).hasSize(4);
        assertThat(out.subList(2, 4)).extracting(TrendBucket::documentId)
                .containsExactly(out.get(0).documentId(), out.get(1).documentId());
        assertThat(out.subList(2, 4)).allSatisfy(b -> {
            assertThat(b.complete()).isTrue();
            assertThat(b.likes()).isEqualTo(1);
        });
        assertThat(h.getSideOutput(TopicBucketFunction.TOO_LATE)).isNull();
    }

    @Test
    void shouldRewriteAFiredBucketOncePerBatchOfLateEvents() throws Exception {
        add("ai-art", post("p1", 5, "alice", "x", "en"));
        h.processWatermark(T0 + 5 * MINUTE);
        h.processElement(new StreamRecord<>(new TopicBatch("ai-art", new AttributedEvent[] {
            like("p1", 30, "bob", 1), like("p1", 31, "carol", 1), like("p1", 32, "dave", 1)})));

        List<TrendBucket> out = h.extractOutputValues();
        assertThat(out).extracting(TrendBucket::platform, TrendBucket::likes, TrendBucket::uniqueEngagers)
                .containsExactly(tuple("bluesky", 0L, 0L), tuple("all", 0L, 0L), tuple("bluesky", 3L, 3L),
                        tuple("all", 3L, 3L));
    }

    @Test
    void shouldWriteAPlatformsFirstEventOfAFiredBucketAtOnceWithTheAllPlatformsDocument() throws Exception {
        add("ai-art", post("p1", 5, "alice", "x", "en"));
        h.processWatermark(T0 + 5 * MINUTE);
        add("ai-art", mastodonPost("m1", 30, "mallory")); // the bucket fired without mastodon

        List<TrendBucket> out = h.extractOutputValues();
        assertThat(out).extracting(TrendBucket::platform, TrendBucket::posts, TrendBucket::complete)
                .containsExactly(tuple("bluesky", 1L, true), tuple("all", 1L, true), tuple("mastodon", 1L, true),
                        tuple("all", 2L, true));
        h.processWatermark(T0 + 6 * MINUTE); // nothing more to write when the watermark moves on
        assertThat(h.extractOutputValues()).hasSize(4);
    }

    @Test
    void shouldSendATooLateEventToTheLateOutputOnceAcrossItsKeys() throws Exception {
        h.processWatermark(T0 + MINUTE - 1 + LATENESS.toMillis());
        AttributedEvent late = like("p1", 30, "bob", 1);
        // As TopicBatcher sends it: to _all and to its topic.
        h.processElement(new StreamRecord<>(new TopicBatch("_all", new AttributedEvent[] {late})));
        h.processElement(new StreamRecord<>(new TopicBatch("ai-art", new AttributedEvent[] {late})));
        assertThat(h.extractOutputValues()).isEmpty();
        ConcurrentLinkedQueue<StreamRecord<AttributedEvent>> tooLate = h.getSideOutput(TopicBucketFunction.TOO_LATE);
        assertThat(tooLate).extracting(StreamRecord::getValue).containsExactly(late);
        assertThat(stateEntries(h)).isZero();
    }

    @Test
    void shouldCountAtMostTheCapOfPostsPerAuthorAndKeepBotsAndUnattributedEngagementApart() throws Exception {
        for (int i = 0; i < 4; i++) {
            add("_all", post("f" + i, 10 + i, "flooder", "spam", "en"));
        }
        add("_all", botPost("b1", 20));
        add("_all", unattributed(25, 3));
        h.processWatermark(T0 + MINUTE);

        List<TrendBucket> out = h.extractOutputValues();
        assertThat(out).extracting(TrendBucket::platform).containsExactly("bluesky", "mastodon", "all");
        TrendBucket all = out.get(2);
        assertThat(all.posts()).isEqualTo(2);
        assertThat(all.cappedPosts()).isEqualTo(2);
        assertThat(all.botPosts()).isEqualTo(1);
        assertThat(all.likes()).isEqualTo(3);
        assertThat(all.unattributedEngagement()).isEqualTo(3);
        TrendBucket b = out.get(0);
        assertThat(b.posts()).isEqualTo(2);
        assertThat(b.cappedPosts()).isEqualTo(2);
        assertThat(b.botPosts()).isZero();
        assertThat(b.unattributedEngagement()).isZero();
        assertThat(out.get(1).botPosts()).isEqualTo(1);
        assertThat(out.get(1).unattributedEngagement()).isEqualTo(3);
        assertThat(b.uniqueAuthors()).isEqualTo(1);
        assertThat(b.topTerms()).containsExactly(new TrendBucket.Count("spam", 2));
        assertThat(all.uniqueAuthors()).isEqualTo(1);
        assertThat(all.topTerms()).containsExactly(new TrendBucket.Count("spam", 2));
    }

    /**
     * The document shows the ten most frequent terms; the bucket carries every term its sketch holds, up to
     * {@link BucketAccumulator#SKETCH_TERMS}, for the spike explanations, on each platform and on all together.
     */
    @Test
    void shouldCarryTheTermsOfTheWholeMinuteBeyondTheTopTen() throws Exception {
        int post = 0;
        for (int k = 1; k <= 14; k++) {
            for (int i = 0; i < k; i++, post++) {
                add("ai-art", post("p" + post, post % 60, "author" + post, String.format("t%02d", k), "en"));
            }
        }
        add("ai-art", mastodonPost("m1", 3, "mallory")); // "diffusion", on the other platform
        h.processWatermark(T0 + MINUTE);

        List<TrendBucket> out = h.extractOutputValues();
        TrendBucket bluesky = out.stream().filter(b -> b.platform().equals("bluesky")).findFirst().orElseThrow();
        TrendBucket all = out.stream().filter(b -> b.platform().equals("all")).findFirst().orElseThrow();
        TrendBucket.Count[] expected = new TrendBucket.Count[14];
        for (int k = 14; k >= 1; k--) {
            expected[14 - k] = new TrendBucket.Count(String.format("t%02d", k), k);
        }
        assertThat(bluesky.sketchTerms()).containsExactly(expected);
        assertThat(bluesky.topTerms()).containsExactly(Arrays.copyOf(expected, 10));
        assertThat(all.sketchTerms()).hasSize(15).contains(new TrendBucket.Count("diffusion", 1))
                .startsWith(Arrays.copyOf(expected, 13));
        assertThat(all.topTerms()).containsExactly(Arrays.copyOf(expected, 10));
    }

    @Test
    void shouldComposeTheAllPlatformsDocumentExactlyAsCountingEveryPlatformsEventsTogetherWould() throws Exception {
        List<AttributedEvent> events = List.of(post("p1", 1, "alice", "diffusion", "en"),
                post("p2", 2, "bob", "midjourney", "de"), mastodonPost("m1", 3, "mallory"),
                mastodonPost("m2", 4, "mallory"), mastodonPost("m3", 5, "mallory"), like("p1", 6, "carol", 2),
                like("p2", 7, "dave", 5), mastodonLike("m1", 8, 3), mastodonLike("m2", 9, 5), botPost("b1", 10),
                unattributed(11, 4));
        BucketAccumulator together = new BucketAccumulator();
        for (AttributedEvent e : events) {
            add("ai-art", e);
            together.add(e, 2);
        }
        h.processWatermark(T0 + MINUTE);

        TrendBucket all = h.extractOutputValues().get(2);
        TrendBucket expected = together.result("ai-art", "all", T0, T0 + MINUTE, true);
        assertThat(all).isEqualTo(expected); // small counts: the sketches are exact, so the estimates agree too
        assertThat(all.topPosts()).extracting(TrendBucket.TopPost::id).containsExactly("m2", "p2", "m1", "p1");
        assertThat(all.cappedPosts()).isEqualTo(1);
    }

    @Test
    void shouldClearEveryBucketAndTimerOnceTheWatermarkPassesEndPlusLateness() throws Exception {
        add("ai-art", post("p1", 5, "alice", "x", "en"));
        add("ai-art", mastodonPost("m1", 5, "mallory"));
        add("_all", post("p1", 5, "alice", "x", "en"));
        add("ai-art", post("p9", 125, "zoe", "x", "en"));
        h.prepareSnapshotPreBarrier(1); // on RocksDB the buckets are in the cache until a barrier comes
        assertThat(stateEntries(h)).isPositive();

        h.processWatermark(T0 + 3 * MINUTE - 1 + LATENESS.toMillis());
        // ai-art: bluesky, mastodon and all at 14:00, bluesky and all at 14:02; _all: bluesky and all at 14:00
        assertThat(h.extractOutputValues()).hasSize(7);
        assertThat(stateEntries(h)).isZero();
        assertThat(h.numEventTimeTimers()).isZero();
    }

    @Test
    void shouldKeepOpenBucketsWithTheirSketchesAcrossARestore() throws Exception {
        add("ai-art", post("p1", 5, "alice", "diffusion", "en"));
        add("ai-art", like("p1", 6, "bob", 2));
        OperatorSubtaskState snapshot = snapshot(h, 1);
        h.close();

        h = harness();
        h.initializeState(snapshot);
        h.open();
        add("ai-art", post("p2", 7, "carol", "diffusion", "en"));
        h.processWatermark(T0 + MINUTE);
        TrendBucket b = h.extractOutputValues().get(0);
        assertThat(b.posts()).isEqualTo(2);
        assertThat(b.likes()).isEqualTo(2);
        assertThat(b.uniqueAuthors()).isEqualTo(2);
        assertThat(b.uniqueEngagers()).isEqualTo(1);
        assertThat(b.topTerms()).containsExactly(new TrendBucket.Count("diffusion", 2));
        assertThat(b.topPosts()).extracting(TrendBucket.TopPost::id).containsExactly("p1");
    }

    private void add(String topic, AttributedEvent e) throws Exception {
        h.processElement(new StreamRecord<>(new TopicBatch(topic, new AttributedEvent[] {e})));
    }

    private static TrendBucket withPlatform(TrendBucket b, String platform) {
        return new TrendBucket(b.topic(), platform, b.bucketStartMillis(), b.bucketEndMillis(), b.complete(),
                b.taxonomyVersions(), b.posts(), b.cappedPosts(), b.botPosts(), b.likes(), b.reposts(), b.replies(),
                b.quotes(), b.votes(), b.engagement(), b.unattributedEngagement(), b.uniqueAuthors(),
                b.uniqueEngagers(), b.topPosts(), b.topTerms(), b.topCommunities(), b.languages(), b.sketchTerms());
    }

    static AttributedEvent post(String id, int second, String author, String term, String lang) {
        return new AttributedEvent(AttributedEvent.Kind.POST, "bluesky", T0 + second * 1000L, new String[] {"ai-art"},
                "v1", id, "https://example.org/" + id, "text of " + id, "bluesky|" + author, false, false, false,
                false, lang, null, new String[] {term}, 0, 0, 0, 0, 0);
    }

    static AttributedEvent botPost(String id, int second) {
        return new AttributedEvent(AttributedEvent.Kind.POST, "mastodon", T0 + second * 1000L,
                AttributedEvent.NO_TOPICS, "v1", id, null, null, "mastodon|bot", false, false, true, false, "en",
                null, AttributedEvent.NO_TOPICS, 0, 0, 0, 0, 0);
    }

    static AttributedEvent mastodonPost(String id, int second, String author) {
        return new AttributedEvent(AttributedEvent.Kind.POST, "mastodon", T0 + second * 1000L,
                new String[] {"ai-art"}, "v2", id, null, null, "mastodon|" + author, false, false, false, false,
                "fr", "mastodon.art", new String[] {"diffusion"}, 0, 0, 0, 0, 0);
    }

    static AttributedEvent mastodonLike(String postId, int second, long likes) {
        return new AttributedEvent(AttributedEvent.Kind.ENGAGEMENT, "mastodon", T0 + second * 1000L,
                new String[] {"ai-art"}, "v2", postId, "https://mastodon.art/" + postId, "text of " + postId, null,
                false, false, false, false, null, null, AttributedEvent.NO_TOPICS, likes, 0, 0, 0, 0);
    }

    static AttributedEvent like(String postId, int second, String actor, long likes) {
        return new AttributedEvent(AttributedEvent.Kind.ENGAGEMENT, "bluesky", T0 + second * 1000L,
                new String[] {"ai-art"}, "v1", postId, "https://example.org/" + postId, "text of " + postId,
                "bluesky|" + actor, false, false, false, false, null, null, AttributedEvent.NO_TOPICS, likes, 0, 0, 0,
                0);
    }

    static AttributedEvent unattributed(int second, long likes) {
        return new AttributedEvent(AttributedEvent.Kind.ENGAGEMENT, "mastodon", T0 + second * 1000L,
                AttributedEvent.NO_TOPICS, null, "gone", null, null, null, false, false, false, true, null, null,
                AttributedEvent.NO_TOPICS, likes, 0, 0, 0, 0);
    }
}

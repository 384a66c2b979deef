package io.discoursetrends.buckets;

import static org.assertj.core.api.Assertions.assertThat;

import io.discoursetrends.engagement.AttributedEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Harness tests of the bucket rules: completion on the watermark, early results, late updates within the
 * allowed lateness, too-late events, the per-author cap, and that state and timers are gone afterwards.
 */
class TopicBucketFunctionTest {
    static final long T0 = Instant.parse("2026-05-25T14:00:00Z").toEpochMilli();
    static final long MINUTE = 60_000;
    static final Duration LATENESS = Duration.ofMinutes(10);

    private KeyedOneInputStreamOperatorTestHarness<String, TopicContribution, TrendBucket> h;

    @BeforeEach
    void open() throws Exception {
        h = harness();
        h.open();
    }

    @AfterEach
    void close() throws Exception {
        h.close();
    }

    static KeyedOneInputStreamOperatorTestHarness<String, TopicContribution, TrendBucket> harness() throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(
                new TopicBucketFunction(Duration.ofMinutes(1), LATENESS, Duration.ofSeconds(10), 2)),
                TopicContribution::key, Types.STRING);
    }

    @Test
    void shouldEmitACompleteBucketWhenTheWatermarkPassesItsEndWhateverTheOrderOfItsEvents() throws Exception {
        add("ai-art", "bluesky", post("p2", 40, "bob", "diffusion", "en"));
        add("ai-art", "bluesky", like("p1", 50, "carol", 1));
        add("ai-art", "bluesky", post("p1", 5, "alice", "diffusion", "de"));
        add("ai-art", "bluesky", like("p2", 20, "dave", 1)); // before its post in event time: still this bucket
        add("ai-art", "bluesky", like("p1", 55, "erin", 1));
        add("ai-art", "bluesky", post("p3", 61, "alice", "next", "en")); // the next bucket
        h.processWatermark(T0 + MINUTE - 2);
        assertThat(h.extractOutputValues()).isEmpty();

        h.processWatermark(T0 + MINUTE - 1);
        List<TrendBucket> out = h.extractOutputValues();
        assertThat(out).hasSize(1);
        TrendBucket b = out.get(0);
        assertThat(b.documentId()).isEqualTo("ai-art|bluesky|2026-05-25T14:00:00Z");
        assertThat(b.complete()).isTrue();
        assertThat(b.posts()).isEqualTo(2);
        assertThat(b.likes()).isEqualTo(3);
        assertThat(b.engagement()).isEqualTo(3);
        assertThat(b.uniqueAuthors()).isEqualTo(2);
        assertThat(b.uniqueEngagers()).isEqualTo(3);
        assertThat(b.topPosts()).extracting(TrendBucket.TopPost::id, TrendBucket.TopPost::engagement)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("p1", 2L),
                        org.assertj.core.groups.Tuple.tuple("p2", 1L));
        assertThat(b.topTerms()).containsExactly(new TrendBucket.Count("diffusion", 2));
        assertThat(b.languages()).containsExactly(new TrendBucket.Count("de", 1), new TrendBucket.Count("en", 1));
        assertThat(b.taxonomyVersions()).containsExactly("v1");
    }

    @Test
    void shouldWriteEarlyResultsOfChangedOpenBucketsOnTheProcessingTimeInterval() throws Exception {
        h.setProcessingTime(1_000);
        add("ai-art", "bluesky", post("p1", 5, "alice", "x", "en"));
        h.setProcessingTime(10_000);
        List<TrendBucket> out = h.extractOutputValues();
        assertThat(out).hasSize(1);
        assertThat(out.get(0).complete()).isFalse();
        assertThat(out.get(0).posts()).isEqualTo(1);

        h.setProcessingTime(20_000); // nothing changed since: nothing to write
        assertThat(h.extractOutputValues()).hasSize(1);

        add("ai-art", "bluesky", post("p2", 6, "bob", "x", "en"));
        h.setProcessingTime(30_000);
        assertThat(h.extractOutputValues()).hasSize(2).last()
                .satisfies(b -> assertThat(b.posts()).isEqualTo(2));
        assertThat(h.numProcessingTimeTimers()).isZero();
    }

    @Test
    void shouldUpdateAndRewriteACompletedBucketForALateEventWithinTheAllowedLateness() throws Exception {
        add("ai-art", "bluesky", post("p1", 5, "alice", "x", "en"));
        h.processWatermark(T0 + 5 * MINUTE);
        add("ai-art", "bluesky", like("p1", 30, "bob", 1)); // 4.5 minutes late, within 10

        List<TrendBucket> out = h.extractOutputValues();
        assertThat(out).hasSize(2);
        assertThat(out.get(1).documentId()).isEqualTo(out.get(0).documentId());
        assertThat(out.get(1).complete()).isTrue();
        assertThat(out.get(1).likes()).isEqualTo(1);
        assertThat(h.getSideOutput(TopicBucketFunction.TOO_LATE)).isNull();
    }

    @Test
    void shouldSendATooLateEventToTheLateOutputOnceAcrossItsKeys() throws Exception {
        h.processWatermark(T0 + MINUTE - 1 + LATENESS.toMillis());
        AttributedEvent late = like("p1", 30, "bob", 1);
        for (TopicContribution c : fanOut(late)) {
            h.processElement(new StreamRecord<>(c, late.timeMillis()));
        }
        assertThat(h.extractOutputValues()).isEmpty();
        ConcurrentLinkedQueue<StreamRecord<AttributedEvent>> tooLate = h.getSideOutput(TopicBucketFunction.TOO_LATE);
        assertThat(tooLate).extracting(StreamRecord::getValue).containsExactly(late);
        assertThat(h.numKeyedStateEntries()).isZero();
    }

    @Test
    void shouldCountAtMostTheCapOfPostsPerAuthorAndKeepBotsAndUnattributedEngagementApart() throws Exception {
        for (int i = 0; i < 4; i++) {
            add("_all", "mastodon", post("f" + i, 10 + i, "flooder", "spam", "en"));
        }
        add("_all", "mastodon", botPost("b1", 20));
        add("_all", "mastodon", unattributed(25, 3));
        h.processWatermark(T0 + MINUTE);

        TrendBucket b = h.extractOutputValues().get(0);
        assertThat(b.posts()).isEqualTo(2);
        assertThat(b.cappedPosts()).isEqualTo(2);
        assertThat(b.botPosts()).isEqualTo(1);
        assertThat(b.likes()).isEqualTo(3);
        assertThat(b.unattributedEngagement()).isEqualTo(3);
        assertThat(b.uniqueAuthors()).isEqualTo(1);
        assertThat(b.topTerms()).containsExactly(new TrendBucket.Count("spam", 2));
    }

    @Test
    void shouldClearEveryBucketAndTimerOnceTheWatermarkPassesEndPlusLateness() throws Exception {
        add("ai-art", "bluesky", post("p1", 5, "alice", "x", "en"));
        add("ai-art", "all", post("p1", 5, "alice", "x", "en"));
        add("ai-art", "bluesky", post("p9", 125, "zoe", "x", "en"));
        assertThat(h.numKeyedStateEntries()).isPositive();

        h.processWatermark(T0 + 3 * MINUTE - 1 + LATENESS.toMillis());
        assertThat(h.extractOutputValues()).hasSize(3);
        assertThat(h.numKeyedStateEntries()).isZero();
        assertThat(h.numEventTimeTimers()).isZero();
    }

    @Test
    void shouldKeepOpenBucketsWithTheirSketchesAcrossARestore() throws Exception {
        add("ai-art", "bluesky", post("p1", 5, "alice", "diffusion", "en"));
        add("ai-art", "bluesky", like("p1", 6, "bob", 2));
        OperatorSubtaskState snapshot = h.snapshot(1, 0);
        h.close();

        h = harness();
        h.initializeState(snapshot);
        h.open();
        add("ai-art", "bluesky", post("p2", 7, "carol", "diffusion", "en"));
        h.processWatermark(T0 + MINUTE);
        TrendBucket b = h.extractOutputValues().get(0);
        assertThat(b.posts()).isEqualTo(2);
        assertThat(b.likes()).isEqualTo(2);
        assertThat(b.uniqueAuthors()).isEqualTo(2);
        assertThat(b.uniqueEngagers()).isEqualTo(1);
        assertThat(b.topTerms()).containsExactly(new TrendBucket.Count("diffusion", 2));
        assertThat(b.topPosts()).extracting(TrendBucket.TopPost::id).containsExactly("p1");
    }

    private void add(String topic, String platform, AttributedEvent e) throws Exception {
        h.processElement(new StreamRecord<>(new TopicContribution(topic, platform, e), e.timeMillis()));
    }

    private static List<TopicContribution> fanOut(AttributedEvent e) {
        List<TopicContribution> out = new java.util.ArrayList<>();
        TopicContribution.fanOut(e, new org.apache.flink.api.common.functions.util.ListCollector<>(out));
        return out;
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

package io.discoursetrends.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.discoursetrends.buckets.TrendBucket;
import io.discoursetrends.classify.TaxonomyUpdate;
import io.discoursetrends.engagement.AttributedEvent;
import io.discoursetrends.model.CanonicalEvent;
import io.discoursetrends.model.DeadLetter;
import io.discoursetrends.model.Engagement;
import io.discoursetrends.model.Metrics;
import io.discoursetrends.model.Platform;
import io.discoursetrends.model.Post;
import io.discoursetrends.model.SourceEnvelope;
import io.discoursetrends.spikes.CalendarEvent;
import io.discoursetrends.spikes.EventImpact;
import io.discoursetrends.spikes.SpikeDocument;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/**
 * The job's topology on a local MiniCluster with in-memory input and collecting sinks (the Kafka and
 * Elasticsearch wiring is proven in TrendsJobIT). Watermarks here follow every event at once, so which
 * events are late is decided by the input alone, not by when a periodic watermark happens to fire.
 */
class DiscourseTrendsJobTest {
    private static final Instant T0 = Instant.parse("2026-05-25T14:00:00Z");
    static final String TAXONOMY = """
            version: "test-1"
            topics:
              - id: courts
                label: AI in courts
                phrases: ["court ruling"]
              - id: art
                label: AI art
                phrases: ["ai art"]
            """;

    @Test
    void shouldClassifyAttributeAndBucketPerTopicAndPlatformSplitDeadLettersAndDivertTooLateEvents()
            throws Exception {
        List<SourceEnvelope> input = List.of(
                post(Platform.BLUESKY, "a", 5, "A court ruling on AI art", Metrics.NONE),
                like("l1", "a", 10),
                like("l2", "never-seen", 20),
                post(Platform.MASTODON, "m1", 30, "More AI art", new Metrics(1L, 0L, 0L, null, null)),
                deadLetter(),
                post(Platform.BLUESKY, "b", 65, "nothing to see", Metrics.NONE),
                // 3 minutes on: the watermark passes the end of the first two minutes plus the lateness...
                post(Platform.BLUESKY, "c", 185, "still nothing", Metrics.NONE),
                // ...so this post, from the first minute, is too late for its bucket.
                post(Platform.BLUESKY, "late", 15, "AI art, late", Metrics.NONE));

        CollectingSink<TrendBucket> buckets = new CollectingSink<>();
        CollectingSink<TaxonomyUpdate> taxonomies = new CollectingSink<>();
        CollectingSink<DeadLetter> deadLetters = new CollectingSink<>();
        CollectingSink<AttributedEvent> late = new CollectingSink<>();

        Configuration config = new Configuration();
        config.set(PipelineOptions.GENERIC_TYPES, false); // a Kryo fallback anywhere fails the test
        config.set(JobOptions.ALLOWED_LATENESS, Duration.ofMinutes(1));
        config.set(JobOptions.EARLY_RESULTS, Duration.ZERO);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(1);
        DiscourseTrendsJob.build(env, config, new JobSources() {
            @Override
            public DataStream<SourceEnvelope> platformRecords(StreamExecutionEnvironment e) {
                return e.fromData(TypeInformation.of(SourceEnvelope.class), input.toArray(SourceEnvelope[]::new))
                        .assignTimestampsAndWatermarks(WatermarkStrategy
                                .<SourceEnvelope>forGenerator(ctx -> new EveryEvent())
                                .withTimestampAssigner((s, ts) -> s.isDeadLetter() ? 0
                                        : s.event().createdAt().toEpochMilli()));
            }

            @Override
            public DataStream<TaxonomyUpdate> taxonomyUpdates(StreamExecutionEnvironment e) {
                // No updates: the configured taxonomy stays in force. (An empty fromData fails in Flink 2.2.)
                return e.fromData(new TaxonomyUpdate("unused", TAXONOMY, null, 0)).filter(u -> false);
            }

            @Override
            public DataStream<CalendarEvent> calendarEvents(StreamExecutionEnvironment e) {
                return e.fromData(new CalendarEvent("unused", "unused", 0, new String[] {"art"}, null))
                        .filter(u -> false);
            }
        }, new JobSinks() {
            public CollectingSink<TrendBucket> trendBuckets() {
                return buckets;
            }

            public CollectingSink<TaxonomyUpdate> taxonomies() {
                return taxonomies;
            }

            public CollectingSink<DeadLetter> deadLetters() {
                return deadLetters;
            }

            public CollectingSink<AttributedEvent> lateEvents() {
                return late;
            }

            public CollectingSink<SpikeDocument> spikes() {
                return new CollectingSink<>();
            }

            public CollectingSink<SpikeDocument> spikeAlerts() {
                return new CollectingSink<>();
            }

            public CollectingSink<EventImpact> eventImpacts() {
                return new CollectingSink<>();
            }
        }, new TaxonomyUpdate("test-1", TAXONOMY, null, T0.toEpochMilli()), List.of());
        env.execute("topology test");

        Map<String, TrendBucket> byId = buckets.results().stream()
                .collect(Collectors.toMap(TrendBucket::documentId, Function.identity()));
        assertThat(byId).hasSize(buckets.results().size()); // no early results, no late updates: one write each
        String m0 = "|2026-05-25T14:00:00Z";
        assertThat(byId.keySet()).containsExactlyInAnyOrder(
                "_all|bluesky" + m0, "_all|mastodon" + m0, "_all|all" + m0,
                "art|bluesky" + m0, "art|mastodon" + m0, "art|all" + m0, "courts|bluesky" + m0, "courts|all" + m0,
                "_all|bluesky|2026-05-25T14:01:00Z", "_all|all|2026-05-25T14:01:00Z",
                "_all|bluesky|2026-05-25T14:03:00Z", "_all|all|2026-05-25T14:03:00Z");
        assertCounts(byId.get("_all|bluesky" + m0), 1, 2, 1);
        assertCounts(byId.get("_all|all" + m0), 2, 2, 1);
        assertCounts(byId.get("_all|mastodon" + m0), 1, 0, 0); // first snapshot: its counters are the base
        assertCounts(byId.get("art|bluesky" + m0), 1, 1, 0);
        assertCounts(byId.get("art|all" + m0), 2, 1, 0);
        assertCounts(byId.get("courts|all" + m0), 1, 1, 0);
        assertThat(byId.get("art|all" + m0).taxonomyVersions()).containsExactly("test-1");
        assertThat(byId.get("art|bluesky" + m0).topPosts()).extracting(TrendBucket.TopPost::id).containsExactly("a");
        assertThat(byId.values()).allSatisfy(b -> assertThat(b.complete()).isTrue());

        assertThat(deadLetters.results()).extracting(DeadLetter::reason).containsExactly("not JSON");
        assertThat(late.results()).extracting(AttributedEvent::postId).containsExactly("late");
        assertThat(taxonomies.results()).extracting(TaxonomyUpdate::version).containsExactly("test-1");
    }

    private static void assertCounts(TrendBucket b, long posts, long likes, long unattributed) {
        assertThat(b.posts()).as(b.documentId() + " posts").isEqualTo(posts);
        assertThat(b.likes()).as(b.documentId() + " likes").isEqualTo(likes);
        assertThat(b.unattributedEngagement()).as(b.documentId() + " unattributed").isEqualTo(unattributed);
    }

    /** Emits a watermark right after each event: lateness is then a function of the input order alone. */
    private static final class EveryEvent implements WatermarkGenerator<SourceEnvelope> {
        @Override
        public void onEvent(SourceEnvelope e, long timestamp, WatermarkOutput out) {
            if (!e.isDeadLetter()) {
                out.emitWatermark(new Watermark(timestamp - 1));
            }
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput out) {}
    }

    private static SourceEnvelope post(Platform p, String id, int second, String text, Metrics metrics) {
        return SourceEnvelope.of(CanonicalEvent.of(new Post(p, id, "https://example.org/" + id, "author-" + id,
                null, false, null, text, "en", T0.plusSeconds(second), null, null, new String[0], metrics)));
    }

    private static SourceEnvelope like(String id, String subject, int second) {
        return SourceEnvelope.of(CanonicalEvent.of(
                new Engagement(Platform.BLUESKY, Engagement.Type.LIKE, id, subject, "actor", T0.plusSeconds(second), 1)));
    }

    private static SourceEnvelope deadLetter() {
        return SourceEnvelope.of(new DeadLetter(Platform.MASTODON, "discourse.raw.mastodon", 0, 7, 0L, "not JSON",
                new byte[] {'{', 'x'}));
    }
}

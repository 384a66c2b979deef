package io.discoursetrends.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.discoursetrends.buckets.PlatformCount;
import io.discoursetrends.model.CanonicalEvent;
import io.discoursetrends.model.DeadLetter;
import io.discoursetrends.model.Engagement;
import io.discoursetrends.model.Metrics;
import io.discoursetrends.model.Platform;
import io.discoursetrends.model.Post;
import io.discoursetrends.model.SourceEnvelope;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/**
 * The job's topology on a local MiniCluster with in-memory input and collecting sinks (the Kafka and
 * Elasticsearch wiring is proven in TrendsJobIT). Watermarks here follow every event at once, so which
 * events are late is decided by the input alone, not by when a periodic watermark happens to fire.
 */
class DiscourseTrendsJobTest {
    private static final Instant T0 = Instant.parse("2026-05-25T14:00:00Z");

    @Test
    void shouldCountPerPlatformAndMinuteSplitDeadLettersAndDivertLateEvents() throws Exception {
        List<SourceEnvelope> input = List.of(
                post(Platform.BLUESKY, "a", 5),
                engagement(Platform.BLUESKY, Engagement.Type.LIKE, "l1", 10),
                engagement(Platform.BLUESKY, Engagement.Type.REPLY, "r1", 20),
                post(Platform.REDDIT, "t3_x", 30),
                deadLetter(),
                post(Platform.BLUESKY, "b", 65),
                engagement(Platform.BLUESKY, Engagement.Type.REPOST, "rp1", 70),
                // 3 minutes on: the watermark passes the end of the first two minutes...
                post(Platform.BLUESKY, "c", 185),
                // ...so this event, from the first minute, is too late for its bucket.
                post(Platform.BLUESKY, "late", 15));

        CollectingSink<PlatformCount> counts = new CollectingSink<>();
        CollectingSink<DeadLetter> deadLetters = new CollectingSink<>();
        CollectingSink<CanonicalEvent> late = new CollectingSink<>();

        Configuration config = new Configuration();
        config.set(PipelineOptions.GENERIC_TYPES, false); // a Kryo fallback anywhere fails the test
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(1);
        DiscourseTrendsJob.build(env, config,
                e -> e.fromData(TypeInformation.of(SourceEnvelope.class), input.toArray(SourceEnvelope[]::new))
                        .assignTimestampsAndWatermarks(WatermarkStrategy
                                .<SourceEnvelope>forGenerator(ctx -> new EveryEvent())
                                .withTimestampAssigner((s, ts) -> s.isDeadLetter() ? 0 : s.event().createdAt().toEpochMilli())),
                new JobSinks() {
                    public CollectingSink<PlatformCount> platformCounts() {
                        return counts;
                    }

                    public CollectingSink<DeadLetter> deadLetters() {
                        return deadLetters;
                    }

                    public CollectingSink<CanonicalEvent> lateEvents() {
                        return late;
                    }
                });
        env.execute("topology test");

        long m0 = T0.toEpochMilli();
        assertThat(counts.results()).containsExactlyInAnyOrder(
                new PlatformCount(Platform.BLUESKY, m0, m0 + 60_000, 1, 1, 0, 1, 0, 0),
                new PlatformCount(Platform.REDDIT, m0, m0 + 60_000, 1, 0, 0, 0, 0, 0),
                new PlatformCount(Platform.BLUESKY, m0 + 60_000, m0 + 120_000, 1, 0, 0, 0, 1, 0),
                new PlatformCount(Platform.BLUESKY, m0 + 180_000, m0 + 240_000, 1, 0, 0, 0, 0, 0));
        assertThat(deadLetters.results()).extracting(DeadLetter::reason).containsExactly("not JSON");
        assertThat(late.results()).extracting(e -> e.post().id()).containsExactly("late");
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

    private static SourceEnvelope post(Platform p, String id, int second) {
        return SourceEnvelope.of(CanonicalEvent.of(new Post(p, id, "https://example.org/" + id, "author-" + id,
                null, false, null, "text " + id, "en", T0.plusSeconds(second), null, null, new String[0],
                Metrics.NONE)));
    }

    private static SourceEnvelope engagement(Platform p, Engagement.Type type, String id, int second) {
        return SourceEnvelope.of(CanonicalEvent.of(
                new Engagement(p, type, id, "subject", "actor", T0.plusSeconds(second), 1)));
    }

    private static SourceEnvelope deadLetter() {
        return SourceEnvelope.of(new DeadLetter(Platform.MASTODON, "discourse.raw.mastodon", 0, 7, 0L, "not JSON",
                new byte[] {'{', 'x'}));
    }
}

package io.discoursetrends.spikes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import co.elastic.clients.elasticsearch.core.search.Hit;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import io.discoursetrends.buckets.TrendBucket;
import io.discoursetrends.cli.Main;
import io.discoursetrends.elasticsearch.DocumentSchemaTest;
import io.discoursetrends.job.JobConfiguration;
import io.discoursetrends.job.JobOptions;
import io.discoursetrends.job.TrendsJobRunner;
import io.discoursetrends.local.KafkaAndElasticsearch;
import io.discoursetrends.model.Platform;
import io.discoursetrends.replay.KafkaReplayer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spike detection end to end against real servers: raw platform records through Kafka, the job on a Flink
 * MiniCluster (parallelism 2) with the production connectors, spikes and event impact in Elasticsearch and
 * spike alerts on Kafka.
 *
 * <p>Input ({@link SpikesStream}): 4.5 hours of a generated background on all four platforms with four injected
 * bursts (one platform only; all platforms; after an event of the events file; after an event published with
 * {@code events publish} while the job runs), a slow drift and a one-minute blip. What must come out:
 * <ul>
 *   <li>every burst found on each of its platforms, the spike's first alert at most 3 buckets after the burst's
 *       start, its start within 3 buckets of it, and closed once the burst is over;</li>
 *   <li>no other spike at all (the drift and the blip in particular); spikes of the all-platforms key are part of
 *       the burst they sum;</li>
 *   <li>the explanation: the burst's own word among the distinctive terms, top posts that are the burst's, the
 *       linked event (C, D) or none (A, B), the quiet platform of the one-platform burst and none of the bursting
 *       platforms as quiet;</li>
 *   <li>event-impact documents of the two events that caused bursts, on their burst platforms: a large peak lift,
 *       the peak within the burst, a half-life, and excesses that add up to the bucket documents of the 48-hour
 *       window (empty minutes below the baseline); the platforms without a burst far below; and for the event
 *       nobody reacted to, no lift;</li>
 *   <li>every spike and event-impact document (and every alert) valid against its JSON Schema.</li>
 * </ul>
 */
class SpikesIT {
    private static final long MINUTE = 60_000;
    /** "Within 3 buckets of its start". */
    private static final long DETECTION_BUCKETS = 3;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonSchema SPIKE_SCHEMA = DocumentSchemaTest.schema("spike");
    private static final JsonSchema IMPACT_SCHEMA = DocumentSchemaTest.schema("event-impact");
    private static final String GROUP = "spikes-it";
    private static final String EVENTS_TOPIC = "it.events";
    private static final String ALERTS_TOPIC = "it.spikes";

    @RegisterExtension
    static final KafkaAndElasticsearch servers = new KafkaAndElasticsearch();

    @Test
    void shouldFindEveryInjectedBurstEarlyWithItsExplanationAndNothingElse(@TempDir Path tmp) throws Exception {
        // 1. Topics: one partition per platform, so the few closers at the end move every partition's watermark (a
        //    partition without them would hold event time back until it counts as idle); one partition for the
        //    alerts, so each spike's alerts stay in order. The job creates its control topics itself.
        Map<Platform, String> raw = new EnumMap<>(Platform.class);
        Map<String, Integer> partitions = new HashMap<>();
        for (Platform p : Platform.values()) {
            raw.put(p, "it.raw." + p.id());
            partitions.put("it.raw." + p.id(), 1);
        }
        partitions.put("it.dead-letters", 1);
        partitions.put("it.late", 1);
        partitions.put("it.es-dead-letters", 1);
        partitions.put(ALERTS_TOPIC, 1);
        servers.kafka().createTopics(partitions);

        // 2. The input and the events file the job starts with.
        SpikesStream stream = new SpikesStream(42);
        Path eventsFile = Files.writeString(tmp.resolve("events.yaml"), SpikesStream.EVENTS_YAML);
        Configuration config = config(raw, eventsFile, tmp.resolve("checkpoints"));

        // 3. The job, unbounded; phase 1 of the stream (up to 11:45).
        JobClient job = TrendsJobRunner.start(config, "spikes-it");
        try (KafkaReplayer replayer = new KafkaReplayer(servers.kafka().bootstrapServers(), raw)) {
            for (Platform p : Platform.values()) {
                replayer.replayObserved(p, stream.phase1.get(p), n -> { });
            }
            long midway = SpikesStream.at("11:35").toEpochMilli();
            await("a complete bucket of 11:35", Duration.ofSeconds(90), () -> count("discourse-trends",
                    "{\"bool\":{\"filter\":[{\"term\":{\"complete\":true}},{\"range\":{\"bucket_start\":{\"gte\":"
                            + midway + "}}}]}}") > 0);

            // 4. While the job runs, the second event goes out with the CLI; once a checkpoint has passed it (the
            //    events source commits its offset then), every detector has it in its broadcast state.
            Path cliEvents = Files.writeString(tmp.resolve("sentinel.yaml"), SpikesStream.CLI_EVENTS_YAML);
            assertThat(Main.commandLine().execute("events", "publish", cliEvents.toString(), "--bootstrap-servers",
                    servers.kafka().bootstrapServers(), "--topic", EVENTS_TOPIC)).isZero();
            await("the job to read the published event", Duration.ofSeconds(60),
                    () -> committed(GROUP + "-events", new TopicPartition(EVENTS_TOPIC, 0)) >= 1);

            // 5. Phase 2, then closers two days later: every spike closes, every 48-hour impact window completes.
            for (Platform p : Platform.values()) {
                replayer.replayObserved(p, stream.phase2.get(p), n -> { });
            }
            for (Platform p : Platform.values()) {
                replayer.replayObserved(p, stream.closers.get(p), n -> { });
            }
            await(() -> "every event-impact document complete and no spike open; now " + progress(),
                    Duration.ofSeconds(120), () -> {
                List<JsonNode> impacts = documents("discourse-event-impact");
                List<JsonNode> spikes = documents("discourse-spikes");
                return impacts.stream().filter(d -> d.path("complete").asBoolean()).count() >= 5
                        && impacts.stream().allMatch(d -> d.path("complete").asBoolean())
                        && !spikes.isEmpty()
                        && spikes.stream().allMatch(d -> "closed".equals(d.path("status").asText()));
            });
            Thread.sleep(3_000); // a last rewrite may still be in a bulk request
        } finally {
            job.cancel().get();
        }

        // 6. What Elasticsearch and the alert topic hold, each document valid against its schema. Soft assertions
        //    from here: a failure report lists every expectation missed, not just the first.
        SoftAssertions softly = new SoftAssertions();
        List<JsonNode> spikes = documents("discourse-spikes");
        List<JsonNode> impacts = documents("discourse-event-impact");
        List<JsonNode> alerts = readTopic(ALERTS_TOPIC);
        for (JsonNode d : spikes) {
            softly.assertThat(SPIKE_SCHEMA.validate(d)).as("spike document %s", d).isEmpty();
        }
        for (JsonNode d : alerts) {
            softly.assertThat(SPIKE_SCHEMA.validate(d)).as("spike alert %s", d).isEmpty();
        }
        for (JsonNode d : impacts) {
            softly.assertThat(IMPACT_SCHEMA.validate(d)).as("event-impact document %s", d).isEmpty();
        }
        Map<String, JsonNode> firstAlert = new LinkedHashMap<>();
        for (JsonNode a : alerts) {
            firstAlert.putIfAbsent(a.get("spike_id").asText(), a);
        }
        System.out.println("SpikesIT: spikes found\n" + spikes.stream().map(d -> describe(d, firstAlert))
                .sorted().collect(Collectors.joining("\n")));
        System.out.println("SpikesIT: event impact\n" + impacts.stream().map(SpikesIT::describeImpact).sorted()
                .collect(Collectors.joining("\n")));
        softly.assertThat(firstAlert.keySet()).as("every spike document was alerted, and nothing else")
                .containsExactlyInAnyOrderElementsOf(spikes.stream().map(d -> d.get("spike_id").asText()).toList());

        // 7. Nothing fires outside the bursts: not the drift, not the blip, not the background.
        List<String> unexplained = new ArrayList<>();
        for (JsonNode d : spikes) {
            if (burstOf(d) == null) {
                unexplained.add(describe(d, firstAlert));
            }
        }
        softly.assertThat(unexplained).as("spikes outside the injected bursts").isEmpty();
        softly.assertThat(spikes).as("the slow drift (%s on %s) must not fire", SpikesStream.DRIFT_TOPIC,
                SpikesStream.DRIFT_PLATFORM).noneMatch(d -> d.get("topic").asText().equals(SpikesStream.DRIFT_TOPIC));
        softly.assertThat(spikes).as("the one-minute blip (%s on %s) must not fire", SpikesStream.BLIP_TOPIC,
                SpikesStream.BLIP_PLATFORM).noneMatch(d -> d.get("topic").asText().equals(SpikesStream.BLIP_TOPIC));

        // 8. Every burst found early on each of its platforms, closed after it, with its explanation.
        for (SpikesStream.Burst b : SpikesStream.BURSTS) {
            List<String> expected = new ArrayList<>(b.platforms().stream().map(Platform::id).sorted().toList());
            if (b.platforms().size() == Platform.values().length) {
                expected.add(TrendBucket.ALL_PLATFORMS); // a burst everywhere is a burst of the topic as a whole
            }
            for (String platform : expected) {
                List<JsonNode> found = spikes.stream().filter(d -> b == burstOf(d)
                        && d.get("platform").asText().equals(platform)).toList();
                softly.assertThat(found).as("%s: one spike of %s on %s", b.name(), b.topic(), platform).hasSize(1);
                if (found.size() == 1) {
                    checkSpike(softly, b, found.get(0), firstAlert.get(found.get(0).get("spike_id").asText()));
                }
            }
        }

        // 9. Event impact: large on the platforms that reacted, small on the others.
        checkImpact(softly, SpikesStream.BURSTS.get(2), impacts);
        checkImpact(softly, SpikesStream.BURSTS.get(3), impacts);
        // An event nobody reacted to: one post every other minute before and after it. Summed over every bucket
        // of the window, empty ones included, the posts above the baseline are about none.
        JsonNode optOut = impacts.stream().filter(d -> d.get("event_id").asText().equals(SpikesStream.OPT_OUT.id())
                && d.get("platform").asText().equals(SpikesStream.SPARSE_PLATFORM.id())).findFirst().orElse(null);
        softly.assertThat(optOut).as("event-impact document of %s", SpikesStream.OPT_OUT.id()).isNotNull();
        if (optOut != null) {
            softly.assertThat(optOut.get("peak_lift").asDouble()).as("%s: peak lift", SpikesStream.OPT_OUT.id())
                    .isLessThanOrEqualTo(1.5);
            checkExcess(softly, optOut, SpikesStream.OPT_OUT.id());
        }
        softly.assertAll();
    }

    private static void checkSpike(SoftAssertions softly, SpikesStream.Burst b, JsonNode d, JsonNode first) {
        String platform = d.get("platform").asText();
        String what = b.name() + " on " + platform;
        boolean all = TrendBucket.ALL_PLATFORMS.equals(platform);
        Platform p = all ? null : Platform.of(platform);
        long start = b.start().toEpochMilli();
        long end = (all ? b.end() : b.end(p)).toEpochMilli();
        int peak = all ? b.platforms().stream().mapToInt(b::peak).sum() : b.peak(p);
        int posts = all ? b.posts() : b.posts(p);

        softly.assertThat(millis(d, "started_at")).as("%s: started_at", what)
                .isBetween(start - DETECTION_BUCKETS * MINUTE, start + DETECTION_BUCKETS * MINUTE);
        softly.assertThat(first.get("status").asText()).as("%s: first alert", what).isEqualTo("open");
        softly.assertThat(millis(first, "updated_at")).as("%s: found within %d buckets of the burst's start", what,
                DETECTION_BUCKETS).isBetween(start, start + DETECTION_BUCKETS * MINUTE);

        softly.assertThat(d.get("status").asText()).as("%s: status", what).isEqualTo("closed");
        softly.assertThat(millis(d, "ended_at")).as("%s: ended once the burst was over", what)
                .isBetween(end - 3 * MINUTE, end + 5 * MINUTE);
        softly.assertThat(millis(d, "peak_at")).as("%s: peak within the burst", what).isBetween(start, end);
        // Measured against what was injected: the background adds a little, the per-author cap and Mastodon's
        // bot accounts take nothing from scripted posts.
        softly.assertThat(d.get("peak_value").asDouble()).as("%s: peak", what).isBetween(0.9 * peak, peak + 10.0);
        softly.assertThat(d.get("baseline").asDouble()).as("%s: baseline", what).isLessThan(peak / 4.0);
        softly.assertThat(d.get("ratio").asDouble()).as("%s: ratio", what).isGreaterThan(4);
        softly.assertThat(d.get("posts").asLong()).as("%s: posts", what).isGreaterThanOrEqualTo((long) (0.9 * posts));
        softly.assertThat(d.get("unique_authors").asLong()).as("%s: unique authors", what).isGreaterThanOrEqualTo(10);

        List<String> terms = new ArrayList<>();
        d.get("distinctive_terms").forEach(t -> terms.add(t.get("term").asText()));
        softly.assertThat(terms).as("%s: distinctive terms", what).contains(b.word());
        List<String> texts = new ArrayList<>();
        d.get("top_posts").forEach(post -> texts.add(post.path("text").asText().toLowerCase(Locale.ROOT)));
        softly.assertThat(texts).as("%s: top posts", what).isNotEmpty();
        softly.assertThat(texts.stream().filter(t -> t.contains(b.word())).count()).as("%s: top posts of the burst: %s",
                what, texts).isGreaterThanOrEqualTo((texts.size() + 1) / 2);

        if (b.event() == null) {
            softly.assertThat(d.has("event")).as("%s: no linked event, got %s", what, d.get("event")).isFalse();
        } else {
            softly.assertThat(d.path("event").path("id").asText()).as("%s: linked event", what)
                    .isEqualTo(b.event().id());
            softly.assertThat(d.path("event").path("name").asText()).isEqualTo(b.event().name());
            softly.assertThat(d.path("event").path("url").asText()).isEqualTo(b.event().url());
            softly.assertThat(millis(d.get("event"), "time")).isEqualTo(b.event().timeMillis());
        }

        // Quiet platforms: those that stayed at their baseline while this one spiked. Never one that spiked in the
        // same minutes, and the same whatever order the job's subtasks happened to deliver their buckets in.
        List<String> quiet = new ArrayList<>();
        d.get("quiet_platforms").forEach(q -> quiet.add(q.asText()));
        if (all) {
            softly.assertThat(quiet).as("%s: quiet platforms", what).isEmpty();
        } else {
            softly.assertThat(quiet).as("%s: a platform that spiked too is not quiet", what)
                    .doesNotContainAnyElementsOf(b.platforms().stream().map(Platform::id).toList());
        }
        if (b.quiet() != null && !all) {
            softly.assertThat(quiet).as("%s: quiet platforms", what).contains(b.quiet().id());
        }
    }

    private static void checkImpact(SoftAssertions softly, SpikesStream.Burst b, List<JsonNode> impacts) {
        Map<String, JsonNode> byPlatform = new HashMap<>();
        for (JsonNode d : impacts) {
            if (d.get("event_id").asText().equals(b.event().id()) && d.get("topic").asText().equals(b.topic())) {
                softly.assertThat(byPlatform.put(d.get("platform").asText(), d))
                        .as("one document per topic and platform").isNull();
            }
        }
        double quietestLift = Double.MAX_VALUE;
        for (Platform p : b.platforms()) {
            JsonNode d = byPlatform.get(p.id());
            String what = b.event().id() + " on " + p.id();
            softly.assertThat(d).as("%s: event-impact document", what).isNotNull();
            if (d == null) {
                continue;
            }
            softly.assertThat(d.get("complete").asBoolean()).as(what).isTrue();
            softly.assertThat(d.get("topics").get(0).asText()).isEqualTo(b.topic());
            softly.assertThat(d.get("topic").asText()).isEqualTo(b.topic());
            double minutesToBurst = (b.start().toEpochMilli() - b.event().timeMillis()) / (double) MINUTE;
            int minutes = b.perMinute().get(p).length;
            softly.assertThat(d.get("peak_lift").asDouble()).as("%s: peak lift", what).isGreaterThan(5);
            softly.assertThat(d.get("time_to_peak_minutes").asDouble()).as("%s: time to peak", what)
                    .isBetween(minutesToBurst, minutesToBurst + minutes);
            checkExcess(softly, d, what);
            softly.assertThat(sumInWindow(d, "posts")).as("%s: posts in the window, the burst's included", what)
                    .isGreaterThanOrEqualTo((double) b.posts(p));
            softly.assertThat(d.path("half_life_minutes").asDouble(-1)).as("%s: half-life", what)
                    .isBetween(1.0, (double) minutes);
            quietestLift = Math.min(quietestLift, d.get("peak_lift").asDouble());
        }
        JsonNode all = byPlatform.get(TrendBucket.ALL_PLATFORMS);
        softly.assertThat(all).as("%s on all platforms", b.event().id()).isNotNull();
        if (all != null) {
            checkExcess(softly, all, b.event().id() + " on all platforms");
        }
        for (Platform p : Platform.values()) {
            JsonNode d = byPlatform.get(p.id());
            if (!b.platforms().contains(p) && d != null) {
                softly.assertThat(d.get("peak_lift").asDouble())
                        .as("%s on %s, which did not react", b.event().id(), p.id())
                        .isLessThan(quietestLift / 2);
                checkExcess(softly, d, b.event().id() + " on " + p.id());
            }
        }
    }

    /**
     * The excess over the 48 hours after an event is the posts (and engagement) of the event's topic on the
     * platform in that window, minus the baseline for every minute of it, empty minutes included. The stream
     * ends a few hours after the events, so the later minutes are empty: what the job reports must be exactly
     * what the bucket documents in the window add up to (the baselines in the document are rounded to 0.01).
     */
    private static void checkExcess(SoftAssertions softly, JsonNode d, String what) {
        double buckets = SpikeDetectionFunction.IMPACT_WINDOW_MILLIS / (double) MINUTE;
        double posts = sumInWindow(d, "posts");
        double engagement = sumInWindow(d, "engagement");
        double slack = 0.005 * buckets + 1;
        softly.assertThat(d.get("excess_posts").asDouble()).as("%s: excess posts", what)
                .isCloseTo(posts - d.get("baseline_posts_per_bucket").asDouble() * buckets, within(slack));
        softly.assertThat(d.get("excess_engagement").asDouble()).as("%s: excess engagement", what)
                .isCloseTo(engagement - d.get("baseline_engagement_per_bucket").asDouble() * buckets, within(slack));
    }

    /** The sum of a bucket figure of the document's topic and platform in its event's 48-hour window. */
    private static double sumInWindow(JsonNode impact, String field) {
        long from = millis(impact, "event_time");
        long to = from + SpikeDetectionFunction.IMPACT_WINDOW_MILLIS;
        String query = """
                {"size":0,"query":{"bool":{"filter":[{"term":{"topic":"%s"}},{"term":{"platform":"%s"}},
                  {"range":{"bucket_start":{"gte":%d,"lt":%d}}}]}},"aggs":{"s":{"sum":{"field":"%s"}}}}"""
                .formatted(impact.get("topic").asText(), impact.get("platform").asText(), from, to, field);
        try {
            servers.client().indices().refresh(r -> r.index("discourse-trends-*"));
            return servers.client().search(
                    s -> s.index("discourse-trends-*").withJson(new java.io.StringReader(query)), Void.class)
                    .aggregations().get("s").sum().value();
        } catch (Exception e) {
            throw new AssertionError("cannot sum " + field + " in the window of " + impact, e);
        }
    }

    /** The burst a spike document belongs to: its topic, one of its platforms (or all), starting near it. */
    private static SpikesStream.Burst burstOf(JsonNode d) {
        long startedAt = millis(d, "started_at");
        String platform = d.get("platform").asText();
        for (SpikesStream.Burst b : SpikesStream.BURSTS) {
            boolean onPlatform = TrendBucket.ALL_PLATFORMS.equals(platform)
                    || b.platforms().stream().anyMatch(p -> p.id().equals(platform));
            if (b.topic().equals(d.get("topic").asText()) && onPlatform
                    && Math.abs(startedAt - b.start().toEpochMilli()) <= DETECTION_BUCKETS * MINUTE) {
                return b;
            }
        }
        return null;
    }

    private static String describe(JsonNode d, Map<String, JsonNode> firstAlert) {
        JsonNode first = firstAlert.get(d.get("spike_id").asText());
        List<String> terms = new ArrayList<>();
        d.get("distinctive_terms").forEach(t -> terms.add(t.get("term").asText()));
        return String.format("  %-24s %-10s start %s opened %s ended %s peak %.0f baseline %.2f ratio %.1f score %.1f"
                        + " %s terms %s event %s quiet %s (at open %s)", d.get("topic").asText(),
                d.get("platform").asText(), hhmm(d, "started_at"), first == null ? "?" : hhmm(first, "updated_at"),
                hhmm(d, "ended_at"), d.get("peak_value").asDouble(), d.get("baseline").asDouble(),
                d.get("ratio").asDouble(), d.get("score").asDouble(), d.get("severity").asText(), terms,
                d.path("event").path("id").asText("-"), d.get("quiet_platforms"),
                first == null ? "?" : first.get("quiet_platforms"));
    }

    private static String describeImpact(JsonNode d) {
        return String.format("  %-24s %-22s %-10s baseline %.2f peak %.0f lift %.1f time to peak %s min excess %.0f"
                        + " engagement %.0f half-life %s complete %s", d.get("event_id").asText(),
                d.get("topic").asText(), d.get("platform").asText(), d.get("baseline_posts_per_bucket").asDouble(),
                d.get("peak_posts").asDouble(), d.get("peak_lift").asDouble(),
                d.path("time_to_peak_minutes").asText("-"),
                d.get("excess_posts").asDouble(), d.get("excess_engagement").asDouble(),
                d.path("half_life_minutes").asText("-"), d.get("complete").asText());
    }

    private static String hhmm(JsonNode d, String field) {
        return d.hasNonNull(field) ? d.get(field).asText().substring(11, 16) : "-";
    }

    private static long millis(JsonNode d, String field) {
        return Instant.parse(d.get(field).asText()).toEpochMilli();
    }

    private static Configuration config(Map<Platform, String> raw, Path eventsFile, Path checkpoints) {
        Map<String, String> s = new HashMap<>();
        s.put(JobOptions.KAFKA_BOOTSTRAP.key(), servers.kafka().bootstrapServers());
        s.put(JobOptions.KAFKA_GROUP_ID.key(), GROUP);
        s.put(JobOptions.TOPIC_BLUESKY.key(), raw.get(Platform.BLUESKY));
        s.put(JobOptions.TOPIC_MASTODON.key(), raw.get(Platform.MASTODON));
        s.put(JobOptions.TOPIC_REDDIT.key(), raw.get(Platform.REDDIT));
        s.put(JobOptions.TOPIC_HACKERNEWS.key(), raw.get(Platform.HACKERNEWS));
        s.put(JobOptions.TOPIC_TAXONOMY.key(), "it.control");
        s.put(JobOptions.TOPIC_EVENTS.key(), EVENTS_TOPIC);
        s.put(JobOptions.TOPIC_SPIKES.key(), ALERTS_TOPIC);
        s.put(JobOptions.TOPIC_DEAD_LETTERS.key(), "it.dead-letters");
        s.put(JobOptions.TOPIC_LATE.key(), "it.late");
        s.put(JobOptions.ES_DEAD_LETTER_TOPIC.key(), "it.es-dead-letters");
        s.put(JobOptions.EVENTS_FILE.key(), eventsFile.toString());
        s.put(JobOptions.STARTING_OFFSETS.key(), "earliest");
        // Event time must wait for every platform while the test publishes the event between the two phases.
        s.put(JobOptions.IDLENESS.key(), "30 min");
        s.put(JobOptions.CHECKPOINT_INTERVAL.key(), "2 s");
        // Spikes read complete buckets only; fewer early rewrites leave the two cores to the job.
        s.put(JobOptions.EARLY_RESULTS.key(), "1 min");
        s.put(JobOptions.ES_URLS.key(), servers.elasticsearch().httpUrl());
        s.put(CoreOptions.DEFAULT_PARALLELISM.key(), "2");
        s.put(CheckpointingOptions.CHECKPOINTS_DIRECTORY.key(), checkpoints.toUri().toString());
        s.put(PipelineOptions.GENERIC_TYPES.key(), "false");
        return JobConfiguration.load(null, s);
    }

    /** Every document of an index's monthly indices (a few hundred at most here). */
    private static List<JsonNode> documents(String base) {
        try {
            servers.client().indices().refresh(r -> r.index(base + "-*").ignoreUnavailable(true).allowNoIndices(true));
            var response = servers.client().search(s -> s.index(base + "-*")
                    .ignoreUnavailable(true).allowNoIndices(true)
                    .size(1_000), ObjectNode.class);
            List<JsonNode> out = new ArrayList<>();
            for (Hit<ObjectNode> hit : response.hits().hits()) {
                out.add(hit.source());
            }
            return out;
        } catch (Exception e) {
            return List.of(); // not there yet
        }
    }

    private static long count(String base, String queryJson) {
        try {
            servers.client().indices().refresh(r -> r.index(base + "-*").ignoreUnavailable(true).allowNoIndices(true));
            return servers.client().count(c -> c.index(base + "-*").ignoreUnavailable(true).allowNoIndices(true)
                    .query(q -> q.withJson(new java.io.StringReader(queryJson)))).count();
        } catch (Exception e) {
            return 0;
        }
    }

    private static long committed(String group, TopicPartition tp) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers.kafka().bootstrapServers());
        try (Admin admin = Admin.create(p)) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get();
            OffsetAndMetadata o = offsets.get(tp);
            return o == null ? -1 : o.offset();
        } catch (Exception e) {
            return -1;
        }
    }

    /** Every record of a topic, from its beginning to its end offsets now, in order. */
    private static List<JsonNode> readTopic(String topic) throws Exception {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers.kafka().bootstrapServers());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<JsonNode> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                     new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> tps = List.of(new TopicPartition(topic, 0));
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            long end = consumer.endOffsets(tps).get(tps.get(0));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (consumer.position(tps.get(0)) < end && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    out.add(JSON.readTree(r.value()));
                }
            }
        }
        return out;
    }

    private static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        await(() -> what, timeout, condition);
    }

    private static void await(java.util.function.Supplier<String> what, Duration timeout, BooleanSupplier condition)
            throws InterruptedException {
        long started = System.nanoTime();
        long deadline = started + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what.get());
            }
            Thread.sleep(1_000);
        }
        System.out.printf("SpikesIT: waited %.1f s for %s%n", (System.nanoTime() - started) / 1e9, what.get());
    }

    /** Where the job is, for a timeout's message: the documents so far and the newest complete bucket. */
    private static String progress() {
        List<JsonNode> impacts = documents("discourse-event-impact");
        List<JsonNode> spikes = documents("discourse-spikes");
        List<JsonNode> rejected = new ArrayList<>();
        try {
            rejected = readTopic("it.es-dead-letters");
        } catch (Exception e) {
            // only for the message
        }
        return impacts.size() + " event-impact documents (" + impacts.stream()
                .filter(d -> d.path("complete").asBoolean()).count() + " complete), " + spikes.size()
                + " spikes (" + spikes.stream().filter(d -> "open".equals(d.path("status").asText())).count()
                + " open), " + count("discourse-trends", "{\"term\":{\"complete\":true}}")
                + " complete buckets, " + rejected.size() + " documents rejected by Elasticsearch"
                + (rejected.isEmpty() ? "" : " (first: " + rejected.get(0) + ")");
    }
}

package io.discoursetrends.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.discoursetrends.benchmarks.SqlBaseline;
import io.discoursetrends.buckets.TrendBucket;
import io.discoursetrends.classify.CompiledTaxonomy;
import io.discoursetrends.classify.Taxonomy;
import io.discoursetrends.classify.TopicDefinition;
import io.discoursetrends.model.Platform;
import io.discoursetrends.replay.RawStreamGenerator;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.types.Row;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The Flink SQL baseline of PipelineBenchmark ({@link SqlBaseline}) counts what the job counts, where SQL can:
 * on generated records of all four platforms (with redeliveries), its posts per topic x platform x minute and per
 * topic over all platforms equal {@link TrendReference}'s (posts + capped_posts: SQL has no per-author cap), and
 * its Bluesky engagement of all topics equals the reference's likes, reposts, replies and quotes there (the only
 * engagement both count the same way: SQL attributes nothing and sums counters as reported, see SqlBaseline).
 * So the benchmark's SQL stage cannot silently count nothing or something else.
 */
class SqlBaselineTest {
    private static final Instant START = Instant.parse("2026-05-25T14:00:00Z");

    // LIKE_PER_TOPIC (the previous baseline, still a benchmark row) is left out to keep the test short: its
    // 2,470-LIKE planning alone takes 15 to 70 s here; it passed this test when the token formulations were added.
    @ParameterizedTest
    @EnumSource(value = SqlBaseline.Formulation.class, names = "LIKE_PER_TOPIC", mode = EnumSource.Mode.EXCLUDE)
    void shouldCountPostsPerTopicPlatformAndMinuteAsTheReferenceDoes(SqlBaseline.Formulation formulation)
            throws Exception {
        // The default topics with their hashtags, communities and exclusions, and their first 20 phrases (the
        // planner's cost grows with the query; the benchmark runs the whole 2,470-phrase taxonomy).
        Taxonomy full = Taxonomy.defaultTaxonomy();
        Taxonomy taxonomy = new Taxonomy(full.version() + "-first-20", full.topics().stream()
                .map(t -> new TopicDefinition(t.id(), t.label(), t.description(),
                        t.phrases().subList(0, Math.min(20, t.phrases().size())), t.hashtags(), t.communities(),
                        t.regexes(), t.exclude(), t.languages()))
                .toList(), full.source());
        SplittableRandom random = new SplittableRandom(7);
        List<TrendStream.Produced> produced = new ArrayList<>();
        Map<Platform, byte[][]> values = new EnumMap<>(Platform.class);
        for (Platform p : Platform.values()) {
            List<byte[]> mine = new ArrayList<>();
            for (RawStreamGenerator.RawRecord r : RawStreamGenerator.generate(p, 400, START, Duration.ofMinutes(4),
                    11 + p.ordinal())) {
                int copies = random.nextInt(100) < 5 ? 2 : 1; // redeliveries, right after the first
                for (int i = 0; i < copies; i++) {
                    produced.add(new TrendStream.Produced(p, r.value(), r.eventTime().toEpochMilli(), 1, false, false));
                    mine.add(r.value());
                }
            }
            values.put(p, mine.toArray(byte[][]::new));
        }
        CompiledTaxonomy compiled = CompiledTaxonomy.compile(taxonomy);
        TrendReference reference = new TrendReference(produced, compiled, compiled, Long.MAX_VALUE, 60_000,
                JobOptions.MAX_POSTS_PER_AUTHOR.defaultValue());

        Map<Platform, String> ids = SqlBaseline.register(values);
        List<Row> rows;
        try {
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(new Configuration());
            env.setParallelism(1);
            CollectingSink<Row> sink = new CollectingSink<>();
            long t0 = System.nanoTime();
            SqlBaseline.build(env, ids, taxonomy, formulation).sinkTo(sink);
            long t1 = System.nanoTime();
            env.execute("sql baseline");
            System.out.printf("SqlBaselineTest %s: planned in %.1f s, ran in %.1f s%n", formulation, (t1 - t0) / 1e9,
                    (System.nanoTime() - t1) / 1e9);
            rows = sink.results();
        } finally {
            SqlBaseline.unregister(ids);
        }

        Map<String, Long> sqlPosts = new TreeMap<>();
        Map<String, Long> sqlBlueskyEngagement = new TreeMap<>();
        for (Row r : rows) {
            String key = r.getFieldAs("topic") + "|" + r.getFieldAs("platform") + "|"
                    + ((LocalDateTime) r.getFieldAs("window_start")).toInstant(ZoneOffset.UTC).toEpochMilli();
            long posts = r.<Long>getFieldAs("posts");
            if (posts > 0) {
                sqlPosts.put(key, posts);
            }
            if (r.getFieldAs("topic").equals(TrendBucket.ALL_TOPICS) && r.getFieldAs("platform").equals("bluesky")) {
                sqlBlueskyEngagement.put(key, r.<Long>getFieldAs("engagement"));
            }
        }
        Map<String, Long> refPosts = new TreeMap<>();
        Map<String, Long> refBlueskyEngagement = new TreeMap<>();
        for (TrendBucket b : reference.buckets.values()) {
            String key = b.topic() + "|" + b.platform() + "|" + b.bucketStartMillis();
            if (b.posts() + b.cappedPosts() > 0) {
                refPosts.put(key, b.posts() + b.cappedPosts());
            }
            if (b.topic().equals(TrendBucket.ALL_TOPICS) && b.platform().equals("bluesky")) {
                refBlueskyEngagement.put(key, b.likes() + b.reposts() + b.replies() + b.quotes());
            }
        }

        assertThat(refPosts.keySet().stream().filter(k -> !k.startsWith(TrendBucket.ALL_TOPICS + "|")).count())
                .as("buckets of real topics in the reference").isGreaterThan(20);
        assertThat(differences(sqlPosts, refPosts)).as("posts: SQL against the reference").isEmpty();
        assertThat(differences(sqlBlueskyEngagement, refBlueskyEngagement))
                .as("Bluesky engagement of all topics: SQL against the reference").isEmpty();
    }

    private static List<String> differences(Map<String, Long> sql, Map<String, Long> reference) {
        TreeMap<String, Long> keys = new TreeMap<>(sql);
        keys.putAll(reference);
        List<String> out = new ArrayList<>();
        for (String k : keys.keySet()) {
            if (!java.util.Objects.equals(sql.get(k), reference.get(k))) {
                out.add(k + ": SQL " + sql.get(k) + ", reference " + reference.get(k));
            }
        }
        return out;
    }
}

package io.discoursetrends.spikes;

import static org.assertj.core.api.Assertions.assertThat;

import io.discoursetrends.classify.CompiledTaxonomy;
import io.discoursetrends.classify.Taxonomy;
import io.discoursetrends.model.CanonicalEvent;
import io.discoursetrends.model.Platform;
import io.discoursetrends.normalize.NormalizeResult;
import io.discoursetrends.normalize.Normalizer;
import io.discoursetrends.normalize.Normalizers;
import io.discoursetrends.replay.BurstGenerator;
import io.discoursetrends.replay.KafkaReplayer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The scripted posts that SpikesIT and the demo inject must be what they claim: valid records of each platform,
 * classified by the shipped taxonomy into the script's topic and no other, the requested number per minute,
 * by distinct authors, with engagement on the posts themselves.
 */
class BurstGeneratorTest {
    private static final Instant START = Instant.parse("2026-05-25T10:00:00Z");
    private static final CompiledTaxonomy TAXONOMY = CompiledTaxonomy.compile(Taxonomy.defaultTaxonomy());
    private static final List<BurstGenerator.Script> SCRIPTS = List.of(BurstGenerator.MODEL_RELEASE,
            BurstGenerator.LOCAL_MODELS, BurstGenerator.IMAGE_LAUNCH, BurstGenerator.AI_ACT_FINE,
            BurstGenerator.RADIOLOGY_CLEARANCE, BurstGenerator.CLASSROOM, BurstGenerator.PRODUCT_GRIPES,
            BurstGenerator.AI_SCRAPERS);

    static Stream<Arguments> scriptsAndPlatforms() {
        List<Arguments> out = new ArrayList<>();
        for (BurstGenerator.Script s : SCRIPTS) {
            for (Platform p : Platform.values()) {
                out.add(Arguments.of(s.topic(), p, s));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("scriptsAndPlatforms")
    void shouldMakeTheRequestedPostsPerMinuteAllInTheScriptsTopicWithEngagement(String topic, Platform platform,
            BurstGenerator.Script script) {
        int[] perMinute = {0, 7, 25, 3};
        List<KafkaReplayer.Observed> records = BurstGenerator.perMinute(platform, script, START, perMinute, 11);
        assertThat(BurstGenerator.perMinute(platform, script, START, perMinute, 11))
                .as("deterministic").usingElementComparator((a, b) -> java.util.Arrays.equals(a.value(), b.value())
                        && a.observedAt().equals(b.observedAt()) ? 0 : 1)
                .containsExactlyElementsOf(records);

        Normalizer normalizer = Normalizers.forPlatform(platform);
        Map<Long, Integer> postsPerMinute = new TreeMap<>();
        Set<String> postIds = new HashSet<>();
        Set<String> authors = new HashSet<>();
        List<String> engaged = new ArrayList<>();
        int snapshots = 0;
        for (KafkaReplayer.Observed o : records) {
            NormalizeResult n = normalizer.normalize(o.value());
            assertThat(n.isMalformed()).as("%s", n.malformedReason()).isFalse();
            assertThat(n.isIgnored()).isFalse();
            for (CanonicalEvent e : n.events()) {
                if (!e.isPost()) {
                    engaged.add(e.engagement().subjectId());
                    continue;
                }
                if (!postIds.add(e.post().id())) {
                    snapshots++; // a later sighting with higher counters
                    assertThat(o.observedAt()).isAfter(e.post().createdAt());
                    continue;
                }
                assertThat(TAXONOMY.classify(e.post()).topics()).as(e.post().text()).containsExactly(topic);
                assertThat(e.post().authorBot()).isNotEqualTo(Boolean.TRUE);
                authors.add(e.post().authorId());
                long minute = (e.createdAt().toEpochMilli() - START.toEpochMilli()) / 60_000;
                postsPerMinute.merge(minute, 1, Integer::sum);
            }
        }
        assertThat(postsPerMinute).isEqualTo(Map.of(1L, 7, 2L, 25, 3L, 3));
        assertThat(authors).as("one author per post").hasSize(35);
        if (platform == Platform.BLUESKY) {
            assertThat(engaged).isNotEmpty();
            assertThat(postIds).containsAll(engaged);
        } else {
            assertThat(snapshots).as("two later sightings per post").isEqualTo(2 * 35);
        }
    }
}

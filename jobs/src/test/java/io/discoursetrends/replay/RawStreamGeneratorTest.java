package io.discoursetrends.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.discoursetrends.model.CanonicalEvent;
import io.discoursetrends.model.Engagement;
import io.discoursetrends.model.Platform;
import io.discoursetrends.normalize.NormalizeResult;
import io.discoursetrends.normalize.Normalizer;
import io.discoursetrends.normalize.Normalizers;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RawStreamGeneratorTest {
    private static final Instant START = Instant.parse("2026-05-25T14:00:00Z");
    private static final Duration SPAN = Duration.ofHours(2);

    @ParameterizedTest
    @EnumSource(Platform.class)
    void everyRecordNormalizesToExactlyWhatTheGeneratorExpects(Platform p) {
        Normalizer n = Normalizers.forPlatform(p);
        List<RawStreamGenerator.RawRecord> records = RawStreamGenerator.generate(p, 3_000, START, SPAN, 42);
        assertThat(records).hasSize(3_000);
        for (RawStreamGenerator.RawRecord r : records) {
            NormalizeResult result = n.normalize(r.value());
            assertThat(result.malformedReason()).as(r.text()).isNull();
            assertThat(result.isIgnored()).as(r.text()).isEqualTo(r.expectedIgnored());
            assertThat(result.events().stream().filter(CanonicalEvent::isPost).count()).as(r.text())
                    .isEqualTo(r.expectedPosts());
            assertThat(result.events().stream().filter(e -> !e.isPost()).count()).as(r.text())
                    .isEqualTo(r.expectedEngagements());
            for (CanonicalEvent e : result.events()) {
                assertThat(e.createdAt()).as(r.text()).isEqualTo(r.eventTime());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Platform.class)
    void recordsAreInTimeOrderWithinTheSpanAndIdsAreUnique(Platform p) {
        List<RawStreamGenerator.RawRecord> records = RawStreamGenerator.generate(p, 2_000, START, SPAN, 9);
        Instant previous = Instant.MIN;
        Normalizer n = Normalizers.forPlatform(p);
        Set<String> ids = new HashSet<>();
        for (RawStreamGenerator.RawRecord r : records) {
            assertThat(r.eventTime()).isAfterOrEqualTo(START).isBefore(START.plus(SPAN)).isAfterOrEqualTo(previous);
            previous = r.eventTime();
            for (CanonicalEvent e : n.normalize(r.value()).events()) {
                // A Bluesky reply or quote engagement shares its post's id; it differs by kind and type.
                String key = e.isPost() ? "post " + e.post().id() : e.engagement().type() + " " + e.engagement().id();
                assertThat(ids.add(key)).as("duplicate %s", key).isTrue();
            }
        }
    }

    @Test
    void sameSeedSameRecordsOtherSeedOtherRecords() {
        for (Platform p : Platform.values()) {
            List<RawStreamGenerator.RawRecord> a = RawStreamGenerator.generate(p, 200, START, SPAN, 1);
            List<RawStreamGenerator.RawRecord> b = RawStreamGenerator.generate(p, 200, START, SPAN, 1);
            List<RawStreamGenerator.RawRecord> c = RawStreamGenerator.generate(p, 200, START, SPAN, 2);
            assertThat(a).extracting(RawStreamGenerator.RawRecord::text)
                    .containsExactlyElementsOf(b.stream().map(RawStreamGenerator.RawRecord::text).toList());
            assertThat(a.get(0).text()).isNotEqualTo(c.get(0).text());
        }
    }

    @Test
    void blueskyMixHasEveryKindAndEngagementMostlyTargetsPostsOfTheRun() {
        List<RawStreamGenerator.RawRecord> records = RawStreamGenerator.generate(Platform.BLUESKY, 5_000, START, SPAN, 5);
        Normalizer n = Normalizers.forPlatform(Platform.BLUESKY);
        Map<Engagement.Type, Integer> types = new EnumMap<>(Engagement.Type.class);
        Set<String> postIds = new HashSet<>();
        int onRunPosts = 0;
        int engagements = 0;
        int ignored = 0;
        int aboutAi = 0;
        int posts = 0;
        for (RawStreamGenerator.RawRecord r : records) {
            NormalizeResult result = n.normalize(r.value());
            ignored += result.isIgnored() ? 1 : 0;
            for (CanonicalEvent e : result.events()) {
                if (e.isPost()) {
                    posts++;
                    postIds.add(e.post().id());
                    String t = e.post().text().toLowerCase();
                    if (t.contains("model") || t.contains("ai") || t.contains("open weights") || t.contains("court")
                            || t.contains("judge") || t.contains("bill") || t.contains("quant")) {
                        aboutAi++;
                    }
                } else {
                    engagements++;
                    types.merge(e.engagement().type(), 1, Integer::sum);
                    onRunPosts += postIds.contains(e.engagement().subjectId()) ? 1 : 0;
                }
            }
        }
        assertThat(types.keySet()).containsExactlyInAnyOrder(Engagement.Type.LIKE, Engagement.Type.REPOST,
                Engagement.Type.REPLY, Engagement.Type.QUOTE);
        assertThat(ignored).isBetween(400, 800); // 12% of 5,000
        assertThat((double) onRunPosts / engagements).isGreaterThan(0.7);
        assertThat((double) aboutAi / posts).isBetween(0.4, 0.9);
    }

    @Test
    void mixWithoutLikesGivesNoLikes() {
        RawStreamGenerator.Mix postsAndReplies = new RawStreamGenerator.Mix(1, 1, 0, 0, 0, 0, 1.0);
        Normalizer n = Normalizers.forPlatform(Platform.BLUESKY);
        List<Engagement.Type> types = new ArrayList<>();
        for (RawStreamGenerator.RawRecord r : RawStreamGenerator.generate(Platform.BLUESKY, 500, START, SPAN, 3,
                postsAndReplies)) {
            n.normalize(r.value()).events().stream().filter(e -> !e.isPost()).forEach(e -> types.add(e.engagement().type()));
        }
        assertThat(types).isNotEmpty().containsOnly(Engagement.Type.REPLY);
    }

    @ParameterizedTest
    @EnumSource(Platform.class)
    void malformedRecordsGiveTheExpectedReasons(Platform p) {
        Normalizer n = Normalizers.forPlatform(p);
        List<RawStreamGenerator.MalformedRecord> bad = RawStreamGenerator.malformed(p, 60, 11);
        assertThat(bad).hasSize(60);
        assertThat(bad).extracting(RawStreamGenerator.MalformedRecord::defect).hasSizeGreaterThanOrEqualTo(6);
        for (RawStreamGenerator.MalformedRecord m : bad) {
            NormalizeResult r = n.normalize(m.value());
            assertThat(r.malformedReason()).as(m.defect()).isNotNull().startsWith(m.expectedReasonPrefix());
        }
    }
}

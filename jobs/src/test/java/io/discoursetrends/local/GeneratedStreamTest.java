package io.discoursetrends.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.discoursetrends.cli.Main;
import io.discoursetrends.model.CanonicalEvent;
import io.discoursetrends.model.Platform;
import io.discoursetrends.normalize.NormalizeResult;
import io.discoursetrends.normalize.Normalizers;
import io.discoursetrends.replay.KafkaReplayer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GeneratedStreamTest {
    /** A Monday. */
    private static final Instant MONDAY = Instant.parse("2026-05-25T00:00:00Z");

    @Test
    void shouldFollowTheDailyAndWeeklyRhythm() {
        GeneratedStream week = new GeneratedStream(MONDAY, Duration.ofDays(7), 100, 3, 0, 0);
        long[] perHourOfDay = new long[24];
        long weekday = 0;
        long weekend = 0;
        var normalizer = Normalizers.forPlatform(Platform.HACKERNEWS);
        for (KafkaReplayer.Observed o : week.generate(Platform.HACKERNEWS).records()) {
            NormalizeResult n = normalizer.normalize(o.value());
            if (n.events() == null || n.events().isEmpty() || o.observedAt() != null) {
                continue; // counter snapshots and ignored items: count each post once, at its time
            }
            Instant t = n.events().stream().map(CanonicalEvent::createdAt).min(Instant::compareTo).orElseThrow();
            var z = t.atZone(ZoneOffset.UTC);
            perHourOfDay[z.getHour()]++;
            if (z.getDayOfWeek() == DayOfWeek.SATURDAY || z.getDayOfWeek() == DayOfWeek.SUNDAY) {
                weekend++;
            } else {
                weekday++;
            }
        }
        // Intensity 1.0 at 16:00 and 0.35 at 04:00 UTC; weekends at 0.7 (per day: 2 weekend days, 5 weekdays).
        assertThat((double) perHourOfDay[4] / perHourOfDay[16]).isBetween(0.3, 0.45);
        assertThat((weekend / 2.0) / (weekday / 5.0)).isBetween(0.65, 0.75);
        assertThat(GeneratedStream.intensity(Instant.parse("2026-05-25T16:00:00Z"))).isEqualTo(1.0);
        assertThat(GeneratedStream.intensity(Instant.parse("2026-05-30T04:00:00Z"))).isEqualTo(0.35 * 0.7,
                org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void shouldBeTheSameForASeedAndInjectTheDuplicatesAndLateRecordsItReports() {
        GeneratedStream a = new GeneratedStream(MONDAY, Duration.ofHours(6), 300, 7, 0.02, 0.01);
        GeneratedStream.Output first = a.generate(Platform.REDDIT);
        GeneratedStream.Output again = new GeneratedStream(MONDAY, Duration.ofHours(6), 300, 7, 0.02, 0.01)
                .generate(Platform.REDDIT);
        assertThat(again.records()).hasSameSizeAs(first.records());
        for (int i = 0; i < first.records().size(); i++) {
            assertThat(again.records().get(i).value()).isEqualTo(first.records().get(i).value());
            assertThat(again.records().get(i).observedAt()).isEqualTo(first.records().get(i).observedAt());
        }
        assertThat(new GeneratedStream(MONDAY, Duration.ofHours(6), 300, 8, 0.02, 0.01).generate(Platform.REDDIT)
                .records().get(0).value()).isNotEqualTo(first.records().get(0).value());

        // Duplicates: identical values beyond the counter snapshots (which differ from their post).
        Set<String> seen = new HashSet<>();
        int repeated = 0;
        int late = 0;
        var normalizer = Normalizers.forPlatform(Platform.REDDIT);
        for (KafkaReplayer.Observed o : first.records()) {
            if (!seen.add(new String(o.value(), StandardCharsets.UTF_8))) {
                repeated++;
            }
            Instant t = KafkaReplayer.eventTime(normalizer.normalize(o.value()));
            if (o.observedAt() != null && !t.equals(Instant.MIN)
                    && Duration.between(t, o.observedAt()).compareTo(Duration.ofMinutes(15)) >= 0
                    && Duration.between(t, o.observedAt()).compareTo(Duration.ofMinutes(15).plusSeconds(2_700)) < 0
                    && !isSnapshotTime(Duration.between(t, o.observedAt()))) {
                late++;
            }
        }
        assertThat(first.injected().duplicates()).isPositive();
        // The stream repeats some values by itself (a sighting whose counters did not move): count those apart.
        Set<String> seenWithout = new HashSet<>();
        int repeatedWithout = 0;
        for (KafkaReplayer.Observed o : new GeneratedStream(MONDAY, Duration.ofHours(6), 300, 7, 0, 0.01)
                .generate(Platform.REDDIT).records()) {
            if (!seenWithout.add(new String(o.value(), StandardCharsets.UTF_8))) {
                repeatedWithout++;
            }
        }
        assertThat(repeated - repeatedWithout).isEqualTo(first.injected().duplicates());
        assertThat(first.injected().late()).isPositive();
        assertThat(late).isGreaterThanOrEqualTo(first.injected().late());
        assertThat(first.injected().records()).isEqualTo(first.records().size());
    }

    /** The resightings come at exactly 5 and 15 minutes (DemoStream). */
    private static boolean isSnapshotTime(Duration d) {
        return d.equals(Duration.ofMinutes(5)) || d.equals(Duration.ofMinutes(15));
    }

    @Test
    void shouldWriteOneFilePerPlatformAndTheGroundTruthOfTheBursts(@TempDir Path dir) throws Exception {
        int exit = Main.commandLine().execute("generate", "--out", dir.toString(), "--span", "PT3H", "--per-hour",
                "100", "--start", "2026-05-25T12:00:00Z");
        assertThat(exit).isZero();
        for (Platform p : Platform.values()) {
            List<String> lines = Files.readAllLines(dir.resolve(p.id() + ".jsonl"));
            assertThat(lines).hasSizeGreaterThan(200);
            var normalizer = Normalizers.forPlatform(p);
            assertThat(lines).allSatisfy(l -> assertThat(normalizer.normalize(l.getBytes(StandardCharsets.UTF_8))
                    .isMalformed()).isFalse());
        }
        JsonNode truth = new ObjectMapper().readTree(dir.resolve("ground-truth.json").toFile());
        DemoStory story = DemoStory.of(Instant.parse("2026-05-25T12:00:00Z"), Duration.ofHours(3));
        assertThat(truth.get("bursts")).hasSize(story.bursts().size());
        assertThat(truth.get("bursts").get(0).get("topic").asText()).isEqualTo(story.bursts().get(0).script().topic());
        assertThat(truth.get("bursts").get(0).get("start").asText()).isEqualTo(story.bursts().get(0).start().toString());
        assertThat(truth.get("events").get(0).get("id").asText()).isEqualTo("aster-2-release");
        assertThat(truth.get("platforms").get("reddit").get("records").asInt())
                .isEqualTo(Files.readAllLines(dir.resolve("reddit.jsonl")).size());
        assertThat(Files.readString(dir.resolve("events.yaml"))).contains("aster-2-release");
    }
}

package io.discoursetrends.cli;

import static io.discoursetrends.cli.ShadedJar.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.discoursetrends.cli.ShadedJar.Result;
import io.discoursetrends.model.Platform;
import io.discoursetrends.replay.RawStreamGenerator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded jar as an operator runs it: `java -jar` with nothing else on the classpath (Flink is provided by
 * a cluster, so it is not in the jar). Catches a Flink class leaking into what --help or normalize loads.
 */
class JarSmokeIT {

    @Test
    void helpShouldListTheSubcommandsWithoutFlinkOnTheClasspath() throws Exception {
        Result r = run("--help");
        assertThat(r.exit()).isZero();
        assertThat(r.stdout()).contains("normalize", "jsonl", "run", "demo", "options");
    }

    @Test
    void normalizeShouldPrintEventsAndTheSummaryLine(@TempDir Path dir) throws Exception {
        var records = RawStreamGenerator.generate(Platform.BLUESKY, 200, Instant.parse("2026-05-25T12:00:00Z"),
                Duration.ofMinutes(10), 3);
        List<String> lines = new ArrayList<>();
        long posts = 0;
        long engagement = 0;
        long ignored = 0;
        for (var rec : records) {
            lines.add(rec.text());
            posts += rec.expectedPosts();
            engagement += rec.expectedEngagements();
            ignored += rec.expectedIgnored() ? 1 : 0;
        }
        lines.add("{not json");
        Path file = dir.resolve("bluesky.jsonl");
        Files.write(file, lines, StandardCharsets.UTF_8);

        Result r = run("normalize", "--platform", "bluesky", file.toString());
        assertThat(r.exit()).isZero();
        assertThat(r.stdout().lines().count()).isEqualTo(posts + engagement);
        assertThat(r.stderr()).contains("line 201: ");
        assertThat(r.stderr().strip().lines().reduce((a, b) -> b).orElseThrow()).isEqualTo(
                "records=201 posts=" + posts + " engagement=" + engagement + " ignored=" + ignored + " malformed=1");
    }

    @Test
    void runShouldSayHowToGetFlinkInsteadOfFailingWithAStackTrace() throws Exception {
        Result r = run("run");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.stderr()).startsWith("discourse-trends: this subcommand needs Flink's runtime")
                .doesNotContain("Exception");
    }
}

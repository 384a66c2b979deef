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

    @Test
    void optionsShouldListEverySettingWithoutFlinkOnTheClasspath() throws Exception {
        Result r = run("options");
        assertThat(r.exit()).as(r.stderr()).isZero();
        assertThat(r.stdout()).isEqualTo(io.discoursetrends.job.JobOptions.describe(false));
        Result markdown = run("options", "--markdown");
        assertThat(markdown.stdout()).isEqualTo(io.discoursetrends.job.JobOptions.describe(true));
    }

    @Test
    void publishCommandsShouldReachKafkaFromThePlainJar(@TempDir Path dir) throws Exception {
        Path calendar = Files.writeString(dir.resolve("events.yaml"), """
                events:
                  - id: aster-2-release
                    name: Aster 2 released
                    time: 2026-05-25T14:00:00Z
                    topics: [open-weight-models]
                """);
        Path taxonomy = Files.writeString(dir.resolve("topics.yaml"),
                io.discoursetrends.classify.Taxonomy.defaultTaxonomy().source());
        try (io.discoursetrends.local.LocalKafka kafka = io.discoursetrends.local.LocalKafka.launch()) {
            kafka.createTopics(java.util.Map.of(EventsCommand.DEFAULT_TOPIC, 1,
                    io.discoursetrends.classify.TaxonomyUpdate.DEFAULT_TOPIC, 1));
            Result events = run("events", "publish", calendar.toString(), "--bootstrap-servers",
                    kafka.bootstrapServers());
            assertThat(events.exit()).as(events.stderr()).isZero();
            assertThat(events.stdout()).startsWith("published event aster-2-release to " + EventsCommand.DEFAULT_TOPIC
                    + " partition 0 offset 0");
            assertThat(events.stderr()).isEmpty();
            Result topics = run("topics", "publish", taxonomy.toString(), "--bootstrap-servers",
                    kafka.bootstrapServers());
            assertThat(topics.exit()).as(topics.stderr()).isZero();
            assertThat(topics.stdout()).startsWith("published taxonomy ");
            assertThat(topics.stderr()).isEmpty();
        }
    }

    @Test
    void aBridgeShouldLogFromThePlainJarAndStopOnARefusedTokenWithoutPrintingIt(@TempDir Path dir) throws Exception {
        // An instance that refuses every token on its streaming API, as Mastodon does a revoked one.
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            byte[] b = "{\"error\":\"The access token is invalid\"}".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(401, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        server.start();
        Path token = Files.writeString(dir.resolve("token"), "revoked-t0ken-value\n");
        try (io.discoursetrends.local.LocalKafka kafka = io.discoursetrends.local.LocalKafka.launch()) {
            kafka.createTopics(java.util.Map.of("discourse.raw.mastodon", 1));
            Result r = run("bridge", "mastodon", "--instance", "http://127.0.0.1:" + server.getAddress().getPort(),
                    "--token-file", token.toString(), "--bootstrap-servers", kafka.bootstrapServers());
            assertThat(r.exit()).as(r.stderr()).isEqualTo(1);
            assertThat(r.stderr()).contains("mastodon: Mastodon /api/v1/streaming/public at 127.0.0.1 (with an"
                    + " access token").contains("refused the access token (HTTP 401 on the streaming API)")
                    .contains("MASTODON_ACCESS_TOKEN").doesNotContain("revoked-t0ken-value")
                    .doesNotContain("SLF4J").doesNotContain("Exception");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void esSetupShouldRefuseAUrlWithCredentialsWithoutPrintingThem() throws Exception {
        Result r = run("es-setup", "-Des.urls=http://elastic:s3cr3t-pw@127.0.0.1:9");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.stdout() + r.stderr()).doesNotContain("s3cr3t-pw").doesNotContain("elastic:");
        assertThat(r.stderr()).contains("DISCOURSE_ES_USERNAME", "DISCOURSE_ES_PASSWORD", "DISCOURSE_ES_API_KEY");
    }

    @Test
    void aTaxonomyAtTheSizeLimitShouldValidateIn64MegabytesOfHeap(@TempDir Path dir) throws Exception {
        // One topic with as many phrases as fit under the limit (about 150,000): the worst case for memory.
        StringBuilder yaml = new StringBuilder(
                "version: \"big\"\ntopics:\n  - id: big\n    label: Big\n    phrases:\n");
        int phrases = 0;
        while (true) {
            String line = "      - \"w" + phrases + " v" + phrases + "\"\n";
            if (yaml.length() + line.length() > io.discoursetrends.classify.TaxonomyParser.MAX_CODE_POINTS) {
                break;
            }
            yaml.append(line);
            phrases++;
        }
        Path file = Files.writeString(dir.resolve("big.yaml"), yaml);
        Result r = ShadedJar.runWithJvmOptions(List.of("-Xmx64m"), "topics", "validate", file.toString());
        assertThat(r.exit()).as(r.stderr()).isZero();
        assertThat(r.stdout()).contains(phrases + " phrases");
    }
}

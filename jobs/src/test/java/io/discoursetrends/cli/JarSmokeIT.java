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
    void replayAndBackfillShouldSayTheyNeedFlinkAsTheReadmeSays(@TempDir Path dir) throws Exception {
        // The README: both run with bin/discourse-trends (the job's typed settings, and for backfill the job).
        Path file = Files.writeString(dir.resolve("bluesky.jsonl"), "{}\n");
        for (String[] args : List.of(new String[] {"replay", file.toString()},
                new String[] {"backfill", "--files", file.toString()})) {
            Result r = run(args);
            assertThat(r.exit()).as(args[0]).isEqualTo(1);
            assertThat(r.stderr()).as(args[0]).startsWith("discourse-trends: this subcommand needs Flink's runtime")
                    .contains("bin/discourse-trends").doesNotContain("Exception");
        }
    }

    @Test
    void generateShouldWriteFilesAndPutTheSameOnKafkaFromThePlainJar(@TempDir Path dir) throws Exception {
        Result files = run("generate", "--out", dir.toString(), "--span", "PT2H", "--per-hour", "60");
        assertThat(files.exit()).as(files.stderr()).isZero();
        assertThat(files.stderr()).isEmpty();
        var truth = new com.fasterxml.jackson.databind.ObjectMapper().readTree(dir.resolve("ground-truth.json")
                .toFile());
        java.util.Map<String, Integer> written = new java.util.HashMap<>();
        for (Platform p : Platform.values()) {
            int lines = Files.readAllLines(dir.resolve(p.id() + ".jsonl")).size();
            assertThat(truth.get("platforms").get(p.id()).get("records").asInt()).isEqualTo(lines);
            assertThat(files.stdout()).contains(String.format("%-10s %,9d records to %s", p.id(), lines,
                    dir.resolve(p.id() + ".jsonl")));
            written.put(p.id(), lines);
        }
        assertThat(files.stdout()).contains("ground truth: " + dir.resolve("ground-truth.json") + " (2 bursts, "
                + "1 calendar event)");

        try (io.discoursetrends.local.LocalKafka kafka = io.discoursetrends.local.LocalKafka.launch()) {
            // Brokers usually do not create topics: said at once, instead of a producer waiting on each record.
            Result missing = run("generate", "--bootstrap-servers", kafka.bootstrapServers(), "--span", "PT1H");
            assertThat(missing.exit()).isEqualTo(1);
            assertThat(missing.stderr()).startsWith("discourse-trends: topics discourse.raw.bluesky, "
                    + "discourse.raw.hackernews, discourse.raw.mastodon, discourse.raw.reddit do not exist on "
                    + kafka.bootstrapServers() + ": create the raw topics");
            java.util.Map<String, Integer> topics = new java.util.HashMap<>();
            for (Platform p : Platform.values()) {
                topics.put("discourse.raw." + p.id(), 2);
            }
            kafka.createTopics(topics);
            Result toKafka = run("generate", "--bootstrap-servers", kafka.bootstrapServers(), "--span", "PT2H",
                    "--per-hour", "60");
            assertThat(toKafka.exit()).as(toKafka.stderr()).isZero();
            // No logging binding in the jar, and no SLF4J notice about it either: only the command's own lines.
            assertThat(toKafka.stderr()).isEmpty();
            for (Platform p : Platform.values()) {
                String topic = "discourse.raw." + p.id();
                assertThat(io.discoursetrends.ingest.TopicContents.read(kafka.bootstrapServers(), topic, true))
                        .as(topic).hasSize(written.get(p.id()));
                assertThat(toKafka.stdout()).contains(String.format("%-10s %,9d records to %s", p.id(),
                        written.get(p.id()), topic));
            }
        }
    }

    @Test
    void aBridgeShouldRunFromThePlainJarAndStopOnSigterm(@TempDir Path dir) throws Exception {
        // A Hacker News API on this machine: maxitem and three stories, no updates.
        java.util.Map<String, String> items = new java.util.HashMap<>();
        for (var rec : RawStreamGenerator.generate(Platform.HACKERNEWS, 3, Instant.parse("2026-05-25T12:00:00Z"),
                Duration.ofMinutes(1), 0, new RawStreamGenerator.Mix(1, 0, 0, 0, 0, 0, 0.5))) {
            var item = new com.fasterxml.jackson.databind.ObjectMapper().readTree(rec.value());
            items.put("/v0/item/" + item.get("id").asText() + ".json", rec.text());
        }
        long first = items.keySet().stream().map(k -> k.replaceAll("\\D", "")).mapToLong(Long::parseLong).min()
                .orElseThrow();
        items.put("/v0/maxitem.json", Long.toString(first + 2));
        items.put("/v0/updates.json", "{\"items\":[],\"profiles\":[]}");
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            String body = items.getOrDefault(ex.getRequestURI().getPath(), "null");
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        server.start();
        try (io.discoursetrends.local.LocalKafka kafka = io.discoursetrends.local.LocalKafka.launch()) {
            kafka.createTopics(java.util.Map.of("discourse.raw.hackernews", 1));
            Path log = dir.resolve("bridge.log");
            Process bridge = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-jar", ShadedJar.JAR.toString(), "bridge", "hackernews", "--bootstrap-servers",
                    kafka.bootstrapServers(), "--url", "http://127.0.0.1:" + server.getAddress().getPort() + "/v0/",
                    "--start-id", Long.toString(first), "--poll-interval", "PT0.3S", "--updates-interval", "PT0.3S",
                    "--commit-records", "1", "--progress-interval", "PT1S")
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (io.discoursetrends.ingest.TopicContents.read(kafka.bootstrapServers(),
                        "discourse.raw.hackernews", true).size() < 3) {
                    assertThat(bridge.isAlive()).as(Files.readString(log)).isTrue();
                    assertThat(System.nanoTime()).as(Files.readString(log)).isLessThan(deadline);
                    Thread.sleep(300);
                }
                Thread.sleep(1_500); // a progress line or two
                bridge.destroy(); // SIGTERM: commit what was sent, then stop
                assertThat(bridge.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            } finally {
                bridge.destroyForcibly();
            }
            String output = Files.readString(log);
            assertThat(output).as(output).contains("sent 3 (").doesNotContain("SLF4J").doesNotContain("Exception");
            assertThat(io.discoursetrends.ingest.TopicContents.read(kafka.bootstrapServers(),
                    "discourse.raw.hackernews", true)).hasSize(3);
        } finally {
            server.stop(0);
        }
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

package io.discoursetrends.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.discoursetrends.cli.MainTest.Run;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code discourse-trends topics ...} run in-process, as an analyst would use it. */
class TopicsCommandTest {

    private static final String VALID = """
            version: "2026-11-22.1"
            topics:
              - id: open-weights
                label: Open weights
                phrases: ["open weights", "Qwen"]
                hashtags: ["LocalLLaMA"]
                communities: ["r/LocalLLaMA"]
              - id: ai-art
                label: AI art
                phrases: ["AI art"]
                regexes: ["\\\\bmidjourney\\\\b"]
            """;

    private static final String BROKEN = """
            version: "2"
            topics:
              - id: Open Weights
                label: Open weights
                phrase: ["open weights"]
              - id: ai-art
                label: AI art
                regexes: ["(midjourney"]
            """;

    @TempDir
    Path tmp;

    private Path write(String name, String content) throws IOException {
        return Files.writeString(tmp.resolve(name), content);
    }

    private static Run run(String... args) {
        return MainTest.run(args);
    }

    @Test
    void validateAcceptsAValidFileWithASummary() throws IOException {
        Path f = write("topics.yaml", VALID);
        Run r = run("topics", "validate", f.toString());
        assertThat(r.exit()).isZero();
        assertThat(r.outLines()).containsExactly(f + ": taxonomy 2026-11-22.1 is valid: 2 topics, 3 phrases,"
                + " 1 hashtags, 1 communities, 1 regexes");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void validateReportsEveryProblemWithLineAndColumnAndExitsOne() throws IOException {
        Path f = write("broken.yaml", BROKEN);
        Run r = run("topics", "validate", f.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.errLines()).containsExactly(
                f + ":3:5: topic 'Open Weights' is empty: it has no phrases, hashtags, communities or regexes, so"
                        + " it can never match",
                f + ":3:9: invalid topic id 'Open Weights': use 1 to 64 lower-case letters (a-z), digits and '-',"
                        + " starting with a letter or digit",
                f + ":5:5: unknown key 'phrase' in topic 'Open Weights' (did you mean 'phrases'?)",
                f + ":8:15: bad regex in topic 'ai-art': error parsing regexp: missing closing ): `(midjourney`");
    }

    @Test
    void validateOfAMissingFileExitsTwoWithAMessage() {
        Path missing = tmp.resolve("nope.yaml");
        Run r = run("topics", "validate", missing.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.errLines()).containsExactly("cannot read " + missing + ": no such file");
        Run dir = run("topics", "validate", tmp.toString());
        assertThat(dir.exit()).isEqualTo(2);
        assertThat(dir.errLines()).containsExactly("cannot read " + tmp + ": it is a directory");
    }

    @Test
    void validateRefusesInvalidUtf8() throws IOException {
        Path f = Files.write(tmp.resolve("latin1.yaml"), new byte[] {'v', ':', ' ', (byte) 0xE9, '\n'});
        Run r = run("topics", "validate", f.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.errLines()).containsExactly("cannot read " + f + ": it is not UTF-8 text");
    }

    @Test
    void classifyPrintsOneLinePerPostThenCountsPerTopic() throws IOException {
        Path taxonomy = write("topics.yaml", VALID);
        String post1 = "{\"kind\":\"post\",\"platform\":\"bluesky\",\"id\":\"at://a/1\",\"text\":\"Qwen3 has open"
                + " weights!\\nAnd\\tmore AI art\",\"created_at\":\"2026-11-22T12:00:00Z\",\"hashtags\":[]}";
        String post2 = "{\"kind\":\"post\",\"platform\":\"reddit\",\"id\":\"t3_b\",\"community\":\"LocalLLaMA\","
                + "\"text\":\"" + "x".repeat(100) + "\",\"created_at\":\"2026-11-22T12:00:00Z\"}";
        String post3 = "{\"kind\":\"post\",\"platform\":\"hackernews\",\"id\":\"hn:3\",\"text\":\"Coffee first\","
                + "\"created_at\":\"2026-11-22T12:00:00Z\"}";
        String like = "{\"kind\":\"engagement\",\"platform\":\"bluesky\",\"type\":\"like\",\"id\":\"at://l\","
                + "\"subject_id\":\"at://a/1\",\"created_at\":\"2026-11-22T12:00:00Z\",\"delta\":1}";
        Path in = write("posts.jsonl", post1 + "\n" + like + "\n\nnot json\n" + post2 + "\n" + post3 + "\n");
        Run r = run("topics", "classify", "--taxonomy", taxonomy.toString(), in.toString());
        assertThat(r.exit()).isZero();
        assertThat(r.outLines()).containsExactly(
                "at://a/1\tai-art,open-weights\tQwen3 has open weights! And more AI art",
                "t3_b\topen-weights\t" + "x".repeat(80),
                "hn:3\t-\tCoffee first",
                "# taxonomy 2026-11-22.1: 3 posts, 2 with at least one topic",
                "# open-weights\t2",
                "# ai-art\t1");
        assertThat(r.errLines()).singleElement().asString().startsWith("line 4: not a canonical event: ")
                .endsWith("(raw platform records need --platform)");
    }

    @Test
    void classifyWithPlatformNormalizesRawRecordsAndUsesTheDefaultTaxonomy() throws IOException {
        String item = "{\"by\":\"pg\",\"id\":1,\"time\":1779719009,\"type\":\"story\",\"title\":\"Qwen3 released"
                + " with open weights\",\"score\":10}";
        Path in = write("hn.jsonl", item + "\n");
        Run r = run("topics", "classify", "--platform", "hackernews", in.toString());
        assertThat(r.exit()).isZero();
        assertThat(r.outLines().get(0)).isEqualTo("hn:1\topen-weight-models\tQwen3 released with open weights");
        assertThat(r.outLines()).contains("# open-weight-models\t1", "# ai-education\t0");
    }

    @Test
    void classifyWithABrokenTaxonomyReportsItsProblems() throws IOException {
        Path taxonomy = write("broken.yaml", BROKEN);
        Path in = write("posts.jsonl", "");
        Run r = run("topics", "classify", "-t", taxonomy.toString(), in.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.errLines()).hasSize(4).allMatch(l -> l.startsWith(taxonomy + ":"));
    }

    @Test
    void publishValidatesFirst() throws IOException {
        Path f = write("broken.yaml", BROKEN);
        Run r = run("topics", "publish", f.toString(), "--bootstrap-servers", "127.0.0.1:9");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.errLines()).hasSize(4).allMatch(l -> l.startsWith(f + ":"));
        assertThat(r.out()).isEmpty();
    }

    @Test
    void publishUsageErrors() throws IOException {
        Path f = write("topics.yaml", VALID);
        Run noServers = run("topics", "publish", f.toString());
        assertThat(noServers.exit()).isEqualTo(2);
        assertThat(noServers.err()).contains("Missing required option: '--bootstrap-servers=HOST:PORT[,HOST:PORT...]'");
        Run badTime = run("topics", "publish", f.toString(), "--bootstrap-servers", "h:1", "--effective-from", "monday");
        assertThat(badTime.exit()).isEqualTo(2);
        assertThat(badTime.err()).contains("'monday' is not an ISO-8601 instant such as 2026-11-22T12:00:00Z");
        Run missingProps = run("topics", "publish", f.toString(), "--bootstrap-servers", "h:1", "--kafka-properties",
                tmp.resolve("none.properties").toString());
        assertThat(missingProps.exit()).isEqualTo(2);
        assertThat(missingProps.errLines()).containsExactly("cannot read " + tmp.resolve("none.properties")
                + ": no such file");
    }

    @Test
    void publishToAnUnreachableBrokerFailsWithinTheTimeoutNamingTheServers() throws IOException {
        Path f = write("topics.yaml", VALID);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // free once closed: nothing listens there
        }
        String servers = "127.0.0.1:" + port;
        long start = System.nanoTime();
        Run r = run("topics", "publish", f.toString(), "--bootstrap-servers", servers, "--timeout", "2");
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.errLines()).containsExactly("no answer from Kafka at " + servers + " within 2 s: is the broker"
                + " running and reachable from here, and are --bootstrap-servers and --kafka-properties right?");
        assertThat(seconds).isLessThan(15);
    }

    @Test
    void publishToAnUnresolvableHostSaysSo() throws IOException {
        Path f = write("topics.yaml", VALID);
        Run r = run("topics", "publish", f.toString(), "--bootstrap-servers", "no-such-host.invalid:9092",
                "--timeout", "2");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.errLines()).containsExactly("cannot resolve any of the bootstrap servers no-such-host.invalid:9092");
    }

    @Test
    void topicsAloneAsksForASubcommandAndHelpListsThem() {
        Run none = run("topics");
        assertThat(none.exit()).isEqualTo(2);
        assertThat(none.err()).contains("Missing required subcommand");
        Run help = run("topics", "--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("validate").contains("classify").contains("publish");
        assertThat(run("topics", "publish", "--help").out().replaceAll("\\s+", ""))
                .contains("(default:discourse.control.taxonomy)");
    }
}

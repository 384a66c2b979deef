package io.discoursetrends.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.discoursetrends.model.Platform;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The CLI run in-process, with standard output and error captured. */
class MainTest {

    record Run(int exit, String out, String err) {
        List<String> outLines() {
            return out.isEmpty() ? List.of() : List.of(out.split("\n"));
        }

        List<String> errLines() {
            return err.isEmpty() ? List.of() : List.of(err.split("\n"));
        }
    }

    @TempDir
    Path tmp;

    static Run run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        cl.getOut().flush();
        cl.getErr().flush();
        return new Run(exit, out.toString().replace("\r\n", "\n"), err.toString().replace("\r\n", "\n"));
    }

    @Test
    void normalizeReportsMalformedLinesByNumberAndEndsWithTheSummary() throws IOException {
        String like = "{\"did\":\"did:plc:a\",\"time_us\":1779719009132431,\"kind\":\"commit\",\"commit\":{\"rev\":\"r\","
                + "\"operation\":\"create\",\"collection\":\"app.bsky.feed.like\",\"rkey\":\"3k\",\"record\":{"
                + "\"subject\":{\"uri\":\"at://did:plc:b/app.bsky.feed.post/3j\"}}}}";
        String reply = "{\"did\":\"did:plc:c\",\"time_us\":1779719009157119,\"kind\":\"commit\",\"commit\":{\"rev\":\"r\","
                + "\"operation\":\"create\",\"collection\":\"app.bsky.feed.post\",\"rkey\":\"3p\",\"record\":{\"text\":\"hi\","
                + "\"reply\":{\"parent\":{\"uri\":\"at://did:plc:b/app.bsky.feed.post/3j\"},"
                + "\"root\":{\"uri\":\"at://did:plc:b/app.bsky.feed.post/3j\"}}}}}";
        String follow = "{\"did\":\"did:plc:d\",\"time_us\":1,\"kind\":\"commit\",\"commit\":{\"operation\":\"create\","
                + "\"collection\":\"app.bsky.graph.follow\",\"rkey\":\"3f\",\"record\":{}}}";
        Path f = tmp.resolve("in.jsonl");
        Files.write(f, (like + "\n\nnot json\n   \n" + reply + "\r\n[1]\n" + follow + "\n").getBytes(StandardCharsets.UTF_8));

        Run r = run("normalize", "--platform", "bluesky", f.toString());
        assertThat(r.exit()).isZero();
        assertThat(r.outLines()).hasSize(3);
        assertThat(r.outLines().get(0)).startsWith("{\"kind\":\"engagement\",\"platform\":\"bluesky\",\"type\":\"like\"");
        assertThat(r.outLines().get(1)).startsWith("{\"kind\":\"post\",");
        assertThat(r.outLines().get(2)).contains("\"type\":\"reply\"");
        assertThat(r.errLines()).hasSize(3);
        assertThat(r.errLines().get(0)).startsWith("line 3: not valid JSON: Unrecognized token 'not'");
        assertThat(r.errLines().get(1)).isEqualTo("line 6: not a JSON object but an array");
        assertThat(r.errLines().get(2)).isEqualTo("records=5 posts=1 engagement=2 ignored=1 malformed=2");
    }

    @Test
    void invalidUtf8LineIsReportedNotRepaired() throws IOException {
        Path f = tmp.resolve("bad.jsonl");
        Files.write(f, new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xFF, '"', '}', '\n'});
        Run r = run("normalize", "-p", "reddit", f.toString());
        assertThat(r.exit()).isZero();
        assertThat(r.errLines()).containsExactly("line 1: invalid UTF-8 at byte 6 (0xFF)",
                "records=1 posts=0 engagement=0 ignored=0 malformed=1");
    }

    @Test
    void emptyFileGivesAZeroSummary() throws IOException {
        Path f = Files.createFile(tmp.resolve("empty.jsonl"));
        Run r = run("normalize", "--platform", "hackernews", f.toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out()).isEmpty();
        assertThat(r.errLines()).containsExactly("records=0 posts=0 engagement=0 ignored=0 malformed=0");
    }

    @Test
    void unreadableFileExitsOneWithAClearMessage() {
        Path missing = tmp.resolve("nope.jsonl");
        Run r = run("normalize", "--platform", "mastodon", missing.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.errLines()).containsExactly("cannot read " + missing + ": no such file");
        Run dir = run("normalize", "--platform", "mastodon", tmp.toString());
        assertThat(dir.exit()).isEqualTo(1);
        assertThat(dir.errLines()).containsExactly("cannot read " + tmp + ": it is a directory");
    }

    @Test
    void unknownPlatformIsAUsageErrorNamingTheAcceptedOnes() {
        Run r = run("normalize", "--platform", "twitter", "x.jsonl");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("unknown platform 'twitter': expected one of bluesky, mastodon, reddit, hackernews");
        assertThat(run("jsonl", "--platform", "myspace", "x.json").exit()).isEqualTo(2);
        assertThat(run("normalize", "x.jsonl").exit()).as("--platform is required").isEqualTo(2);
    }

    @Test
    void helpListsTheSubcommandsAndVersionAnswers() {
        Run help = run("--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("normalize").contains("jsonl").contains("Usage: discourse-trends");
        Run version = run("--version");
        assertThat(version.exit()).isZero();
        assertThat(version.out()).startsWith("discourse-trends ");
        Run none = run();
        assertThat(none.exit()).isEqualTo(2);
        assertThat(none.err()).contains("Missing required subcommand");
        assertThat(run("normalize", "--help").out()).contains("records=N posts=P engagement=E ignored=I malformed=M");
    }

    @Test
    void jsonlThenNormalizeWorksForEveryFixtureFileWithoutMalformedRecords() throws IOException {
        Path fixtures = sharedDir().resolve("fixtures");
        assumeTrue(Files.isDirectory(fixtures), "no fixtures at " + fixtures + "; skipping");
        int files = 0;
        for (Platform p : Platform.values()) {
            String ext = p == Platform.BLUESKY ? ".jsonl" : ".json";
            try (Stream<Path> s = Files.list(fixtures.resolve(p.id()))) {
                for (Path f : s.filter(x -> x.getFileName().toString().endsWith(ext)).sorted().toList()) {
                    Run split = run("jsonl", "--platform", p.id(), f.toString());
                    assertThat(split.exit()).as(f.toString()).isZero();
                    Path lines = tmp.resolve(p.id() + "-" + f.getFileName() + ".jsonl");
                    Files.writeString(lines, split.out());
                    Run norm = run("normalize", "--platform", p.id(), lines.toString());
                    assertThat(norm.exit()).as(f.toString()).isZero();
                    List<String> err = norm.errLines();
                    assertThat(err).as(f.toString()).hasSize(1);
                    assertThat(err.get(0)).as(f.toString()).endsWith(" malformed=0")
                            .startsWith("records=" + split.outLines().size() + " ");
                    files++;
                }
            }
        }
        assertThat(files).isGreaterThanOrEqualTo(4);
    }

    @Test
    void jsonlSaysWhyAFileIsNotAResponse() throws IOException {
        Path f = tmp.resolve("broken.json");
        Files.writeString(f, "{\"kind\": \"Listing\", ");
        Run r = run("jsonl", "--platform", "reddit", f.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).startsWith(f + " is not a reddit API response: not valid JSON: ");
    }

    private static Path sharedDir() {
        String prop = System.getProperty("discourse.shared.dir");
        if (prop != null && !prop.isBlank()) {
            return Paths.get(prop);
        }
        for (Path d = Paths.get("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("shared").resolve("fixtures"))) {
                return d.resolve("shared");
            }
        }
        return Paths.get("..", "..", "shared");
    }
}

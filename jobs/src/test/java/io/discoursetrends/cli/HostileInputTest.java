package io.discoursetrends.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.discoursetrends.cli.MainTest.Run;
import io.discoursetrends.classify.TaxonomyParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The findings of a hostile-input probe of the CLI (issue 16), one test each: bad input gets one line that says
 * what to fix, never a stack trace, a secret or a Java class name. Run in-process; JarSmokeIT runs the jar.
 */
class HostileInputTest {

    @TempDir
    Path tmp;

    private Path write(String name, String content) throws IOException {
        return Files.writeString(tmp.resolve(name), content);
    }

    /** What no message for bad input may contain. */
    static void assertPlain(Run r) {
        assertThat(r.out() + r.err()).doesNotContain("\tat ", "Exception", "java.", "FAIL_ON_", "`");
    }

    @Test
    void aCalendarTimeBeyondTheRangeOfMillisecondsIsAProblemNotAStackTrace() throws IOException {
        Path f = write("far.yaml", """
                events:
                  - id: far
                    name: Far future
                    time: +999999999-12-31T23:59:59Z
                    topics: [open-weight-models]
                """);
        Run r = MainTest.run("events", "validate", f.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.errLines()).containsExactly(f + ": event 1: event 'far': time '+999999999-12-31T23:59:59Z' is"
                + " not a plausible event time (between 2000-01-01T00:00:00Z and 2200-01-01T00:00:00Z)");
        assertPlain(r);
    }

    @Test
    void aCalendarWithSeveralErrorsReportsEveryOneIncludingDuplicateIdsAndUnknownTopics() throws IOException {
        Path f = write("many.yaml", """
                events:
                  - id: a
                    name: A
                    time: tomorrow
                    topics: [open-weight-models]
                  - id: a
                    time: 2026-05-25T14:00:00Z
                    topics: [no-such-topic]
                  - id: b
                    name: B
                    time: 1970-01-01T00:00:00Z
                    topics: [open-weights, open-weight-models]
                """);
        Run r = MainTest.run("events", "validate", f.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.errLines()).containsExactly(
                f + ": event 1: event 'a': time 'tomorrow' is not an ISO-8601 instant such as 2025-04-29T00:00:00Z",
                f + ": event 2: 'name' is missing or empty",
                f + ": event 2: duplicate id 'a' (first in event 1)",
                f + ": event 2: event 'a': topic 'no-such-topic' is not in taxonomy 2026-11-22.1, so no spike can link"
                        + " to it (check against another taxonomy with --taxonomy)",
                f + ": event 3: event 'b': time '1970-01-01T00:00:00Z' is not a plausible event time (between"
                        + " 2000-01-01T00:00:00Z and 2200-01-01T00:00:00Z)",
                f + ": event 3: event 'b': topic 'open-weights' is not in taxonomy 2026-11-22.1, so no spike can link"
                        + " to it (check against another taxonomy with --taxonomy)");
        assertPlain(r);
    }

    @Test
    void aTabInACalendarIsReportedAtItsLineInWords() throws IOException {
        Path f = write("tab.yaml", "events:\n  - id: a\n\tname: A\n");
        Run r = MainTest.run("events", "validate", f.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.errLines()).containsExactly(f + ":3:1: a tab character: YAML is indented with spaces, never tabs");
    }

    @Test
    void esSetupRefusesAUrlWithCredentialsAndSaysWhereTheyGo() {
        Run r = MainTest.run("es-setup", "-Des.urls=http://127.0.0.1:9;https://elastic:hunter2@127.0.0.1:9/");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out() + r.err()).doesNotContain("hunter2").doesNotContain("elastic:");
        assertThat(r.errLines()).containsExactly("discourse-trends: Elasticsearch URL 'https://***@127.0.0.1:9/'"
                + " carries credentials, which a URL must not (URLs are printed and logged): put them in"
                + " DISCOURSE_ES_USERNAME and DISCOURSE_ES_PASSWORD, or DISCOURSE_ES_API_KEY (or the same names with"
                + " _FILE, naming a file)");
        // Also when the rest of the URL is broken, and from a settings file.
        Run broken = MainTest.run("es-setup", "-Des.urls=http://elastic:hunter2@bad host:9");
        assertThat(broken.out() + broken.err()).doesNotContain("hunter2");
    }

    @Test
    void aMisspeltSettingIsRefusedWithTheNearestKnownOne() throws IOException {
        Run r = MainTest.run("es-setup", "-Des.urlz=http://127.0.0.1:9");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.errLines()).containsExactly("discourse-trends: unknown setting 'es.urlz': did you mean"
                + " 'es.urls'? (`discourse-trends options` lists every setting)");
        Path conf = write("job.properties", "es.urls=http://127.0.0.1:9\nspikes.link-befor=PT1H\n");
        Run fromFile = MainTest.run("es-setup", "--conf", conf.toString());
        assertThat(fromFile.exit()).isEqualTo(2);
        assertThat(fromFile.err()).contains("unknown setting 'spikes.link-befor': did you mean 'spikes.link-before'?");
    }

    @Test
    void durationsAndInstantsThatDoNotParseAreExplainedWithoutJavaNames() {
        Run bucket = MainTest.run("detect", "-i", "x.csv", "--bucket=5min");
        assertThat(bucket.exit()).isEqualTo(2);
        assertThat(bucket.errLines().get(0)).isEqualTo("Invalid value for option '--bucket': '5min' is not an"
                + " ISO-8601 duration such as PT5M, PT1H or P1D");
        assertPlain(bucket);
        Run start = MainTest.run("demo", "--start=yesterday");
        assertThat(start.errLines().get(0)).isEqualTo("Invalid value for option '--start': 'yesterday' is not an"
                + " ISO-8601 instant such as 2026-11-22T12:00:00Z");
        assertPlain(start);
    }

    @Test
    void jsonLinesWithTrailingTextOrTooDeepAreExplainedWithoutJacksonNames() throws IOException {
        Path f = write("in.jsonl", "{\"kind\":\"t3\"} {}\n" + "[".repeat(300) + "]".repeat(300) + "\n");
        Run r = MainTest.run("normalize", "-p", "reddit", f.toString());
        assertThat(r.exit()).isZero();
        assertThat(r.errLines()).containsExactly(
                "line 1: not valid JSON: more text after the JSON object (a record is one JSON value)"
                        + " (line 1, column 15)",
                "line 2: record exceeds a parser limit: Document nesting depth (201) exceeds the maximum allowed (200)",
                "records=2 posts=0 engagement=0 ignored=0 malformed=2");
        assertPlain(r);
    }

    @Test
    void aTaxonomyOverTheSizeLimitIsSaidToBeTooLargeNotASyntaxError() throws IOException {
        String phrase = "      - \"some words\"\n";
        Path f = write("huge.yaml", "version: \"x\"\ntopics:\n  - id: a\n    label: A\n    phrases:\n"
                + phrase.repeat(TaxonomyParser.MAX_CODE_POINTS / phrase.length() + 1));
        Run r = MainTest.run("topics", "validate", f.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.errLines()).singleElement().asString()
                .startsWith(f + ":1:1: the taxonomy has ")
                .contains("over the size limit of 3145728 characters (3 MiB)")
                .doesNotContain("syntax");
    }
}

package io.discoursetrends.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.discoursetrends.cli.MainTest.Run;
import io.discoursetrends.job.JobOptions;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code discourse-trends events ...} run in-process; publishing to a live broker is in SpikesIT. */
class EventsCommandTest {

    private static final String VALID = """
            events:
              - id: aster-2-release
                name: Aster 2 released with open weights
                time: 2026-05-25T14:00:00Z
                topics: [open-weight-models]
                url: https://example.org/aster-2
              - id: velora-fine
                name: EU AI Office fines Velora
                time: 2026-05-26T09:30:00Z
                topics: [ai-law-policy, platform-ai-discourse]
            """;

    private static final String BROKEN = """
            events:
              - id: aster-2-release
                name: Aster 2
                time: 2026-05-25T14:00:00Z
                topics: [open-weight-models]
              - id: aster-2-rumour
                name: Aster 2 leaked
                time: tomorrow
                topics: [open-weight-models]
              - id: has space
                name: x
                time: 2026-05-25T14:00:00Z
                topics: [open-weight-models]
              - id: no-name
                time: 2026-05-25T14:00:00Z
                topics: [open-weight-models]
              - id: aster-2-release
                name: again
                time: 2026-05-25T14:00:00Z
                topics: [open-weight-models]
              - id: typo
                name: x
                time: 2026-05-25T14:00:00Z
                topic: [open-weight-models]
            """;

    @TempDir
    Path tmp;

    private Path write(String name, String content) throws IOException {
        return Files.writeString(tmp.resolve(name), content);
    }

    @Test
    void validateAcceptsAValidCalendarAndListsItsEvents() throws IOException {
        Path f = write("events.yaml", VALID);
        Run r = MainTest.run("events", "validate", f.toString());
        assertThat(r.exit()).isZero();
        assertThat(r.outLines()).containsExactly(f + ": 2 events, valid",
                "  aster-2-release  2026-05-25T14:00:00Z  open-weight-models  Aster 2 released with open weights",
                "  velora-fine  2026-05-26T09:30:00Z  ai-law-policy,platform-ai-discourse  EU AI Office fines Velora");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void validateReportsEveryProblemOnItsOwnLineAndExitsOne() throws IOException {
        Path f = write("broken.yaml", BROKEN);
        Run r = MainTest.run("events", "validate", f.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.errLines()).containsExactly(
                f + ": event 2: event 'aster-2-rumour': time 'tomorrow' is not an ISO-8601 instant such as"
                        + " 2025-04-29T00:00:00Z",
                f + ": event 3: id 'has space' must match [A-Za-z0-9._-]{1,128}",
                f + ": event 4: 'name' is missing or empty",
                f + ": event 5: duplicate id 'aster-2-release' (first in event 1)",
                f + ": event 6: unknown key 'topic' (expected [id, name, time, topics, url])",
                f + ": event 6: event 'typo': topics must be a non-empty list of topic ids");
    }

    @Test
    void validateRefusesTopicsTheTaxonomyDoesNotHave() throws IOException {
        Path f = write("events.yaml", VALID.replace("[open-weight-models]", "[open-weights]"));
        Run r = MainTest.run("events", "validate", f.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.errLines()).singleElement().asString()
                .startsWith(f + ": event 1: event 'aster-2-release': topic 'open-weights' is not in taxonomy ")
                .contains("so no spike can link to it");

        Path taxonomy = write("topics.yaml", """
                version: "t1"
                topics:
                  - id: open-weights
                    label: Open weights
                    phrases: ["open weights"]
                """);
        Run withTaxonomy = MainTest.run("events", "validate", "--taxonomy", taxonomy.toString(),
                write("one.yaml", VALID.substring(0, VALID.indexOf("  - id: velora-fine"))
                        .replace("[open-weight-models]", "[open-weights]")).toString());
        assertThat(withTaxonomy.exit()).isZero();
    }

    @Test
    void validateOfAFileThatIsNotACalendar() throws IOException {
        Path missing = tmp.resolve("nope.yaml");
        Run r = MainTest.run("events", "validate", missing.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.errLines()).containsExactly("cannot read " + missing + ": no such file");
        Path list = write("list.yaml", "- id: x\n");
        Run notCalendar = MainTest.run("events", "validate", list.toString());
        assertThat(notCalendar.exit()).isEqualTo(1);
        assertThat(notCalendar.errLines()).containsExactly(list + ": expected a top-level 'events:' list");
    }

    @Test
    void publishValidatesFirstAndUsesTheJobsDefaultTopic() throws IOException {
        Path f = write("broken.yaml", BROKEN);
        Run r = MainTest.run("events", "publish", f.toString(), "--bootstrap-servers", "127.0.0.1:9");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.errLines()).hasSize(6).allMatch(l -> l.startsWith(f + ": event "));
        assertThat(EventsCommand.DEFAULT_TOPIC).isEqualTo(JobOptions.TOPIC_EVENTS.defaultValue());
    }

    @Test
    void publishToAnUnreachableBrokerFailsWithinTheTimeoutInOneLine() throws IOException {
        Path f = write("events.yaml", VALID);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // free once closed: nothing listens there
        }
        String servers = "127.0.0.1:" + port;
        long start = System.nanoTime();
        Run r = MainTest.run("events", "publish", f.toString(), "--bootstrap-servers", servers, "--timeout", "2");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.errLines()).containsExactly("no answer from Kafka at " + servers + " within 2 s: is the broker"
                + " running and reachable from here, and are --bootstrap-servers and --kafka-properties right?");
        assertThat((System.nanoTime() - start) / 1_000_000_000L).isLessThan(15);
        assertThat(r.out()).isEmpty();
    }
}

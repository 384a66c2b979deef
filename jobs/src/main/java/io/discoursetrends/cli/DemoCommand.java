package io.discoursetrends.cli;

import io.discoursetrends.job.FlinkRuntime;
import io.discoursetrends.local.Demo;
import io.discoursetrends.local.StackLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the whole path on this machine: start a Kafka broker and an Elasticsearch node, "
                + "replay the shared fixtures, a generated stream and some malformed records, run the trends job "
                + "bounded on a local Flink MiniCluster, and print what it wrote.",
                "Needs Flink's runtime on the classpath (bin/discourse-trends adds it) and a JDK 21+ for "
                + "Elasticsearch (ES_JAVA_HOME, or found among the installed JDKs)."})
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--fixtures", paramLabel = "DIR",
            description = "Real platform records to replay (default: ../shared/fixtures beside the project).")
    Path fixtures;

    @Option(names = "--generated", paramLabel = "N", defaultValue = "5000",
            description = "Generated records per platform (default: ${DEFAULT-VALUE}).")
    int generated;

    @Option(names = "--span", paramLabel = "DURATION", defaultValue = "PT3H",
            description = "Event-time span of the generated stream, ISO-8601 (default: ${DEFAULT-VALUE}).")
    Duration span;

    @Option(names = "--start", paramLabel = "INSTANT", defaultValue = "2026-05-25T12:00:00Z",
            description = "Event time of the first generated record (default: ${DEFAULT-VALUE}).")
    Instant start;

    @Option(names = "--malformed", paramLabel = "N", defaultValue = "3",
            description = "Malformed records per platform, to show the dead-letter path (default: ${DEFAULT-VALUE}).")
    int malformed;

    @Option(names = "--parallelism", paramLabel = "N", defaultValue = "2",
            description = "Parallelism of the job (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--keep-running", description = "Keep Kafka and Elasticsearch up after the summary, until Ctrl-C.")
    boolean keepRunning;

    @Override
    public Integer call() throws Exception {
        FlinkRuntime.require();
        if (generated < 0 || malformed < 0 || parallelism < 1) {
            throw new IllegalArgumentException("--generated and --malformed must be >= 0 and --parallelism >= 1");
        }
        Path dir = fixtures != null ? fixtures
                : StackLayout.locate().root().resolve("../shared/fixtures").normalize();
        new Demo(new Demo.Settings(dir, generated, span, start, malformed, parallelism, keepRunning), System.out).run();
        return 0;
    }
}

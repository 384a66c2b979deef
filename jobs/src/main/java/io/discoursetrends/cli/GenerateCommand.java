package io.discoursetrends.cli;

import io.discoursetrends.local.GeneratedStream;
import io.discoursetrends.model.Platform;
import io.discoursetrends.replay.KafkaReplayer;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.zip.GZIPOutputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Generate a realistic stream in each platform's wire format, deterministic for a seed: daily "
                + "and weekly rhythm, reply trees, heavy-tailed likes, boosts and counters, bots, counter snapshots, "
                + "duplicates, late events and the demo's scripted bursts and calendar event; with a ground-truth "
                + "file of what was injected.",
                "To files (one JSON Lines file per platform, in observed order, for `replay` and `backfill --files`) "
                + "or straight onto Kafka (the platform topics, which must exist)."})
final class GenerateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--out", paramLabel = "DIR", description = "Write <platform>.jsonl[.gz], ground-truth.json and "
            + "events.yaml (for events.file) here.")
    Path out;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT",
            description = "Put the records on Kafka instead (topics discourse.raw.<platform>, or --topic-prefix).")
    String bootstrapServers;

    @Option(names = "--topic-prefix", paramLabel = "PREFIX", defaultValue = "discourse.raw.",
            description = "With --bootstrap-servers: the topics are PREFIX<platform> (default: ${DEFAULT-VALUE}).")
    String topicPrefix;

    @Option(names = "--kafka-properties", paramLabel = "FILE",
            description = "With --bootstrap-servers: client settings (security.protocol, sasl.*, ssl.*) as a Java "
                    + "properties file.")
    Path kafkaProperties;

    @Option(names = "--start", paramLabel = "INSTANT", defaultValue = "2026-05-25T00:00:00Z",
            description = "Start of the stream (default: ${DEFAULT-VALUE}, a Monday).")
    Instant start;

    @Option(names = "--span", paramLabel = "DURATION", defaultValue = "P7D",
            description = "Event-time span, ISO-8601, whole hours (default: ${DEFAULT-VALUE}).")
    Duration span;

    @Option(names = "--per-hour", paramLabel = "N", defaultValue = "200",
            description = "Background records per platform in the busiest hour (default: ${DEFAULT-VALUE}).")
    int perHour;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--duplicates", paramLabel = "SHARE", defaultValue = "0.01",
            description = "Share of records delivered twice (default: ${DEFAULT-VALUE}).")
    double duplicates;

    @Option(names = "--late", paramLabel = "SHARE", defaultValue = "0.002",
            description = "Share of records delivered 15-60 min late (default: ${DEFAULT-VALUE}).")
    double late;

    @Option(names = "--gzip", description = "Compress the files.")
    boolean gzip;

    /**
     * A producer to a missing topic waits for it, a minute per record, saying nothing (brokers usually do not
     * create topics): name what is missing instead, and an unreachable cluster, before generating anything.
     */
    private void requireTopics(Properties client, java.util.Collection<String> topics) throws Exception {
        Properties admin = new Properties();
        admin.putAll(client);
        admin.put("bootstrap.servers", bootstrapServers);
        try (org.apache.kafka.clients.admin.Admin a = org.apache.kafka.clients.admin.Admin.create(admin)) {
            java.util.Set<String> existing = a.listTopics().names().get(30, java.util.concurrent.TimeUnit.SECONDS);
            List<String> missing = topics.stream().filter(t -> !existing.contains(t)).sorted().toList();
            if (!missing.isEmpty()) {
                throw new IllegalStateException("topic" + (missing.size() == 1 ? " " : "s ") + String.join(", ",
                        missing) + (missing.size() == 1 ? " does" : " do") + " not exist on " + bootstrapServers
                        + ": create the raw topics (with as many partitions as the job reads in parallel, and a "
                        + "retention that reaches back to --start), or give --topic-prefix");
            }
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Kafka at " + bootstrapServers + " did not answer within 30 s: check "
                    + "--bootstrap-servers and --kafka-properties");
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("Kafka at " + bootstrapServers + ": " + e.getCause().getMessage()
                    + ". Check --bootstrap-servers and --kafka-properties.");
        }
    }

    @Override
    public Integer call() throws Exception {
        if ((out == null) == (bootstrapServers == null)) {
            throw new IllegalArgumentException("give --out DIR or --bootstrap-servers HOST:PORT (one of them)");
        }
        GeneratedStream stream = new GeneratedStream(start, span, perHour, seed, duplicates, late);
        PrintWriter stdout = spec.commandLine().getOut();
        Map<Platform, GeneratedStream.Injected> injected = new EnumMap<>(Platform.class);
        Map<Platform, String> topics = new EnumMap<>(Platform.class);
        for (Platform p : Platform.values()) {
            topics.put(p, topicPrefix + p.id());
        }
        Properties client = new Properties();
        if (bootstrapServers != null) {
            if (kafkaProperties != null) {
                try (var in = Files.newInputStream(kafkaProperties)) {
                    client.load(in);
                } catch (java.io.IOException e) {
                    throw new IllegalArgumentException("cannot read --kafka-properties " + kafkaProperties + ": "
                            + e.getMessage());
                }
            }
            requireTopics(client, topics.values());
        }
        KafkaReplayer replayer = bootstrapServers == null ? null
                : new KafkaReplayer(bootstrapServers, topics, client);
        try {
            if (out != null) {
                Files.createDirectories(out);
            }
            for (Platform p : Platform.values()) {
                GeneratedStream.Output generated = stream.generate(p);
                List<KafkaReplayer.Observed> records = generated.records();
                GeneratedStream.Injected in = generated.injected();
                injected.put(p, in);
                if (replayer != null) {
                    replayer.replayObserved(p, records, n -> { });
                    stdout.printf("%-10s %,9d records to %s (%,d duplicates, %,d late)%n", p.id(), records.size(),
                            topics.get(p), in.duplicates(), in.late());
                } else {
                    Path file = out.resolve(p.id() + (gzip ? ".jsonl.gz" : ".jsonl"));
                    try (OutputStream raw = Files.newOutputStream(file);
                         OutputStream o = gzip ? new GZIPOutputStream(raw, 1 << 16)
                                 : new java.io.BufferedOutputStream(raw, 1 << 16)) {
                        for (byte[] v : GeneratedStream.inObservedOrder(p, records)) {
                            o.write(v);
                            o.write('\n');
                        }
                    }
                    stdout.printf("%-10s %,9d records to %s (%,d duplicates, %,d late)%n", p.id(), records.size(),
                            file, in.duplicates(), in.late());
                }
            }
        } finally {
            if (replayer != null) {
                replayer.close();
            }
        }
        Path truth = (out != null ? out : Path.of(".")).resolve("ground-truth.json");
        Files.writeString(truth, stream.groundTruth(injected));
        Files.writeString(truth.resolveSibling("events.yaml"), stream.story().eventsYaml());
        int bursts = stream.story().bursts().size();
        int events = stream.story().events().size();
        stdout.printf("ground truth: %s (%d burst%s, %d calendar event%s); calendar for events.file: %s%n", truth,
                bursts, bursts == 1 ? "" : "s", events, events == 1 ? "" : "s", truth.resolveSibling("events.yaml"));
        return 0;
    }
}

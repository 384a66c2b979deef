package io.discoursetrends.cli;

import io.discoursetrends.job.Connectors;
import io.discoursetrends.job.FlinkRuntime;
import io.discoursetrends.job.JobConfiguration;
import io.discoursetrends.job.JobOptions;
import io.discoursetrends.model.Platform;
import io.discoursetrends.replay.FileReplay;
import io.discoursetrends.replay.ProgressBar;
import io.discoursetrends.replay.ReplayProgress;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Replay JSON Lines recordings (plain or gzip, one raw platform record per line) onto the "
                + "platform topics, keyed by the post each record concerns, as an ingest bridge writes them.",
                "Kafka and the topics come from the job's settings (kafka.bootstrap-servers, kafka.topic.<platform>, "
                + "kafka.properties-file). Each record's Kafka timestamp is its recorded time: the topics' "
                + "retention must reach back that far (or be unlimited), or the broker deletes old records.",
                "With --progress FILE the replay is resumable: rerun the same command and it goes on after the "
                + "last record Kafka acknowledged."})
final class ReplayCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "[PLATFORM=]FILE", arity = "1..*",
            description = "Recordings to replay. The platform is the PLATFORM= prefix, else --platform, else the "
                    + "start of the file name (bluesky.jsonl.gz, reddit-2026-05.jsonl).")
    List<String> files;

    @Option(names = {"-p", "--platform"}, converter = PlatformConverter.class, paramLabel = "PLATFORM",
            description = "The platform of files named without one: ${COMPLETION-CANDIDATES}.",
            completionCandidates = PlatformConverter.Names.class)
    Platform platform;

    @Option(names = "--speed", paramLabel = "FACTOR", defaultValue = "max",
            description = "max: as fast as Kafka takes it (default); or the recorded pace times FACTOR, e.g. 60x "
                    + "(an hour in a minute) or 1x (real time).")
    String speed;

    @Option(names = "--rate", paramLabel = "N/s",
            description = "At most N records a second (e.g. 500/s), with or without --speed.")
    String rate;

    @Option(names = "--progress", paramLabel = "FILE",
            description = "Where to keep how far the replay got (JSON, replaced atomically); an existing one is "
                    + "resumed from.")
    Path progressFile;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "0",
            description = "Stop after N records in this run (0: all); with --progress the next run goes on.")
    long limit;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT",
            description = "Kafka to write to; overrides kafka.bootstrap-servers.")
    String bootstrapServers;

    @Option(names = "--conf", paramLabel = "FILE", description = "Java properties file of the job's settings.")
    Path conf;

    @Option(names = "-D", paramLabel = "KEY=VALUE", mapFallbackValue = "",
            description = "Override one setting, e.g. -Dkafka.topic.bluesky=raw.bluesky.")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        FlinkRuntime.require(); // the job's typed settings (topics, Kafka client properties) live in Flink's config
        List<FileReplay.Input> inputs = inputs(files, platform);
        double factor = speed(speed);
        double perSecond = rate(rate);
        if (bootstrapServers != null) {
            overrides.put(JobOptions.KAFKA_BOOTSTRAP.key(), bootstrapServers);
        }
        Configuration config = JobConfiguration.load(conf, overrides);
        Map<Platform, String> topics = new EnumMap<>(Platform.class);
        Connectors.topics(config).forEach((topic, p) -> topics.put(p, topic));
        Properties props = Connectors.kafkaProperties(config);
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.get(JobOptions.KAFKA_BOOTSTRAP));
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true"); // a retried batch is not written twice
        props.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(32 << 20));
        props.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");

        requireTopics(props, inputs, topics, config.get(JobOptions.KAFKA_BOOTSTRAP));

        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ReplayProgress progress = ReplayProgress.load(progressFile);
        boolean terminal = System.console() != null;
        ProgressBar[] bar = new ProgressBar[1];
        FileReplay.Listener listener = new FileReplay.Listener() {
            @Override
            public void started(long totalLines, long doneLines) {
                if (doneLines > 0) {
                    err.printf("resuming from %s: %,d of %,d lines already on Kafka%n", progressFile, doneLines,
                            totalLines);
                }
                // Progress on stderr: stdout keeps only the summary, for scripts.
                bar[0] = new ProgressBar(err, terminal, totalLines, doneLines, System::nanoTime, 5_000_000_000L);
            }

            @Override
            public void progressed(long doneLines) {
                bar[0].update(doneLines);
            }

            @Override
            public void finished(long doneLines) {
                bar[0].update(doneLines);
                bar[0].finish();
            }
        };
        long t0 = System.nanoTime();
        FileReplay.Result result;
        try (KafkaProducer<byte[], byte[]> producer =
                     new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            result = new FileReplay(producer, topics, System::nanoTime, FileReplay.REAL_TIME)
                    .run(new FileReplay.Settings(inputs, factor, perSecond, limit, 5_000), progress, listener);
        } catch (org.apache.kafka.common.KafkaException e) {
            throw new IllegalStateException("Kafka at " + config.get(JobOptions.KAFKA_BOOTSTRAP) + ": "
                    + e.getMessage() + ". Check kafka.bootstrap-servers and kafka.properties-file.", e);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        out.printf(Locale.ROOT, "replayed %,d records in %.1f s (%,.0f records/s)%s%s%n", result.sent(), seconds,
                result.sent() / Math.max(seconds, 1e-9),
                result.resumedFrom() > 0 ? String.format(Locale.ROOT, " after %,d already sent", result.resumedFrom())
                        : "",
                result.complete() ? "" : "; stopped at --limit, run again to go on");
        if (result.tooLong() > 0) {
            err.printf("skipped %,d lines longer than 32 MiB%n", result.tooLong());
        }
        return 0;
    }

    /** Brokers usually do not create topics: a missing one is named, with what to do, instead of a timeout. */
    private static void requireTopics(Properties props, List<FileReplay.Input> inputs, Map<Platform, String> topics,
            String bootstrap) throws Exception {
        Properties admin = new Properties();
        admin.putAll(props);
        admin.keySet().removeIf(k -> k.toString().startsWith("enable.idempotence") || k.toString().startsWith("acks")
                || k.toString().startsWith("linger") || k.toString().startsWith("max.request")
                || k.toString().startsWith("max.block"));
        try (org.apache.kafka.clients.admin.Admin a = org.apache.kafka.clients.admin.Admin.create(admin)) {
            java.util.Set<String> existing = a.listTopics().names().get(30, java.util.concurrent.TimeUnit.SECONDS);
            for (FileReplay.Input in : inputs) {
                String topic = topics.get(in.platform());
                if (!existing.contains(topic)) {
                    throw new IllegalStateException("topic " + topic + " (kafka.topic." + in.platform().id()
                            + ") does not exist on " + bootstrap + ": create it, with as many partitions as the "
                            + "job should read in parallel, or set kafka.topic." + in.platform().id());
                }
            }
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Kafka at " + bootstrap + " did not answer within 30 s: check "
                    + "kafka.bootstrap-servers and kafka.properties-file");
        }
    }

    static List<FileReplay.Input> inputs(List<String> args, Platform fallback) {
        List<FileReplay.Input> out = new ArrayList<>();
        for (String a : args) {
            Platform p = null;
            String path = a;
            int eq = a.indexOf('=');
            if (eq > 0) {
                try {
                    p = Platform.of(a.substring(0, eq));
                    path = a.substring(eq + 1);
                } catch (IllegalArgumentException e) {
                    p = null; // a '=' in a file name
                }
            }
            Path file = Path.of(path);
            if (p == null) {
                p = fallback != null ? fallback : fromName(file);
            }
            if (p == null) {
                throw new IllegalArgumentException("which platform's records are in " + file + "? Write "
                        + "PLATFORM=" + file + ", pass --platform, or name the file after the platform (bluesky, "
                        + "mastodon, reddit, hackernews)");
            }
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("cannot read " + file + ": " + (Files.isDirectory(file)
                        ? "it is a directory" : "no such file"));
            }
            out.add(new FileReplay.Input(p, file));
        }
        return out;
    }

    private static Platform fromName(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        for (Platform p : Platform.values()) {
            if (name.startsWith(p.id())) {
                return p;
            }
        }
        return null;
    }

    /** "max" (0: as fast as possible), or a positive factor with or without an "x". */
    static double speed(String s) {
        String v = s.trim().toLowerCase(Locale.ROOT);
        if (v.equals("max")) {
            return 0;
        }
        try {
            double f = Double.parseDouble(v.endsWith("x") ? v.substring(0, v.length() - 1) : v);
            if (f > 0 && Double.isFinite(f)) {
                return f;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("--speed is '" + s + "': expected max or a factor such as "
                + "60x");
    }

    /** Records a second, "N/s" or "N"; null: no limit (0). */
    static double rate(String s) {
        if (s == null) {
            return 0;
        }
        String v = s.trim().toLowerCase(Locale.ROOT);
        try {
            double r = Double.parseDouble(v.endsWith("/s") ? v.substring(0, v.length() - 2) : v);
            if (r > 0 && Double.isFinite(r)) {
                return r;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("--rate is '" + s + "': expected records a second such as "
                + "500/s");
    }
}

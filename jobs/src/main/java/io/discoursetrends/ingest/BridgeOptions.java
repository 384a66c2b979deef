package io.discoursetrends.ingest;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import picocli.CommandLine.Option;

/** The options every bridge has: where Kafka is, what to call the bridge, how often to commit and report. */
public final class BridgeOptions {

    @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT[,HOST:PORT...]",
            description = "The Kafka cluster the job reads.")
    public String bootstrapServers;

    @Option(names = "--kafka-properties", paramLabel = "FILE",
            description = "Client settings (security.protocol, sasl.*, ssl.*) as a Java properties file.")
    public Path kafkaProperties;

    @Option(names = "--topic", paramLabel = "TOPIC",
            description = "The platform topic (default: the job's kafka.topic.<platform> default, discourse.raw.*).")
    public String topic;

    @Option(names = "--bridge-id", paramLabel = "ID",
            description = "Names this bridge's cursor and Kafka transactional id (default: the platform). Two"
                    + " bridges of one platform reading different feeds need different ids.")
    public String bridgeId;

    @Option(names = "--commit-interval", paramLabel = "DURATION", defaultValue = "PT1S",
            description = "Commit sent records with the cursor at least this often (ISO-8601, default ${DEFAULT-VALUE});"
                    + " the job sees records when they are committed.")
    public Duration commitInterval;

    @Option(names = "--commit-records", paramLabel = "N", defaultValue = "1000",
            description = "... or after this many records (default ${DEFAULT-VALUE}).")
    public int commitRecords;

    @Option(names = "--progress-interval", paramLabel = "DURATION", defaultValue = "PT10S",
            description = "How often to print a progress line on standard error (default ${DEFAULT-VALUE}).")
    public Duration progressInterval;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "PT30S",
            description = "How long to wait for Kafka before giving up (default ${DEFAULT-VALUE}).")
    public Duration timeout;

    @Option(names = "--max-backoff", paramLabel = "DURATION", defaultValue = "PT2M",
            description = "The longest wait between retries after errors (default ${DEFAULT-VALUE}); a server's"
                    + " Retry-After may ask for longer and is honoured.")
    public Duration maxBackoff;

    public KafkaOutput.Settings settings(String defaultTopic, String defaultId) {
        if (commitRecords < 1) {
            throw new IllegalArgumentException("--commit-records must be at least 1");
        }
        if (commitInterval.isNegative() || commitInterval.isZero() || commitInterval.toSeconds() > 300) {
            throw new IllegalArgumentException("--commit-interval must be between 1 ms and 5 minutes");
        }
        if (progressInterval.isNegative() || progressInterval.isZero()) {
            throw new IllegalArgumentException("--progress-interval must be positive");
        }
        return new KafkaOutput.Settings(bootstrapServers, clientProperties(), topic != null ? topic : defaultTopic,
                bridgeId != null ? bridgeId : defaultId, commitInterval, commitRecords, timeout);
    }

    private Properties clientProperties() {
        Properties p = new Properties();
        if (kafkaProperties != null) {
            try (Reader r = Files.newBufferedReader(kafkaProperties, StandardCharsets.UTF_8)) {
                p.load(r);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read --kafka-properties " + kafkaProperties + ": " + e);
            }
        }
        return p;
    }
}

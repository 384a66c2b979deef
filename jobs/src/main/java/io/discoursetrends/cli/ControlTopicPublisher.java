package io.discoursetrends.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * Publishes records to one of the job's control topics (taxonomy updates, calendar events) for the
 * {@code ... publish} commands: checks the topic first, so an unreachable cluster or a missing topic fails within
 * the timeout with one line saying what to fix (a producer would only wait), then sends with acks=all.
 */
final class ControlTopicPublisher {

    /** The options every publish command has: where the cluster is, how to reach it, how long to wait. */
    static final class Options {
        @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT[,HOST:PORT...]",
                description = "The Kafka cluster the job reads its control topics from.")
        String bootstrapServers;

        @Option(names = "--kafka-properties", paramLabel = "FILE",
                description = "Client settings (security.protocol, sasl.*, ssl.*) as a Java properties file.")
        Path kafkaProperties;

        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
                description = "How long to wait for the cluster before giving up (default: ${DEFAULT-VALUE}).")
        int timeoutSeconds;

        void check(CommandSpec spec) {
            if (timeoutSeconds < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--timeout must be at least 1 second");
            }
        }
    }

    /** One record: its key, its timestamp and its value. */
    record Message(String key, long timestampMillis, byte[] value) {}

    /** A one-line reason nothing was published. */
    static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;

        Failure(String message) {
            super(message, null, false, false);
        }
    }

    private final String command;
    private final String bootstrapServers;
    private final String topic;
    private final long timeoutMs;
    private final Properties common = new Properties();

    private ControlTopicPublisher(String command, String bootstrapServers, String topic, int timeoutSeconds) {
        this.command = command;
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        this.timeoutMs = TimeUnit.SECONDS.toMillis(timeoutSeconds);
    }

    /**
     * Publishes {@code messages} in order and returns where each landed; or prints why not on {@code err} and
     * returns null, with the exit code in {@code exit[0]} (2: the properties file cannot be read; 1: anything
     * else). {@code command} names the command in messages, e.g. "topics publish".
     */
    static List<RecordMetadata> publish(String command, Options options, String topic, List<Message> messages,
            PrintWriter err, int[] exit) {
        String bootstrapServers = options.bootstrapServers;
        Path kafkaProperties = options.kafkaProperties;
        ControlTopicPublisher p = new ControlTopicPublisher(command, bootstrapServers, topic, options.timeoutSeconds);
        if (kafkaProperties != null) {
            try (Reader r = Files.newBufferedReader(kafkaProperties, StandardCharsets.UTF_8)) {
                p.common.load(r);
            } catch (IOException e) {
                err.println("cannot read " + kafkaProperties + ": " + Inputs.describe(e));
                exit[0] = 2;
                return null;
            }
        }
        io.discoursetrends.kafka.KafkaClientLogging.quietWithoutBinding();
        p.common.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        try {
            p.checkTopic();
            return p.send(messages);
        } catch (Failure f) {
            err.println(f.getMessage());
            exit[0] = 1;
            return null;
        }
    }

    private String clientId() {
        return "discourse-trends-" + command.replace(' ', '-');
    }

    private void checkTopic() throws Failure {
        Properties p = new Properties();
        p.putAll(common);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeoutMs, 30_000));
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeoutMs);
        p.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, clientId());
        try (Admin admin = Admin.create(p)) {
            admin.describeTopics(Set.of(topic)).allTopicNames().get(timeoutMs + 1_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                throw new Failure("topic " + topic + " does not exist on " + bootstrapServers
                        + ": start the job once (it creates it) or create it (one partition, cleanup.policy=compact),"
                        + " e.g. kafka-topics.sh --bootstrap-server " + bootstrapServers + " --create --topic " + topic
                        + " --partitions 1 --config cleanup.policy=compact");
            }
            throw failure(e.getCause());
        } catch (TimeoutException | KafkaException e) {
            throw failure(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure("interrupted while waiting for Kafka at " + bootstrapServers);
        }
    }

    private List<RecordMetadata> send(List<Message> messages) throws Failure {
        Properties p = new Properties();
        p.putAll(common);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        // delivery.timeout.ms must cover linger.ms + request.timeout.ms; max.block.ms bounds the metadata wait.
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeoutMs, 30_000));
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) timeoutMs);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs);
        p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, clientId());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p)) {
            List<Future<RecordMetadata>> futures = new ArrayList<>();
            for (Message m : messages) {
                futures.add(producer.send(new ProducerRecord<>(topic, null, m.timestampMillis(), m.key(), m.value())));
            }
            List<RecordMetadata> sent = new ArrayList<>();
            for (Future<RecordMetadata> f : futures) {
                sent.add(f.get(timeoutMs + 5_000, TimeUnit.MILLISECONDS));
            }
            return sent;
        } catch (ExecutionException e) {
            throw failure(e.getCause());
        } catch (TimeoutException | KafkaException e) {
            throw failure(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure("interrupted while publishing to " + bootstrapServers);
        }
    }

    private Failure failure(Throwable e) {
        String where = " (topic " + topic + " at " + bootstrapServers + ")";
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof TimeoutException || c instanceof org.apache.kafka.common.errors.TimeoutException) {
                return new Failure("no answer from Kafka at " + bootstrapServers + " within " + timeoutMs / 1000
                        + " s: is the broker running and reachable from here, and are --bootstrap-servers and"
                        + " --kafka-properties right?");
            }
            if (c instanceof AuthenticationException || c instanceof AuthorizationException) {
                return new Failure("Kafka refused" + where + ": " + c.getMessage()
                        + "; check the credentials in --kafka-properties");
            }
            if (c instanceof RecordTooLargeException) {
                return new Failure("a record is too large for the topic's message size limit" + where + ": "
                        + c.getMessage());
            }
            if (c instanceof ConfigException) {
                String m = c.getMessage();
                if (m != null && m.contains("resolvable bootstrap")) {
                    return new Failure("cannot resolve any of the bootstrap servers " + bootstrapServers);
                }
                return new Failure("invalid Kafka client setting: " + m);
            }
        }
        return new Failure("cannot publish" + where + ": " + e.getMessage());
    }
}

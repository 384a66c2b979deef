package io.discoursetrends.cli;

import io.discoursetrends.classify.Taxonomy;
import io.discoursetrends.classify.TaxonomyException;
import io.discoursetrends.classify.TaxonomyParser;
import io.discoursetrends.spikes.CalendarEvent;
import io.discoursetrends.spikes.EventCalendar;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
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
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The events calendar from the analyst's side: check a calendar file, and hand its events to the running job on
 * the events control topic, where each event is linked to the spikes that start near it and its impact is measured.
 * Nothing here touches Flink, so it runs from the plain jar ({@code publish} needs SLF4J for the Kafka client).
 */
@Command(
        name = "events",
        mixinStandardHelpOptions = true,
        description = "Checks and publishes calendars of known events (model releases, rulings, pledges) that spikes"
                + " are linked to. A calendar is YAML: events: [{id, name, time (ISO-8601), topics: [topic ids;"
                + " the first is the one its impact is measured on], url}].",
        subcommands = {EventsCommand.Validate.class, EventsCommand.Publish.class, CommandLine.HelpCommand.class})
final class EventsCommand implements Callable<Integer> {
    /** The job's kafka.topic.events default (JobOptions needs Flink, which this command must not). */
    static final String DEFAULT_TOPIC = "discourse.control.events";

    /** Where EventCalendar.parse joins its problems: before each "event N: ". */
    private static final Pattern PROBLEMS = Pattern.compile("; (?=event \\d+: )");

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing required subcommand");
    }

    /** A calendar read, parsed and checked against a taxonomy's topics, or the exit code after saying why not. */
    private record Loaded(List<CalendarEvent> events, int exit) {}

    /**
     * Reads and checks FILE: every problem goes to {@code err} as "FILE: event N: message" (exit 1); a file that
     * cannot be read is one line (exit 2). An event on a topic the taxonomy does not have is a problem: no spike
     * could ever link to it.
     */
    private static Loaded load(Path file, Path taxonomyFile, PrintWriter err) {
        String yaml = read(file, err);
        if (yaml == null) {
            return new Loaded(null, 2);
        }
        Taxonomy taxonomy;
        if (taxonomyFile == null) {
            taxonomy = Taxonomy.defaultTaxonomy();
        } else {
            String t = read(taxonomyFile, err);
            if (t == null) {
                return new Loaded(null, 2);
            }
            try {
                taxonomy = TaxonomyParser.parse(t, taxonomyFile.toString());
            } catch (TaxonomyException e) {
                e.formatted().forEach(err::println);
                return new Loaded(null, 1);
            }
        }
        List<CalendarEvent> events;
        try {
            events = EventCalendar.parse(yaml, file.toString());
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            String prefix = file + ": ";
            String body = message.startsWith(prefix) ? message.substring(prefix.length()) : message;
            for (String problem : PROBLEMS.split(body)) {
                err.println(prefix + problem);
            }
            return new Loaded(null, 1);
        }
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            for (String topic : events.get(i).topics()) {
                if (taxonomy.topic(topic).isEmpty()) {
                    problems.add(file + ": event " + (i + 1) + ": event '" + events.get(i).id() + "': topic '" + topic
                            + "' is not in taxonomy " + taxonomy.version() + ", so no spike can link to it"
                            + (taxonomyFile == null ? " (check against another taxonomy with --taxonomy)" : ""));
                }
            }
        }
        problems.forEach(err::println);
        return problems.isEmpty() ? new Loaded(events, 0) : new Loaded(null, 1);
    }

    private static String read(Path file, PrintWriter err) {
        try (InputStream in = Inputs.open(file)) {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(in.readAllBytes()))
                    .toString();
        } catch (CharacterCodingException e) {
            err.println("cannot read " + file + ": it is not UTF-8 text");
        } catch (IOException e) {
            err.println("cannot read " + file + ": " + Inputs.describe(e));
        }
        return null;
    }

    /** One line per event: id, time, topics, name. */
    private static String line(CalendarEvent e) {
        return "  " + e.id() + "  " + Instant.ofEpochMilli(e.timeMillis()) + "  " + String.join(",", e.topics())
                + "  " + e.name();
    }

    @Command(
            name = "validate",
            mixinStandardHelpOptions = true,
            description = {
                "Checks a calendar file and reports every problem as FILE: event N: message on standard error,"
                        + " including topics the taxonomy does not have (no spike could link to such an event).",
                "A valid file gives 'FILE: N events, valid' and one line per event (id, time, topics, name)."
            },
            exitCodeListHeading = "Exit codes:%n",
            exitCodeList = {"0:the calendar is valid", "1:it has problems (each reported)",
                "2:a file cannot be read, or a usage error"})
    static final class Validate implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "FILE", description = "The calendar YAML ('-' for stdin).")
        Path file;

        @Option(names = {"-t", "--taxonomy"}, paramLabel = "FILE",
                description = "The taxonomy the job runs with, for the topic check (default: the one in the jar).")
        Path taxonomyFile;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            Loaded loaded = load(file, taxonomyFile, spec.commandLine().getErr());
            if (loaded.events() == null) {
                return loaded.exit();
            }
            int n = loaded.events().size();
            out.println(file + ": " + n + (n == 1 ? " event" : " events") + ", valid");
            loaded.events().forEach(e -> out.println(line(e)));
            out.flush();
            return 0;
        }
    }

    @Command(
            name = "publish",
            mixinStandardHelpOptions = true,
            description = {
                "Validates a calendar (reporting problems as 'validate' does) and publishes its events to the running"
                        + " job: one record per event on the events control topic, key = the event's id, value = its"
                        + " JSON. The job links spikes to them from then on; an event with an id published before"
                        + " replaces that one.",
                "The topic must exist (the job creates it when it starts): one partition, cleanup.policy=compact.",
                "Prints one line per event: published event ID to TOPIC partition P offset O"
            },
            exitCodeListHeading = "Exit codes:%n",
            exitCodeList = {"0:published", "1:the calendar has problems, or Kafka did not take the records",
                "2:a file cannot be read, or a usage error"})
    static final class Publish implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "FILE", description = "The calendar YAML ('-' for stdin).")
        Path file;

        @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT[,HOST:PORT...]",
                description = "The Kafka cluster the job reads its events topic from.")
        String bootstrapServers;

        @Option(names = "--topic", paramLabel = "TOPIC", defaultValue = DEFAULT_TOPIC,
                description = "The events topic, the job's kafka.topic.events (default: ${DEFAULT-VALUE}).")
        String topic;

        @Option(names = {"-t", "--taxonomy"}, paramLabel = "FILE",
                description = "The taxonomy the job runs with, for the topic check (default: the one in the jar).")
        Path taxonomyFile;

        @Option(names = "--kafka-properties", paramLabel = "FILE",
                description = "Client settings (security.protocol, sasl.*, ssl.*) as a Java properties file.")
        Path kafkaProperties;

        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
                description = "How long to wait for the cluster before giving up (default: ${DEFAULT-VALUE}).")
        int timeoutSeconds;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            if (timeoutSeconds < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--timeout must be at least 1 second");
            }
            Loaded loaded = load(file, taxonomyFile, err);
            if (loaded.events() == null) {
                return loaded.exit();
            }
            Properties common = new Properties();
            if (kafkaProperties != null) {
                try (Reader r = Files.newBufferedReader(kafkaProperties, StandardCharsets.UTF_8)) {
                    common.load(r);
                } catch (IOException e) {
                    err.println("cannot read " + kafkaProperties + ": " + Inputs.describe(e));
                    return 2;
                }
            }
            if (!kafkaClientsCanLog()) {
                err.println("events publish needs SLF4J (the Kafka client logs through it), which the job jar leaves"
                        + " to the Flink cluster: run it as bin/discourse-trends events publish ..., or add an"
                        + " slf4j-api jar to the class path");
                return 1;
            }
            common.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            long timeoutMs = TimeUnit.SECONDS.toMillis(timeoutSeconds);
            try {
                checkTopic(common, timeoutMs);
                List<RecordMetadata> sent = send(common, timeoutMs, loaded.events());
                for (int i = 0; i < sent.size(); i++) {
                    RecordMetadata m = sent.get(i);
                    out.println("published event " + loaded.events().get(i).id() + " to " + m.topic()
                            + " partition " + m.partition() + " offset " + m.offset());
                }
                out.flush();
                return 0;
            } catch (Failure f) {
                err.println(f.getMessage());
                return 1;
            }
        }

        /** A one-line reason the events were not published. */
        private static final class Failure extends Exception {
            private static final long serialVersionUID = 1L;

            Failure(String message) {
                super(message, null, false, false);
            }
        }

        /** Fails fast, and clearly, on an unreachable cluster or a missing topic: a producer would only wait. */
        private void checkTopic(Properties common, long timeoutMs) throws Failure {
            Properties p = new Properties();
            p.putAll(common);
            p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeoutMs, 30_000));
            p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeoutMs);
            p.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, "discourse-trends-events-publish");
            try (Admin admin = Admin.create(p)) {
                admin.describeTopics(Set.of(topic)).allTopicNames().get(timeoutMs + 1_000, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                    throw new Failure("topic " + topic + " does not exist on " + bootstrapServers
                            + ": start the job once (it creates it) or create it (one partition,"
                            + " cleanup.policy=compact), e.g. kafka-topics.sh --bootstrap-server " + bootstrapServers
                            + " --create --topic " + topic + " --partitions 1 --config cleanup.policy=compact");
                }
                throw failure(e.getCause(), timeoutMs);
            } catch (TimeoutException | KafkaException e) {
                throw failure(e, timeoutMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Failure("interrupted while waiting for Kafka at " + bootstrapServers);
            }
        }

        /** Every event, key = its id, in file order; waits until the cluster has them all (acks=all). */
        private List<RecordMetadata> send(Properties common, long timeoutMs, List<CalendarEvent> events)
                throws Failure {
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
            p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "discourse-trends-events-publish");
            long now = System.currentTimeMillis();
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p)) {
                List<Future<RecordMetadata>> futures = new ArrayList<>();
                for (CalendarEvent e : events) {
                    futures.add(producer.send(new ProducerRecord<>(topic, null, now, e.id(), EventCalendar.toJson(e))));
                }
                producer.flush();
                List<RecordMetadata> out = new ArrayList<>();
                for (Future<RecordMetadata> f : futures) {
                    out.add(f.get(timeoutMs + 5_000, TimeUnit.MILLISECONDS));
                }
                return out;
            } catch (ExecutionException e) {
                throw failure(e.getCause(), timeoutMs);
            } catch (TimeoutException | KafkaException e) {
                throw failure(e, timeoutMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Failure("interrupted while publishing to " + bootstrapServers);
            }
        }

        private Failure failure(Throwable e, long timeoutMs) {
            String where = " (topic " + topic + " at " + bootstrapServers + ")";
            for (Throwable c = e; c != null; c = c.getCause()) {
                if (c instanceof TimeoutException || c instanceof org.apache.kafka.common.errors.TimeoutException) {
                    return new Failure("no answer from Kafka at " + bootstrapServers + " within "
                            + timeoutMs / 1000 + " s: is the broker running and reachable from here, and are"
                            + " --bootstrap-servers and --kafka-properties right?");
                }
                if (c instanceof AuthenticationException || c instanceof AuthorizationException) {
                    return new Failure("Kafka refused" + where + ": " + c.getMessage()
                            + "; check the credentials in --kafka-properties");
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

        private static boolean kafkaClientsCanLog() {
            try {
                Class.forName("org.slf4j.LoggerFactory", false, Publish.class.getClassLoader());
                return true;
            } catch (ClassNotFoundException e) {
                return false;
            }
        }
    }
}

package io.discoursetrends.cli;

import io.discoursetrends.classify.Taxonomy;
import io.discoursetrends.classify.TaxonomyException;
import io.discoursetrends.classify.TaxonomyParser;
import io.discoursetrends.spikes.CalendarEvent;
import io.discoursetrends.spikes.EventCalendar;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.RecordMetadata;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
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
        Taxonomy known = taxonomy;
        EventCalendar.Checked checked = EventCalendar.check(yaml, topic -> known.topic(topic).isPresent() ? null
                : "topic '" + topic + "' is not in taxonomy " + known.version() + ", so no spike can link to it"
                        + (taxonomyFile == null ? " (check against another taxonomy with --taxonomy)" : ""));
        checked.problems().forEach(p -> err.println(p.format(file.toString())));
        return checked.problems().isEmpty() ? new Loaded(checked.events(), 0) : new Loaded(null, 1);
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

        @Mixin
        ControlTopicPublisher.Options kafka;

        @Option(names = "--topic", paramLabel = "TOPIC", defaultValue = DEFAULT_TOPIC,
                description = "The events topic, the job's kafka.topic.events (default: ${DEFAULT-VALUE}).")
        String topic;

        @Option(names = {"-t", "--taxonomy"}, paramLabel = "FILE",
                description = "The taxonomy the job runs with, for the topic check (default: the one in the jar).")
        Path taxonomyFile;



        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            kafka.check(spec);
            Loaded loaded = load(file, taxonomyFile, err);
            if (loaded.events() == null) {
                return loaded.exit();
            }
            List<ControlTopicPublisher.Message> messages = new ArrayList<>();
            for (CalendarEvent e : loaded.events()) {
                messages.add(new ControlTopicPublisher.Message(e.id(), System.currentTimeMillis(),
                        EventCalendar.toJson(e)));
            }
            int[] exit = new int[1];
            List<RecordMetadata> sent = ControlTopicPublisher.publish("events publish", kafka, topic, messages, err,
                    exit);
            if (sent == null) {
                return exit[0];
            }
            for (int i = 0; i < sent.size(); i++) {
                RecordMetadata m = sent.get(i);
                out.println("published event " + loaded.events().get(i).id() + " to " + m.topic()
                        + " partition " + m.partition() + " offset " + m.offset());
            }
            out.flush();
            return 0;
        }
    }
}

package io.discoursetrends.cli;

import io.discoursetrends.replay.ByteLines;
import io.discoursetrends.classify.Classification;
import io.discoursetrends.classify.CompiledTaxonomy;
import io.discoursetrends.classify.Taxonomy;
import io.discoursetrends.classify.TaxonomyException;
import io.discoursetrends.classify.TaxonomyParser;
import io.discoursetrends.classify.TaxonomyUpdate;
import io.discoursetrends.model.CanonicalEvent;
import io.discoursetrends.model.Platform;
import io.discoursetrends.model.Post;
import io.discoursetrends.normalize.CanonicalJson;
import io.discoursetrends.normalize.NormalizeResult;
import io.discoursetrends.normalize.Normalizer;
import io.discoursetrends.normalize.Normalizers;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * The topic taxonomy from the analyst's side: check a file, try it on real posts, and hand it to the running
 * job through the control topic. Nothing here touches Flink, so it runs from the plain jar.
 */
@Command(
        name = "topics",
        mixinStandardHelpOptions = true,
        description = "Checks, tries out and publishes topic taxonomies (YAML; see taxonomy/default-taxonomy.yaml"
                + " in the jar for the format).",
        subcommands = {
            TopicsCommand.Validate.class,
            TopicsCommand.Classify.class,
            TopicsCommand.Publish.class,
            CommandLine.HelpCommand.class
        })
final class TopicsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing required subcommand");
    }

    /** A taxonomy file read and parsed, or the exit code after saying why not. */
    private record Loaded(Taxonomy taxonomy, int exit) {}

    /**
     * Reads and parses FILE. Problems go to {@code err} as "FILE:LINE:COL: message" (exit 1); a file that cannot
     * be read is one line (exit 2).
     */
    private static Loaded load(Path file, PrintWriter err) {
        String yaml;
        try (InputStream in = Inputs.open(file)) {
            yaml = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(in.readAllBytes()))
                    .toString();
        } catch (CharacterCodingException e) {
            err.println("cannot read " + file + ": it is not UTF-8 text");
            return new Loaded(null, 2);
        } catch (IOException e) {
            err.println("cannot read " + file + ": " + Inputs.describe(e));
            return new Loaded(null, 2);
        }
        try {
            return new Loaded(TaxonomyParser.parse(yaml, file.toString()), 0);
        } catch (TaxonomyException e) {
            e.formatted().forEach(err::println);
            return new Loaded(null, 1);
        }
    }

    @Command(
            name = "validate",
            mixinStandardHelpOptions = true,
            description = {
                "Checks a taxonomy file and reports every problem as FILE:LINE:COL: message on standard error.",
                "A valid file gives one line on standard output:",
                "  FILE: taxonomy VERSION is valid: N topics, M phrases, H hashtags, C communities, R regexes"
            },
            exitCodeListHeading = "Exit codes:%n",
            exitCodeList = {"0:the taxonomy is valid", "1:it has problems (each reported)",
                "2:the file cannot be read, or a usage error"})
    static final class Validate implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "FILE", description = "The taxonomy YAML ('-' for stdin).")
        Path file;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            Loaded loaded = load(file, spec.commandLine().getErr());
            if (loaded.taxonomy() == null) {
                return loaded.exit();
            }
            Taxonomy t = loaded.taxonomy();
            out.println(file + ": taxonomy " + t.version() + " is valid: " + t.summary());
            out.flush();
            return 0;
        }
    }

    @Command(
            name = "classify",
            mixinStandardHelpOptions = true,
            description = {
                "Classifies posts with a taxonomy, for tuning it on real data. Reads canonical events (what"
                        + " 'normalize' prints), or with --platform raw platform records, one per line.",
                "Prints one line per post: id<TAB>topics (comma-separated, '-' if none)<TAB>first 80 characters;"
                        + " then, after '#', the number of posts per topic (every topic, so the ones that never"
                        + " match show too).",
                "Lines that cannot be read are reported on standard error as 'line K: <reason>'."
            },
            exitCodeListHeading = "Exit codes:%n",
            exitCodeList = {"0:the input was read", "1:the taxonomy has problems, or the input cannot be read",
                "2:a file cannot be read, or a usage error"})
    static final class Classify implements Callable<Integer> {
        private static final int SNIPPET = 80;

        @Spec
        CommandSpec spec;

        @Option(names = {"-t", "--taxonomy"}, paramLabel = "FILE",
                description = "The taxonomy YAML (default: the one shipped in the jar).")
        Path taxonomyFile;

        @Option(names = {"-p", "--platform"}, converter = PlatformConverter.class,
                completionCandidates = PlatformConverter.Names.class,
                description = "Read raw records of this platform (${COMPLETION-CANDIDATES}) and normalize them"
                        + " first, instead of canonical events.")
        Platform platform;

        @Parameters(index = "0", paramLabel = "INPUT", description = "JSON Lines file ('-' for stdin).")
        Path input;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Taxonomy taxonomy;
            if (taxonomyFile == null) {
                taxonomy = Taxonomy.defaultTaxonomy();
            } else {
                Loaded loaded = load(taxonomyFile, err);
                if (loaded.taxonomy() == null) {
                    return loaded.exit();
                }
                taxonomy = loaded.taxonomy();
            }
            CompiledTaxonomy compiled = CompiledTaxonomy.compile(taxonomy);
            Normalizer normalizer = platform == null ? null : Normalizers.forPlatform(platform);
            Map<String, Integer> counts = new LinkedHashMap<>();
            compiled.topicIds().forEach(id -> counts.put(id, 0));
            int posts = 0;
            int withTopic = 0;
            try (InputStream in = Inputs.open(input)) {
                ByteLines lines = new ByteLines(in, (int) CanonicalJson.MAX_RECORD_BYTES);
                for (ByteLines.Line line = lines.next(); line != null; line = lines.next()) {
                    if (!line.tooLong() && line.isBlank()) {
                        continue;
                    }
                    List<Post> found = new ArrayList<>();
                    String problem = line.tooLong() ? "record longer than " + CanonicalJson.MAX_RECORD_BYTES + " bytes"
                            : read(line.bytes(), normalizer, found);
                    if (problem != null) {
                        out.flush(); // keep stdout and stderr in order on a terminal
                        err.println("line " + line.number() + ": " + problem);
                        continue;
                    }
                    for (Post post : found) {
                        Classification c = compiled.classify(post);
                        posts++;
                        if (c.matched()) {
                            withTopic++;
                        }
                        for (String topic : c.topics()) {
                            counts.merge(topic, 1, Integer::sum);
                        }
                        out.println(post.id() + "\t" + (c.matched() ? String.join(",", c.topics()) : "-") + "\t"
                                + snippet(post.text()));
                    }
                }
            } catch (IOException e) {
                out.flush();
                err.println("cannot read " + input + ": " + Inputs.describe(e));
                return 1;
            }
            out.println("# taxonomy " + compiled.version() + ": " + posts + " posts, " + withTopic
                    + " with at least one topic");
            counts.entrySet().stream()
                    .sorted(Map.Entry.<String, Integer>comparingByValue().reversed()
                            .thenComparing(Map.Entry.comparingByKey()))
                    .forEach(e -> out.println("# " + e.getKey() + "\t" + e.getValue()));
            out.flush();
            return 0;
        }

        /** Adds the line's posts to {@code posts}; returns why the line is unusable, or null. */
        private static String read(byte[] bytes, Normalizer normalizer, List<Post> posts) {
            if (normalizer != null) {
                NormalizeResult r = normalizer.normalize(bytes);
                if (r.isMalformed()) {
                    return r.malformedReason();
                }
                for (CanonicalEvent e : r.events()) {
                    if (e.isPost()) {
                        posts.add(e.post());
                    }
                }
                return null;
            }
            try {
                CanonicalEvent e = CanonicalJson.read(bytes);
                if (e.isPost()) {
                    posts.add(e.post());
                }
                return null;
            } catch (IllegalArgumentException e) {
                return e.getMessage() + (looksRaw(bytes) ? " (raw platform records need --platform)" : "");
            }
        }

        private static boolean looksRaw(byte[] bytes) {
            String s = new String(bytes, 0, Math.min(bytes.length, 200), StandardCharsets.UTF_8);
            return !s.contains("\"kind\":\"post\"") && !s.contains("\"kind\":\"engagement\"");
        }

        /** The first 80 code points of the text on one line (white space runs become one space). */
        static String snippet(String text) {
            if (text == null) {
                return "";
            }
            StringBuilder b = new StringBuilder(SNIPPET + 4);
            int cps = 0;
            boolean space = false;
            for (int i = 0; i < text.length() && cps < SNIPPET; ) {
                int cp = text.codePointAt(i);
                i += Character.charCount(cp);
                if (Character.isWhitespace(cp) || Character.isISOControl(cp)) {
                    space = b.length() > 0;
                    continue;
                }
                if (space) {
                    b.append(' ');
                    cps++;
                    space = false;
                    if (cps == SNIPPET) {
                        break;
                    }
                }
                b.appendCodePoint(cp);
                cps++;
            }
            return b.toString();
        }
    }

    @Command(
            name = "publish",
            mixinStandardHelpOptions = true,
            description = {
                "Validates a taxonomy (reporting problems as 'validate' does) and publishes it to the running job:"
                        + " one record, key '" + TaxonomyUpdate.KEY + "', on the control topic. The job applies it"
                        + " to events processed after it arrives, or with --effective-from to events from that time.",
                "The topic must exist (brokers usually do not create topics): one partition, cleanup.policy=compact.",
                "Prints: published taxonomy VERSION (N topics) to TOPIC partition P offset O"
            },
            exitCodeListHeading = "Exit codes:%n",
            exitCodeList = {"0:published", "1:the taxonomy has problems, or Kafka did not take the record",
                "2:a file cannot be read, or a usage error"})
    static final class Publish implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "FILE", description = "The taxonomy YAML ('-' for stdin).")
        Path file;

        @Mixin
        ControlTopicPublisher.Options kafka;

        @Option(names = "--topic", paramLabel = "TOPIC", defaultValue = TaxonomyUpdate.DEFAULT_TOPIC,
                description = "The control topic (default: ${DEFAULT-VALUE}).")
        String topic;

        @Option(names = "--effective-from", paramLabel = "INSTANT", converter = InstantConverter.class,
                description = "Apply the taxonomy to events from this event time on (ISO-8601, e.g."
                        + " 2026-11-22T12:00:00Z). Default: to every event processed after the update arrives.")
        Instant effectiveFrom;



        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            kafka.check(spec);
            Loaded loaded = load(file, err);
            if (loaded.taxonomy() == null) {
                return loaded.exit();
            }
            Taxonomy taxonomy = loaded.taxonomy();
            TaxonomyUpdate update = TaxonomyUpdate.of(taxonomy, effectiveFrom, Instant.now());
            int[] exit = new int[1];
            List<RecordMetadata> sent = ControlTopicPublisher.publish("topics publish", kafka, topic,
                    List.of(new ControlTopicPublisher.Message(TaxonomyUpdate.KEY, update.publishedAtMillis(),
                            update.toJson())), err, exit);
            if (sent == null) {
                return exit[0];
            }
            RecordMetadata m = sent.get(0);
            out.println("published taxonomy " + taxonomy.version() + " (" + taxonomy.topics().size()
                    + " topics) to " + m.topic() + " partition " + m.partition() + " offset " + m.offset());
            out.flush();
            return 0;
        }
    }

    /** ISO-8601 instants, with a message saying what one looks like. */
    static final class InstantConverter implements CommandLine.ITypeConverter<Instant> {
        @Override
        public Instant convert(String value) {
            try {
                return Instant.parse(value);
            } catch (DateTimeParseException e) {
                throw new CommandLine.TypeConversionException("'" + value
                        + "' is not an ISO-8601 instant such as 2026-11-22T12:00:00Z");
            }
        }
    }
}

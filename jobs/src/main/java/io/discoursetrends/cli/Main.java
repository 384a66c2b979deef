package io.discoursetrends.cli;

import io.discoursetrends.elasticsearch.ElasticsearchConnection;
import io.discoursetrends.kafka.KafkaClientLogging;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code discourse-trends} command line (the jar's main class). Subcommands do the work; this class
 * only wires them, so it must stay loadable without Flink on the classpath ({@code java -jar}).
 */
@Command(
        name = "discourse-trends",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Trend and spike detection over Bluesky, Mastodon, Reddit and Hacker News.",
        subcommands = {
            NormalizeCommand.class,
            JsonlCommand.class,
            RunCommand.class,
            DemoCommand.class,
            OptionsCommand.class,
            TopicsCommand.class,
            EventsCommand.class,
            EsSetupCommand.class,
            DetectCommand.class,
            ReplayCommand.class,
            BackfillCommand.class,
            GenerateCommand.class,
            io.discoursetrends.ingest.BridgeCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        // plain java -jar has no logging binding: no SLF4J notice for the commands that run a Kafka client
        KafkaClientLogging.quietWithoutBinding();
        CommandLine cl = commandLine();
        int code = cl.execute(args);
        cl.getOut().flush();
        cl.getErr().flush();
        System.exit(code);
    }

    /**
     * The configured command line. Output is UTF-8 whatever the platform's default charset, and buffered:
     * {@code normalize} writes a line per event, and flushing each would dominate its run time.
     */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(new PrintWriter(new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8),
                1 << 16), false));
        cl.setErr(new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true));
        // picocli's own converters name the Java exception ("java.time.format.DateTimeParseException: ...");
        // these say what a valid value looks like instead. Registered here, they reach every subcommand.
        cl.registerConverter(java.time.Duration.class, Main::duration);
        cl.registerConverter(java.nio.file.Path.class, Main::path);
        // picocli's own messages quote the arguments ("Unknown option: '-Des.urls=http://user:pw@es'"): redacted.
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println(ElasticsearchConnection.redactAll(ex.getMessage()));
            if (!CommandLine.UnmatchedArgumentException.printSuggestions(ex, c.getErr())) {
                c.usage(c.getErr(), c.getColorScheme());
            }
            return c.getCommandSpec().exitCodeOnInvalidInput();
        });
        cl.registerConverter(java.time.Instant.class, new TopicsCommand.InstantConverter());
        // A mistake the user can fix (a bad setting, a missing JDK, an unreachable cluster) is reported as one
        // sentence saying what to fix, not as a stack trace; anything else is a bug and keeps its trace.
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof IllegalArgumentException || e instanceof IllegalStateException
                    || e instanceof java.io.UncheckedIOException) {
                commandLine.getErr().println("discourse-trends: " + ElasticsearchConnection.redactAll(e.getMessage()));
                return e instanceof IllegalArgumentException ? 2 : 1;
            }
            throw e;
        });
        return cl;
    }

    private static java.nio.file.Path path(String value) {
        try {
            return java.nio.file.Path.of(value);
        } catch (java.nio.file.InvalidPathException e) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a file name: " + e.getReason());
        }
    }

    private static java.time.Duration duration(String value) {
        try {
            return java.time.Duration.parse(value);
        } catch (java.time.format.DateTimeParseException e) {
            throw new CommandLine.TypeConversionException("'" + value
                    + "' is not an ISO-8601 duration such as PT5M, PT1H or P1D");
        }
    }

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing required subcommand");
    }

    /** The version Maven recorded in the jar; a build from an IDE or target/classes has none. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            if (v == null) {
                try (var in = Main.class.getResourceAsStream(
                        "/META-INF/maven/io.discoursetrends/discourse-trends-jobs/pom.properties")) {
                    if (in != null) {
                        var p = new java.util.Properties();
                        p.load(in);
                        v = p.getProperty("version");
                    }
                } catch (java.io.IOException e) {
                    v = null;
                }
            }
            return new String[] {"discourse-trends " + (v != null ? v : "(development build)")};
        }
    }
}

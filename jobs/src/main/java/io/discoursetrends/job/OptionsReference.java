package io.discoursetrends.job;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.apache.flink.configuration.ConfigOption;

/**
 * Writes {@link JobOptions} as resources of the jar at build time (the process-classes phase runs {@link #main}),
 * so that the commands that run from {@code java -jar} without Flink ({@code options}, {@code es-setup}) know
 * every option, including those added later, without loading Flink's ConfigOption. {@link KnownOptions} reads
 * them.
 */
public final class OptionsReference {
    static final String DIR = "io/discoursetrends/job/";
    static final String KEYS = "option-keys.txt";
    static final String TEXT = "options.txt";
    static final String MARKDOWN = "options.md";

    private OptionsReference() {}

    /** One key a line, in {@link JobOptions#ALL}'s order. */
    static String keys() {
        return JobOptions.ALL.stream().map(ConfigOption::key).collect(Collectors.joining("\n", "", "\n"));
    }

    /** {@code args[0]}: the classes directory. */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]).resolve(DIR);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(KEYS), keys(), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve(TEXT), JobOptions.describe(false), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve(MARKDOWN), JobOptions.describe(true), StandardCharsets.UTF_8);
    }
}

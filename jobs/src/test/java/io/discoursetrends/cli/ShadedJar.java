package io.discoursetrends.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the shaded jar as an operator does, {@code java -jar} with nothing else on the classpath. */
public final class ShadedJar {
    public static final Path JAR = Path.of(System.getProperty("discourse.root.dir", ".."),
            "jobs/target/discourse-trends.jar");

    private ShadedJar() {}

    /** What a run printed and how it ended. */
    public record Result(int exit, String stdout, String stderr) {}

    public static Result run(String... args) throws Exception {
        return runWithJvmOptions(List.of(), args);
    }

    /** As {@link #run}, with options for the JVM before {@code -jar} (e.g. a heap limit). */
    public static Result runWithJvmOptions(List<String> jvmOptions, String... args) throws Exception {
        assertThat(JAR).as("the shaded jar (built by the package phase)").exists();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-jar", JAR.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread drain = new Thread(() -> {
            try {
                p.getErrorStream().transferTo(err);
            } catch (IOException ignored) {
                // the process ended
            }
        });
        drain.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        drain.join();
        return new Result(p.exitValue(), out, err.toString(StandardCharsets.UTF_8));
    }
}

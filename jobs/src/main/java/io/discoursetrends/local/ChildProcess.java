package io.discoursetrends.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A child JVM of the local stack: output appended to a log file (never the console, which belongs to the tests
 * or the demo), and a kill on the way out, so that no broker or node outlives the JVM that started it.
 *
 * <p>A JVM that is SIGKILLed runs no shutdown hook: its children then survive unless they watch for their
 * parent themselves, through their standard input, which stays a pipe from this JVM (the Elasticsearch
 * launcher does, and the Kafka broker and the Flink processes start through deploy/local/parent-watch).
 */
final class ChildProcess {

    private static final Set<ChildProcess> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ChildProcess::stopAllLive, "local-stack-child-reaper"));
    }

    private final String name;
    private final Process process;
    private final Path logFile;

    private ChildProcess(String name, Process process, Path logFile) {
        this.name = name;
        this.process = process;
        this.logFile = logFile;
    }

    /** Starts {@code command} in {@code workDir}, appending its stdout and stderr to {@code logFile}. */
    static ChildProcess start(String name, List<String> command, Path workDir, Path logFile) throws IOException {
        Files.createDirectories(workDir);
        Process process = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .start();
        ChildProcess child = new ChildProcess(name, process, logFile);
        LIVE.add(child);
        process.onExit().thenRun(() -> LIVE.remove(child));
        return child;
    }

    /**
     * Runs a short command to completion (a tool, not a server) and fails with the end of its log unless it exits
     * with 0 within {@code timeout}.
     */
    static void runToCompletion(String name, List<String> command, Path workDir, Path logFile, Duration timeout)
            throws IOException {
        ChildProcess child = start(name, command, workDir, logFile);
        boolean exited;
        try {
            exited = child.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            child.kill();
            Thread.currentThread().interrupt();
            throw new IllegalStateException(name + " was interrupted", e);
        }
        if (!exited) {
            child.kill();
            throw new IllegalStateException(name + " did not finish within " + timeout.toSeconds() + " s"
                    + child.describeLog());
        }
        if (child.process.exitValue() != 0) {
            throw new IllegalStateException(name + " failed with exit code " + child.process.exitValue()
                    + child.describeLog());
        }
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The exit code, or -1 while running. */
    int exitCodeOrMinusOne() {
        return process.isAlive() ? -1 : process.exitValue();
    }

    /** SIGTERM, so the child can shut down cleanly; SIGKILL if it has not exited within {@code grace}. */
    void stop(Duration grace) {
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                kill();
            }
        } catch (InterruptedException e) {
            kill();
            Thread.currentThread().interrupt();
        }
    }

    /** SIGKILL: no clean shutdown, as in a crash. Returns once the process is gone. */
    void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** "; last lines of <log>:" and those lines, for exception messages. */
    String describeLog() {
        return "; last lines of " + logFile + ":\n" + tail(logFile, 40);
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ")";
    }

    static String tail(Path file, int lines) {
        if (!Files.isRegularFile(file)) {
            return "(no log file)";
        }
        Deque<String> last = new ArrayDeque<>(lines);
        // The log is written by a JVM in the platform charset, possibly cut mid-character: never fail on decoding.
        try (Stream<String> all = Files.lines(file, StandardCharsets.ISO_8859_1)) {
            all.forEach(line -> {
                if (last.size() == lines) {
                    last.removeFirst();
                }
                last.addLast(line);
            });
        } catch (IOException | UncheckedIOException e) {
            return "(log file unreadable: " + e.getMessage() + ")";
        }
        return String.join("\n", last);
    }

    /**
     * Best effort: a temporary directory left behind is harmless, while failing a test's clean-up would hide the
     * test's own result.
     */
    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        List<Path> paths = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(paths::add);
        } catch (IOException | UncheckedIOException e) {
            return;
        }
        for (Path path : paths) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                // Left behind; see the method comment.
            }
        }
    }

    private static void stopAllLive() {
        List<ChildProcess> children = new ArrayList<>(LIVE);
        children.forEach(child -> child.process.destroy());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (ChildProcess child : children) {
            try {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !child.process.waitFor(left, TimeUnit.NANOSECONDS)) {
                    child.process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                child.process.destroyForcibly();
            }
        }
    }
}

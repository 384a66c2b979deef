package io.discoursetrends.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How far a replay got: per input file, the number of lines from its start that Kafka acknowledged. Written
 * only after a flush has acknowledged every record sent, so a replay restarted from it sends each acknowledged
 * line never again and each line after it once more (records in flight when it stopped may be on Kafka twice;
 * nothing is skipped). The file is replaced atomically (written beside it, synced, renamed over it), so a kill
 * at any moment leaves the previous or the new progress, never half of one.
 *
 * <p>Files are identified by their absolute, normalized path: a restart must name the same files.
 */
public final class ReplayProgress {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final Map<String, Long> lines = new LinkedHashMap<>();

    private ReplayProgress(Path file) {
        this.file = file;
    }

    /** The progress in {@code file}, or none yet if it does not exist; fails with what to fix if unreadable. */
    public static ReplayProgress load(Path file) {
        ReplayProgress p = new ReplayProgress(file);
        if (file == null || !Files.exists(file)) {
            return p;
        }
        try {
            JsonNode root = JSON.readTree(file.toFile());
            JsonNode files = root == null ? null : root.get("files");
            if (files == null || !files.isObject()) {
                throw new IllegalArgumentException("progress file " + file + " has no \"files\" object: "
                        + "delete it to start the replay from the beginning");
            }
            files.fields().forEachRemaining(e -> p.lines.put(e.getKey(), e.getValue().path("lines").asLong()));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read progress file " + file + ": " + e.getMessage()
                    + "; delete it to start the replay from the beginning");
        }
        return p;
    }

    public static String id(Path input) {
        return input.toAbsolutePath().normalize().toString();
    }

    /** Lines of {@code input} already acknowledged (0 if none). */
    public long acknowledged(Path input) {
        return lines.getOrDefault(id(input), 0L);
    }

    public void set(Path input, long acknowledgedLines) {
        lines.put(id(input), acknowledgedLines);
    }

    public Path file() {
        return file;
    }

    /** Writes the progress atomically; a no-op without a progress file. */
    public void save() throws IOException {
        if (file == null) {
            return;
        }
        ObjectNode root = JSON.createObjectNode();
        ObjectNode files = root.putObject("files");
        lines.forEach((k, v) -> files.putObject(k).put("lines", v));
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING); OutputStream out = java.nio.channels.Channels.newOutputStream(ch)) {
            out.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
            out.flush();
            ch.force(true); // on disk before the rename makes it the progress
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the file system of " + file + " cannot rename atomically; put the progress "
                    + "file on a local disk", e);
        }
    }
}

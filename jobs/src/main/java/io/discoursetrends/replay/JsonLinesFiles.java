package io.discoursetrends.replay;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Opening a JSON Lines file of raw platform records, plain or gzip. Gzip is told by its magic bytes, not by the
 * name, so a recording renamed or piped through a tool that drops ".gz" still reads.
 */
public final class JsonLinesFiles {
    /** The longest record read; a longer line is reported, not buffered (see {@link ByteLines}). */
    public static final int MAX_LINE_BYTES = 32 << 20;

    private JsonLinesFiles() {}

    public static InputStream open(Path file) throws IOException {
        return open(Files.newInputStream(file));
    }

    /** {@code in}, decompressed if it starts with the gzip magic bytes. */
    public static InputStream open(InputStream raw) throws IOException {
        BufferedInputStream in = new BufferedInputStream(raw, 1 << 16);
        in.mark(2);
        int b1 = in.read();
        int b2 = in.read();
        in.reset();
        if (b1 == 0x1f && b2 == 0x8b) {
            return new GZIPInputStream(in, 1 << 16);
        }
        return in;
    }

    /** The number of lines in the file (a last line without "\n" counts), for progress and ETA. */
    public static long countLines(Path file) throws IOException {
        long n = 0;
        try (InputStream in = open(file)) {
            ByteLines lines = new ByteLines(in, 1);
            while (lines.next() != null) {
                n++;
            }
        }
        return n;
    }
}

package io.discoursetrends.replay;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads JSON Lines as bytes, one line at a time, so a file of any size streams and each record reaches the
 * normalizer exactly as it would come off Kafka (a Reader would silently replace invalid UTF-8). A line
 * longer than the limit is not buffered: it is skipped and reported as {@link Line#tooLong()}.
 */
public final class ByteLines {

    /** One line: its 1-based number and bytes (without "\n" or "\r\n"), or too long to hold. */
    public record Line(long number, byte[] bytes, boolean tooLong) {
        public boolean isBlank() {
            for (byte b : bytes) {
                if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
                    return false;
                }
            }
            return true;
        }
    }

    private final InputStream in;
    private final int maxLineBytes;
    private final byte[] buf = new byte[1 << 16];
    private int pos;
    private int limit;
    private long lineNumber;
    private boolean eof;

    public ByteLines(InputStream in, int maxLineBytes) {
        this.in = in;
        this.maxLineBytes = maxLineBytes;
    }

    /** The next line, or null at the end of the input. */
    public Line next() throws IOException {
        byte[] line = new byte[128];
        int len = 0;
        boolean tooLong = false;
        boolean sawAny = false;
        while (true) {
            if (pos == limit) {
                if (eof || !fill()) {
                    if (!sawAny) {
                        return null;
                    }
                    break;
                }
            }
            sawAny = true;
            int start = pos;
            while (pos < limit && buf[pos] != '\n') {
                pos++;
            }
            int chunk = pos - start;
            if (!tooLong) {
                if ((long) len + chunk > maxLineBytes) {
                    tooLong = true;
                    line = null;
                } else {
                    if (len + chunk > line.length) {
                        line = Arrays.copyOf(line, Math.max(len + chunk, Math.min(maxLineBytes, line.length * 2)));
                    }
                    System.arraycopy(buf, start, line, len, chunk);
                    len += chunk;
                }
            }
            if (pos < limit) {
                pos++; // the '\n'
                break;
            }
        }
        lineNumber++;
        if (tooLong) {
            return new Line(lineNumber, new byte[0], true);
        }
        if (len > 0 && line[len - 1] == '\r') {
            len--;
        }
        return new Line(lineNumber, Arrays.copyOf(line, len), false);
    }

    private boolean fill() throws IOException {
        int n = in.read(buf, 0, buf.length);
        if (n <= 0) {
            eof = true;
            return false;
        }
        pos = 0;
        limit = n;
        return true;
    }
}

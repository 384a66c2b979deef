package io.discoursetrends.model;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Strings for the job's hand-written Flink serializers: a variable-length length + 1 (0 for null), then the
 * UTF-8 bytes in one block. Flink's own string serializer writes one character at a time, which made string
 * fields the largest cost of sending events between tasks (docs/benchmarks.md).
 *
 * <p>An instance reads through its own scratch buffer instead of a new array per string (reading was the
 * largest share of what the job allocated), so it belongs to one serializer instance, which Flink uses from one
 * thread ({@code TypeSerializer#duplicate}).
 */
public final class Utf8Strings {
    private static final String[] NONE = new String[0];

    private byte[] scratch = new byte[256];

    public void write(DataOutputView out, String s) throws IOException {
        if (s == null) {
            out.writeByte(0);
            return;
        }
        // The JDK's encoder: an intrinsic for the usual Latin-1 strings, far faster than any loop over chars.
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        writeVarInt(out, bytes.length + 1);
        out.write(bytes);
    }

    public String read(DataInputView in) throws IOException {
        int length = readVarInt(in) - 1;
        if (length < 0) {
            return null;
        }
        byte[] bytes = room(length);
        in.readFully(bytes, 0, length);
        return new String(bytes, 0, length, StandardCharsets.UTF_8);
    }

    /** A non-null array of strings (each may be null). */
    public void writeArray(DataOutputView out, String[] strings) throws IOException {
        writeVarInt(out, strings.length);
        for (String s : strings) {
            write(out, s);
        }
    }

    public String[] readArray(DataInputView in) throws IOException {
        int n = readVarInt(in);
        if (n == 0) {
            return NONE;
        }
        String[] strings = new String[n];
        for (int i = 0; i < n; i++) {
            strings[i] = read(in);
        }
        return strings;
    }

    private byte[] room(int length) {
        if (scratch.length < length) {
            scratch = new byte[Math.max(length, scratch.length * 2)];
        }
        return scratch;
    }

    public static void writeVarInt(DataOutputView out, int value) throws IOException {
        while ((value & ~0x7F) != 0) {
            out.writeByte(value & 0x7F | 0x80);
            value >>>= 7;
        }
        out.writeByte(value);
    }

    public static int readVarInt(DataInputView in) throws IOException {
        int value = 0;
        for (int shift = 0; ; shift += 7) {
            int b = in.readUnsignedByte();
            value |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
    }
}

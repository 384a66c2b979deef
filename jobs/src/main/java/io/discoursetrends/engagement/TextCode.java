package io.discoursetrends.engagement;

import io.discoursetrends.model.Utf8Strings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * A fixed Huffman code over the UTF-8 bytes of post texts, snippets and urls, for {@link PostStateV4Serializer}: a
 * week of tracked posts keeps a snippet each and a text per matched post, the largest part of the state after the
 * keys. Lossless: a string reads back exactly; one the code would not make shorter is written as it is.
 *
 * <p>The code's lengths were built once from the byte frequencies (each + 1, so every byte has a code) of the texts,
 * titles and urls of the Reddit and Hacker News records in ../shared/fixtures, and measured on the Bluesky and
 * Mastodon ones (78% of their bytes, HTML and DIDs included) and on the benchmark's generated texts
 * (docs/benchmarks.md, "State"). <b>It is part of the format of {@code post-state-v4}: never change it</b>; a better
 * code needs a new format version that still reads this one.
 *
 * <p>Written as a varint of 2 (n + 1) + 1 for n bytes before coding (0 for null; an even number is a string in full,
 * n bytes of UTF-8), then the code's bits, most significant first, padded with zeros to a whole byte.
 */
final class TextCode {
    /** The code's length in bits for each byte value, 0 to 255. */
    private static final byte[] LENGTHS = {
        14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 8, 14, 14, 14, 14, 14,
        14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14,
        3, 10, 9, 12, 12, 12, 10, 9, 9, 9, 9, 11, 7, 9, 7, 6,
        8, 8, 8, 9, 9, 9, 8, 10, 9, 9, 8, 13, 10, 10, 10, 10,
        13, 8, 10, 9, 8, 9, 10, 10, 10, 9, 10, 12, 10, 10, 9, 9,
        9, 11, 8, 8, 8, 11, 11, 9, 13, 11, 12, 10, 10, 10, 14, 6,
        14, 4, 7, 6, 5, 4, 6, 6, 5, 4, 8, 7, 5, 6, 4, 4,
        6, 9, 5, 4, 4, 6, 7, 6, 9, 7, 10, 14, 14, 14, 12, 14,
        9, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14,
        14, 14, 14, 13, 12, 14, 14, 14, 14, 9, 14, 14, 12, 12, 14, 14,
        11, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14,
        14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14,
        14, 14, 11, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14,
        14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14,
        14, 14, 9, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14,
        14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14
    };
    private static final int MAX_LENGTH = 14;

    /** Each byte's code, right-aligned, and its length. */
    private static final int[] CODES = new int[256];
    /** Canonical decoding: per length, the first code, the index of its symbol in SYMBOLS, how many codes. */
    private static final int[] FIRST_CODE = new int[MAX_LENGTH + 2];
    private static final int[] FIRST_INDEX = new int[MAX_LENGTH + 2];
    private static final int[] COUNT = new int[MAX_LENGTH + 2];
    private static final int[] SYMBOLS = new int[256];

    static {
        int k = 0;
        for (int len = 1; len <= MAX_LENGTH; len++) {
            for (int b = 0; b < 256; b++) {
                if (LENGTHS[b] == len) {
                    SYMBOLS[k++] = b;
                    COUNT[len]++;
                }
            }
        }
        int code = 0;
        int index = 0;
        for (int len = 1; len <= MAX_LENGTH; len++) {
            FIRST_CODE[len] = code;
            FIRST_INDEX[len] = index;
            for (int i = 0; i < COUNT[len]; i++) {
                CODES[SYMBOLS[index + i]] = code + i;
            }
            index += COUNT[len];
            code = (code + COUNT[len]) << 1;
        }
        if (k != 256 || index != 256) {
            throw new IllegalStateException("the text code does not cover every byte");
        }
    }

    private TextCode() {}

    static void write(DataOutputView out, String s) throws IOException {
        if (s == null) {
            out.writeByte(0);
            return;
        }
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        long bits = 0;
        for (byte b : bytes) {
            bits += LENGTHS[b & 0xFF];
        }
        int coded = (int) ((bits + 7) >>> 3);
        if (coded >= bytes.length) {
            Utf8Strings.writeVarInt(out, (bytes.length + 1) << 1);
            out.write(bytes);
            return;
        }
        Utf8Strings.writeVarInt(out, (bytes.length + 1) << 1 | 1);
        long acc = 0;
        int held = 0;
        for (byte b : bytes) {
            int len = LENGTHS[b & 0xFF];
            acc = (acc << len) | CODES[b & 0xFF];
            held += len;
            while (held >= 8) {
                held -= 8;
                out.writeByte((int) (acc >>> held));
            }
        }
        if (held > 0) {
            out.writeByte((int) (acc << (8 - held)));
        }
    }

    static String read(DataInputView in) throws IOException {
        int v = Utf8Strings.readVarInt(in);
        if (v == 0) {
            return null;
        }
        byte[] bytes = new byte[(v >>> 1) - 1];
        if ((v & 1) == 0) {
            in.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        }
        int acc = 0;
        int held = 0;
        for (int i = 0; i < bytes.length; i++) {
            int code = 0;
            for (int len = 1; ; len++) {
                if (held == 0) {
                    acc = in.readUnsignedByte();
                    held = 8;
                }
                code = (code << 1) | ((acc >>> --held) & 1);
                int offset = code - FIRST_CODE[len];
                if (offset < COUNT[len]) {
                    bytes[i] = (byte) SYMBOLS[FIRST_INDEX[len] + offset];
                    break;
                }
                if (len == MAX_LENGTH) {
                    throw new IOException("corrupt text in post state: no code matches");
                }
            }
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Bytes {@link #write} takes for {@code s}: for the state's breakdown. */
    static int size(String s) {
        if (s == null) {
            return 1;
        }
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        long bits = 0;
        for (byte b : bytes) {
            bits += LENGTHS[b & 0xFF];
        }
        int n = Math.min(bytes.length, (int) ((bits + 7) >>> 3));
        int v = (bytes.length + 1) << 1 | 1;
        return n + (v < 128 ? 1 : v < 16384 ? 2 : 3);
    }
}

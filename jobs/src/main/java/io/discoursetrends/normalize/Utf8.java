package io.discoursetrends.normalize;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Strict UTF-8 validation (RFC 3629): no overlong forms, no encoded surrogates, nothing above U+10FFFF.
 * Jackson rejects most bad bytes too, but not all of them, and its message gives no byte offset; this
 * check runs first so a dead letter says exactly where the bytes went wrong.
 */
final class Utf8 {
    private Utf8() {}

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long HIGH_BITS = 0x8080808080808080L;

    /** The offset of the first byte that is not part of a valid UTF-8 sequence, or -1 if all are valid. */
    static int firstInvalid(byte[] b) {
        int i = 0;
        int n = b.length;
        while (i < n) {
            // Platform records are mostly ASCII: skip it eight bytes at a time (every byte's high bit clear).
            while (i + Long.BYTES <= n && ((long) LONGS.get(b, i) & HIGH_BITS) == 0) {
                i += Long.BYTES;
            }
            if (i >= n) {
                break;
            }
            int c = b[i] & 0xFF;
            if (c < 0x80) {
                i++;
                continue;
            }
            int len;
            int min2 = 0x80;
            int max2 = 0xBF;
            if (c >= 0xC2 && c <= 0xDF) {
                len = 2;
            } else if (c >= 0xE0 && c <= 0xEF) {
                len = 3;
                if (c == 0xE0) {
                    min2 = 0xA0; // overlong below U+0800
                } else if (c == 0xED) {
                    max2 = 0x9F; // U+D800..U+DFFF are surrogates, not characters
                }
            } else if (c >= 0xF0 && c <= 0xF4) {
                len = 4;
                if (c == 0xF0) {
                    min2 = 0x90; // overlong below U+10000
                } else if (c == 0xF4) {
                    max2 = 0x8F; // above U+10FFFF
                }
            } else {
                return i;
            }
            if (i + len > n) {
                return i;
            }
            int c2 = b[i + 1] & 0xFF;
            if (c2 < min2 || c2 > max2) {
                return i;
            }
            for (int k = 2; k < len; k++) {
                int ck = b[i + k] & 0xFF;
                if (ck < 0x80 || ck > 0xBF) {
                    return i;
                }
            }
            i += len;
        }
        return -1;
    }
}

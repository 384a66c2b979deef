package io.discoursetrends.ingest;

import java.nio.charset.StandardCharsets;

/** 64-bit FNV-1a, for remembering what was sent in little space (a collision would drop one record in 2^64). */
public final class Hashes {
    private Hashes() {}

    public static long fnv1a64(byte[] bytes) {
        long h = 0xcbf29ce484222325L;
        for (byte b : bytes) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    public static long fnv1a64(String s) {
        return fnv1a64(s.getBytes(StandardCharsets.UTF_8));
    }
}

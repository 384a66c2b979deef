package io.discoursetrends.classify;

import java.util.Arrays;
import java.util.Collection;

/**
 * An immutable set of strings, each with a dense id (0..size-1, in insertion order), looked up by a range of
 * a char array and its {@link String#hashCode()}-compatible hash: the token buffer already holds both, so a
 * lookup allocates nothing. Open addressing with linear probing at a load factor of at most 1/2.
 */
final class TokenTable {

    private final char[] pool;
    private final int[] keyStart;
    private final int[] keyEnd;
    private final int[] keyHash;
    /** Slot -> id + 1 (0 = empty). */
    private final int[] slots;
    private final int mask;

    TokenTable(Collection<String> keys) {
        int n = keys.size();
        int capacity = Integer.highestOneBit(Math.max(4, n * 2 + 1) - 1) << 1;
        slots = new int[capacity];
        mask = capacity - 1;
        keyStart = new int[n];
        keyEnd = new int[n];
        keyHash = new int[n];
        int total = 0;
        for (String k : keys) {
            total += k.length();
        }
        pool = new char[total];
        int id = 0;
        int at = 0;
        for (String k : keys) {
            k.getChars(0, k.length(), pool, at);
            keyStart[id] = at;
            keyEnd[id] = at + k.length();
            keyHash[id] = k.hashCode();
            at += k.length();
            if (lookup(pool, keyStart[id], keyEnd[id], keyHash[id]) >= 0) {
                throw new IllegalArgumentException("duplicate key '" + k + "'");
            }
            int slot = mix(keyHash[id]) & mask;
            while (slots[slot] != 0) {
                slot = (slot + 1) & mask;
            }
            slots[slot] = id + 1;
            id++;
        }
    }

    int size() {
        return keyStart.length;
    }

    /** The id of chars[from, to) (whose String hash is {@code hash}), or -1. */
    int lookup(char[] chars, int from, int to, int hash) {
        int len = to - from;
        int slot = mix(hash) & mask;
        while (true) {
            int v = slots[slot];
            if (v == 0) {
                return -1;
            }
            int id = v - 1;
            if (keyHash[id] == hash && keyEnd[id] - keyStart[id] == len
                    && Arrays.equals(pool, keyStart[id], keyEnd[id], chars, from, to)) {
                return id;
            }
            slot = (slot + 1) & mask;
        }
    }

    int lookup(String s) {
        return lookup(s.toCharArray(), 0, s.length(), s.hashCode());
    }

    /** String hashes cluster in the low bits for short keys; spread them before masking. */
    private static int mix(int h) {
        h *= 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}

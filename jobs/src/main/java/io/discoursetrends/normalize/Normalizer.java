package io.discoursetrends.normalize;

/**
 * Turns one raw platform record (the bytes of one Kafka message, or one line of a JSON Lines file) into
 * canonical events. Implementations never throw on bad input: every failure is a
 * {@link NormalizeResult#malformed(String)} with a reason a person can act on. One instance per operator
 * (they hold a Jackson mapper); not required to be thread-safe.
 */
public interface Normalizer {
    NormalizeResult normalize(byte[] raw);
}

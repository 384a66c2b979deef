package io.discoursetrends.normalize;

/**
 * Thrown inside a normalizer when a record cannot be used, and caught by {@link JsonNormalizer}, which turns
 * it into {@link NormalizeResult#malformed(String)}: it never leaves the package. No stack trace, since it
 * is control flow on the hot path (bad records may come by the million).
 */
final class Malformed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Malformed(String reason) {
        super(reason, null, false, false);
    }
}

package io.discoursetrends.classify;

import io.discoursetrends.model.CanonicalEvent;
import java.util.Arrays;
import java.util.Objects;

/**
 * A normalized event with, for a post, the topics the taxonomy in force gave it, its terms (normalized
 * tokens without stop words, for the buckets' top terms) and that taxonomy's version. Engagement passes
 * through unclassified ({@code topics} and {@code terms} empty, {@code taxonomyVersion} null): it takes the
 * topics of the post it touches, later, in the attribution stage.
 *
 * <p>{@code postKey} is {@link CanonicalEvent#postKey()}, the key of classification and attribution alike. The
 * classifying operator passes the key it works under, so the string, and its hash that every keyed-state
 * lookup needs, are not built again for attribution.
 */
public record ClassifiedEvent(CanonicalEvent event, String[] topics, String[] terms, String taxonomyVersion,
        String postKey) {
    private static final String[] NONE = new String[0];

    public ClassifiedEvent(CanonicalEvent event, String[] topics, String[] terms, String taxonomyVersion) {
        this(event, topics, terms, taxonomyVersion, event.postKey());
    }

    public static ClassifiedEvent unclassified(CanonicalEvent event) {
        return new ClassifiedEvent(event, NONE, NONE, null);
    }

    static ClassifiedEvent unclassified(CanonicalEvent event, String postKey) {
        return new ClassifiedEvent(event, NONE, NONE, null, postKey);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClassifiedEvent c && Objects.equals(event, c.event) && Arrays.equals(topics, c.topics)
                && Arrays.equals(terms, c.terms) && Objects.equals(taxonomyVersion, c.taxonomyVersion);
    }

    @Override
    public int hashCode() {
        return Objects.hash(event, taxonomyVersion) * 31 + Arrays.hashCode(topics);
    }
}

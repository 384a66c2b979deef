package io.discoursetrends.classify;

import io.discoursetrends.model.CanonicalEvent;
import java.util.Arrays;
import java.util.Objects;

/**
 * A normalized event with, for a post, the topics the taxonomy in force gave it, its terms (normalized
 * tokens without stop words, for the buckets' top terms) and that taxonomy's version. Engagement passes
 * through unclassified ({@code topics} and {@code terms} empty, {@code taxonomyVersion} null): it takes the
 * topics of the post it touches, later, in the attribution stage.
 */
public record ClassifiedEvent(CanonicalEvent event, String[] topics, String[] terms, String taxonomyVersion) {
    private static final String[] NONE = new String[0];

    public static ClassifiedEvent unclassified(CanonicalEvent event) {
        return new ClassifiedEvent(event, NONE, NONE, null);
    }

    /** The key of the post this event concerns: the post itself, or the post an engagement touches. */
    public String postKey() {
        return event.isPost()
                ? event.platform().id() + "|" + event.post().id()
                : event.platform().id() + "|" + event.engagement().subjectId();
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

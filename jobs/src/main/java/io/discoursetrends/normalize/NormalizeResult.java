package io.discoursetrends.normalize;

import io.discoursetrends.model.CanonicalEvent;
import java.util.List;

/**
 * What one raw record became: events (possibly several, e.g. a Bluesky reply is a post and a reply
 * engagement), ignored (a record that carries nothing we count, such as a Bluesky follow or a delete), or
 * malformed (with the reason, which goes to the dead-letter topic and the operator's screen).
 */
public record NormalizeResult(List<CanonicalEvent> events, String ignoredBecause, String malformedReason) {

    public static NormalizeResult events(List<CanonicalEvent> events) {
        return new NormalizeResult(List.copyOf(events), null, null);
    }

    public static NormalizeResult ignored(String because) {
        return new NormalizeResult(List.of(), because, null);
    }

    public static NormalizeResult malformed(String reason) {
        return new NormalizeResult(List.of(), null, reason);
    }

    public boolean isMalformed() {
        return malformedReason != null;
    }

    public boolean isIgnored() {
        return ignoredBecause != null;
    }
}

package io.discoursetrends.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** The platforms the job reads. The lower-case name is the wire form in every event and document. */
public enum Platform {
    BLUESKY,
    MASTODON,
    REDDIT,
    HACKERNEWS;

    // Computed once: ids are used per event (keys, documents), and lower-casing allocates.
    private final String id = name().toLowerCase(Locale.ROOT);

    private static final Platform[] VALUES = values();

    @JsonValue
    public String id() {
        return id;
    }

    /** Parses the wire form; the message lists the accepted names, since users type this on the CLI. */
    @JsonCreator
    public static Platform of(String id) {
        for (Platform p : VALUES) {
            if (p.id.equals(id)) { // the wire form, on the hot path
                return p;
            }
        }
        for (Platform p : VALUES) {
            if (p.id.equalsIgnoreCase(id)) {
                return p;
            }
        }
        throw new IllegalArgumentException(
                "unknown platform '" + id + "': expected one of bluesky, mastodon, reddit, hackernews");
    }
}

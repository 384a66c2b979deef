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

    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses the wire form; the message lists the accepted names, since users type this on the CLI. */
    @JsonCreator
    public static Platform of(String id) {
        for (Platform p : values()) {
            if (p.id().equalsIgnoreCase(id)) {
                return p;
            }
        }
        throw new IllegalArgumentException(
                "unknown platform '" + id + "': expected one of bluesky, mastodon, reddit, hackernews");
    }
}

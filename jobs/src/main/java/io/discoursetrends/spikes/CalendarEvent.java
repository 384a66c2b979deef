package io.discoursetrends.spikes;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;

/**
 * A known event on the calendar (a model release, a pledge, a court ruling): spikes that start near it on one
 * of its topics are linked to it, and its impact on each of its topics on each platform is measured.
 * {@code topics[0]} is its main topic (the demo lists it first).
 */
public record CalendarEvent(String id, String name, long timeMillis, String[] topics, String url)
        implements Serializable {

    public boolean concerns(String topic) {
        for (String t : topics) {
            if (t.equals(topic)) {
                return true;
            }
        }
        return false;
    }

    public String primaryTopic() {
        return topics[0];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CalendarEvent e && timeMillis == e.timeMillis && id.equals(e.id) && name.equals(e.name)
                && Arrays.equals(topics, e.topics) && Objects.equals(url, e.url);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }
}

package io.discoursetrends.spikes;

/**
 * How one calendar event moved one of its topics on one platform (schemas/json/event-impact.schema.json), over
 * the 48 hours after it: an event of several topics has one impact per topic and platform. Id
 * {@code event_id|topic|platform}; rewritten as the window fills, {@code complete} once it has. Times are epoch
 * millis, -1 or NaN when not known yet.
 */
public record EventImpact(
        CalendarEvent event,
        String topic,
        String platform,
        boolean complete,
        double baselinePosts,
        double baselineEngagement,
        double peakPosts,
        long peakAtMillis,
        double excessPosts,
        double excessEngagement,
        double halfLifeMinutes) {

    public String documentId() {
        return documentId(event.id(), topic, platform);
    }

    public static String documentId(String eventId, String topic, String platform) {
        return eventId + "|" + topic + "|" + platform;
    }

    public double peakLift() {
        return peakPosts / Math.max(1.0, baselinePosts);
    }

    public double timeToPeakMinutes() {
        return peakAtMillis < 0 ? Double.NaN : (peakAtMillis - event.timeMillis()) / 60_000.0;
    }
}

package io.discoursetrends.spikes;

/**
 * How one calendar event moved one platform (schemas/json/event-impact.schema.json), measured on the event's
 * first topic over the 48 hours after it. Id {@code event_id|platform}; rewritten as the window fills,
 * {@code complete} once it has. Times are epoch millis, -1 or NaN when not known yet.
 */
public record EventImpact(
        CalendarEvent event,
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
        return event.id() + "|" + platform;
    }

    public double peakLift() {
        return peakPosts / Math.max(1.0, baselinePosts);
    }

    public double timeToPeakMinutes() {
        return peakAtMillis < 0 ? Double.NaN : (peakAtMillis - event.timeMillis()) / 60_000.0;
    }
}

package io.discoursetrends.spikes;

import io.discoursetrends.buckets.TrendBucket;
import java.time.Instant;
import java.util.Arrays;

/**
 * A spike of one topic on one platform with its explanation (schemas/json/spike.schema.json): one document for
 * the life of the spike, id {@code topic|platform|started_at}, rewritten at every bucket while it is open and
 * once when it closes. Times are epoch millis; {@code endedAtMillis} is -1 while open, {@code event} null when
 * no calendar event is linked.
 */
public record SpikeDocument(
        String topic,
        String platform,
        boolean open,
        long startedAtMillis,
        long updatedAtMillis,
        long peakAtMillis,
        long endedAtMillis,
        double peakValue,
        double baseline,
        double ratio,
        double score,
        String severity,
        long posts,
        long engagement,
        long uniqueAuthors,
        TrendBucket.TopPost[] topPosts,
        Term[] distinctiveTerms,
        CalendarEvent event,
        String[] quietPlatforms) {

    public static final String METRIC = "posts";

    /** A term over-represented in the spike: its count in the spike's buckets and the z-score of its log-odds. */
    public record Term(String term, long count, double z) {}

    public String spikeId() {
        return topic + "|" + platform + "|" + Instant.ofEpochMilli(startedAtMillis);
    }

    public SpikeDocument withQuietPlatforms(String[] quiet) {
        return new SpikeDocument(topic, platform, open, startedAtMillis, updatedAtMillis, peakAtMillis, endedAtMillis,
                peakValue, baseline, ratio, score, severity, posts, engagement, uniqueAuthors, topPosts,
                distinctiveTerms, event, quiet);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SpikeDocument s && spikeId().equals(s.spikeId()) && open == s.open
                && updatedAtMillis == s.updatedAtMillis && endedAtMillis == s.endedAtMillis && posts == s.posts
                && Arrays.equals(quietPlatforms, s.quietPlatforms);
    }

    @Override
    public int hashCode() {
        return spikeId().hashCode();
    }

    @Override
    public String toString() {
        return "Spike[" + spikeId() + (open ? " open" : " closed at " + Instant.ofEpochMilli(endedAtMillis))
                + " peak " + peakValue + " at " + Instant.ofEpochMilli(peakAtMillis) + " baseline "
                + String.format("%.2f", baseline) + " ratio " + String.format("%.1f", ratio) + " " + severity
                + " terms " + Arrays.toString(distinctiveTerms) + (event == null ? "" : " event " + event.id())
                + " quiet " + Arrays.toString(quietPlatforms) + "]";
    }
}

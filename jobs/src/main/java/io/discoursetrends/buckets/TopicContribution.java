package io.discoursetrends.buckets;

import io.discoursetrends.engagement.AttributedEvent;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/**
 * An attributed event on its way to one bucket key, {@code topic|platform}. {@link #fanOut()} sends every
 * event to its platform's and the all-platforms key of {@link TrendBucket#ALL_TOPICS} and of each of its
 * topics: four keys for a post with one topic. Rolling the platforms up this way (rather than re-aggregating
 * the per-platform documents) keeps the all-platforms sketches exact unions.
 */
public record TopicContribution(String topic, String platform, AttributedEvent event) {

    public String key() {
        return topic + "|" + platform;
    }

    /** Only one of an event's keys reports it when it is too late, so the late-data topic holds it once. */
    public boolean reportsLateness() {
        return TrendBucket.ALL_TOPICS.equals(topic) && !TrendBucket.ALL_PLATFORMS.equals(platform);
    }

    public static FlatMapFunction<AttributedEvent, TopicContribution> fanOut() {
        return TopicContribution::fanOut;
    }

    static void fanOut(AttributedEvent e, Collector<TopicContribution> out) {
        out.collect(new TopicContribution(TrendBucket.ALL_TOPICS, e.platform(), e));
        out.collect(new TopicContribution(TrendBucket.ALL_TOPICS, TrendBucket.ALL_PLATFORMS, e));
        for (String topic : e.topics()) {
            out.collect(new TopicContribution(topic, e.platform(), e));
            out.collect(new TopicContribution(topic, TrendBucket.ALL_PLATFORMS, e));
        }
    }
}

package io.discoursetrends.buckets;

import io.discoursetrends.engagement.AttributedEvent;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInfo;
import org.apache.flink.util.Collector;

/**
 * An attributed event on its way to one bucket key, a topic. {@link #fanOut()} sends every event to
 * {@link TrendBucket#ALL_TOPICS} and to each of its topics: two keys for a post with one topic. The platform
 * rides in the event; the key's {@link TopicBucketFunction} counts per platform and composes all platforms.
 *
 * <p>This is the record the job sends across the network most often, so it has its own serializer
 * ({@link TopicContributionSerializer}).
 */
@TypeInfo(TopicContributionSerializer.TypeInfoFactory.class)
public record TopicContribution(String topic, AttributedEvent event) {

    /** Only one of an event's keys reports it when it is too late, so the late-data topic holds it once. */
    public boolean reportsLateness() {
        return TrendBucket.ALL_TOPICS.equals(topic);
    }

    public static FlatMapFunction<AttributedEvent, TopicContribution> fanOut() {
        return TopicContribution::fanOut;
    }

    static void fanOut(AttributedEvent e, Collector<TopicContribution> out) {
        out.collect(new TopicContribution(TrendBucket.ALL_TOPICS, e));
        for (String topic : e.topics()) {
            out.collect(new TopicContribution(topic, e));
        }
    }
}

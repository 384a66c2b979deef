package io.discoursetrends.buckets;

import io.discoursetrends.engagement.AttributedEvent;
import java.util.Arrays;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * Events on their way to one bucket key, a topic ({@link TrendBucket#ALL_TOPICS} or one of their topics): what
 * {@link TopicBatcher} gathered for it since it last flushed, in arrival order. The platform rides in each
 * event; the key's {@link TopicBucketFunction} counts per platform and composes all platforms.
 *
 * <p>This is the record the job sends across the network most often, so it has its own serializer
 * ({@link TopicBatchSerializer}).
 */
@TypeInfo(TopicBatchSerializer.TypeInfoFactory.class)
public record TopicBatch(String topic, AttributedEvent[] events) {

    /** Only one of an event's keys reports it when it is too late, so the late-data topic holds it once. */
    public boolean reportsLateness() {
        return TrendBucket.ALL_TOPICS.equals(topic);
    }

    // Records compare arrays by reference; tests compare batches by value.
    @Override
    public boolean equals(Object o) {
        return o instanceof TopicBatch b && topic.equals(b.topic) && Arrays.equals(events, b.events);
    }

    @Override
    public int hashCode() {
        return topic.hashCode() * 31 + Arrays.hashCode(events);
    }

    @Override
    public String toString() {
        return "TopicBatch[" + topic + ", " + events.length + " events]";
    }
}

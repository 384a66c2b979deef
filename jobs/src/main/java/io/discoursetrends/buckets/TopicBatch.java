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
public record TopicBatch(String topic, AttributedEvent[] events, Encoded encoded) {

    public TopicBatch(String topic, AttributedEvent[] events) {
        this(topic, events, null);
    }

    /**
     * The same events as already encoded by {@link TopicBatcher}, which encodes each event once for all of its
     * keys (an event goes to {@code _all} and to each of its topics). Valid only while the batcher's flush that
     * made it lasts: Flink serializes a record inside {@code collect}, and the flush's buffer is reused after it.
     * Anything that holds a batch longer (a test harness' output) finds it closed, and the serializer then
     * encodes the events again. Not part of the batch's value.
     */
    public static final class Encoded {
        final Flush flush;
        /** Each event's number in the flush, in the batch's order. */
        final int[] indexes;

        Encoded(Flush flush, int[] indexes) {
            this.flush = flush;
            this.indexes = indexes;
        }
    }

    /** The events of one flush of the batcher, encoded one after the other into one buffer. */
    static final class Flush {
        final byte[] bytes;
        /** Where event i starts; it ends where event i + 1 starts. */
        final int[] starts;
        boolean open = true;

        Flush(byte[] bytes, int[] starts) {
            this.bytes = bytes;
            this.starts = starts;
        }
    }

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

package io.discoursetrends.kafka;

import io.discoursetrends.model.SourceEnvelope;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * Event time for the normalized stream: an event's {@code created_at}, with watermarks trailing the largest
 * time seen by a bounded out-of-orderness, and idle partitions excluded after a while.
 *
 * <p>Dead letters carry the Kafka record's timestamp (usually "now") and must not move the watermark:
 * one malformed record replayed among historical events would otherwise make all of them late.
 */
public final class EventTimeWatermarks {
    private EventTimeWatermarks() {}

    public static WatermarkStrategy<SourceEnvelope> strategy(Duration outOfOrderness, Duration idleness) {
        WatermarkStrategy<SourceEnvelope> s = WatermarkStrategy
                .<SourceEnvelope>forGenerator(ctx -> new Generator(outOfOrderness.toMillis()))
                .withTimestampAssigner((e, kafkaTimestamp) -> e.isDeadLetter()
                        ? kafkaTimestamp
                        : e.event().createdAt().toEpochMilli());
        return idleness.isZero() ? s : s.withIdleness(idleness);
    }

    /** Sort keys per millisecond in {@link #batchTimestamps}: room for a million records of one millisecond. */
    static final long BATCH_SEQUENCE = 1_000_000L;

    /**
     * Timestamps for a run in batch execution mode, which has no watermarks: there each keyed stage reads its
     * input sorted by key and timestamp, and the sort is not stable. Counter snapshots need their order (the job
     * turns the change between one sighting of a post and the next into engagement), and every sighting of a
     * post carries the post's time, and often the same observation time. So the timestamp here is a sort key,
     * not a time: the later of the event's time and its observation time, in milliseconds, times
     * {@value #BATCH_SEQUENCE}, plus a sequence number of the source reader, which keeps each reader's records
     * (a partition or a file, where all sightings of a post are) in the order read. Nothing in the job reads a
     * record's timestamp as a time (buckets, expiry and the sinks use the events' own times), and event-time
     * timers only fire at the end of a key in batch mode, whatever their time.
     */
    public static WatermarkStrategy<SourceEnvelope> batchTimestamps() {
        return WatermarkStrategy.<SourceEnvelope>noWatermarks().withTimestampAssigner(ctx -> new SequencedTimes());
    }

    static final class SequencedTimes implements org.apache.flink.api.common.eventtime.TimestampAssigner<SourceEnvelope> {
        private long sequence;

        @Override
        public long extractTimestamp(SourceEnvelope e, long recordTimestamp) {
            long millis;
            if (e.isDeadLetter()) {
                millis = e.deadLetter().sourceTimestamp();
            } else {
                long created = e.event().createdAt().toEpochMilli();
                millis = e.event().observedAt() == null ? created
                        : Math.max(created, e.event().observedAt().toEpochMilli());
            }
            long seq = sequence++ % BATCH_SEQUENCE;
            return Math.max(0, millis) * BATCH_SEQUENCE + seq; // times before 1970 and after 2262 are not sorted
        }
    }

    static final class Generator implements WatermarkGenerator<SourceEnvelope> {
        private final long outOfOrdernessMillis;
        // Start so that the first watermark cannot underflow; Long.MIN_VALUE means "nothing seen yet".
        private long maxTimestamp = Long.MIN_VALUE + 1;

        Generator(long outOfOrdernessMillis) {
            this.outOfOrdernessMillis = outOfOrdernessMillis;
        }

        @Override
        public void onEvent(SourceEnvelope event, long timestamp, WatermarkOutput output) {
            if (event == null || !event.isDeadLetter()) {
                maxTimestamp = Math.max(maxTimestamp, timestamp);
            }
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            if (maxTimestamp > Long.MIN_VALUE + 1) {
                output.emitWatermark(new Watermark(maxTimestamp - outOfOrdernessMillis - 1));
            }
        }
    }
}

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

    /**
     * Timestamps for a run in batch execution mode, which has no watermarks: there each keyed stage reads its
     * input sorted by key and timestamp, and the sort is not stable. An event's timestamp is therefore the later
     * of its time and when it was observed, so the sightings of one post (all with the post's time) keep the
     * order in which they were observed, the order the streaming job reads them from their partition and turns
     * their counters into engagement. Nothing downstream buckets by this timestamp: buckets use the event's own
     * time.
     */
    public static WatermarkStrategy<SourceEnvelope> batchTimestamps() {
        return WatermarkStrategy.<SourceEnvelope>noWatermarks().withTimestampAssigner((e, recordTimestamp) -> {
            if (e.isDeadLetter()) {
                return e.deadLetter().sourceTimestamp();
            }
            long created = e.event().createdAt().toEpochMilli();
            return e.event().observedAt() == null ? created
                    : Math.max(created, e.event().observedAt().toEpochMilli());
        });
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

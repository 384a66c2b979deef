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

package io.discoursetrends.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.discoursetrends.model.DeadLetter;
import io.discoursetrends.model.Platform;
import io.discoursetrends.model.SourceEnvelope;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.junit.jupiter.api.Test;

class EventTimeWatermarksTest {
    private final List<Long> emitted = new ArrayList<>();
    private final WatermarkOutput output = new WatermarkOutput() {
        @Override
        public void emitWatermark(Watermark watermark) {
            emitted.add(watermark.getTimestamp());
        }

        @Override
        public void markIdle() {}

        @Override
        public void markActive() {}
    };

    @Test
    void shouldTrailTheNewestEventByTheOutOfOrdernessBound() {
        var g = new EventTimeWatermarks.Generator(30_000);
        g.onPeriodicEmit(output);
        assertThat(emitted).as("nothing seen, no watermark").isEmpty();
        g.onEvent(null, 100_000, output);
        g.onEvent(null, 90_000, output); // out of order: does not move the watermark back
        g.onPeriodicEmit(output);
        assertThat(emitted).containsExactly(100_000L - 30_000 - 1);
    }

    @Test
    void shouldNotLetADeadLetterWithAFreshKafkaTimestampMoveEventTime() {
        var g = new EventTimeWatermarks.Generator(0);
        g.onEvent(null, 1_000, output);
        SourceEnvelope dead = SourceEnvelope.of(new DeadLetter(Platform.REDDIT, "t", 0, 1, 0, "bad", new byte[0]));
        g.onEvent(dead, System.currentTimeMillis(), output);
        g.onPeriodicEmit(output);
        assertThat(emitted).containsExactly(999L);
    }
}

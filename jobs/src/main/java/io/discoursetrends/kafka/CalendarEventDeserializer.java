package io.discoursetrends.kafka;

import io.discoursetrends.spikes.CalendarEvent;
import io.discoursetrends.spikes.EventCalendar;
import java.io.IOException;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads calendar events from the events control topic (one JSON event per record, see {@link EventCalendar}).
 * A record that is not an event is logged with its coordinates and reason and counted in
 * {@code controlRecordsRejected}; the job goes on with the calendar it has.
 */
public final class CalendarEventDeserializer implements KafkaRecordDeserializationSchema<CalendarEvent> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(CalendarEventDeserializer.class);

    private transient Counter rejected;

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        rejected = context.getMetricGroup().counter("controlRecordsRejected");
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<CalendarEvent> out) throws IOException {
        if (record.value() == null) {
            return;
        }
        try {
            out.collect(EventCalendar.fromJson(record.value()));
        } catch (IllegalArgumentException e) {
            rejected.inc();
            LOG.error("Ignoring events record {}/{}/{}: {}", record.topic(), record.partition(), record.offset(),
                    e.getMessage());
        }
    }

    @Override
    public TypeInformation<CalendarEvent> getProducedType() {
        return TypeInformation.of(CalendarEvent.class);
    }
}

package io.discoursetrends.kafka;

import io.discoursetrends.elasticsearch.SpikeDocuments;
import io.discoursetrends.spikes.SpikeDocument;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema.KafkaSinkContext;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Spikes for alerting consumers: the spike document's JSON (schemas/json/spike.schema.json) at every open,
 * update and close, keyed by the spike id so a compacted topic keeps each spike's latest state.
 */
public final class SpikeAlertSerializer implements KafkaRecordSerializationSchema<SpikeDocument> {
    private static final long serialVersionUID = 1L;

    private final String topic;

    public SpikeAlertSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(SpikeDocument s, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(topic, null, s.updatedAtMillis(), s.spikeId().getBytes(StandardCharsets.UTF_8),
                SpikeDocuments.toJson(s));
    }
}

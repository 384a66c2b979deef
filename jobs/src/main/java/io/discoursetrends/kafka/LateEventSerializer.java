package io.discoursetrends.kafka;

import io.discoursetrends.model.CanonicalEvent;
import io.discoursetrends.normalize.CanonicalJson;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema.KafkaSinkContext;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes an event that came too late for its bucket as its canonical JSON (post.schema.json or
 * engagement.schema.json), keyed by its id, so the late data can be inspected or backfilled.
 */
public final class LateEventSerializer implements KafkaRecordSerializationSchema<CanonicalEvent> {
    private static final long serialVersionUID = 1L;

    private final String topic;

    public LateEventSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(CanonicalEvent e, KafkaSinkContext context, Long timestamp) {
        String id = e.isPost() ? e.post().id() : e.engagement().id();
        return new ProducerRecord<>(topic, null, e.createdAt().toEpochMilli(),
                id == null ? null : id.getBytes(StandardCharsets.UTF_8), CanonicalJson.writeBytes(e));
    }
}

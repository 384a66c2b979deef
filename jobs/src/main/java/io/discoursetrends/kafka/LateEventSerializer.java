package io.discoursetrends.kafka;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.discoursetrends.engagement.AttributedEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema.KafkaSinkContext;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes an event that came later than its bucket's allowed lateness (schemas/json/late-event.schema.json),
 * keyed by the post it concerns, with the record timestamp set to its event time: what was not counted, where
 * it would have counted, so it can be inspected or backfilled.
 */
public final class LateEventSerializer implements KafkaRecordSerializationSchema<AttributedEvent> {
    private static final long serialVersionUID = 1L;
    private static final JsonFactory JSON = new JsonFactory();

    private final String topic;

    public LateEventSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(AttributedEvent e, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(topic, null, e.timeMillis(),
                e.postId() == null ? null : e.postId().getBytes(StandardCharsets.UTF_8), toJson(e));
    }

    public static byte[] toJson(AttributedEvent e) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (JsonGenerator g = JSON.createGenerator(bytes)) {
            g.writeStartObject();
            g.writeStringField("kind", "late_event");
            g.writeStringField("event", e.isPost() ? "post" : "engagement");
            g.writeStringField("platform", e.platform());
            g.writeStringField("time", Instant.ofEpochMilli(e.timeMillis()).toString());
            if (e.postId() != null) {
                g.writeStringField("post_id", e.postId());
            }
            g.writeArrayFieldStart("topics");
            for (String t : e.topics()) {
                g.writeString(t);
            }
            g.writeEndArray();
            if (e.taxonomyVersion() != null) {
                g.writeStringField("taxonomy_version", e.taxonomyVersion());
            }
            if (!e.isPost()) {
                g.writeNumberField("likes", e.likes());
                g.writeNumberField("reposts", e.reposts());
                g.writeNumberField("replies", e.replies());
                g.writeNumberField("quotes", e.quotes());
                g.writeNumberField("votes", e.votes());
                g.writeBooleanField("unattributed", e.unattributed());
            }
            g.writeBooleanField("bot_post", e.botPost());
            g.writeEndObject();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return bytes.toByteArray();
    }
}

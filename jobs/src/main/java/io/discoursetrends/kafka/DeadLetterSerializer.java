package io.discoursetrends.kafka;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.discoursetrends.model.DeadLetter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes a dead letter as JSON (schemas/json/dead-letter.schema.json) keyed by its source coordinates, so a
 * replayed source record overwrites rather than piles up on a compacted topic. The raw bytes travel base64
 * encoded (they may not be UTF-8, which is often why they are here) and, when they are valid UTF-8, also
 * as text, for an operator reading the topic with a console consumer.
 */
public final class DeadLetterSerializer implements KafkaRecordSerializationSchema<DeadLetter> {
    private static final long serialVersionUID = 1L;

    private final String topic;
    private transient ObjectMapper mapper;

    public DeadLetterSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(DeadLetter d, KafkaSinkContext context, Long timestamp) {
        if (mapper == null) {
            mapper = new ObjectMapper();
        }
        try {
            byte[] key = (d.sourceTopic() + "/" + d.sourcePartition() + "/" + d.sourceOffset())
                    .getBytes(StandardCharsets.UTF_8);
            return new ProducerRecord<>(topic, key, mapper.writeValueAsBytes(toJson(mapper, d)));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            // Only strings and numbers go in: failing here would be a bug, not bad input.
            throw new IllegalStateException("cannot write dead letter as JSON", e);
        }
    }

    /** The JSON document of a dead letter; public so the CLI and tests show the very same form. */
    public static ObjectNode toJson(ObjectMapper mapper, DeadLetter d) {
        ObjectNode n = mapper.createObjectNode();
        n.put("kind", "dead_letter");
        n.put("platform", d.platform().id());
        n.put("reason", d.reason());
        ObjectNode source = n.putObject("source");
        source.put("topic", d.sourceTopic());
        source.put("partition", d.sourcePartition());
        source.put("offset", d.sourceOffset());
        source.put("timestamp", Instant.ofEpochMilli(Math.max(0, d.sourceTimestamp())).toString());
        n.put("raw_base64", Base64.getEncoder().encodeToString(d.raw()));
        String text = utf8OrNull(d.raw());
        if (text != null) {
            n.put("raw_text", text);
        }
        return n;
    }

    private static String utf8OrNull(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}

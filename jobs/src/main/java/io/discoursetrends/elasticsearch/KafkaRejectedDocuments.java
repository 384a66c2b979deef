package io.discoursetrends.elasticsearch;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes documents Elasticsearch rejected for good to a Kafka topic, one JSON record each
 * (schemas/json/es-rejected.schema.json), keyed {@code index/id}.
 *
 * <p>Sends are asynchronous; {@link #flush()} waits for every acknowledgement (acks=all), and the first failed
 * send fails the next call, so the writer's flush on checkpoint covers these records too: at-least-once. A replay
 * after a restart may write the same rejection again, under the same key. The topic must exist (brokers usually
 * do not auto-create topics): a missing topic makes the first rejection block for {@code max.block.ms} and fail.
 */
public final class KafkaRejectedDocuments implements RejectedDocuments {
    public static final String KIND = "es_rejected";

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final ObjectMapper json = new ObjectMapper();
    private final AtomicReference<Exception> failure = new AtomicReference<>();

    KafkaRejectedDocuments(KafkaProducer<byte[], byte[]> producer, String topic) {
        this.producer = producer;
        this.topic = topic;
    }

    /**
     * A factory for the sink: {@code clientProperties} are extra Kafka client settings (security, SASL, TLS);
     * bootstrap servers, serializers and acks=all are set here.
     */
    public static RejectedDocuments.Factory factory(String bootstrapServers, String topic, Properties clientProperties) {
        return new Factory(bootstrapServers, topic, clientProperties == null ? new Properties() : clientProperties);
    }

    private record Factory(String bootstrapServers, String topic, Properties clientProperties)
            implements RejectedDocuments.Factory {
        @Override
        public RejectedDocuments create(int subtaskIndex) {
            Properties p = new Properties();
            p.putAll(clientProperties);
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
            p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "20");
            p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "discourse-trends-es-rejected-" + subtaskIndex);
            return new KafkaRejectedDocuments(
                    new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer()), topic);
        }
    }

    @Override
    public void reject(RejectedDocument d) throws IOException {
        throwIfFailed();
        byte[] key = (d.index() + "/" + d.id()).getBytes(StandardCharsets.UTF_8);
        byte[] value = json.writeValueAsBytes(toJson(json, d));
        producer.send(new ProducerRecord<>(topic, key, value), (metadata, e) -> {
            if (e != null) {
                failure.compareAndSet(null, e);
            }
        });
    }

    @Override
    public void flush() throws IOException {
        producer.flush();
        throwIfFailed();
    }

    private void throwIfFailed() throws IOException {
        Exception e = failure.get();
        if (e != null) {
            throw new IOException("cannot write a rejected Elasticsearch document to the Kafka topic " + topic
                    + " (does it exist? es.dead-letter-topic names it): " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }

    /** The record's JSON: kind, index, id, status, error_type, reason, rejected_at, document (as JSON text). */
    public static ObjectNode toJson(ObjectMapper json, RejectedDocument d) {
        ObjectNode out = json.createObjectNode();
        out.put("kind", KIND);
        out.put("index", d.index());
        out.put("id", d.id());
        out.put("status", d.status());
        out.put("error_type", d.errorType());
        out.put("reason", d.reason() == null ? "" : d.reason());
        out.put("rejected_at", d.rejectedAt().toString());
        out.put("document", new String(d.document(), StandardCharsets.UTF_8));
        return out;
    }
}

package io.discoursetrends.replay;

import io.discoursetrends.model.CanonicalEvent;
import io.discoursetrends.model.Platform;
import io.discoursetrends.normalize.NormalizeResult;
import io.discoursetrends.normalize.Normalizer;
import io.discoursetrends.normalize.Normalizers;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Puts raw platform records on their Kafka topics the way a live ingest bridge would: each platform's records
 * in the order of their event time. A replay in that order is what makes a bounded run deterministic: with
 * every partition in event-time order, no event can fall behind the watermark, so every event is counted in
 * its bucket and a batch computation over the same records must give the same counts.
 *
 * <p>Records without an event time (malformed or ignored ones) go first; they do not move watermarks.
 */
public final class KafkaReplayer implements AutoCloseable {

    /** A raw record to replay and, once sent, where it landed. */
    public record Sent(Platform platform, byte[] value, String topic, int partition, long offset) {}

    private final KafkaProducer<byte[], byte[]> producer;
    private final Map<Platform, String> topics;
    private final Map<Platform, Normalizer> normalizers = new EnumMap<>(Platform.class);

    public KafkaReplayer(String bootstrapServers, Map<Platform, String> topics) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(32 << 20));
        this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        this.topics = new EnumMap<>(topics);
        for (Platform platform : Platform.values()) {
            normalizers.put(platform, Normalizers.forPlatform(platform));
        }
    }

    /**
     * Sends the records in event-time order per platform and waits until the broker has them all.
     *
     * @param progress called with the number of records sent so far, every 10,000 records
     */
    public List<Sent> replay(Platform platform, List<byte[]> records, LongConsumer progress)
            throws InterruptedException, ExecutionException {
        Normalizer normalizer = normalizers.get(platform);
        List<Timed> timed = new ArrayList<>(records.size());
        for (byte[] r : records) {
            timed.add(new Timed(r, eventTime(normalizer.normalize(r))));
        }
        timed.sort(Comparator.comparing(Timed::time)); // stable: equal times keep their input order

        String topic = topics.get(platform);
        List<Future<RecordMetadata>> futures = new ArrayList<>(timed.size());
        for (Timed t : timed) {
            // No key: the default partitioner spreads records over the partitions in sticky batches, and
            // each partition still receives its records in the order sent.
            futures.add(producer.send(new ProducerRecord<>(topic, null, System.currentTimeMillis(), null, t.value)));
            if (futures.size() % 10_000 == 0) {
                progress.accept(futures.size());
            }
        }
        producer.flush();
        List<Sent> sent = new ArrayList<>(timed.size());
        for (int i = 0; i < timed.size(); i++) {
            RecordMetadata m = futures.get(i).get();
            sent.add(new Sent(platform, timed.get(i).value, m.topic(), m.partition(), m.offset()));
        }
        return sent;
    }

    private static Instant eventTime(NormalizeResult result) {
        return result.events().stream().map(CanonicalEvent::createdAt).min(Comparator.naturalOrder())
                .orElse(Instant.MIN);
    }

    private record Timed(byte[] value, Instant time) {}

    @Override
    public void close() {
        producer.close();
    }
}

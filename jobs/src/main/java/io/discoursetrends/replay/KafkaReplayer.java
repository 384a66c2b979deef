package io.discoursetrends.replay;

import io.discoursetrends.model.CanonicalEvent;
import io.discoursetrends.model.Platform;
import io.discoursetrends.normalize.NormalizeResult;
import io.discoursetrends.normalize.Normalizer;
import io.discoursetrends.normalize.Normalizers;
import java.nio.charset.StandardCharsets;
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
 * Each record's Kafka timestamp is the time it was observed, its event time unless given.
 */
public final class KafkaReplayer implements AutoCloseable {

    /** A raw record to replay and, once sent, where it landed. */
    public record Sent(Platform platform, byte[] value, String topic, int partition, long offset) {}

    private final KafkaProducer<byte[], byte[]> producer;
    private final Map<Platform, String> topics;
    private final Map<Platform, Normalizer> normalizers = new EnumMap<>(Platform.class);

    public KafkaReplayer(String bootstrapServers, Map<Platform, String> topics) {
        this(bootstrapServers, topics, new Properties());
    }

    /** With extra client settings ({@code security.protocol}, {@code sasl.*}, {@code ssl.*}) under the own ones. */
    public KafkaReplayer(String bootstrapServers, Map<Platform, String> topics, Properties client) {
        Properties p = new Properties();
        p.putAll(client);
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

    /** A raw record and when the bridge observed it; null means at its event time. */
    public record Observed(byte[] value, Instant observedAt) {}

    /**
     * Sends the records in event-time order per platform and waits until the broker has them all.
     *
     * @param progress called with the number of records sent so far, every 10,000 records
     */
    public List<Sent> replay(Platform platform, List<byte[]> records, LongConsumer progress)
            throws InterruptedException, ExecutionException {
        List<Observed> observed = new ArrayList<>(records.size());
        for (byte[] r : records) {
            observed.add(new Observed(r, null));
        }
        return replayObserved(platform, observed, progress);
    }

    /**
     * Sends the records in the order they were observed (a record without an observation time: at its event
     * time), with that time as the Kafka timestamp, keyed by the post each concerns (the post itself, or the
     * post an engagement touches) as a bridge should: every sighting of a post, and the engagement on it, then
     * sit in one partition in order, which counter snapshots need (the job turns their increases into
     * engagement in the order they arrive).
     */
    public List<Sent> replayObserved(Platform platform, List<Observed> records, LongConsumer progress)
            throws InterruptedException, ExecutionException {
        Normalizer normalizer = normalizers.get(platform);
        List<Timed> timed = new ArrayList<>(records.size());
        for (Observed r : records) {
            NormalizeResult n = normalizer.normalize(r.value());
            timed.add(new Timed(r.value(), r.observedAt() != null ? r.observedAt() : eventTime(n), key(n)));
        }
        timed.sort(Comparator.comparing(Timed::time)); // stable: equal times keep their input order

        String topic = topics.get(platform);
        long now = System.currentTimeMillis();
        List<Future<RecordMetadata>> futures = new ArrayList<>(timed.size());
        for (Timed t : timed) {
            long timestamp = t.time.equals(Instant.MIN) ? now : t.time.toEpochMilli();
            futures.add(producer.send(new ProducerRecord<>(topic, null, timestamp, t.key, t.value)));
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

    /**
     * The event time of a raw record, as the replay orders it: the earliest time of the events it carries;
     * {@link Instant#MIN} for a record without events (ignored or malformed).
     */
    public static Instant eventTime(NormalizeResult result) {
        if (result.events() == null) {
            return Instant.MIN;
        }
        return result.events().stream().map(CanonicalEvent::createdAt).min(Comparator.naturalOrder())
                .orElse(Instant.MIN);
    }

    /**
     * The Kafka key of a raw record, as the job expects it: the id of the post it concerns (the post itself, or
     * the post an engagement touches); none for records without events.
     */
    public static byte[] key(NormalizeResult result) {
        if (result.events() == null || result.events().isEmpty()) {
            return null;
        }
        CanonicalEvent e = result.events().get(0);
        String id = e.isPost() ? e.post().id() : e.engagement().subjectId();
        return id == null ? null : id.getBytes(StandardCharsets.UTF_8);
    }

    private record Timed(byte[] value, Instant time, byte[] key) {}

    @Override
    public void close() {
        producer.close();
    }
}

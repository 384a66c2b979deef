package io.discoursetrends.kafka;

import io.discoursetrends.model.CanonicalEvent;
import io.discoursetrends.model.DeadLetter;
import io.discoursetrends.model.Platform;
import io.discoursetrends.model.SourceEnvelope;
import io.discoursetrends.normalize.NormalizeResult;
import io.discoursetrends.normalize.Normalizer;
import io.discoursetrends.normalize.Normalizers;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Normalizes raw platform records inside the Kafka source, so the source knows each event's time and Flink
 * keeps a watermark per partition. The platform of a record is the platform whose topic it was read from.
 *
 * <p>Nothing a record contains can fail the job: an unusable record becomes a {@link DeadLetter} carrying
 * its bytes, its topic/partition/offset and the reason, and is counted in {@code malformed}. Metrics per
 * platform (group {@code platform}): records, posts, engagement, ignored, malformed.
 */
public final class NormalizingDeserializer implements KafkaRecordDeserializationSchema<SourceEnvelope> {
    private static final long serialVersionUID = 1L;

    private final Map<String, Platform> platformByTopic;

    private transient Map<Platform, Normalizer> normalizers;
    private transient Map<Platform, PlatformMetrics> counters;

    public NormalizingDeserializer(Map<String, Platform> platformByTopic) {
        this.platformByTopic = new HashMap<>(platformByTopic);
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        normalizers = new EnumMap<>(Platform.class);
        counters = new EnumMap<>(Platform.class);
        for (Platform p : Platform.values()) {
            normalizers.put(p, Normalizers.forPlatform(p));
            counters.put(p, new PlatformMetrics(context.getMetricGroup().addGroup("platform", p.id())));
        }
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<SourceEnvelope> out) {
        Platform platform = platformByTopic.get(record.topic());
        if (platform == null) {
            // Only configured topics are subscribed, so this means the configuration changed under a
            // restored source: say which topic, since the operator must map it to a platform.
            throw new IllegalStateException("read a record from topic '" + record.topic()
                    + "', which is not mapped to a platform; configured: " + platformByTopic);
        }
        PlatformMetrics c = counters.get(platform);
        c.records.inc();
        byte[] value = record.value();
        NormalizeResult result = value == null
                ? NormalizeResult.malformed("record has no value (a tombstone or an empty message)")
                : normalizers.get(platform).normalize(value);
        if (result.isMalformed()) {
            c.malformed.inc();
            out.collect(SourceEnvelope.of(new DeadLetter(platform, record.topic(), record.partition(),
                    record.offset(), record.timestamp(), result.malformedReason(),
                    value == null ? new byte[0] : value)));
            return;
        }
        if (result.isIgnored()) {
            c.ignored.inc();
            return;
        }
        for (CanonicalEvent e : result.events()) {
            (e.isPost() ? c.posts : c.engagement).inc();
            out.collect(SourceEnvelope.of(e.observedAt(record.timestamp())));
        }
    }

    @Override
    public TypeInformation<SourceEnvelope> getProducedType() {
        return TypeInformation.of(SourceEnvelope.class);
    }

    private static final class PlatformMetrics {
        final Counter records;
        final Counter posts;
        final Counter engagement;
        final Counter ignored;
        final Counter malformed;

        PlatformMetrics(MetricGroup group) {
            records = group.counter("records");
            posts = group.counter("posts");
            engagement = group.counter("engagement");
            ignored = group.counter("ignored");
            malformed = group.counter("malformed");
        }
    }
}

package io.discoursetrends.job;

import io.discoursetrends.buckets.PlatformCount;
import io.discoursetrends.elasticsearch.BulkSettings;
import io.discoursetrends.elasticsearch.ElasticsearchConnection;
import io.discoursetrends.elasticsearch.ElasticsearchSink;
import io.discoursetrends.elasticsearch.PlatformCountDocuments;
import io.discoursetrends.kafka.DeadLetterSerializer;
import io.discoursetrends.kafka.EventTimeWatermarks;
import io.discoursetrends.kafka.LateEventSerializer;
import io.discoursetrends.kafka.NormalizingDeserializer;
import io.discoursetrends.model.CanonicalEvent;
import io.discoursetrends.model.DeadLetter;
import io.discoursetrends.model.Platform;
import io.discoursetrends.model.SourceEnvelope;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/** The production sources and sinks: raw topics from Kafka in, Elasticsearch and Kafka out. */
public final class Connectors implements JobSources, JobSinks {
    private final Configuration config;
    private final Properties kafkaProperties;

    public Connectors(Configuration config) {
        this.config = config;
        this.kafkaProperties = kafkaProperties(config);
    }

    /** Which platform each configured raw topic carries. */
    public static Map<String, Platform> topics(Configuration config) {
        Map<String, Platform> topics = new LinkedHashMap<>();
        topics.put(config.get(JobOptions.TOPIC_BLUESKY), Platform.BLUESKY);
        topics.put(config.get(JobOptions.TOPIC_MASTODON), Platform.MASTODON);
        topics.put(config.get(JobOptions.TOPIC_REDDIT), Platform.REDDIT);
        topics.put(config.get(JobOptions.TOPIC_HACKERNEWS), Platform.HACKERNEWS);
        if (topics.size() < Platform.values().length) {
            throw new IllegalArgumentException("two platforms are configured to read the same topic: " + topics
                    + "; give each platform its own kafka.topic.<platform>");
        }
        return topics;
    }

    @Override
    public DataStream<SourceEnvelope> platformRecords(StreamExecutionEnvironment env) {
        Map<String, Platform> topics = topics(config);
        KafkaSourceBuilder<SourceEnvelope> builder = KafkaSource.<SourceEnvelope>builder()
                .setBootstrapServers(config.get(JobOptions.KAFKA_BOOTSTRAP))
                .setGroupId(config.get(JobOptions.KAFKA_GROUP_ID))
                .setTopics(new ArrayList<>(topics.keySet()))
                .setStartingOffsets(startingOffsets(config.get(JobOptions.STARTING_OFFSETS)))
                .setDeserializer(new NormalizingDeserializer(topics))
                .setProperties(kafkaProperties);
        if (config.get(JobOptions.BOUNDED)) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        Duration idleness = config.get(JobOptions.IDLENESS);
        return env.fromSource(builder.build(),
                        EventTimeWatermarks.strategy(config.get(JobOptions.OUT_OF_ORDERNESS), idleness),
                        "kafka: raw platform records")
                .uid("source-raw-records");
    }

    private static OffsetsInitializer startingOffsets(String mode) {
        return switch (mode.toLowerCase(Locale.ROOT)) {
            case "committed" -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
            case "earliest" -> OffsetsInitializer.earliest();
            case "latest" -> OffsetsInitializer.latest();
            default -> throw new IllegalArgumentException("kafka.starting-offsets is '" + mode
                    + "': expected committed, earliest or latest");
        };
    }

    @Override
    public Sink<PlatformCount> platformCounts() {
        return new ElasticsearchSink<>(elasticsearch(config),
                new PlatformCountDocuments(config.get(JobOptions.ES_INDEX_PLATFORM_COUNTS)), bulkSettings(config));
    }

    @Override
    public Sink<DeadLetter> deadLetters() {
        return kafkaSink(new DeadLetterSerializer(config.get(JobOptions.TOPIC_DEAD_LETTERS)));
    }

    @Override
    public Sink<CanonicalEvent> lateEvents() {
        return kafkaSink(new LateEventSerializer(config.get(JobOptions.TOPIC_LATE)));
    }

    private <T> KafkaSink<T> kafkaSink(KafkaRecordSerializationSchema<T> serializer) {
        return KafkaSink.<T>builder()
                .setBootstrapServers(config.get(JobOptions.KAFKA_BOOTSTRAP))
                .setRecordSerializer(serializer)
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .setKafkaProducerConfig(kafkaProperties)
                .build();
    }

    public static ElasticsearchConnection elasticsearch(Configuration config) {
        return new ElasticsearchConnection(config.get(JobOptions.ES_URLS), config.get(JobOptions.ES_CA_FILE),
                config.get(JobOptions.ES_VERIFY_TLS));
    }

    static BulkSettings bulkSettings(Configuration config) {
        BulkSettings d = BulkSettings.DEFAULTS;
        return new BulkSettings(config.get(JobOptions.ES_BULK_MAX_ACTIONS),
                config.get(JobOptions.ES_BULK_MAX_MB) * (1L << 20), config.get(JobOptions.ES_BULK_FLUSH_INTERVAL),
                d.initialBackoff(), d.maxBackoff(), config.get(JobOptions.ES_MAX_RETRY_TIME));
    }

    private static Properties kafkaProperties(Configuration config) {
        Properties props = new Properties();
        String file = config.get(JobOptions.KAFKA_PROPERTIES_FILE);
        if (file != null) {
            try (InputStream in = Files.newInputStream(Path.of(file))) {
                props.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read kafka.properties-file " + file + ": " + e.getMessage(), e);
            }
        }
        return props;
    }
}

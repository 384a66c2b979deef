package io.discoursetrends.job;

import io.discoursetrends.elasticsearch.BulkSettings;
import io.discoursetrends.elasticsearch.DocumentMapper;
import io.discoursetrends.elasticsearch.ElasticsearchConnection;
import io.discoursetrends.elasticsearch.ElasticsearchSink;
import io.discoursetrends.elasticsearch.KafkaRejectedDocuments;
import io.discoursetrends.elasticsearch.RejectedDocuments;
import io.discoursetrends.elasticsearch.TimeBasedIndex;
import io.discoursetrends.kafka.DeadLetterSerializer;
import io.discoursetrends.kafka.EventTimeWatermarks;
import io.discoursetrends.kafka.LateEventSerializer;
import io.discoursetrends.kafka.NormalizingDeserializer;
import io.discoursetrends.buckets.TrendBucket;
import io.discoursetrends.classify.TaxonomyUpdate;
import io.discoursetrends.elasticsearch.TaxonomyDocuments;
import io.discoursetrends.elasticsearch.TrendBucketDocuments;
import io.discoursetrends.engagement.AttributedEvent;
import io.discoursetrends.kafka.TaxonomyUpdateDeserializer;
import io.discoursetrends.kafka.CalendarEventDeserializer;
import io.discoursetrends.kafka.SpikeAlertSerializer;
import io.discoursetrends.elasticsearch.SpikeDocuments;
import io.discoursetrends.elasticsearch.PostDocuments;
import io.discoursetrends.engagement.IndexedPost;
import io.discoursetrends.elasticsearch.EventImpactDocuments;
import io.discoursetrends.spikes.CalendarEvent;
import io.discoursetrends.spikes.EventImpact;
import io.discoursetrends.spikes.SpikeDocument;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
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
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
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
                // The ingest bridges write in transactions: records of an attempt a killed bridge left open are
                // aborted, and only a read_committed consumer skips them (kafka.properties-file may override).
                .setProperty("isolation.level", "read_committed")
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

    /**
     * The control topic from its beginning (it is compacted and small): a job without a checkpoint replays every
     * update and ends on the latest; one restored from a checkpoint goes on from its offset, its broadcast state
     * holding what it had.
     */
    @Override
    public DataStream<TaxonomyUpdate> taxonomyUpdates(StreamExecutionEnvironment env) {
        KafkaSourceBuilder<TaxonomyUpdate> builder = KafkaSource.<TaxonomyUpdate>builder()
                .setBootstrapServers(config.get(JobOptions.KAFKA_BOOTSTRAP))
                .setGroupId(config.get(JobOptions.KAFKA_GROUP_ID) + "-control")
                .setTopics(config.get(JobOptions.TOPIC_TAXONOMY))
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(new TaxonomyUpdateDeserializer())
                .setProperties(kafkaProperties);
        if (config.get(JobOptions.BOUNDED)) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return env.fromSource(builder.build(), WatermarkStrategy.noWatermarks(), "kafka: taxonomy updates")
                .setParallelism(1)
                .uid("source-taxonomy-updates");
    }

    /**
     * Creates the topics the job reads or writes besides the raw ones, when they are missing: the control topics
     * (one partition, so updates keep their order; compacted, so the latest per key stays) and the output topics
     * (dead letters, late events, spikes, Elasticsearch dead letters; one partition, the broker's retention).
     * A Kafka source on a missing topic sits idle without a word, and a producer to one waits until it times
     * out. One admin client for all; fails with what to fix when the broker is unreachable or refuses.
     */
    public void ensureTopics() {
        Map<String, Map<String, String>> wanted = new LinkedHashMap<>();
        wanted.put(config.get(JobOptions.TOPIC_TAXONOMY), Map.of("cleanup.policy", "compact"));
        wanted.put(config.get(JobOptions.TOPIC_EVENTS), Map.of("cleanup.policy", "compact"));
        wanted.put(config.get(JobOptions.TOPIC_DEAD_LETTERS), Map.of());
        wanted.put(config.get(JobOptions.TOPIC_LATE), Map.of());
        wanted.put(config.get(JobOptions.TOPIC_SPIKES), Map.of());
        String esDeadLetters = config.get(JobOptions.ES_DEAD_LETTER_TOPIC);
        if (esDeadLetters != null && !esDeadLetters.isBlank()) {
            wanted.put(esDeadLetters, Map.of());
        }
        Properties props = new Properties();
        props.putAll(kafkaProperties);
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.get(JobOptions.KAFKA_BOOTSTRAP));
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        String topic = null;
        try (Admin admin = Admin.create(props)) {
            var existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            for (Map.Entry<String, Map<String, String>> w : wanted.entrySet()) {
                topic = w.getKey();
                if (existing.contains(topic)) {
                    continue;
                }
                try {
                    admin.createTopics(List.of(new NewTopic(topic, 1, (short) -1).configs(w.getValue())))
                            .all().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e; // created concurrently by another job or a publish command is fine
                    }
                }
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create the topic " + topic + " on "
                    + config.get(JobOptions.KAFKA_BOOTSTRAP) + ": " + e.getCause().getMessage()
                    + ". Create it, or check kafka.bootstrap-servers and the client's permissions.", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka at " + config.get(JobOptions.KAFKA_BOOTSTRAP) + " did not answer "
                    + "within 30 s: check kafka.bootstrap-servers and kafka.properties-file", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking the job's topics", e);
        }
    }

    /** The calendar control topic from its beginning: every event ever published, the latest per id winning. */
    @Override
    public DataStream<CalendarEvent> calendarEvents(StreamExecutionEnvironment env) {
        KafkaSourceBuilder<CalendarEvent> builder = KafkaSource.<CalendarEvent>builder()
                .setBootstrapServers(config.get(JobOptions.KAFKA_BOOTSTRAP))
                .setGroupId(config.get(JobOptions.KAFKA_GROUP_ID) + "-events")
                .setTopics(config.get(JobOptions.TOPIC_EVENTS))
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(new CalendarEventDeserializer())
                .setProperties(kafkaProperties);
        if (config.get(JobOptions.BOUNDED)) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return env.fromSource(builder.build(), WatermarkStrategy.noWatermarks(), "kafka: calendar events")
                .setParallelism(1)
                .uid("source-calendar-events");
    }

    @Override
    public Sink<SpikeDocument> spikes() {
        return elasticsearchSink(new SpikeDocuments(config.get(JobOptions.ES_INDEX_SPIKES)));
    }

    @Override
    public Sink<SpikeDocument> spikeAlerts() {
        return kafkaSink(new SpikeAlertSerializer(config.get(JobOptions.TOPIC_SPIKES)));
    }

    @Override
    public Sink<IndexedPost> posts() {
        return elasticsearchSink(new PostDocuments(config.get(JobOptions.ES_INDEX_POSTS)));
    }

    @Override
    public Sink<EventImpact> eventImpacts() {
        return elasticsearchSink(new EventImpactDocuments(config.get(JobOptions.ES_INDEX_EVENT_IMPACT)));
    }

    @Override
    public Sink<TrendBucket> trendBuckets() {
        return elasticsearchSink(new TrendBucketDocuments(config.get(JobOptions.ES_INDEX_TRENDS)));
    }

    @Override
    public Sink<TaxonomyUpdate> taxonomies() {
        return elasticsearchSink(new TaxonomyDocuments(config.get(JobOptions.ES_INDEX_TAXONOMIES)));
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

    /**
     * The Elasticsearch sink for any document kind, configured from the job's settings: the connection (es.urls,
     * TLS, credentials from the environment), the bulk settings, and the Kafka topic es.dead-letter-topic for
     * documents Elasticsearch rejects for good (empty: such a document fails the job). The mapper decides the
     * index of each document; use {@link TimeBasedIndex#name} for the monthly indices the templates expect.
     */
    public <T> Sink<T> elasticsearchSink(DocumentMapper<T> documents) {
        String topic = config.get(JobOptions.ES_DEAD_LETTER_TOPIC);
        RejectedDocuments.Factory rejected = topic == null || topic.isBlank() ? null
                : KafkaRejectedDocuments.factory(config.get(JobOptions.KAFKA_BOOTSTRAP), topic, kafkaProperties);
        return new ElasticsearchSink<>(elasticsearch(config), documents, bulkSettings(config), rejected);
    }

    @Override
    public Sink<DeadLetter> deadLetters() {
        return kafkaSink(new DeadLetterSerializer(config.get(JobOptions.TOPIC_DEAD_LETTERS)));
    }

    @Override
    public Sink<AttributedEvent> lateEvents() {
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

    /** The extra Kafka client settings of kafka.properties-file (none if unset), for every client the CLI makes. */
    public static Properties kafkaProperties(Configuration config) {
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

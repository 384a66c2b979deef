package io.discoursetrends.job;

import io.discoursetrends.classify.TaxonomyUpdate;
import io.discoursetrends.kafka.EventTimeWatermarks;
import io.discoursetrends.kafka.NormalizingDeserializer;
import io.discoursetrends.model.Platform;
import io.discoursetrends.model.SourceEnvelope;
import io.discoursetrends.spikes.CalendarEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.common.TopicPartition;

/**
 * The trends job run bounded, in Flink's batch execution mode, over history: JSON Lines recordings or a range
 * of offsets of the raw topics, into the same Elasticsearch documents the streaming job writes over the same
 * records (BackfillIT compares the two). It is {@link DiscourseTrendsJob}'s topology with these sources and
 * the production sinks ({@link Connectors}); the control topics (taxonomy, calendar) are read to their end.
 *
 * <p>What batch mode changes, and what is done about it:
 * <ul>
 *   <li>No watermarks: each keyed stage reads its input sorted by key and timestamp, and event-time timers fire
 *       when a key's input ends. So nothing is late: every event is counted in its bucket (a streaming run
 *       sends events later than {@code buckets.allowed-lateness} to the late-events topic instead; over
 *       records in time order per partition, as bridges and replays write them, both agree). The sort is not
 *       stable: {@link EventTimeWatermarks#batchTimestamps} keeps the sightings of a post in observed order.</li>
 *   <li>Processing time does not drive anything useful: early results ({@code buckets.early-results}) are
 *       turned off, so only complete buckets are written, as a streaming run ends up with.</li>
 *   <li>Keyed state lives for one key at a time, and is dropped when the key's input ends: the attribution
 *       stage's expiry queues, which switch keys, are not used ({@code AttributionOperator}). Expiry itself
 *       then does not happen within a key: engagement more than {@code attribution.post-ttl} after its post
 *       is still attributed, and an engagement id seen again after {@code dedup.ttl} is still a duplicate,
 *       where a streaming run would count them otherwise.</li>
 *   <li>No checkpoints: the Elasticsearch and Kafka sinks flush at the end of input; a failed backfill is run
 *       again (the documents' ids are deterministic, so a rerun overwrites).</li>
 *   <li>Side outputs work as in streaming: dead letters go to the dead-letter topic, late events (none) to
 *       the late-events topic, applied taxonomies, posts, spikes and event impact to their indices.</li>
 * </ul>
 */
public final class Backfill {

    /** What to read: recordings per platform, or an offset range [from, to) per raw topic partition. */
    public record Input(Map<Platform, List<Path>> files, Map<TopicPartition, long[]> offsets) {
        public static Input files(Map<Platform, List<Path>> files) {
            if (files.isEmpty()) {
                throw new IllegalArgumentException("name at least one file to backfill from");
            }
            for (List<Path> list : files.values()) {
                for (Path p : list) {
                    if (!Files.isRegularFile(p)) {
                        throw new IllegalArgumentException("cannot read " + p + ": no such file");
                    }
                }
            }
            return new Input(files, null);
        }

        public static Input offsets(Map<TopicPartition, long[]> offsets) {
            if (offsets.isEmpty()) {
                throw new IllegalArgumentException("name at least one TOPIC:PARTITION:FROM-TO range");
            }
            offsets.forEach((tp, r) -> {
                if (r[0] < 0 || r[1] < r[0]) {
                    throw new IllegalArgumentException("offset range " + tp + ":" + r[0] + "-" + r[1]
                            + " is empty or negative: FROM must be >= 0 and TO >= FROM (TO is exclusive)");
                }
            });
            return new Input(null, offsets);
        }
    }

    private Backfill() {}

    /** The settings a backfill runs with: the job's, in batch mode, bounded, without early results. */
    public static Configuration batchConfig(Configuration jobConfig) {
        Configuration config = new Configuration(jobConfig);
        config.set(ExecutionOptions.RUNTIME_MODE, RuntimeExecutionMode.BATCH);
        config.set(JobOptions.BOUNDED, true);
        config.set(JobOptions.EARLY_RESULTS, java.time.Duration.ZERO);
        return config;
    }

    public static JobExecutionResult run(Configuration jobConfig, Input input, String jobName) throws Exception {
        Configuration config = batchConfig(jobConfig);
        if (config.get(JobOptions.ES_INSTALL_TEMPLATES)) {
            TrendsJobRunner.installTemplates(config);
        }
        Connectors connectors = new Connectors(config);
        connectors.ensureTopics();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        DiscourseTrendsJob.build(env, config, new Sources(config, input, connectors), connectors);
        return env.execute(jobName);
    }

    /** The historical records, and the control topics from the production connectors (bounded). */
    static final class Sources implements JobSources {
        private final Configuration config;
        private final Input input;
        private final Connectors control;

        Sources(Configuration config, Input input, Connectors control) {
            this.config = config;
            this.input = input;
            this.control = control;
        }

        @Override
        public DataStream<SourceEnvelope> platformRecords(StreamExecutionEnvironment env) {
            if (input.files() != null) {
                DataStream<SourceEnvelope> all = null;
                for (Map.Entry<Platform, List<Path>> e : input.files().entrySet()) {
                    List<org.apache.flink.core.fs.Path> paths = new ArrayList<>();
                    e.getValue().forEach(p -> paths.add(new org.apache.flink.core.fs.Path(p.toAbsolutePath().toUri())));
                    FileSource<SourceEnvelope> source = FileSource.forRecordStreamFormat(
                            new JsonLinesFormat(e.getKey()), paths.toArray(new org.apache.flink.core.fs.Path[0])).build();
                    DataStream<SourceEnvelope> s = env.fromSource(source, EventTimeWatermarks.batchTimestamps(),
                                    "files: " + e.getKey().id())
                            .uid("source-files-" + e.getKey().id());
                    all = all == null ? s : all.union(s);
                }
                return all;
            }
            Map<String, Platform> topics = Connectors.topics(config);
            Map<TopicPartition, Long> from = new HashMap<>();
            Map<TopicPartition, Long> to = new HashMap<>();
            input.offsets().forEach((tp, r) -> {
                if (!topics.containsKey(tp.topic())) {
                    throw new IllegalArgumentException("topic " + tp.topic() + " is not one of the raw topics "
                            + topics.keySet() + "; set kafka.topic.<platform> to read it");
                }
                from.put(tp, r[0]);
                to.put(tp, r[1]);
            });
            KafkaSource<SourceEnvelope> source = KafkaSource.<SourceEnvelope>builder()
                    .setBootstrapServers(config.get(JobOptions.KAFKA_BOOTSTRAP))
                    .setGroupId(config.get(JobOptions.KAFKA_GROUP_ID) + "-backfill")
                    .setPartitions(new java.util.HashSet<>(input.offsets().keySet()))
                    .setStartingOffsets(OffsetsInitializer.offsets(from))
                    .setBounded(OffsetsInitializer.offsets(to))
                    .setDeserializer(new NormalizingDeserializer(topics))
                    .setProperties(Connectors.kafkaProperties(config))
                    .build();
            return env.fromSource(source, EventTimeWatermarks.batchTimestamps(), "kafka: raw records, offset range")
                    .uid("source-raw-records");
        }

        @Override
        public DataStream<TaxonomyUpdate> taxonomyUpdates(StreamExecutionEnvironment env) {
            return control.taxonomyUpdates(env);
        }

        @Override
        public DataStream<CalendarEvent> calendarEvents(StreamExecutionEnvironment env) {
            return control.calendarEvents(env);
        }
    }

    /** Parses {@code TOPIC:PARTITION:FROM-TO} (TO exclusive), as the CLI takes it. */
    public static Map<TopicPartition, long[]> parseOffsets(List<String> ranges) {
        Map<TopicPartition, long[]> out = new LinkedHashMap<>();
        for (String r : ranges) {
            int dash = r.lastIndexOf('-');
            int second = dash < 0 ? -1 : r.lastIndexOf(':', dash);
            int first = second < 0 ? -1 : r.lastIndexOf(':', second - 1);
            try {
                if (first <= 0) {
                    throw new NumberFormatException();
                }
                TopicPartition tp = new TopicPartition(r.substring(0, first),
                        Integer.parseInt(r.substring(first + 1, second)));
                long[] range = {Long.parseLong(r.substring(second + 1, dash)), Long.parseLong(r.substring(dash + 1))};
                if (out.put(tp, range) != null) {
                    throw new IllegalArgumentException("partition " + tp + " is named twice in --kafka-offsets");
                }
            } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
                throw new IllegalArgumentException("--kafka-offsets '" + r + "': expected TOPIC:PARTITION:FROM-TO, "
                        + "e.g. discourse.raw.bluesky:0:0-150000 (TO exclusive)");
            }
        }
        return out;
    }
}

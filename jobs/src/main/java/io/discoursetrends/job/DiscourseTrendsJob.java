package io.discoursetrends.job;

import io.discoursetrends.buckets.TopicBatch;
import io.discoursetrends.buckets.TopicBatcher;
import io.discoursetrends.buckets.TopicBucketFunction;
import io.discoursetrends.buckets.TopicBucketOperator;
import io.discoursetrends.buckets.TrendBucket;
import io.discoursetrends.classify.ClassifiedEvent;
import io.discoursetrends.classify.ClassifyPosts;
import io.discoursetrends.classify.TaxonomyUpdate;
import io.discoursetrends.engagement.AttributedEvent;
import io.discoursetrends.engagement.AttributionOperator;
import io.discoursetrends.engagement.EngagementAttribution;
import io.discoursetrends.model.CanonicalEvent;
import io.discoursetrends.model.SourceEnvelope;
import io.discoursetrends.spikes.CalendarEvent;
import io.discoursetrends.spikes.DivergenceFunction;
import io.discoursetrends.spikes.SpikeDetectionFunction;
import io.discoursetrends.spikes.SpikeDocument;
import java.util.List;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The trends job, assembled in the order of the picture in the README:
 * raw platform records (normalized in the source) -> dead letters split off -> classify posts into topics
 * (taxonomy from a broadcast control stream) -> dedup and attribute engagement (keyed by post) -> event-time
 * buckets per topic, per platform and for all platforms -> Elasticsearch, with too-late events to the late-data topic -> spike detection
 * per topic x platform over the completed buckets (calendar from a broadcast control stream) -> cross-platform
 * divergence -> Elasticsearch and Kafka; event impact -> Elasticsearch.
 *
 * <p>Sources and sinks are parameters, so the integration tests run this very topology. Every operator has a
 * stable uid: savepoints taken by one release restore into the next.
 */
public final class DiscourseTrendsJob {
    private DiscourseTrendsJob() {}

    public static void build(StreamExecutionEnvironment env, Configuration config, JobSources sources, JobSinks sinks) {
        build(env, config, sources, sinks, TaxonomyLoader.initial(config), CalendarLoader.initial(config));
    }

    public static void build(StreamExecutionEnvironment env, Configuration config, JobSources sources, JobSinks sinks,
            TaxonomyUpdate initialTaxonomy) {
        build(env, config, sources, sinks, initialTaxonomy, CalendarLoader.initial(config));
    }

    public static void build(StreamExecutionEnvironment env, Configuration config, JobSources sources, JobSinks sinks,
            TaxonomyUpdate initialTaxonomy, List<CalendarEvent> initialCalendar) {
        env.setMaxParallelism(config.get(JobOptions.MAX_PARALLELISM));
        // Chained operators hand records over without a defensive copy. Safe here: every record is immutable
        // once emitted, and no function keeps an input to change it later.
        env.getConfig().enableObjectReuse();

        DataStream<SourceEnvelope> records = sources.platformRecords(env);

        SingleOutputStreamOperator<CanonicalEvent> events = records
                .process(new SplitDeadLetters())
                .name("split dead letters").uid("split-dead-letters");
        events.getSideOutput(SplitDeadLetters.DEAD_LETTERS)
                .sinkTo(sinks.deadLetters())
                .name("kafka: dead letters").uid("sink-dead-letters");

        BroadcastStream<TaxonomyUpdate> taxonomies = sources.taxonomyUpdates(env)
                .assignTimestampsAndWatermarks(DiscourseTrendsJob.<TaxonomyUpdate>neverHoldsBackTime())
                .name("control: taxonomy watermarks").uid("taxonomy-watermarks")
                .broadcast(ClassifyPosts.TAXONOMIES);
        // Keyed by post already here (classification needs no key), so that dedup and attribution, keyed the
        // same way, chain to it: one network exchange between the source and the buckets instead of two.
        SingleOutputStreamOperator<ClassifiedEvent> classified = events
                .keyBy(CanonicalEvent::postKey)
                .connect(taxonomies)
                .process(new ClassifyPosts(initialTaxonomy))
                .name("classify topics").uid("classify-topics");
        classified.getSideOutput(ClassifyPosts.APPLIED)
                .sinkTo(sinks.taxonomies())
                .name("elasticsearch: taxonomies").uid("sink-taxonomies");

        SingleOutputStreamOperator<AttributedEvent> attributed = DataStreamUtils
                .reinterpretAsKeyedStream(classified, ClassifiedEvent::postKey, Types.STRING)
                .transform("dedup and attribute engagement", TypeInformation.of(AttributedEvent.class),
                        new AttributionOperator(new EngagementAttribution(config.get(JobOptions.POST_TTL),
                                config.get(JobOptions.DEDUP_TTL), config.get(JobOptions.EXCLUDE_BOTS),
                                config.get(JobOptions.UNMATCHED_SNIPPETS)),
                                config.get(ExecutionOptions.RUNTIME_MODE) == RuntimeExecutionMode.BATCH))
                .uid("attribute-engagement");
        attributed.getSideOutput(EngagementAttribution.POSTS)
                .sinkTo(sinks.posts())
                .name("elasticsearch: matched posts").uid("sink-posts");

        SingleOutputStreamOperator<TrendBucket> buckets = attributed
                .transform("fan out to topics, in batches", TypeInformation.of(TopicBatch.class), new TopicBatcher())
                .uid("fan-out-topics")
                .keyBy(TopicBatch::topic)
                .transform("topic buckets", TypeInformation.of(TrendBucket.class), new TopicBucketOperator(
                        new TopicBucketFunction(config.get(JobOptions.BUCKET_SIZE),
                                config.get(JobOptions.ALLOWED_LATENESS), config.get(JobOptions.EARLY_RESULTS),
                                config.get(JobOptions.MAX_POSTS_PER_AUTHOR)),
                        config.get(ExecutionOptions.RUNTIME_MODE) == RuntimeExecutionMode.BATCH))
                .uid("topic-buckets-per-topic");
        buckets.sinkTo(sinks.trendBuckets())
                .name("elasticsearch: trend buckets").uid("sink-trend-buckets");
        buckets.getSideOutput(TopicBucketFunction.TOO_LATE)
                .sinkTo(sinks.lateEvents())
                .name("kafka: late events").uid("sink-late-events");

        // Spikes: the detector per topic x platform over completed buckets, the calendar as broadcast state.
        BroadcastStream<CalendarEvent> calendar = sources.calendarEvents(env)
                .assignTimestampsAndWatermarks(DiscourseTrendsJob.<CalendarEvent>neverHoldsBackTime())
                .name("control: calendar watermarks").uid("calendar-watermarks")
                .broadcast(SpikeDetectionFunction.CALENDAR);
        SingleOutputStreamOperator<SpikeDocument> detected = buckets
                .filter(b -> b.complete() && !TrendBucket.ALL_TOPICS.equals(b.topic()))
                .name("completed topic buckets").uid("completed-buckets")
                .keyBy(b -> b.topic() + "|" + b.platform())
                .connect(calendar)
                .process(new SpikeDetectionFunction(JobOptions.detectorSettings(config),
                        config.get(JobOptions.BUCKET_SIZE), initialCalendar, config.get(JobOptions.SPIKE_LINK_BEFORE),
                        config.get(JobOptions.SPIKE_LINK_AFTER), config.get(JobOptions.SPIKE_IDLE_TTL)))
                .name("detect spikes").uid("detect-spikes");
        detected.getSideOutput(SpikeDetectionFunction.IMPACTS)
                .sinkTo(sinks.eventImpacts())
                .name("elasticsearch: event impact").uid("sink-event-impact");
        SingleOutputStreamOperator<SpikeDocument> spikes = detected
                .keyBy(SpikeDocument::topic)
                .connect(detected.getSideOutput(SpikeDetectionFunction.PULSES).keyBy(SpikeDetectionFunction.Pulse::topic))
                .process(new DivergenceFunction(config.get(JobOptions.DIVERGENCE_MIN_BASELINE),
                        config.get(JobOptions.BUCKET_SIZE), config.get(JobOptions.BUCKET_SIZE).multipliedBy(10)))
                .name("cross-platform divergence").uid("spike-divergence");
        spikes.sinkTo(sinks.spikes())
                .name("elasticsearch: spikes").uid("sink-spikes");
        spikes.sinkTo(sinks.spikeAlerts())
                .name("kafka: spikes").uid("sink-spike-alerts");
    }

    /** Control streams must not hold back event time: their own watermark is "the end of time". */
    private static <T> WatermarkStrategy<T> neverHoldsBackTime() {
        return WatermarkStrategy.forGenerator(ctx -> new WatermarkGenerator<>() {
            @Override
            public void onEvent(T event, long timestamp, WatermarkOutput output) {}

            @Override
            public void onPeriodicEmit(WatermarkOutput output) {
                output.emitWatermark(new Watermark(Long.MAX_VALUE));
            }
        });
    }
}

package io.discoursetrends.job;

import io.discoursetrends.buckets.PlatformCount;
import io.discoursetrends.buckets.PlatformCountWindow;
import io.discoursetrends.buckets.PlatformCounter;
import io.discoursetrends.model.CanonicalEvent;
import io.discoursetrends.model.SourceEnvelope;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.util.OutputTag;

/**
 * The trends job, assembled in the order of the picture in the README:
 * raw platform records (normalized in the source) -> dead letters split off -> per-platform event-time buckets
 * -> Elasticsearch, with events too late for their bucket sent to the late-data topic.
 *
 * <p>Sources and sinks are parameters, so the integration tests run this very topology. Every operator has a
 * stable uid: savepoints taken by one release restore into the next.
 */
public final class DiscourseTrendsJob {
    static final OutputTag<CanonicalEvent> LATE_EVENTS = new OutputTag<>("late-events") {};

    private DiscourseTrendsJob() {}

    public static void build(StreamExecutionEnvironment env, Configuration config, JobSources sources, JobSinks sinks) {
        env.setMaxParallelism(config.get(JobOptions.MAX_PARALLELISM));

        DataStream<SourceEnvelope> records = sources.platformRecords(env);

        SingleOutputStreamOperator<CanonicalEvent> events = records
                .process(new SplitDeadLetters())
                .name("split dead letters").uid("split-dead-letters");
        events.getSideOutput(SplitDeadLetters.DEAD_LETTERS)
                .sinkTo(sinks.deadLetters())
                .name("kafka: dead letters").uid("sink-dead-letters");

        // Keyed by the platform's wire name, not the enum: an enum's hashCode differs between JVMs, and the
        // key's hash decides which subtask (and which savepoint key group) owns it.
        SingleOutputStreamOperator<PlatformCount> counts = events
                .keyBy(e -> e.platform().id())
                .window(TumblingEventTimeWindows.of(config.get(JobOptions.BUCKET_SIZE)))
                .sideOutputLateData(LATE_EVENTS)
                .aggregate(new PlatformCounter(), new PlatformCountWindow())
                .name("platform buckets").uid("platform-buckets");
        counts.sinkTo(sinks.platformCounts())
                .name("elasticsearch: platform counts").uid("sink-platform-counts");
        counts.getSideOutput(LATE_EVENTS)
                .sinkTo(sinks.lateEvents())
                .name("kafka: late events").uid("sink-late-events");
    }
}

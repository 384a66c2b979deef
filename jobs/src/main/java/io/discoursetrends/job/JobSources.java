package io.discoursetrends.job;

import io.discoursetrends.model.SourceEnvelope;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** The job's input seam: normalized records with event-time timestamps and watermarks already assigned. */
public interface JobSources {
    DataStream<SourceEnvelope> platformRecords(StreamExecutionEnvironment env);
}

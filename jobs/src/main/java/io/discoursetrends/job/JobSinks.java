package io.discoursetrends.job;

import io.discoursetrends.buckets.PlatformCount;
import io.discoursetrends.model.CanonicalEvent;
import io.discoursetrends.model.DeadLetter;
import org.apache.flink.api.connector.sink2.Sink;

/** The job's output seam: production wires Elasticsearch and Kafka, tests plug in collecting sinks. */
public interface JobSinks {
    Sink<PlatformCount> platformCounts();

    Sink<DeadLetter> deadLetters();

    Sink<CanonicalEvent> lateEvents();
}

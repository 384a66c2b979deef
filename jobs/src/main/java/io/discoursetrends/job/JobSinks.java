package io.discoursetrends.job;

import io.discoursetrends.buckets.TrendBucket;
import io.discoursetrends.classify.TaxonomyUpdate;
import io.discoursetrends.engagement.AttributedEvent;
import io.discoursetrends.engagement.IndexedPost;
import io.discoursetrends.model.DeadLetter;
import io.discoursetrends.spikes.EventImpact;
import io.discoursetrends.spikes.SpikeDocument;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/** The job's output seam: production wires Elasticsearch and Kafka, tests plug in collecting sinks. */
public interface JobSinks {
    Sink<TrendBucket> trendBuckets();

    Sink<TaxonomyUpdate> taxonomies();

    /** Spike documents; a wiring that does not look at spikes (a benchmark, a topology test) discards them. */
    default Sink<SpikeDocument> spikes() {
        return new DiscardingSink<>();
    }

    /** Spike documents again, for alerting consumers (Kafka). */
    default Sink<SpikeDocument> spikeAlerts() {
        return new DiscardingSink<>();
    }

    /** Matched posts for drill-down. */
    default Sink<IndexedPost> posts() {
        return new DiscardingSink<>();
    }

    default Sink<EventImpact> eventImpacts() {
        return new DiscardingSink<>();
    }

    Sink<DeadLetter> deadLetters();

    Sink<AttributedEvent> lateEvents();
}

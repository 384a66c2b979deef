package io.discoursetrends.elasticsearch;

import io.discoursetrends.spikes.SpikeDocument;
import java.time.Instant;

/**
 * The {@code discourse-spikes} document of a {@link SpikeDocument} (schemas/json/spike.schema.json), in the
 * monthly index of the spike's start: every rewrite of a spike lands on the same document. The same JSON goes
 * to the spikes Kafka topic for alerting.
 */
public final class SpikeDocuments implements DocumentMapper<SpikeDocument> {
    private static final long serialVersionUID = 1L;

    private final String base;

    public SpikeDocuments(String base) {
        this.base = base;
    }

    @Override
    public String index(SpikeDocument s) {
        return TimeBasedIndex.name(base, s.startedAtMillis());
    }

    @Override
    public String id(SpikeDocument s) {
        return s.spikeId();
    }

    @Override
    public byte[] source(SpikeDocument s) {
        return toJson(s);
    }

    public static byte[] toJson(SpikeDocument s) {
        return DocumentJson.object(1024, g -> {
            g.writeStringField("kind", "spike");
            g.writeStringField("spike_id", s.spikeId());
            g.writeStringField("topic", s.topic());
            g.writeStringField("platform", s.platform());
            g.writeStringField("status", s.open() ? "open" : "closed");
            g.writeStringField("metric", SpikeDocument.METRIC);
            g.writeStringField("started_at", Instant.ofEpochMilli(s.startedAtMillis()).toString());
            g.writeStringField("updated_at", Instant.ofEpochMilli(s.updatedAtMillis()).toString());
            g.writeStringField("peak_at", Instant.ofEpochMilli(s.peakAtMillis()).toString());
            if (!s.open()) {
                g.writeStringField("ended_at", Instant.ofEpochMilli(s.endedAtMillis()).toString());
            }
            g.writeNumberField("peak_value", s.peakValue());
            g.writeNumberField("baseline", round(s.baseline()));
            g.writeNumberField("ratio", round(s.ratio()));
            g.writeNumberField("score", round(s.score()));
            g.writeStringField("severity", s.severity());
            g.writeNumberField("posts", s.posts());
            g.writeNumberField("engagement", s.engagement());
            g.writeNumberField("unique_authors", s.uniqueAuthors());
            DocumentJson.topPosts(g, "top_posts", s.topPosts());
            g.writeArrayFieldStart("distinctive_terms");
            for (SpikeDocument.Term t : s.distinctiveTerms()) {
                g.writeStartObject();
                g.writeStringField("term", t.term());
                g.writeNumberField("count", t.count());
                g.writeNumberField("z", t.z());
                g.writeEndObject();
            }
            g.writeEndArray();
            if (s.event() != null) {
                g.writeObjectFieldStart("event");
                g.writeStringField("id", s.event().id());
                g.writeStringField("name", s.event().name());
                g.writeStringField("time", Instant.ofEpochMilli(s.event().timeMillis()).toString());
                if (s.event().url() != null) {
                    g.writeStringField("url", s.event().url());
                }
                g.writeEndObject();
            }
            g.writeArrayFieldStart("quiet_platforms");
            for (String p : s.quietPlatforms()) {
                g.writeString(p);
            }
            g.writeEndArray();
        });
    }

    /** Two decimals: enough to read, and stable across JVMs for documents compared in tests. */
    static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}

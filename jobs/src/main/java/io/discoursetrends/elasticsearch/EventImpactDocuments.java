package io.discoursetrends.elasticsearch;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.discoursetrends.spikes.EventImpact;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * The {@code discourse-event-impact} document of an {@link EventImpact} (schemas/json/event-impact.schema.json),
 * in the monthly index of the event's time, id {@code event_id|topic|platform}: one per topic of the event.
 */
public final class EventImpactDocuments implements DocumentMapper<EventImpact> {
    private static final long serialVersionUID = 1L;
    private static final JsonFactory JSON = new JsonFactory();

    private final String base;

    public EventImpactDocuments(String base) {
        this.base = base;
    }

    @Override
    public String index(EventImpact i) {
        return TimeBasedIndex.name(base, i.event().timeMillis());
    }

    @Override
    public String id(EventImpact i) {
        return i.documentId();
    }

    @Override
    public byte[] source(EventImpact i) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
        try (JsonGenerator g = JSON.createGenerator(bytes)) {
            g.writeStartObject();
            g.writeStringField("kind", "event_impact");
            g.writeStringField("event_id", i.event().id());
            g.writeStringField("event_name", i.event().name());
            g.writeStringField("event_time", Instant.ofEpochMilli(i.event().timeMillis()).toString());
            if (i.event().url() != null) {
                g.writeStringField("event_url", i.event().url());
            }
            g.writeArrayFieldStart("topics");
            for (String t : i.event().topics()) {
                g.writeString(t);
            }
            g.writeEndArray();
            g.writeStringField("topic", i.topic());
            g.writeStringField("platform", i.platform());
            g.writeBooleanField("complete", i.complete());
            g.writeNumberField("baseline_posts_per_bucket", SpikeDocuments.round(i.baselinePosts()));
            g.writeNumberField("baseline_engagement_per_bucket", SpikeDocuments.round(i.baselineEngagement()));
            g.writeNumberField("peak_posts", i.peakPosts());
            if (i.peakAtMillis() >= 0) {
                g.writeStringField("peak_at", Instant.ofEpochMilli(i.peakAtMillis()).toString());
                g.writeNumberField("time_to_peak_minutes", i.timeToPeakMinutes());
            }
            g.writeNumberField("peak_lift", SpikeDocuments.round(i.peakLift()));
            g.writeNumberField("excess_posts", SpikeDocuments.round(i.excessPosts()));
            g.writeNumberField("excess_engagement", SpikeDocuments.round(i.excessEngagement()));
            if (!Double.isNaN(i.halfLifeMinutes())) {
                g.writeNumberField("half_life_minutes", i.halfLifeMinutes());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}

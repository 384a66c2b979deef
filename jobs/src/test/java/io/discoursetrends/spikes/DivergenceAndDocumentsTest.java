package io.discoursetrends.spikes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.discoursetrends.buckets.TrendBucket;
import io.discoursetrends.elasticsearch.DocumentSchemaTest;
import io.discoursetrends.elasticsearch.EventImpactDocuments;
import io.discoursetrends.elasticsearch.SpikeDocuments;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** Cross-platform divergence, the calendar file, and the spike and event-impact documents. */
class DivergenceAndDocumentsTest {
    static final long T0 = SpikeDetectionFunctionTest.T0;
    static final long MIN = 60_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shouldNameThePlatformsWithVolumeThatStayedQuietThroughoutASpikeElsewhere() throws Exception {
        var h = new KeyedTwoInputStreamOperatorTestHarness<>(new KeyedCoProcessOperator<>(
                new DivergenceFunction(1.0, Duration.ofMinutes(1), Duration.ofMinutes(10))), SpikeDocument::topic,
                SpikeDetectionFunction.Pulse::topic, Types.STRING);
        h.open();
        String t = "open-weight-models";
        // The spike on reddit runs from T0 to T0 + 2 min. Meanwhile:
        for (int m = 0; m <= 2; m++) {
            long at = T0 + m * MIN;
            h.processElement2(pulse(t, "bluesky", at, 5.5, false), at);      // steady volume, no spike: quiet
            h.processElement2(pulse(t, "mastodon", at, 0.2, false), at);     // hardly any volume: not quiet
            h.processElement2(pulse(t, "hackernews", at, 6, m == 0), at);    // spiked at the start: not quiet
            h.processElement2(pulse(t, "all", at, 20, true), at);            // not a platform
        }
        h.processElement1(spike(t, "reddit", T0, T0 + 2 * MIN), T0);
        h.processElement1(spike(t, "all", T0, T0 + 2 * MIN), T0);
        assertThat(h.extractOutputValues()).extracting(SpikeDocument::platform).containsExactly("all");

        // A pulse for a later bucket arriving first must not change the answer for this one.
        h.processElement2(pulse(t, "bluesky", T0 + 5 * MIN, 5.5, true), T0);
        h.processBothWatermarks(new Watermark(T0 + 3 * MIN - 1));
        List<SpikeDocument> out = h.extractOutputValues();
        assertThat(out).hasSize(2);
        assertThat(out.get(1).platform()).isEqualTo("reddit");
        assertThat(out.get(1).quietPlatforms()).containsExactly("bluesky");

        h.processBothWatermarks(new Watermark(T0 + Duration.ofDays(2).toMillis()));
        assertThat(h.numKeyedStateEntries()).isZero();
        assertThat(h.numEventTimeTimers()).isZero();
        h.close();
    }

    static SpikeDetectionFunction.Pulse pulse(String topic, String platform, long at, double baseline,
            boolean spiking) {
        return new SpikeDetectionFunction.Pulse(topic, platform, at, spiking ? baseline * 5 : baseline, baseline,
                spiking ? 9 : 0.3, spiking);
    }

    @Test
    void shouldWriteSpikeAndEventImpactDocumentsThatMatchTheirSchemas() throws Exception {
        CalendarEvent ev = new CalendarEvent("qwen", "Qwen released", T0, new String[] {"open-weight-models"},
                "https://example.org");
        SpikeDocument open = spike("open-weight-models", "reddit");
        SpikeDocument closed = new SpikeDocument("open-weight-models", "reddit", false, T0, T0 + 5 * MIN, T0 + MIN,
                T0 + 6 * MIN, 60, 5.123, 11.7, 14.2, "medium", 300, 900, 58,
                new TrendBucket.TopPost[] {new TrendBucket.TopPost("p", null, "text", 12)},
                new SpikeDocument.Term[] {new SpikeDocument.Term("qwen", 40, 6.1)}, ev, new String[] {"bluesky"});
        for (SpikeDocument s : List.of(open, closed)) {
            JsonNode d = JSON.readTree(new SpikeDocuments("discourse-spikes").source(s));
            assertThat(DocumentSchemaTest.schema("spike").validate(d)).as(d.toString()).isEmpty();
        }
        JsonNode c = JSON.readTree(SpikeDocuments.toJson(closed));
        assertThat(c.get("spike_id").asText()).isEqualTo("open-weight-models|reddit|2026-05-25T00:00:00Z");
        assertThat(c.get("baseline").asDouble()).isEqualTo(5.12);
        assertThat(c.at("/event/id").asText()).isEqualTo("qwen");

        EventImpact impact = new EventImpact(ev, "open-weight-models", "reddit", false, 5, 10, 60, T0 + 30 * MIN,
                800, 1200, Double.NaN);
        EventImpactDocuments docs = new EventImpactDocuments("discourse-event-impact");
        JsonNode i = JSON.readTree(docs.source(impact));
        assertThat(DocumentSchemaTest.schema("event-impact").validate(i)).as(i.toString()).isEmpty();
        assertThat(i.get("peak_lift").asDouble()).isEqualTo(12.0);
        assertThat(i.get("time_to_peak_minutes").asDouble()).isEqualTo(30.0);
        assertThat(i.has("half_life_minutes")).isFalse();
        assertThat(i.get("topic").asText()).isEqualTo("open-weight-models");
        assertThat(docs.id(impact)).isEqualTo("qwen|open-weight-models|reddit");
        assertThat(docs.index(impact)).isEqualTo("discourse-event-impact-2026.05");
    }

    @Test
    void shouldReadACalendarFileAndSayWhatIsWrongWithABrokenOne() {
        List<CalendarEvent> events = EventCalendar.parse("""
                events:
                  - id: qwen3-release
                    name: Qwen3 released
                    time: 2025-04-29T00:00:00Z
                    topics: [open-weight-models, ai-law-policy]
                    url: https://qwenlm.github.io/blog/qwen3/
                """, "calendar.yaml");
        assertThat(events).hasSize(1);
        assertThat(events.get(0).primaryTopic()).isEqualTo("open-weight-models");
        assertThat(EventCalendar.fromJson(EventCalendar.toJson(events.get(0)))).isEqualTo(events.get(0));

        assertThatThrownBy(() -> EventCalendar.parse("""
                events:
                  - id: a
                    name: A
                    time: yesterday
                    topics: [x]
                  - id: b
                    name: B
                    time: 2025-04-29T00:00:00Z
                    topic: [x]
                """, "calendar.yaml"))
                .hasMessageContaining("calendar.yaml")
                .hasMessageContaining("event 1: event 'a': time 'yesterday' is not an ISO-8601 instant")
                .hasMessageContaining("event 2: unknown key 'topic'");
    }

    static SpikeDocument spike(String topic, String platform) {
        return spike(topic, platform, T0, T0);
    }

    static SpikeDocument spike(String topic, String platform, long startedAt, long updatedAt) {
        return new SpikeDocument(topic, platform, true, startedAt, updatedAt, startedAt, -1, 40, 5, 8, 12, "medium",
                40, 80, 30, new TrendBucket.TopPost[0], new SpikeDocument.Term[0], null, new String[0]);
    }
}

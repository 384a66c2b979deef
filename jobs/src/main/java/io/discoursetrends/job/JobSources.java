package io.discoursetrends.job;

import io.discoursetrends.classify.TaxonomyUpdate;
import io.discoursetrends.model.SourceEnvelope;
import io.discoursetrends.spikes.CalendarEvent;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** The job's input seam: normalized records with event-time timestamps and watermarks already assigned. */
public interface JobSources {
    DataStream<SourceEnvelope> platformRecords(StreamExecutionEnvironment env);

    /** Taxonomy updates from the control topic; their watermarks are ignored (they never hold back time). */
    DataStream<TaxonomyUpdate> taxonomyUpdates(StreamExecutionEnvironment env);

    /**
     * Calendar events from the control topic; like taxonomy updates, they never hold back time. By default none
     * (a wiring that only has the configured calendar, or none).
     */
    default DataStream<CalendarEvent> calendarEvents(StreamExecutionEnvironment env) {
        // An empty fromData fails in Flink 2.2: one placeholder, filtered out.
        return env.fromData(new CalendarEvent("none", "none", 0, new String[] {"none"}, null)).filter(e -> false)
                .name("no calendar events");
    }
}

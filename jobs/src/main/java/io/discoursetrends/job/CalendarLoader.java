package io.discoursetrends.job;

import io.discoursetrends.spikes.CalendarEvent;
import io.discoursetrends.spikes.EventCalendar;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.configuration.Configuration;

/**
 * The events calendar a job starts with ({@code events.file}, else none), read and validated where the job is
 * built so a broken file stops the submission with its problems.
 */
public final class CalendarLoader {
    private CalendarLoader() {}

    public static List<CalendarEvent> initial(Configuration config) {
        String file = config.get(JobOptions.EVENTS_FILE);
        if (file == null) {
            return List.of();
        }
        String yaml;
        try {
            yaml = Files.readString(Path.of(file));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read events.file " + file + ": " + e.getMessage(), e);
        }
        return EventCalendar.parse(yaml, "events.file " + file);
    }
}

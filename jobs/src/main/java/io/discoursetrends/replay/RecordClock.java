package io.discoursetrends.replay;

import java.time.Instant;

/**
 * When a recorded record was observed, as far as a JSON Lines recording tells: a recording holds raw records in
 * the order a bridge received them and no time of its own, so a record counts as observed at the latest event
 * time seen so far in its file (a later sighting of an old post, with higher counters, is observed when the
 * records around it were). Replay uses it for the pace and the Kafka timestamp, the file backfill for the
 * observation time, so both see a recording the same way. {@link Instant#MIN} until a record with an event
 * time has been read.
 */
public final class RecordClock {
    private Instant now = Instant.MIN;

    /** Advances past {@code eventTime} (a record's, {@link Instant#MIN} if it has none) and returns the time. */
    public Instant observe(Instant eventTime) {
        if (eventTime.isAfter(now)) {
            now = eventTime;
        }
        return now;
    }

    public Instant now() {
        return now;
    }
}

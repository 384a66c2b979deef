package io.discoursetrends.elasticsearch;

import java.io.Serializable;
import java.time.Duration;

/**
 * When the sink sends a bulk request (whichever limit is reached first) and how long it keeps retrying a
 * cluster that is unavailable or overloaded before failing the job (whose restart strategy then takes over).
 */
public record BulkSettings(int maxActions, long maxBytes, Duration flushInterval,
                           Duration initialBackoff, Duration maxBackoff, Duration maxRetryTime) implements Serializable {

    public static final BulkSettings DEFAULTS = new BulkSettings(1_000, 5L << 20, Duration.ofSeconds(1),
            Duration.ofMillis(100), Duration.ofSeconds(10), Duration.ofMinutes(10));

    public BulkSettings {
        if (maxActions < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("bulk limits must be positive: maxActions=" + maxActions
                    + " maxBytes=" + maxBytes);
        }
    }
}

package io.discoursetrends.ingest;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Capped exponential backoff with full jitter (a delay drawn uniformly from [base, min(cap, base * 2^n)]), so a
 * fleet of bridges that lost the same server does not reconnect in lock-step. A server's own word (Retry-After,
 * a rate-limit reset) is honoured as a floor: the bridge never calls back earlier than it was told to.
 */
public final class Backoff {

    private final Duration initial;
    private final Duration max;
    private int failures;

    public Backoff(Duration initial, Duration max) {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < initial <= max, got " + initial + " and " + max);
        }
        this.initial = initial;
        this.max = max;
    }

    /** The delay before the next attempt after one more failure. */
    public Duration next() {
        long ceiling = initial.toMillis() << Math.min(failures, 30);
        ceiling = Math.min(ceiling <= 0 ? Long.MAX_VALUE : ceiling, max.toMillis());
        failures++;
        long floor = Math.min(initial.toMillis(), ceiling);
        return Duration.ofMillis(floor + ThreadLocalRandom.current().nextLong(ceiling - floor + 1));
    }

    /** The delay after one more failure, but at least what the server asked for (null: nothing asked). */
    public Duration next(Duration serverAsked) {
        Duration d = next();
        return serverAsked != null && serverAsked.compareTo(d) > 0 ? serverAsked : d;
    }

    /** After a success: the next failure waits the initial delay again. */
    public void reset() {
        failures = 0;
    }

    public int failures() {
        return failures;
    }
}

package io.discoursetrends.ingest;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * A server's request budget as its {@code X-RateLimit-Remaining} and {@code X-RateLimit-Reset} headers state it
 * (Reddit and Mastodon both send them; header names are case-insensitive): once fewer than one request remains,
 * no request goes out before the reset. The reset is read in either form the platforms use: seconds from now
 * (Reddit, possibly fractional) or an ISO-8601 instant (Mastodon). An unreadable header is ignored; a 429 would
 * still be honoured.
 */
public final class RateLimitBudget {

    public static final String REMAINING = "X-RateLimit-Remaining";
    public static final String RESET = "X-RateLimit-Reset";

    private volatile long notBeforeNanos = System.nanoTime();

    /** Takes in one answer's headers (either may be null: then nothing changes). */
    public void read(String remaining, String reset, Instant now) {
        if (remaining == null || reset == null) {
            return;
        }
        try {
            if (Double.parseDouble(remaining.strip()) >= 1) {
                return;
            }
        } catch (NumberFormatException unreadable) {
            return;
        }
        Duration wait = untilReset(reset, now);
        if (wait != null) {
            notBeforeNanos = System.nanoTime() + wait.toNanos();
        }
    }

    /** How long until {@code reset}: seconds from now, or an instant; null when it is neither. */
    static Duration untilReset(String reset, Instant now) {
        String v = reset.strip();
        try {
            double seconds = Double.parseDouble(v);
            return seconds <= 0 || Double.isNaN(seconds) ? Duration.ZERO : Duration.ofMillis((long) (seconds * 1000));
        } catch (NumberFormatException notSeconds) {
            try {
                Duration d = Duration.between(now, Instant.parse(v));
                return d.isNegative() ? Duration.ZERO : d;
            } catch (DateTimeParseException notAnInstant) {
                return null;
            }
        }
    }

    /** How long the next request must still wait (zero when the budget allows it now). */
    public Duration remaining() {
        long w = notBeforeNanos - System.nanoTime();
        return w > 0 ? Duration.ofNanos(w) : Duration.ZERO;
    }

    /**
     * Waits until the budget allows a request, counted as rate-limited and logged, or less if the bridge stops;
     * returns false when stopping.
     */
    public boolean await(BridgeContext context, String server) throws InterruptedException {
        Duration w = remaining();
        if (w.isZero()) {
            return !context.stopping();
        }
        context.metrics().rateLimited.incrementAndGet();
        context.log(server + ": rate-limit budget used up (" + REMAINING + " < 1); waiting " + w.toMillis()
                + " ms for the reset");
        return context.sleep(w);
    }
}

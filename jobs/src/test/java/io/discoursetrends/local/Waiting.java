package io.discoursetrends.local;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waiting for a condition in an integration test: polled once a second, since each check asks a real server. */
public final class Waiting {
    private Waiting() {}

    /** Waits until {@code condition} holds, or fails naming {@code what} after {@code timeout}. */
    public static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        if (!poll(timeout, condition)) {
            throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
        }
    }

    /** Whether {@code condition} came to hold within {@code timeout}. */
    public static boolean poll(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(1_000);
        }
        return true;
    }
}

package io.discoursetrends.ingest;

/**
 * A long-running reader of one platform's public stream. The runner restores its cursor, calls {@link #run}
 * until the process is asked to stop, and commits its final cursor; the bridge commits in between through
 * {@link BridgeContext#commitIfDue()}, only at points where {@link #cursor()} describes exactly what it has sent.
 */
public interface Bridge {

    /** One line naming what it reads, for the start message (never a credential). */
    String describe();

    /** The state committed by the previous run, or null on the first start. */
    void restore(byte[] cursor);

    /** Reads and sends until {@link BridgeContext#stopping()}; errors it can outlive are retried inside. */
    void run(BridgeContext context) throws InterruptedException;

    /** The state after everything sent so far (what a restart resumes from), as bytes for the cursor topic. */
    byte[] cursor();

    /** The same, short, for the progress line. */
    String cursorText();
}

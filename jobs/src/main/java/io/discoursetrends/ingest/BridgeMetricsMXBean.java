package io.discoursetrends.ingest;

/** What a bridge exposes over JMX ({@code io.discoursetrends:type=IngestBridge,name=<bridge id>}). */
public interface BridgeMetricsMXBean {
    /** Records (frames, items, things) read from the platform, duplicates and malformed ones included. */
    long getReceived();

    /** Records committed to Kafka. */
    long getSent();

    /** Records dropped because they were already sent (replays after a reconnect or a restart). */
    long getDuplicates();

    /** Records that are not what the platform documents; forwarded raw so that the job dead-letters them. */
    long getMalformed();

    /** Connections or polls that failed and were tried again. */
    long getReconnects();

    /** Times the platform said to slow down (HTTP 429, or a rate-limit budget used up). */
    long getRateLimited();

    /** Kafka transactions committed (each with the cursor). */
    long getCommits();

    /** Requests made to the platform (HTTP bridges). */
    long getRequests();

    /** The cursor last committed, as text (a time or an id). */
    String getCursor();
}

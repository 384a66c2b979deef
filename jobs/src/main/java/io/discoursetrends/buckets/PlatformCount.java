package io.discoursetrends.buckets;

import io.discoursetrends.model.Platform;

/**
 * Posts and engagement on one platform in one event-time bucket
 * (schemas/json/platform-count.schema.json; index {@code discourse-platform-counts}). The document id is
 * {@code platform|bucket start}, so a rerun over the same input overwrites instead of duplicating.
 */
public record PlatformCount(
        Platform platform,
        long bucketStartMillis,
        long bucketEndMillis,
        long posts,
        long replies,
        long quotes,
        long likes,
        long reposts,
        long votes) {

    /** Every engagement event, whatever its type; for platforms with counters, deltas come in a later stage. */
    public long engagement() {
        return replies + quotes + likes + reposts + votes;
    }

    public String documentId() {
        return platform.id() + "|" + java.time.Instant.ofEpochMilli(bucketStartMillis);
    }
}

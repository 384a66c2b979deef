package io.discoursetrends.ingest;

import io.discoursetrends.model.Platform;

/**
 * The topics the bridges write: the job's defaults (JobOptions kafka.topic.*, repeated here because the bridges run
 * from the plain jar, without Flink's classes; a test holds the two equal), and the compacted topic of cursors.
 */
public final class IngestTopics {
    private IngestTopics() {}

    /** Where every bridge keeps its cursor, keyed by bridge id, written in the same transaction as the records. */
    public static final String CURSORS = "discourse.ingest.cursors";

    public static String rawTopic(Platform platform) {
        return "discourse.raw." + platform.id();
    }
}

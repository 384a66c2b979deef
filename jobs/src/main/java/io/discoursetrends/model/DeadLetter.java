package io.discoursetrends.model;

/**
 * A raw record the job could not use, with where it came from and why
 * (schemas/json/dead-letter.schema.json). {@code raw} is the record's exact bytes, so an operator can
 * replay it once the cause is fixed, or feed it to {@code discourse-trends normalize} to see the reason again.
 */
public record DeadLetter(
        Platform platform,
        String sourceTopic,
        int sourcePartition,
        long sourceOffset,
        long sourceTimestamp,
        String reason,
        byte[] raw) {}

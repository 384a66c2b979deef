package io.discoursetrends.elasticsearch;

import java.time.Instant;

/**
 * A document Elasticsearch refused for good, with what it said about it: the concrete index and id it was written
 * under, the exact bytes sent, the item's HTTP status, and Elasticsearch's error type and reason.
 */
public record RejectedDocument(String index, String id, byte[] document, int status, String errorType,
                               String reason, Instant rejectedAt) {}

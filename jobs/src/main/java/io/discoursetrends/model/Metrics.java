package io.discoursetrends.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A post's counters as the platform reported them at the time of the record. A counter the platform does
 * not give is null (and absent in JSON), never 0: Bluesky gives none, Hacker News comments give no score.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Metrics(Long likes, Long reposts, Long replies, Long quotes, Long score) {
    public static final Metrics NONE = new Metrics(null, null, null, null, null);

    // Not a JSON property: without this Jackson writes "empty":true into every metrics object.
    @JsonIgnore
    public boolean isEmpty() {
        return likes == null && reposts == null && replies == null && quotes == null && score == null;
    }
}

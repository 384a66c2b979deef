package io.discoursetrends.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Instant;
import java.util.Locale;

/**
 * The canonical engagement event (schemas/json/engagement.schema.json): someone liked, reposted, replied to,
 * quoted or voted on {@code subjectId}. {@code id} identifies the engagement itself (Bluesky: the like or
 * repost record's at:// URI; a reply or quote: the replying post's id) so replays can be deduplicated.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"kind", "platform", "type", "id", "subject_id", "actor_id", "created_at", "delta"})
public record Engagement(
        Platform platform,
        Type type,
        String id,
        @JsonProperty("subject_id") String subjectId,
        @JsonProperty("actor_id") String actorId,
        @JsonProperty("created_at") Instant createdAt,
        long delta) {

    public static final String KIND = "engagement";

    @JsonProperty("kind")
    public String kind() {
        return KIND;
    }

    public enum Type {
        LIKE,
        REPOST,
        REPLY,
        QUOTE,
        VOTE;

        @JsonValue
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        public static Type of(String id) {
            return valueOf(id.toUpperCase(Locale.ROOT));
        }
    }
}

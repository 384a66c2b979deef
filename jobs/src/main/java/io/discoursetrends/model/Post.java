package io.discoursetrends.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * The canonical post (schemas/json/post.schema.json). Field names in JSON are the contract; see the schema
 * for what each platform puts in each field. {@code hashtags} is an array, not a List, so Flink serializes
 * the record natively instead of falling back to Kryo.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"kind", "platform", "id", "url", "author_id", "author_handle", "author_bot", "community",
        "text", "lang", "created_at", "reply_to", "quote_of", "hashtags", "metrics"})
public record Post(
        Platform platform,
        String id,
        String url,
        @JsonProperty("author_id") String authorId,
        @JsonProperty("author_handle") String authorHandle,
        @JsonProperty("author_bot") Boolean authorBot,
        String community,
        String text,
        String lang,
        @JsonProperty("created_at") Instant createdAt,
        @JsonProperty("reply_to") String replyTo,
        @JsonProperty("quote_of") String quoteOf,
        String[] hashtags,
        Metrics metrics) {

    public static final String KIND = "post";

    @JsonProperty("kind")
    public String kind() {
        return KIND;
    }

    // Records compare arrays by reference; posts are compared by value in tests and dedup.
    @Override
    public boolean equals(Object o) {
        return o instanceof Post p
                && platform == p.platform
                && Objects.equals(id, p.id)
                && Objects.equals(url, p.url)
                && Objects.equals(authorId, p.authorId)
                && Objects.equals(authorHandle, p.authorHandle)
                && Objects.equals(authorBot, p.authorBot)
                && Objects.equals(community, p.community)
                && Objects.equals(text, p.text)
                && Objects.equals(lang, p.lang)
                && Objects.equals(createdAt, p.createdAt)
                && Objects.equals(replyTo, p.replyTo)
                && Objects.equals(quoteOf, p.quoteOf)
                && Arrays.equals(hashtags, p.hashtags)
                && Objects.equals(metrics, p.metrics);
    }

    @Override
    public int hashCode() {
        return Objects.hash(platform, id, createdAt) * 31 + Arrays.hashCode(hashtags);
    }

    @Override
    public String toString() {
        return "Post[" + platform.id() + " " + id + " at " + createdAt + "]";
    }
}

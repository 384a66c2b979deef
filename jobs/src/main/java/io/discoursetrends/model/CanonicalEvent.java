package io.discoursetrends.model;

import java.time.Instant;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * One normalized event: exactly one of {@code post} and {@code engagement} is set. A record of two nullable
 * records (rather than a sealed interface); Flink sends it with {@link CanonicalEventSerializer}.
 *
 * <p>{@code observedAt} is when the ingest bridge saw the record (the Kafka record's timestamp), null when
 * unknown. It matters for the counter platforms: a second snapshot of a Mastodon, Reddit or Hacker News post
 * carries the post's creation time, but the engagement it reveals happened by the time it was observed.
 */
@TypeInfo(CanonicalEventSerializer.TypeInfoFactory.class)
public record CanonicalEvent(Post post, Engagement engagement, Instant observedAt) {

    public CanonicalEvent {
        if ((post == null) == (engagement == null)) {
            throw new IllegalArgumentException("a canonical event holds exactly one of post and engagement");
        }
    }

    public static CanonicalEvent of(Post post) {
        return new CanonicalEvent(post, null, null);
    }

    public static CanonicalEvent of(Engagement engagement) {
        return new CanonicalEvent(null, engagement, null);
    }

    /** This event as observed at {@code epochMillis}; a negative time (Kafka's "none") leaves it unknown. */
    public CanonicalEvent observedAt(long epochMillis) {
        return epochMillis < 0 ? this : new CanonicalEvent(post, engagement, Instant.ofEpochMilli(epochMillis));
    }

    public boolean isPost() {
        return post != null;
    }

    public Platform platform() {
        return post != null ? post.platform() : engagement.platform();
    }

    /**
     * The key of the post this event concerns: the post itself, or the post an engagement touches. Classification,
     * dedup and attribution are keyed by it, so a post and its engagement meet in one key.
     */
    public String postKey() {
        return post != null
                ? post.platform().id() + "|" + post.id()
                : engagement.platform().id() + "|" + engagement.subjectId();
    }

    public Instant createdAt() {
        return post != null ? post.createdAt() : engagement.createdAt();
    }

    /** The JSON form (the value of {@code kind}, and of Jackson serialization of the inner record). */
    public Object payload() {
        return post != null ? post : engagement;
    }
}

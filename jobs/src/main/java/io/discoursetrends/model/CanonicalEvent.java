package io.discoursetrends.model;

import java.time.Instant;

/**
 * One normalized event: exactly one of {@code post} and {@code engagement} is set. A record of two nullable
 * records (rather than a sealed interface) so Flink's POJO serializer handles it without Kryo.
 */
public record CanonicalEvent(Post post, Engagement engagement) {

    public CanonicalEvent {
        if ((post == null) == (engagement == null)) {
            throw new IllegalArgumentException("a canonical event holds exactly one of post and engagement");
        }
    }

    public static CanonicalEvent of(Post post) {
        return new CanonicalEvent(post, null);
    }

    public static CanonicalEvent of(Engagement engagement) {
        return new CanonicalEvent(null, engagement);
    }

    public boolean isPost() {
        return post != null;
    }

    public Platform platform() {
        return post != null ? post.platform() : engagement.platform();
    }

    public Instant createdAt() {
        return post != null ? post.createdAt() : engagement.createdAt();
    }

    /** The JSON form (the value of {@code kind}, and of Jackson serialization of the inner record). */
    public Object payload() {
        return post != null ? post : engagement;
    }
}

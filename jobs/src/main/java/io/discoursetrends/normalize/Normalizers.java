package io.discoursetrends.normalize;

import io.discoursetrends.model.Platform;

/** The normalizer of each platform. */
public final class Normalizers {
    private Normalizers() {}

    /**
     * A new normalizer for records of {@code platform}. Each call returns a fresh instance with its own
     * Jackson mapper: create one per operator instance (in {@code open()}), not one per record.
     */
    public static Normalizer forPlatform(Platform platform) {
        return switch (platform) {
            case BLUESKY -> new BlueskyNormalizer();
            case MASTODON -> new MastodonNormalizer();
            case REDDIT -> new RedditNormalizer();
            case HACKERNEWS -> new HackerNewsNormalizer();
        };
    }
}

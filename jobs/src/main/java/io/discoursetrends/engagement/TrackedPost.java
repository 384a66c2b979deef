package io.discoursetrends.engagement;

import io.discoursetrends.model.Metrics;

/**
 * What the attribution stage remembers of a post it has seen, for as long as the post's engagement is
 * attributed ({@code attribution.post-ttl}): the topics engagement inherits, what a bucket's top posts show,
 * and, for the counter platforms, the counters of the last snapshot (the base the next snapshot is compared
 * with). A flat record of boxed counters so Flink's POJO serializer handles it; null = not reported.
 */
public record TrackedPost(
        String[] topics,
        String taxonomyVersion,
        String url,
        String snippet,
        boolean bot,
        long expiresAtMillis,
        Long likes,
        Long reposts,
        Long replies,
        Long quotes,
        Long score) {

    TrackedPost withCounters(Metrics m) {
        return new TrackedPost(topics, taxonomyVersion, url, snippet, bot, expiresAtMillis,
                m.likes(), m.reposts(), m.replies(), m.quotes(), m.score());
    }

    Metrics counters() {
        return new Metrics(likes, reposts, replies, quotes, score);
    }
}

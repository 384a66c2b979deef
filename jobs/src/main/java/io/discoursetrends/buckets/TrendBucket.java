package io.discoursetrends.buckets;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * One bucket of one topic on one platform (or on all platforms: {@link #ALL_PLATFORMS}), as written to the
 * {@code discourse-trends} index (schemas/json/trend-bucket.schema.json). The topic {@link #ALL_TOPICS} counts
 * every post whatever its topics, and carries the platform's bot posts and unattributed engagement.
 *
 * <p>{@code complete} is false for early results of a bucket whose end the watermark has not passed yet; the
 * document is rewritten under the same id when the bucket completes and again for each late event within the
 * allowed lateness, so the last write is always the most complete.
 *
 * <p>{@code sketchTerms} is not part of the document: it is what the bucket's term sketch holds, most frequent
 * first, up to {@link BucketAccumulator#SKETCH_TERMS} terms (the document's {@code topTerms} are its first ten),
 * so that a spike's explanation sees the terms of the whole minute, not only those already frequent. Complete
 * buckets of topics carry that many; early results and {@link #ALL_TOPICS}, which the spike stage does not read,
 * only the top ten. Null in a bucket restored from a savepoint of a release before it (read
 * {@link #termsForExplanation()}).
 */
public record TrendBucket(
        String topic,
        String platform,
        long bucketStartMillis,
        long bucketEndMillis,
        boolean complete,
        String[] taxonomyVersions,
        long posts,
        long cappedPosts,
        long botPosts,
        long likes,
        long reposts,
        long replies,
        long quotes,
        long votes,
        long engagement,
        long unattributedEngagement,
        long uniqueAuthors,
        long uniqueEngagers,
        TopPost[] topPosts,
        Count[] topTerms,
        Count[] topCommunities,
        Count[] languages,
        Count[] sketchTerms) {

    public static final String ALL_TOPICS = "_all";
    public static final String ALL_PLATFORMS = "all";

    /** A post among the most engaged-with in the bucket: its engagement within the bucket. */
    public record TopPost(String id, String url, String text, long engagement) {}

    /** A term, community or language and how many counted posts of the bucket had it. */
    public record Count(String value, long count) {}

    /** {@code topic|platform|bucket start}: one document per bucket, rewritten in place. */
    public String documentId() {
        return documentId(topic, platform, bucketStartMillis);
    }

    public static String documentId(String topic, String platform, long bucketStartMillis) {
        return topic + "|" + platform + "|" + Instant.ofEpochMilli(bucketStartMillis);
    }

    /**
     * The terms a spike's explanation counts for this bucket: the sketch's terms, or the top terms of a bucket
     * from a release that did not carry them.
     */
    public Count[] termsForExplanation() {
        return sketchTerms == null || sketchTerms.length == 0 ? topTerms : sketchTerms;
    }

    /**
     * Equal as documents, in everything but the sketched unique counts (compared within the sketch's error
     * elsewhere): {@code sketchTerms}, which the document does not hold, is not compared either.
     */
    public boolean equalsExceptEstimates(TrendBucket o) {
        return topic.equals(o.topic) && platform.equals(o.platform) && bucketStartMillis == o.bucketStartMillis
                && bucketEndMillis == o.bucketEndMillis && complete == o.complete
                && Arrays.equals(taxonomyVersions, o.taxonomyVersions) && posts == o.posts
                && cappedPosts == o.cappedPosts && botPosts == o.botPosts && likes == o.likes
                && reposts == o.reposts && replies == o.replies && quotes == o.quotes && votes == o.votes
                && engagement == o.engagement && unattributedEngagement == o.unattributedEngagement
                && Arrays.equals(topPosts, o.topPosts) && Arrays.equals(topTerms, o.topTerms)
                && Arrays.equals(topCommunities, o.topCommunities) && Arrays.equals(languages, o.languages);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrendBucket b && equalsExceptEstimates(b) && uniqueAuthors == b.uniqueAuthors
                && uniqueEngagers == b.uniqueEngagers && Arrays.equals(sketchTerms, b.sketchTerms);
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, platform, bucketStartMillis, posts, engagement);
    }

    @Override
    public String toString() {
        return "TrendBucket[" + documentId() + (complete ? "" : " (early)") + " posts=" + posts + " capped="
                + cappedPosts + " bots=" + botPosts + " likes=" + likes + " reposts=" + reposts + " replies="
                + replies + " quotes=" + quotes + " votes=" + votes + " unattributed=" + unattributedEngagement
                + " authors=" + uniqueAuthors + " engagers=" + uniqueEngagers + " versions="
                + Arrays.toString(taxonomyVersions) + " topPosts=" + Arrays.toString(topPosts) + " terms="
                + Arrays.toString(topTerms) + " communities=" + Arrays.toString(topCommunities) + " langs="
                + Arrays.toString(languages) + " sketchTerms=" + (sketchTerms == null ? 0 : sketchTerms.length)
                + "]";
    }
}

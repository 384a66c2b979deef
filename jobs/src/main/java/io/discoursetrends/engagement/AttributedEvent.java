package io.discoursetrends.engagement;

import java.util.Arrays;
import java.util.Objects;

/**
 * What the buckets count: a post, or engagement attributed to the post it touches, after deduplication.
 * One flat record (no nested nullable records) keeps Flink's POJO serializer cheap on the hottest edge of
 * the job, the fan-out into one bucket key per topic.
 *
 * <ul>
 *   <li>{@link Kind#POST}: a new post; {@code authorKey} is its author, {@code reply}/{@code quote} say what it
 *       is, {@code terms}, {@code lang} and {@code community} feed the bucket's top lists.</li>
 *   <li>{@link Kind#ENGAGEMENT}: engagement received by post {@code postId}: a like, repost, reply, quote or
 *       vote event ({@code authorKey} is who engaged, when known), or the increase between two counter
 *       snapshots of a Mastodon, Reddit or Hacker News post (then several counters may be non-zero and there
 *       is no actor). {@code topics} are the topics of the engaged post; empty when the post is unknown
 *       ({@code unattributed}) or a bot's.</li>
 * </ul>
 *
 * <p>{@code timeMillis} is the event time the buckets use: a post's creation time, an engagement event's
 * time, or the time a snapshot was observed.
 */
public record AttributedEvent(
        Kind kind,
        String platform,
        long timeMillis,
        String[] topics,
        String taxonomyVersion,
        String postId,
        String url,
        String snippet,
        String authorKey,
        boolean reply,
        boolean quote,
        boolean botPost,
        boolean unattributed,
        String lang,
        String community,
        String[] terms,
        long likes,
        long reposts,
        long replies,
        long quotes,
        long votes) {

    public enum Kind { POST, ENGAGEMENT }

    public static final String[] NO_TOPICS = new String[0];

    /** Total engagement this event carries (0 for a post). */
    public long engagement() {
        return likes + reposts + replies + quotes + votes;
    }

    public boolean isPost() {
        return kind == Kind.POST;
    }

    // Records compare arrays by reference; tests and the reference computation compare by value.
    @Override
    public boolean equals(Object o) {
        return o instanceof AttributedEvent e
                && kind == e.kind && timeMillis == e.timeMillis && reply == e.reply && quote == e.quote
                && botPost == e.botPost && unattributed == e.unattributed
                && likes == e.likes && reposts == e.reposts && replies == e.replies && quotes == e.quotes
                && votes == e.votes
                && Objects.equals(platform, e.platform) && Arrays.equals(topics, e.topics)
                && Objects.equals(taxonomyVersion, e.taxonomyVersion) && Objects.equals(postId, e.postId)
                && Objects.equals(url, e.url) && Objects.equals(snippet, e.snippet)
                && Objects.equals(authorKey, e.authorKey) && Objects.equals(lang, e.lang)
                && Objects.equals(community, e.community) && Arrays.equals(terms, e.terms);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, platform, timeMillis, postId, authorKey) * 31 + Arrays.hashCode(topics);
    }

    @Override
    public String toString() {
        return kind + "[" + platform + " " + postId + " @" + timeMillis + " topics=" + Arrays.toString(topics)
                + (isPost() ? " by " + authorKey : " +" + engagement()) + (unattributed ? " unattributed" : "")
                + (botPost ? " bot" : "") + "]";
    }
}

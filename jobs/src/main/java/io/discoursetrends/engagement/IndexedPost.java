package io.discoursetrends.engagement;

import java.util.Arrays;

/**
 * A post that matched a topic, as the drill-down index {@code discourse-posts} shows it
 * (schemas/json/post-document.schema.json): what it said, where, by whom, its topics, and the engagement it has
 * received so far. The attribution stage keeps it for matched posts only and rewrites the document at most once
 * per minute of event time while engagement comes in.
 */
public record IndexedPost(
        String platform,
        String id,
        String url,
        String text,
        String[] topics,
        String taxonomyVersion,
        String authorId,
        String authorHandle,
        String lang,
        String community,
        long createdAtMillis,
        long likes,
        long reposts,
        long replies,
        long quotes,
        long votes,
        long updatedAtMillis) {

    /** Longest text kept: enough to read the post in a dashboard, bounded in state. */
    public static final int MAX_TEXT_CHARS = 1_000;

    public long engagement() {
        return likes + reposts + replies + quotes + votes;
    }

    public String documentId() {
        return platform + "|" + id;
    }

    IndexedPost plus(AttributedEvent e) {
        return new IndexedPost(platform, id, url, text, topics, taxonomyVersion, authorId, authorHandle, lang,
                community, createdAtMillis, likes + e.likes(), reposts + e.reposts(), replies + e.replies(),
                quotes + e.quotes(), votes + e.votes(), Math.max(updatedAtMillis, e.timeMillis()));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IndexedPost p && documentId().equals(p.documentId()) && likes == p.likes
                && reposts == p.reposts && replies == p.replies && quotes == p.quotes && votes == p.votes
                && updatedAtMillis == p.updatedAtMillis && Arrays.equals(topics, p.topics);
    }

    @Override
    public int hashCode() {
        return documentId().hashCode();
    }
}

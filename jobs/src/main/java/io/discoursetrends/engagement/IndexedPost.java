package io.discoursetrends.engagement;

import java.util.Arrays;
import java.util.Objects;

/**
 * A post that matched a topic, as the drill-down index {@code discourse-posts} shows it
 * (schemas/json/post-document.schema.json): what it said, where, by whom, its topics, and the engagement it has
 * received so far. The attribution stage keeps it for matched posts only and rewrites the document at most once
 * per minute of event time while engagement comes in.
 *
 * <p>Written whole once, when the post arrives; after that attribution keeps only its {@link #partial} form (what
 * names the document and its engagement), and each rewrite is a partial update of the engagement totals: a
 * week of texts, urls and authors is the bulk of a tracked post's state otherwise (docs/benchmarks.md, "State").
 * The totals are absolute, so a rewrite replayed after a restore sets the same values again. While no engagement
 * is unwritten, the state keeps it without its id too ({@link #withoutId}): engagement carries the post's id, and
 * {@link #plus} sets it back before the document has anything to write.
 *
 * @param partial only {@code platform}, {@code id}, {@code createdAtMillis} (which names the monthly index), the
 *     engagement and {@code updatedAtMillis} are set: written as a partial update of the document written whole
 *     before, never as a document of its own
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
        long updatedAtMillis,
        boolean partial) {

    /** Longest text kept: enough to read the post in a dashboard, bounded in state. */
    public static final int MAX_TEXT_CHARS = 1_000;

    /** A whole document, as the post's arrival writes it. */
    public IndexedPost(String platform, String id, String url, String text, String[] topics, String taxonomyVersion,
            String authorId, String authorHandle, String lang, String community, long createdAtMillis, long likes,
            long reposts, long replies, long quotes, long votes, long updatedAtMillis) {
        this(platform, id, url, text, topics, taxonomyVersion, authorId, authorHandle, lang, community,
                createdAtMillis, likes, reposts, replies, quotes, votes, updatedAtMillis, false);
    }

    /** What a partial update of this document needs, once the document has been written whole. */
    public IndexedPost stripped() {
        return partial ? this : new IndexedPost(platform, id, null, null, AttributedEvent.NO_TOPICS, null, null, null,
                null, null, createdAtMillis, likes, reposts, replies, quotes, votes, updatedAtMillis, true);
    }

    /**
     * A stripped document as the state keeps it while it has nothing to write: without its id, which the
     * engagement that makes it dirty carries ({@link #plus}), as {@link PostUrls#FROM_ID} does for urls.
     */
    IndexedPost withoutId() {
        if (!partial) {
            throw new IllegalStateException("only a stripped document is kept without its id");
        }
        return id == null ? this : new IndexedPost(platform, null, url, text, topics, taxonomyVersion, authorId,
                authorHandle, lang, community, createdAtMillis, likes, reposts, replies, quotes, votes,
                updatedAtMillis, true);
    }

    public long engagement() {
        return likes + reposts + replies + quotes + votes;
    }

    public String documentId() {
        if (id == null) {
            throw new IllegalStateException("a drill-down document kept without its id is not to be written: "
                    + "engagement sets the id (IndexedPost.plus) before it has anything to write");
        }
        return platform + "|" + id;
    }

    /** With {@code e}'s engagement added; a document kept without its id takes {@code e}'s (the same post's). */
    IndexedPost plus(AttributedEvent e) {
        return new IndexedPost(platform, id != null ? id : e.postId(), url, text, topics, taxonomyVersion, authorId,
                authorHandle, lang, community, createdAtMillis, likes + e.likes(), reposts + e.reposts(),
                replies + e.replies(), quotes + e.quotes(), votes + e.votes(),
                Math.max(updatedAtMillis, e.timeMillis()), partial);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IndexedPost p && Objects.equals(platform, p.platform) && Objects.equals(id, p.id)
                && likes == p.likes
                && reposts == p.reposts && replies == p.replies && quotes == p.quotes && votes == p.votes
                && updatedAtMillis == p.updatedAtMillis && partial == p.partial && Arrays.equals(topics, p.topics);
    }

    @Override
    public int hashCode() {
        return Objects.hash(platform, id);
    }
}

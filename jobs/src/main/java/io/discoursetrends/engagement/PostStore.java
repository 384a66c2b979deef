package io.discoursetrends.engagement;

import org.apache.flink.api.common.state.MapState;

/**
 * Where {@link EngagementAttribution} finds the state of the post it is working on, and how it asks for a timer or
 * an expiry: under the post's own Flink key ({@code post-state-v2}, in batch execution, where keyed state lives
 * for one key at a time), or in the post table of the post's key group ({@code post-state-v4},
 * {@link AttributionOperator}). The post is chosen by the caller before each call.
 */
interface PostStore {
    /** The post's state, or null. */
    PostState value() throws Exception;

    void update(PostState s) throws Exception;

    void clear() throws Exception;

    /** The post's engagement ids beyond those kept inline, and when each is forgotten. */
    MapState<String, Long> spilledIds() throws Exception;

    /** A timer of the post's own: the end of an engagement's wait for it, a drill-down rewrite. */
    void registerTimer(long atMillis);

    /** Queues the post to expire at {@code atMillis} (a whole minute or step). */
    void expireAt(long atMillis) throws Exception;

    /** Expiry of spilled ids: one per post and step, however many ids fall into it. */
    void expireSpilledAt(long atMillis) throws Exception;

    /**
     * The topics a kept post's topics stand for: a post table keeps them as references to its {@link Words}
     * ({@link AttributionOperator}), resolved only where they leave attribution. A store under each post's own key
     * keeps them in full.
     */
    default String[] topics(String[] kept) throws Exception {
        return kept;
    }

    /** The taxonomy version a kept one stands for (see {@link #topics}). */
    default String word(String kept) throws Exception {
        return kept;
    }

    /**
     * Whether a drill-down document, once written whole, is kept only as its rewrites need it
     * ({@link IndexedPost#stripped}), each rewrite then a partial update. The post tables do: they hold a week of
     * posts. A store under each post's own key does not: there (batch execution) a key's state lives only while
     * its events are processed, so stripping saves nothing, and whole rewrites cost Elasticsearch less than
     * updates, which read the document first.
     */
    default boolean stripsWrittenDocuments() {
        return false;
    }

    /** A kept drill-down document with its words resolved, to be written (see {@link #topics}). */
    default IndexedPost document(IndexedPost kept) throws Exception {
        return kept;
    }
}

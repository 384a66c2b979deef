package io.discoursetrends.engagement;

import io.discoursetrends.model.Engagement;
import java.util.Arrays;

/**
 * What attribution keeps for one post key: the post, its drill-down document and whether that has unwritten
 * engagement, engagement waiting for the post, and the ids of the engagement seen lately (for dedup). One state
 * entry, so an event costs one lookup and at most one write instead of one of each per fact: the heap backend's
 * lookups in tables holding a week of posts were a sixth of the job's time (docs/benchmarks.md).
 *
 * <p>Up to {@link #INLINE_SEEN} engagement ids are kept here; a post engaged with more often within
 * {@code dedup.ttl} keeps the rest in a map state of its own ({@code seenSpilled}), since the RocksDB backend
 * rewrites a value whole on every update, and a popular post collects thousands of ids.
 *
 * <p>Kept in the post tables of {@code post-state-v4} by {@link PostStateV4Serializer} (topic ids and taxonomy versions
 * as references to the table's {@link Words}), and in {@code post-state-v2} and {@code -v3} by
 * {@link PostStateSerializer}; both write what the post and its drill-down document share once. Inline engagement
 * ids are their digests ({@link PostStateSerializer#digest}). The first layout, {@code post-state}, was this very
 * class written by Flink's POJO serializer with the ids in full: keep the record's components as they are, or a
 * savepoint of that layout cannot be read ({@link LegacyState}).
 *
 * <p>Immutable. The arrays are never null: the compact constructor sees to it, since Flink's POJO serializer
 * passes null for an absent array.
 *
 * @param post the post, once it has arrived, until {@code attribution.post-ttl} after its creation
 * @param indexed its drill-down document, for a post that matched a topic: in the post tables, once written whole,
 *     only what its partial updates need ({@link IndexedPost#stripped})
 * @param indexedDirty engagement was added to {@code indexed} since it was last written
 * @param pending engagement that arrived before its post, in arrival order
 * @param seenIds digests of the ids of engagement seen within {@code dedup.ttl}, at most {@link #INLINE_SEEN}
 * @param seenUntil when each of {@code seenIds} is forgotten
 * @param seenSpilled more ids are in the map state
 */
public record PostState(TrackedPost post, IndexedPost indexed, boolean indexedDirty, Engagement[] pending,
        String[] seenIds, long[] seenUntil, boolean seenSpilled) {

    /** Engagement ids kept in the state entry itself: most posts get fewer likes and reposts than this a day. */
    static final int INLINE_SEEN = 8;
    static final Engagement[] NO_PENDING = new Engagement[0];
    private static final String[] NO_IDS = new String[0];
    private static final long[] NO_TIMES = new long[0];
    static final PostState EMPTY = new PostState(null, null, false, NO_PENDING, NO_IDS, NO_TIMES, false);

    public PostState {
        pending = pending == null || pending.length == 0 ? NO_PENDING : pending;
        seenIds = seenIds == null || seenIds.length == 0 ? NO_IDS : seenIds;
        seenUntil = seenUntil == null || seenUntil.length == 0 ? NO_TIMES : seenUntil;
        if (seenIds.length != seenUntil.length) {
            throw new IllegalArgumentException("seenIds and seenUntil differ in length");
        }
    }

    /** Nothing left to keep: the state entry can be cleared. */
    boolean isEmpty() {
        return post == null && indexed == null && !indexedDirty && pending.length == 0 && seenIds.length == 0
                && !seenSpilled;
    }

    boolean seenInline(String id) {
        for (String s : seenIds) {
            if (s.equals(id)) {
                return true;
            }
        }
        return false;
    }

    boolean hasRoomInline() {
        return seenIds.length < INLINE_SEEN;
    }

    PostState withPost(TrackedPost p) {
        return new PostState(p, indexed, indexedDirty, pending, seenIds, seenUntil, seenSpilled);
    }

    PostState withIndexed(IndexedPost doc, boolean dirty) {
        return new PostState(post, doc, dirty, pending, seenIds, seenUntil, seenSpilled);
    }

    PostState withPending(Engagement[] waiting) {
        return new PostState(post, indexed, indexedDirty, waiting, seenIds, seenUntil, seenSpilled);
    }

    PostState plusPending(Engagement e) {
        Engagement[] waiting = Arrays.copyOf(pending, pending.length + 1);
        waiting[pending.length] = e;
        return withPending(waiting);
    }

    PostState plusSeen(String id, long until) {
        String[] ids = Arrays.copyOf(seenIds, seenIds.length + 1);
        long[] times = Arrays.copyOf(seenUntil, seenUntil.length + 1);
        ids[seenIds.length] = id;
        times[seenIds.length] = until;
        return new PostState(post, indexed, indexedDirty, pending, ids, times, seenSpilled);
    }

    PostState withSeenSpilled(boolean spilled) {
        return spilled == seenSpilled ? this
                : new PostState(post, indexed, indexedDirty, pending, seenIds, seenUntil, spilled);
    }

    /** Whether an inline id is forgotten at {@code time}. */
    boolean seenUntilIncludes(long time) {
        for (long t : seenUntil) {
            if (t == time) {
                return true;
            }
        }
        return false;
    }

    /** Without the inline ids whose time is up at {@code timestamp}. */
    PostState forgetSeenUntil(long timestamp) {
        int kept = 0;
        for (long t : seenUntil) {
            kept += t > timestamp ? 1 : 0;
        }
        if (kept == seenIds.length) {
            return this;
        }
        String[] ids = new String[kept];
        long[] times = new long[kept];
        for (int i = 0, j = 0; i < seenIds.length; i++) {
            if (seenUntil[i] > timestamp) {
                ids[j] = seenIds[i];
                times[j++] = seenUntil[i];
            }
        }
        return new PostState(post, indexed, indexedDirty, pending, ids, times, seenSpilled);
    }
}

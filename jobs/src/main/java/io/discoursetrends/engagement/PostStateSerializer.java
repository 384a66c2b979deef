package io.discoursetrends.engagement;

import io.discoursetrends.model.Engagement;
import io.discoursetrends.model.Platform;
import io.discoursetrends.model.RecordSerializer;
import io.discoursetrends.model.Utf8Strings;
import java.io.IOException;
import java.time.Instant;
import java.util.Arrays;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The state serializer of {@link PostState} ({@code post-state-v2}), written for size: one entry per tracked
 * post, a week of posts per job, so every byte counts a million times over (docs/benchmarks.md, "State").
 *
 * <ul>
 *   <li>What the drill-down document and the tracked post share is written once: the post's url, topics and
 *       taxonomy version, and its snippet, which is the document's text cut to {@value
 *       EngagementAttribution#SNIPPET_CHARS} characters and is recomputed on reading.</li>
 *   <li>A url that follows from the post's platform and id ({@link PostUrls}) is not written: the document's is
 *       derived again on reading, the post's is kept as {@link PostUrls#FROM_ID}.</li>
 *   <li>Engagement ids are kept as 64-bit digests ({@link #digest}): 8 bytes instead of an AT-URI of about 70.</li>
 *   <li>Strings as UTF-8 blocks with a varint length, numbers as varints, times of ids in whole minutes, the
 *       counters and the other nullable fields behind bit masks; no per-field null markers or class tags as in
 *       Flink's POJO serializer, which wrote the first layout ({@code post-state}).</li>
 * </ul>
 * Format version 1 (the snapshot's); a change of format needs a new snapshot version that reads this one. (The
 * document's derived url is a flag bit that data written before it never has set: this serializer reads that data
 * as it was written.)
 */
public final class PostStateSerializer extends RecordSerializer<PostState> {
    private static final long serialVersionUID = 1L;

    public static final PostStateSerializer INSTANCE = new PostStateSerializer();

    /** Marks a digest among engagement ids: no platform's id starts with this character. */
    static final char DIGEST_MARK = '\u0001';

    private static final Platform[] PLATFORMS = Platform.values();
    private static final Engagement.Type[] TYPES = Engagement.Type.values();

    private static final int HAS_POST = 1;
    private static final int HAS_INDEXED = 1 << 1;
    private static final int INDEXED_DIRTY = 1 << 2;
    private static final int SEEN_SPILLED = 1 << 3;
    private static final int HAS_PENDING = 1 << 4;
    private static final int HAS_SEEN = 1 << 5;
    /** The document's url is the one its platform and id give ({@link PostUrls}): not written. */
    private static final int DOC_URL_FROM_ID = 1 << 6;

    // Of the tracked post, beside its counters' bits 0 to 4.
    private static final int BOT = 1 << 5;
    private static final int SHARES_WITH_DOCUMENT = 1 << 6; // url, topics, taxonomy version
    private static final int SNIPPET_FROM_TEXT = 1 << 7;

    // Of an engagement id.
    private static final int ID_DIGEST = 1;
    private static final int UNTIL_MINUTES = 1 << 1;

    private static final long MINUTE = 60_000;

    @Override
    protected RecordSerializer<PostState> newInstance() {
        return new PostStateSerializer();
    }

    /**
     * The form an engagement id is kept in: {@link #DIGEST_MARK} and 8 characters of 8 bits each, a 64-bit hash of
     * the id (FNV-1a, then a SplitMix64 finalizer to spread it). With at most {@link PostState#INLINE_SEEN} ids per
     * post, two ids of one post collide with a probability of about 2^-59: no like is ever lost in practice.
     */
    static String digest(String id) {
        long h = hash64(id);
        char[] c = new char[9];
        c[0] = DIGEST_MARK;
        for (int i = 0; i < 8; i++) {
            c[i + 1] = (char) ((h >>> (8 * i)) & 0xFF);
        }
        return new String(c); // Latin-1: 9 bytes on the heap
    }

    /** FNV-1a over the characters, then a SplitMix64 finalizer to spread it: the digest of ids and post keys. */
    static long hash64(String s) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < s.length(); i++) {
            h ^= s.charAt(i);
            h *= 0x100000001b3L;
        }
        h = (h ^ (h >>> 30)) * 0xbf58476d1ce4e5b9L;
        h = (h ^ (h >>> 27)) * 0x94d049bb133111ebL;
        return h ^ (h >>> 31);
    }

    static boolean isDigest(String s) {
        return s.length() == 9 && s.charAt(0) == DIGEST_MARK;
    }

    @Override
    public void serialize(PostState s, DataOutputView out) throws IOException {
        TrackedPost p = s.post();
        IndexedPost d = s.indexed();
        boolean docUrlFromId = d != null && d.url() != null && d.url().equals(PostUrls.derived(d.platform(), d.id()));
        int flags = (p != null ? HAS_POST : 0) | (d != null ? HAS_INDEXED : 0) | (s.indexedDirty() ? INDEXED_DIRTY : 0)
                | (s.seenSpilled() ? SEEN_SPILLED : 0) | (s.pending().length > 0 ? HAS_PENDING : 0)
                | (s.seenIds().length > 0 ? HAS_SEEN : 0) | (docUrlFromId ? DOC_URL_FROM_ID : 0);
        out.writeByte(flags);
        if (d != null) {
            if (d.partial()) {
                // Only post tables strip documents (PostStore.stripsWrittenDocuments): this format cannot say it.
                throw new IllegalStateException("post-state-v2 cannot keep a partial drill-down document");
            }
            strings().write(out, d.platform());
            strings().write(out, d.id());
            if (!docUrlFromId) {
                strings().write(out, d.url());
            }
            strings().write(out, d.text());
            strings().writeArray(out, d.topics());
            strings().write(out, d.taxonomyVersion());
            strings().write(out, d.authorId());
            strings().write(out, d.authorHandle());
            strings().write(out, d.lang());
            strings().write(out, d.community());
            writeVarLong(out, d.createdAtMillis());
            writeVarLong(out, d.likes());
            writeVarLong(out, d.reposts());
            writeVarLong(out, d.replies());
            writeVarLong(out, d.quotes());
            writeVarLong(out, d.votes());
            writeVarLong(out, d.updatedAtMillis() - d.createdAtMillis());
        }
        if (p != null) {
            // The post keeps a url derived from the id as PostUrls.FROM_ID; the document has it in full.
            boolean shares = d != null && (java.util.Objects.equals(p.url(), d.url())
                    || (PostUrls.FROM_ID.equals(p.url()) && docUrlFromId))
                    && Arrays.equals(p.topics(), d.topics())
                    && java.util.Objects.equals(p.taxonomyVersion(), d.taxonomyVersion());
            boolean snippetFromText = d != null && java.util.Objects.equals(p.snippet(),
                    EngagementAttribution.snippet(d.text()));
            int pflags = (p.likes() != null ? 1 : 0) | (p.reposts() != null ? 1 << 1 : 0)
                    | (p.replies() != null ? 1 << 2 : 0) | (p.quotes() != null ? 1 << 3 : 0)
                    | (p.score() != null ? 1 << 4 : 0) | (p.bot() ? BOT : 0) | (shares ? SHARES_WITH_DOCUMENT : 0)
                    | (snippetFromText ? SNIPPET_FROM_TEXT : 0);
            out.writeByte(pflags);
            if (!shares) {
                strings().writeArray(out, p.topics());
                strings().write(out, p.taxonomyVersion());
                strings().write(out, p.url());
            }
            if (!snippetFromText) {
                strings().write(out, p.snippet());
            }
            writeVarLong(out, p.expiresAtMillis());
            for (Long counter : new Long[] {p.likes(), p.reposts(), p.replies(), p.quotes(), p.score()}) {
                if (counter != null) {
                    writeVarLong(out, counter);
                }
            }
        }
        writeEngagement(strings(), s, out);
    }

    @Override
    public PostState deserialize(DataInputView in) throws IOException {
        int flags = in.readUnsignedByte();
        IndexedPost d = null;
        if ((flags & HAS_INDEXED) != 0) {
            String platform = shared(strings().read(in));
            String id = strings().read(in);
            String url = (flags & DOC_URL_FROM_ID) != 0 ? PostUrls.derived(platform, id) : strings().read(in);
            String text = strings().read(in);
            String[] topics = sharedAll(strings().readArray(in));
            String version = shared(strings().read(in));
            String authorId = strings().read(in);
            String handle = strings().read(in);
            String lang = shared(strings().read(in));
            String community = shared(strings().read(in));
            long created = readVarLong(in);
            d = new IndexedPost(platform, id, url, text, topics, version, authorId, handle, lang, community, created,
                    readVarLong(in), readVarLong(in), readVarLong(in), readVarLong(in), readVarLong(in),
                    created + readVarLong(in));
        }
        TrackedPost p = null;
        if ((flags & HAS_POST) != 0) {
            int pflags = in.readUnsignedByte();
            String[] topics;
            String version;
            String url;
            if ((pflags & SHARES_WITH_DOCUMENT) != 0) {
                topics = d.topics();
                version = d.taxonomyVersion();
                url = d.url();
            } else {
                topics = sharedAll(strings().readArray(in));
                version = shared(strings().read(in));
                url = strings().read(in);
                url = PostUrls.FROM_ID.equals(url) ? PostUrls.FROM_ID : url; // one copy on the heap
            }
            String snippet = (pflags & SNIPPET_FROM_TEXT) != 0 ? EngagementAttribution.snippet(d.text())
                    : strings().read(in);
            long expires = readVarLong(in);
            Long[] counters = new Long[5];
            for (int i = 0; i < 5; i++) {
                counters[i] = (pflags & (1 << i)) != 0 ? readVarLong(in) : null;
            }
            p = new TrackedPost(topics, version, url, snippet, (pflags & BOT) != 0, expires, counters[0], counters[1],
                    counters[2], counters[3], counters[4]);
        }
        return readEngagement(strings(), in, flags, p, d);
    }

    /**
     * The engagement waiting for its post and the inline engagement ids, as every layout since {@code post-state-v2}
     * writes them ({@link PostStateV4Serializer} too): the end of a value, after the flags, document and post.
     */
    static void writeEngagement(Utf8Strings strings, PostState s, DataOutputView out) throws IOException {
        if (s.pending().length > 0) {
            writeVarLong(out, s.pending().length);
            for (Engagement e : s.pending()) {
                out.writeByte(e.platform().ordinal());
                out.writeByte(e.type().ordinal());
                strings.write(out, e.id());
                strings.write(out, e.subjectId());
                strings.write(out, e.actorId());
                out.writeBoolean(e.createdAt() != null);
                if (e.createdAt() != null) {
                    writeVarLong(out, e.createdAt().toEpochMilli());
                }
                writeVarLong(out, e.delta());
            }
        }
        if (s.seenIds().length > 0) {
            writeVarLong(out, s.seenIds().length);
            for (int i = 0; i < s.seenIds().length; i++) {
                String id = s.seenIds()[i];
                long until = s.seenUntil()[i];
                boolean digest = isDigest(id);
                boolean minutes = Math.floorMod(until, MINUTE) == 0;
                out.writeByte((digest ? ID_DIGEST : 0) | (minutes ? UNTIL_MINUTES : 0));
                if (digest) {
                    for (int k = 1; k < 9; k++) {
                        out.writeByte(id.charAt(k));
                    }
                } else {
                    strings.write(out, id);
                }
                writeVarLong(out, minutes ? until / MINUTE : until);
            }
        }
    }

    /** Reads what {@link #writeEngagement} wrote and makes the value of the document and post read before it. */
    static PostState readEngagement(Utf8Strings strings, DataInputView in, int flags, TrackedPost p, IndexedPost d)
            throws IOException {
        Engagement[] pending = null;
        if ((flags & HAS_PENDING) != 0) {
            pending = new Engagement[(int) readVarLong(in)];
            for (int i = 0; i < pending.length; i++) {
                Platform platform = PLATFORMS[in.readUnsignedByte()];
                Engagement.Type type = TYPES[in.readUnsignedByte()];
                String id = strings.read(in);
                String subject = strings.read(in);
                String actor = strings.read(in);
                Instant created = in.readBoolean() ? Instant.ofEpochMilli(readVarLong(in)) : null;
                pending[i] = new Engagement(platform, type, id, subject, actor, created, readVarLong(in));
            }
        }
        String[] ids = null;
        long[] until = null;
        if ((flags & HAS_SEEN) != 0) {
            int n = (int) readVarLong(in);
            ids = new String[n];
            until = new long[n];
            for (int i = 0; i < n; i++) {
                int tag = in.readUnsignedByte();
                if ((tag & ID_DIGEST) != 0) {
                    char[] c = new char[9];
                    c[0] = DIGEST_MARK;
                    for (int k = 1; k < 9; k++) {
                        c[k] = (char) in.readUnsignedByte();
                    }
                    ids[i] = new String(c);
                } else {
                    ids[i] = strings.read(in);
                }
                long t = readVarLong(in);
                until[i] = (tag & UNTIL_MINUTES) != 0 ? t * MINUTE : t;
            }
        }
        return new PostState(p, d, (flags & INDEXED_DIRTY) != 0, pending, ids, until, (flags & SEEN_SPILLED) != 0);
    }

    /** Topic ids, versions, languages and platforms repeat across posts: one copy of each on the heap. */
    private static String shared(String s) {
        return s == null ? null : s.intern();
    }

    private static String[] sharedAll(String[] s) {
        for (int i = 0; i < s.length; i++) {
            s[i] = shared(s[i]);
        }
        return s;
    }

    /** Zig-zag varint: small magnitudes of either sign in few bytes. */
    static void writeVarLong(DataOutputView out, long value) throws IOException {
        long v = (value << 1) ^ (value >> 63);
        while ((v & ~0x7FL) != 0) {
            out.writeByte((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.writeByte((int) v);
    }

    static long readVarLong(DataInputView in) throws IOException {
        long v = 0;
        for (int shift = 0; ; shift += 7) {
            int b = in.readUnsignedByte();
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                break;
            }
        }
        return (v >>> 1) ^ -(v & 1);
    }

    @Override
    public TypeSerializerSnapshot<PostState> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Restores the serializer (it has no configuration). */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<PostState> {
        public Snapshot() {
            super(PostStateSerializer::new);
        }
    }
}

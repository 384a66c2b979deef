package io.discoursetrends.engagement;

import static io.discoursetrends.engagement.PostStateSerializer.readVarLong;
import static io.discoursetrends.engagement.PostStateSerializer.writeVarLong;

import io.discoursetrends.model.Platform;
import io.discoursetrends.model.RecordSerializer;
import io.discoursetrends.model.Utf8Strings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The state serializer of {@link PostState} in the post tables of {@code post-state-v4} ({@link AttributionOperator}):
 * the format of {@link PostStateSerializer} ({@code post-state-v2} and {@code -v3}), and besides
 * <ul>
 *   <li>topic ids and taxonomy versions kept as references to the words of the post's table ({@link Words}) are
 *       written as their number, a varint of one or two bytes, instead of 12 to 40 bytes each;</li>
 *   <li>the drill-down document's platform as one byte, its author id not written where the post's id holds it (a
 *       Bluesky AT-URI begins with its author's DID), its author handle not where it is the author id (Hacker
 *       News);</li>
 *   <li>texts, snippets and urls in a fixed Huffman code ({@link TextCode}), about a third shorter for English;</li>
 *   <li>the post's expiry in whole minutes where it is one (new posts' are: attribution rounds it up to the minute it
 *       expires in anyway).</li>
 * </ul>
 * Words not kept as references (a table whose words are full, or a state written in batch execution) are written in
 * full, and read back as they were.
 *
 * <p>Format 2 (snapshot version {@value Snapshot#FORMAT_2}) adds the partial drill-down document
 * ({@link IndexedPost#partial}: a flag of the document's, then only its id, creation time and engagement). It reads
 * format 1 (snapshot version {@value Snapshot#FORMAT_1}, Flink's {@link SimpleTypeSerializerSnapshot}, which wrote no
 * configuration) as it was written: that format never set the flag. A release of format 1 refuses a snapshot of
 * format 2 instead of misreading it.
 *
 * <p>Format 3 (snapshot version {@value Snapshot#FORMAT_3}) writes a partial document that has nothing to write without
 * its id (a flag of the document's; {@link IndexedPost#withoutId}). It reads formats 1 and 2 as written: they never
 * set the flag. A release of format 2 refuses a snapshot of format 3, which it would misread. A further change of
 * format needs a further snapshot version.
 */
public final class PostStateV4Serializer extends RecordSerializer<PostState> {
    private static final long serialVersionUID = 1L;

    private static final Platform[] PLATFORMS = Platform.values();

    private static final int HAS_POST = 1;
    private static final int HAS_INDEXED = 1 << 1;
    private static final int INDEXED_DIRTY = 1 << 2;
    private static final int SEEN_SPILLED = 1 << 3;
    // HAS_PENDING and HAS_SEEN are post-state-v2's bits: PostStateSerializer.readEngagement reads them.
    private static final int HAS_PENDING = 1 << 4;
    private static final int HAS_SEEN = 1 << 5;
    private static final int DOC_URL_FROM_ID = 1 << 6;
    private static final int EXPIRY_MINUTES = 1 << 7;

    // Of the tracked post, beside its counters' bits 0 to 4 (as in PostStateSerializer).
    private static final int BOT = 1 << 5;
    private static final int SHARES_WITH_DOCUMENT = 1 << 6;
    private static final int SNIPPET_FROM_TEXT = 1 << 7;

    // Of the drill-down document.
    private static final int AUTHOR_FROM_ID = 1;
    private static final int HANDLE_IS_AUTHOR = 1 << 1;
    /**
     * Only what a partial update needs ({@link IndexedPost#partial}): its id, creation time and engagement. Format 2;
     * format 1 never set it, so its documents are read whole, as they were written.
     */
    private static final int PARTIAL = 1 << 2;
    /**
     * A partial document kept without its id while it has nothing to write ({@link IndexedPost#withoutId}): the id is
     * not written. Format 3; formats 1 and 2 never set it.
     */
    private static final int NO_ID = 1 << 3;

    private static final long MINUTE = 60_000;

    @Override
    protected RecordSerializer<PostState> newInstance() {
        return new PostStateV4Serializer();
    }

    @Override
    public void serialize(PostState s, DataOutputView out) throws IOException {
        TrackedPost p = s.post();
        IndexedPost d = s.indexed();
        boolean docUrlFromId = d != null && d.url() != null && d.url().equals(PostUrls.derived(d.platform(), d.id()));
        boolean expiryMinutes = p != null && Math.floorMod(p.expiresAtMillis(), MINUTE) == 0;
        int flags = (p != null ? HAS_POST : 0) | (d != null ? HAS_INDEXED : 0) | (s.indexedDirty() ? INDEXED_DIRTY : 0)
                | (s.seenSpilled() ? SEEN_SPILLED : 0) | (s.pending().length > 0 ? HAS_PENDING : 0)
                | (s.seenIds().length > 0 ? HAS_SEEN : 0) | (docUrlFromId ? DOC_URL_FROM_ID : 0)
                | (expiryMinutes ? EXPIRY_MINUTES : 0);
        out.writeByte(flags);
        if (d != null) {
            writePlatform(out, d.platform());
            boolean authorFromId = d.authorId() != null && d.authorId().equals(authorOf(d.platform(), d.id()));
            boolean handleIsAuthor = d.authorHandle() != null && d.authorHandle().equals(d.authorId());
            out.writeByte((authorFromId ? AUTHOR_FROM_ID : 0) | (handleIsAuthor ? HANDLE_IS_AUTHOR : 0)
                    | (d.partial() ? PARTIAL : 0) | (d.id() == null ? NO_ID : 0));
            if (d.id() != null) {
                strings().write(out, d.id());
            }
            if (!d.partial()) {
                if (!docUrlFromId) {
                    TextCode.write(out, d.url());
                }
                TextCode.write(out, d.text());
                writeWords(out, d.topics());
                writeWord(out, d.taxonomyVersion());
                if (!authorFromId) {
                    strings().write(out, d.authorId());
                }
                if (!handleIsAuthor) {
                    strings().write(out, d.authorHandle());
                }
                strings().write(out, d.lang());
                strings().write(out, d.community());
            }
            writeVarLong(out, d.createdAtMillis());
            writeVarLong(out, d.likes());
            writeVarLong(out, d.reposts());
            writeVarLong(out, d.replies());
            writeVarLong(out, d.quotes());
            writeVarLong(out, d.votes());
            writeVarLong(out, d.updatedAtMillis() - d.createdAtMillis());
        }
        if (p != null) {
            boolean shares = d != null && (Objects.equals(p.url(), d.url())
                    || (PostUrls.FROM_ID.equals(p.url()) && docUrlFromId))
                    && Arrays.equals(p.topics(), d.topics())
                    && Objects.equals(p.taxonomyVersion(), d.taxonomyVersion());
            boolean snippetFromText = d != null && Objects.equals(p.snippet(), EngagementAttribution.snippet(d.text()));
            int pflags = (p.likes() != null ? 1 : 0) | (p.reposts() != null ? 1 << 1 : 0)
                    | (p.replies() != null ? 1 << 2 : 0) | (p.quotes() != null ? 1 << 3 : 0)
                    | (p.score() != null ? 1 << 4 : 0) | (p.bot() ? BOT : 0) | (shares ? SHARES_WITH_DOCUMENT : 0)
                    | (snippetFromText ? SNIPPET_FROM_TEXT : 0);
            out.writeByte(pflags);
            if (!shares) {
                writeWords(out, p.topics());
                writeWord(out, p.taxonomyVersion());
                TextCode.write(out, p.url());
            }
            if (!snippetFromText) {
                TextCode.write(out, p.snippet());
            }
            writeVarLong(out, expiryMinutes ? p.expiresAtMillis() / MINUTE : p.expiresAtMillis());
            for (Long counter : new Long[] {p.likes(), p.reposts(), p.replies(), p.quotes(), p.score()}) {
                if (counter != null) {
                    writeVarLong(out, counter);
                }
            }
        }
        PostStateSerializer.writeEngagement(strings(), s, out);
    }

    @Override
    public PostState deserialize(DataInputView in) throws IOException {
        int flags = in.readUnsignedByte();
        IndexedPost d = null;
        if ((flags & HAS_INDEXED) != 0) {
            String platform = readPlatform(in);
            int dflags = in.readUnsignedByte();
            String id = (dflags & NO_ID) != 0 ? null : strings().read(in);
            boolean partial = (dflags & PARTIAL) != 0;
            String url = null;
            String text = null;
            String[] topics = AttributedEvent.NO_TOPICS;
            String version = null;
            String authorId = null;
            String handle = null;
            String lang = null;
            String community = null;
            if (!partial) {
                url = (flags & DOC_URL_FROM_ID) != 0 ? PostUrls.derived(platform, id) : TextCode.read(in);
                text = TextCode.read(in);
                topics = readWords(in);
                version = readWord(in);
                authorId = (dflags & AUTHOR_FROM_ID) != 0 ? authorOf(platform, id) : strings().read(in);
                handle = (dflags & HANDLE_IS_AUTHOR) != 0 ? authorId : strings().read(in);
                lang = shared(strings().read(in));
                community = shared(strings().read(in));
            }
            long created = readVarLong(in);
            d = new IndexedPost(platform, id, url, text, topics, version, authorId, handle, lang, community, created,
                    readVarLong(in), readVarLong(in), readVarLong(in), readVarLong(in), readVarLong(in),
                    created + readVarLong(in), partial);
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
                topics = readWords(in);
                version = readWord(in);
                url = TextCode.read(in);
                url = PostUrls.FROM_ID.equals(url) ? PostUrls.FROM_ID : url; // one copy on the heap
            }
            String snippet = (pflags & SNIPPET_FROM_TEXT) != 0 ? EngagementAttribution.snippet(d.text())
                    : TextCode.read(in);
            long expires = readVarLong(in) * ((flags & EXPIRY_MINUTES) != 0 ? MINUTE : 1);
            Long[] counters = new Long[5];
            for (int i = 0; i < 5; i++) {
                counters[i] = (pflags & (1 << i)) != 0 ? readVarLong(in) : null;
            }
            p = new TrackedPost(topics, version, url, snippet, (pflags & BOT) != 0, expires, counters[0], counters[1],
                    counters[2], counters[3], counters[4]);
        }
        return PostStateSerializer.readEngagement(strings(), in, flags, p, d);
    }

    /** The author a post's id names: the DID of a Bluesky AT-URI ({@code at://DID/collection/rkey}); else null. */
    static String authorOf(String platform, String id) {
        if ("bluesky".equals(platform) && id != null && id.startsWith("at://")) {
            int end = id.indexOf('/', 5);
            return end > 5 ? id.substring(5, end) : null;
        }
        return null;
    }

    /** A known platform as its number + 1; another (none is expected) as 0 and its name. */
    private void writePlatform(DataOutputView out, String platform) throws IOException {
        for (Platform known : PLATFORMS) {
            if (known.id().equals(platform)) {
                out.writeByte(known.ordinal() + 1);
                return;
            }
        }
        out.writeByte(0);
        strings().write(out, platform);
    }

    private String readPlatform(DataInputView in) throws IOException {
        int n = in.readUnsignedByte();
        return n == 0 ? shared(strings().read(in)) : PLATFORMS[n - 1].id();
    }

    /** A word: 0 for null, a reference's number n as 2n + 1, a word in full as 2 (length + 1) and its UTF-8. */
    private static void writeWord(DataOutputView out, String word) throws IOException {
        if (word == null) {
            out.writeByte(0);
        } else if (Words.isRef(word)) {
            Utf8Strings.writeVarInt(out, Words.number(word) << 1 | 1);
        } else {
            byte[] bytes = word.getBytes(StandardCharsets.UTF_8);
            Utf8Strings.writeVarInt(out, (bytes.length + 1) << 1);
            out.write(bytes);
        }
    }

    private static String readWord(DataInputView in) throws IOException {
        int v = Utf8Strings.readVarInt(in);
        if (v == 0) {
            return null;
        }
        if ((v & 1) != 0) {
            return Words.ref(v >>> 1);
        }
        byte[] bytes = new byte[(v >>> 1) - 1];
        in.readFully(bytes);
        return shared(new String(bytes, StandardCharsets.UTF_8));
    }

    private static void writeWords(DataOutputView out, String[] words) throws IOException {
        Utf8Strings.writeVarInt(out, words.length);
        for (String w : words) {
            writeWord(out, w);
        }
    }

    private static String[] readWords(DataInputView in) throws IOException {
        int n = Utf8Strings.readVarInt(in);
        if (n == 0) {
            return AttributedEvent.NO_TOPICS;
        }
        String[] words = new String[n];
        for (int i = 0; i < n; i++) {
            words[i] = readWord(in);
        }
        return words;
    }

    /** Languages, communities and words in full repeat across posts: one copy of each on the heap. */
    private static String shared(String s) {
        return s == null ? null : s.intern();
    }

    @Override
    public TypeSerializerSnapshot<PostState> snapshotConfiguration() {
        return new Snapshot();
    }

    /**
     * Restores the serializer, which has no configuration; its version says the format of the state. Same class name
     * as format 1's snapshot, so that restoring format 1 comes here.
     */
    public static final class Snapshot implements TypeSerializerSnapshot<PostState> {
        /** Format 1: the version {@link SimpleTypeSerializerSnapshot} wrote, with no configuration. */
        static final int FORMAT_1 = 3;
        /** Format 2: partial drill-down documents. */
        static final int FORMAT_2 = 4;
        /** Format 3: partial drill-down documents kept without their id while clean. */
        static final int FORMAT_3 = 5;

        private int version = FORMAT_3;

        @Override
        public int getCurrentVersion() {
            return FORMAT_3;
        }

        @Override
        public void writeSnapshot(DataOutputView out) {}

        @Override
        public void readSnapshot(int readVersion, DataInputView in, ClassLoader classLoader) {
            if (readVersion != FORMAT_1 && readVersion != FORMAT_2 && readVersion != FORMAT_3) {
                throw new IllegalStateException("post-state-v4 was written in format (snapshot version) "
                        + readVersion + ", which this release does not know: restore it with the release that wrote it"
                        + " or a later one");
            }
            version = readVersion;
        }

        /** The format the state was written in (a snapshot version). */
        int version() {
            return version;
        }

        @Override
        public TypeSerializer<PostState> restoreSerializer() {
            return new PostStateV4Serializer();
        }

        /** Format 3 reads formats 1 and 2 as written: compatible as is, no migration pass over the state. */
        @Override
        public TypeSerializerSchemaCompatibility<PostState> resolveSchemaCompatibility(
                TypeSerializerSnapshot<PostState> oldSnapshot) {
            return oldSnapshot instanceof Snapshot ? TypeSerializerSchemaCompatibility.compatibleAsIs()
                    : TypeSerializerSchemaCompatibility.incompatible();
        }
    }
}

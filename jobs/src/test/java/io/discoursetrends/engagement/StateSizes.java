package io.discoursetrends.engagement;

import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import java.util.ArrayList;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.base.ByteSerializer;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;

/**
 * Where attribution's state bytes go, for {@code StateBenchmark}: each post's {@link PostState} in the post tables,
 * serialized with the state's own serializer, whole and without each of its parts, plus its key in the table; and
 * field by field as {@link PostStateV4Serializer} writes them (the fields add up to the whole).
 * Lives beside {@link PostState} to reach its parts.
 */
public final class StateSizes {
    private StateSizes() {}

    public static void print(Object operator, PrintStream out) throws Exception {
        AbstractStreamOperator<?> op = (AbstractStreamOperator<?>) operator;
        KeyedStateBackend<String> backend = op.getKeyedStateBackend();
        var descriptor = EngagementAttribution.postTable();
        TypeSerializer<PostState> serializer = descriptor.getValueSerializer();
        out.println("  state " + descriptor.getName() + " (post tables), serializer "
                + serializer.getClass().getSimpleName());
        DataOutputSerializer buf = new DataOutputSerializer(4096);
        List<Tuple2<String, Byte>> shards;
        try (Stream<Tuple2<String, Byte>> k = backend.getKeysAndNamespaces(descriptor.getName())) {
            shards = k.toList();
        }
        List<PostState> states = new ArrayList<>();
        for (Tuple2<String, Byte> shard : shards) {
            op.setCurrentKey(shard.f0);
            MapState<Long, PostState> table = op.getPartitionedState(shard.f1, ByteSerializer.INSTANCE, descriptor);
            for (PostState s : table.values()) {
                states.add(s);
            }
        }
        long n = 0;
        long withPost = 0;
        long withIndexed = 0;
        long keyBytes = 0;
        long whole = 0;
        long postBytes = 0;
        long indexedBytes = 0;
        long seenBytes = 0;
        long seenIds = 0;
        long pendingBytes = 0;
        for (PostState s : states) {
            n++;
            keyBytes += Long.BYTES + 1; // the digest, and the map serializer's null flag of the value
            long all = size(serializer, s, buf);
            whole += all;
            if (s.post() != null) {
                withPost++;
                postBytes += all - size(serializer, s.withPost(null), buf);
            }
            if (s.indexed() != null) {
                withIndexed++;
                indexedBytes += all - size(serializer, s.withIndexed(null, s.indexedDirty()), buf);
            }
            seenIds += s.seenIds().length;
            seenBytes += all - size(serializer, new PostState(s.post(), s.indexed(), s.indexedDirty(), s.pending(),
                    null, null, s.seenSpilled()), buf);
            pendingBytes += all - size(serializer, s.withPending(PostState.NO_PENDING), buf);
        }
        out.printf(Locale.ROOT, "  post-state entries %,d (with a post %,d, with a drill-down document %,d), "
                + "inline engagement ids %,d%n", n, withPost, withIndexed, seenIds);
        out.println("  | part (serialized) | bytes in all | per entry | per tracked post |");
        out.println("  |---|---:|---:|---:|");
        row(out, "key (digest of platform|id, in its table)", keyBytes, n, withPost);
        row(out, "PostState value, whole", whole, n, withPost);
        row(out, "  of it the post (TrackedPost)", postBytes, n, withPost);
        row(out, "  of it the drill-down document (IndexedPost)", indexedBytes, n, withPost);
        row(out, "  of it the engagement ids", seenBytes, n, withPost);
        row(out, "  of it engagement waiting for its post", pendingBytes, n, withPost);
        Fields f = new Fields();
        for (PostState st : states) {
            f.add(st);
        }
        out.println("  | field, as the serializer writes it | bytes in all | per entry | per tracked post |");
        out.println("  |---|---:|---:|---:|");
        for (var e : f.bytes.entrySet()) {
            row(out, e.getKey(), e.getValue(), n, withPost);
        }
    }

    /** Bytes per field of each value, as {@link PostStateV4Serializer} writes it (kept in step with it by hand). */
    private static final class Fields {
        final java.util.Map<String, Long> bytes = new java.util.LinkedHashMap<>();

        void add(PostState s) {
            put("flags (state, post)", 1 + (s.post() != null ? 1 : 0));
            IndexedPost d = s.indexed();
            TrackedPost p = s.post();
            boolean docUrlFromId = d != null && d.url() != null && d.url().equals(PostUrls.derived(d.platform(),
                    d.id()));
            if (d != null) {
                put("document: platform, id, flags", 2 + (d.id() == null ? 0 : str(d.id()))); // kept clean: no id
                if (!d.partial()) { // a partial document: its id, created, totals and updated only
                    put("document: url", docUrlFromId ? 0 : TextCode.size(d.url()));
                    put("document: text", TextCode.size(d.text()));
                    put("document: topics, taxonomy version", words(d.topics()) + word(d.taxonomyVersion()));
                    boolean authorFromId = d.authorId() != null && d.authorId().equals(
                            PostStateV4Serializer.authorOf(d.platform(), d.id()));
                    boolean handleIsAuthor = d.authorHandle() != null && d.authorHandle().equals(d.authorId());
                    put("document: author id and handle", (authorFromId ? 0 : str(d.authorId()))
                            + (handleIsAuthor ? 0 : str(d.authorHandle())));
                    put("document: lang, community", str(d.lang()) + str(d.community()));
                }
                put("document: created, totals, updated", var(d.createdAtMillis()) + var(d.likes())
                        + var(d.reposts()) + var(d.replies()) + var(d.quotes()) + var(d.votes())
                        + var(d.updatedAtMillis() - d.createdAtMillis()));
            }
            if (p != null) {
                boolean shares = d != null && (java.util.Objects.equals(p.url(), d.url())
                        || (PostUrls.FROM_ID.equals(p.url()) && docUrlFromId))
                        && java.util.Arrays.equals(p.topics(), d.topics())
                        && java.util.Objects.equals(p.taxonomyVersion(), d.taxonomyVersion());
                boolean snippetFromText = d != null && java.util.Objects.equals(p.snippet(),
                        EngagementAttribution.snippet(d.text()));
                if (!shares) {
                    put("post: topics, taxonomy version", words(p.topics()) + word(p.taxonomyVersion()));
                    put("post: url", TextCode.size(p.url()));
                }
                put("post: snippet", snippetFromText ? 0 : TextCode.size(p.snippet()));
                long c = var(Math.floorMod(p.expiresAtMillis(), 60_000L) == 0 ? p.expiresAtMillis() / 60_000
                        : p.expiresAtMillis());
                put("post: expiry", c);
                c = 0;
                for (Long counter : new Long[] {p.likes(), p.reposts(), p.replies(), p.quotes(), p.score()}) {
                    c += counter == null ? 0 : var(counter);
                }
                put("post: counters", c);
            }
            long ids = s.seenIds().length > 0 ? var(s.seenIds().length) : 0;
            for (int i = 0; i < s.seenIds().length; i++) {
                long until = s.seenUntil()[i];
                ids += 1 + (PostStateSerializer.isDigest(s.seenIds()[i]) ? 8 : str(s.seenIds()[i]))
                        + var(Math.floorMod(until, 60_000L) == 0 ? until / 60_000 : until);
            }
            put("engagement ids (inline)", ids);
            long pending = s.pending().length > 0 ? var(s.pending().length) : 0;
            for (var e : s.pending()) {
                pending += 2 + str(e.id()) + str(e.subjectId()) + str(e.actorId()) + 1
                        + (e.createdAt() == null ? 0 : var(e.createdAt().toEpochMilli())) + var(e.delta());
            }
            put("engagement waiting for its post", pending);
        }

        private void put(String field, long n) {
            bytes.merge(field, n, Long::sum);
        }

        private static long str(String s) {
            if (s == null) {
                return 1;
            }
            int n = s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1;
            return n + (n < 128 ? 1 : n < 16384 ? 2 : 3) - 1;
        }

        private static long words(String[] a) {
            long n = 1;
            for (String x : a) {
                n += word(x);
            }
            return n;
        }

        /** A reference as the varint of 2n + 1, a word in full as that of 2 (length + 1) and its bytes. */
        private static long word(String w) {
            if (w == null) {
                return 1;
            }
            if (Words.isRef(w)) {
                return Words.number(w) < 64 ? 1 : 2;
            }
            int n = w.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            int v = (n + 1) << 1;
            return n + (v < 128 ? 1 : v < 16384 ? 2 : 3);
        }

        private static long var(long value) {
            long v = (value << 1) ^ (value >> 63);
            long n = 1;
            while ((v & ~0x7FL) != 0) {
                n++;
                v >>>= 7;
            }
            return n;
        }
    }

    private static void row(PrintStream out, String name, long bytes, long entries, long posts) {
        out.printf(Locale.ROOT, "  | %s | %,d | %.1f | %.1f |%n", name, bytes, (double) bytes / Math.max(1, entries),
                (double) bytes / Math.max(1, posts));
    }

    private static <T> long size(TypeSerializer<T> serializer, T value, DataOutputSerializer buf) throws IOException {
        buf.clear();
        serializer.serialize(value, buf);
        return buf.length();
    }
}

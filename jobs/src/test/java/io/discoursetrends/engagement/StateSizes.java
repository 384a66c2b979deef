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
 * serialized with the state's own serializer, whole and without each of its parts, plus its key in the table.
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

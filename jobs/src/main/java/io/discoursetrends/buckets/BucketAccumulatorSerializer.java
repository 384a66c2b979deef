package io.discoursetrends.buckets;

import java.io.IOException;
import java.util.Map;
import org.apache.datasketches.common.ArrayOfStringsSerDe;
import org.apache.datasketches.frequencies.ItemsSketch;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.memory.Memory;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink's serializer for {@link BucketAccumulator}: counters, then the sketches in their compact binary forms,
 * then the exact maps. Without it the sketches would be serialized by Kryo (slow, large, and not stable across
 * library versions). Format version 1; a change of format needs a new snapshot version and a migration.
 */
public final class BucketAccumulatorSerializer extends TypeSerializerSingleton<BucketAccumulator> {
    private static final long serialVersionUID = 1L;

    public static final BucketAccumulatorSerializer INSTANCE = new BucketAccumulatorSerializer();
    private static final ArrayOfStringsSerDe STRINGS = new ArrayOfStringsSerDe();

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public BucketAccumulator createInstance() {
        return new BucketAccumulator();
    }

    /**
     * A deep copy (the heap state backend copies on write while a snapshot is in progress): a round trip
     * through the serialized form, which cannot miss a field the format has.
     */
    @Override
    public BucketAccumulator copy(BucketAccumulator from) {
        try {
            DataOutputSerializer out = new DataOutputSerializer(256);
            serialize(from, out);
            return deserialize(new DataInputDeserializer(out.getSharedBuffer(), 0, out.length()));
        } catch (IOException e) {
            throw new IllegalStateException("cannot copy a bucket accumulator", e);
        }
    }

    @Override
    public BucketAccumulator copy(BucketAccumulator from, BucketAccumulator reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(BucketAccumulator a, DataOutputView out) throws IOException {
        out.writeLong(a.posts);
        out.writeLong(a.cappedPosts);
        out.writeLong(a.botPosts);
        out.writeLong(a.likes);
        out.writeLong(a.reposts);
        out.writeLong(a.replies);
        out.writeLong(a.quotes);
        out.writeLong(a.votes);
        out.writeLong(a.unattributedEngagement);
        out.writeBoolean(a.fired);
        out.writeBoolean(a.dirty);
        writeBytes(out, a.authors.toCompactByteArray());
        writeBytes(out, a.engagers.toCompactByteArray());
        writeBytes(out, a.terms.toByteArray(STRINGS));
        out.writeInt(a.postsPerAuthor.size());
        for (Map.Entry<String, Integer> e : a.postsPerAuthor.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeInt(e.getValue());
        }
        out.writeInt(a.postEngagement.size());
        for (Map.Entry<String, BucketAccumulator.PostEngagement> e : a.postEngagement.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeLong(e.getValue().engagement);
            writeNullable(out, e.getValue().url);
            writeNullable(out, e.getValue().snippet);
        }
        writeCounts(out, a.communities);
        writeCounts(out, a.languages);
        out.writeInt(a.taxonomyVersions.size());
        for (String v : a.taxonomyVersions) {
            out.writeUTF(v);
        }
    }

    @Override
    public BucketAccumulator deserialize(DataInputView in) throws IOException {
        BucketAccumulator a = new BucketAccumulator();
        a.posts = in.readLong();
        a.cappedPosts = in.readLong();
        a.botPosts = in.readLong();
        a.likes = in.readLong();
        a.reposts = in.readLong();
        a.replies = in.readLong();
        a.quotes = in.readLong();
        a.votes = in.readLong();
        a.unattributedEngagement = in.readLong();
        a.fired = in.readBoolean();
        a.dirty = in.readBoolean();
        // heapify gives an updatable copy for HLL_8 sketches, so the restored accumulator keeps counting.
        a.authors = HllSketch.heapify(readBytes(in));
        a.engagers = HllSketch.heapify(readBytes(in));
        a.terms = ItemsSketch.getInstance(Memory.wrap(readBytes(in)), STRINGS);
        int authors = in.readInt();
        for (int i = 0; i < authors; i++) {
            a.postsPerAuthor.put(in.readUTF(), in.readInt());
        }
        int posts = in.readInt();
        for (int i = 0; i < posts; i++) {
            String id = in.readUTF();
            long engagement = in.readLong();
            a.postEngagement.put(id, new BucketAccumulator.PostEngagement(engagement, readNullable(in),
                    readNullable(in)));
        }
        readCounts(in, a.communities);
        readCounts(in, a.languages);
        int versions = in.readInt();
        for (int i = 0; i < versions; i++) {
            a.taxonomyVersions.add(in.readUTF());
        }
        return a;
    }

    @Override
    public BucketAccumulator deserialize(BucketAccumulator reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public TypeSerializerSnapshot<BucketAccumulator> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Restores {@link #INSTANCE}; the class name is part of every savepoint, so it must not move. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<BucketAccumulator> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }

    private static void writeBytes(DataOutputView out, byte[] bytes) throws IOException {
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static byte[] readBytes(DataInputView in) throws IOException {
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        return bytes;
    }

    private static void writeNullable(DataOutputView out, String s) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            out.writeUTF(s);
        }
    }

    private static String readNullable(DataInputView in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }

    private static void writeCounts(DataOutputView out, Map<String, Long> counts) throws IOException {
        out.writeInt(counts.size());
        for (Map.Entry<String, Long> e : counts.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeLong(e.getValue());
        }
    }

    private static void readCounts(DataInputView in, Map<String, Long> counts) throws IOException {
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            counts.put(in.readUTF(), in.readLong());
        }
    }
}

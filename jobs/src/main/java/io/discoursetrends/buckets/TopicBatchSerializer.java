package io.discoursetrends.buckets;

import io.discoursetrends.engagement.AttributedEvent;
import io.discoursetrends.model.Platform;
import io.discoursetrends.model.RecordSerializer;
import io.discoursetrends.model.SerializerTypeInfo;
import io.discoursetrends.model.Utf8Strings;
import java.io.IOException;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink's serializer for {@link TopicBatch}, the record sent from attribution to the topic buckets. The
 * generic record serializer writes a string one character at a time and every field with its own null marker;
 * this one writes strings as UTF-8 in one block ({@link Utf8Strings}), each event's flags in one byte, its
 * platform as the ordinal (read back as the shared {@link Platform#id()} instance) and only the counters that
 * are not zero.
 *
 * <p>Savepoints never hold records in flight (only unaligned checkpoints do), so the format may change between
 * releases as long as upgrades go through a savepoint, as the runbook says; the snapshot is for Flink's
 * bookkeeping.
 */
public final class TopicBatchSerializer extends RecordSerializer<TopicBatch> {
    private static final long serialVersionUID = 1L;

    private static final Platform[] PLATFORMS = Platform.values();

    private static final int POST = 1;
    private static final int REPLY = 1 << 1;
    private static final int QUOTE = 1 << 2;
    private static final int BOT_POST = 1 << 3;
    private static final int UNATTRIBUTED = 1 << 4;

    @Override
    protected RecordSerializer<TopicBatch> newInstance() {
        return new TopicBatchSerializer();
    }

    @Override
    public void serialize(TopicBatch batch, DataOutputView out) throws IOException {
        strings().write(out, batch.topic());
        Utf8Strings.writeVarInt(out, batch.events().length);
        TopicBatch.Encoded encoded = batch.encoded();
        if (encoded != null && encoded.flush.open) {
            // Copy the bytes the batcher encoded once per event; runs of consecutive events in one copy (the
            // _all batch of a flush is all of it).
            int[] starts = encoded.flush.starts;
            int[] indexes = encoded.indexes;
            int i = 0;
            while (i < indexes.length) {
                int first = indexes[i];
                int last = first;
                while (++i < indexes.length && indexes[i] == last + 1) {
                    last++;
                }
                out.write(encoded.flush.bytes, starts[first], starts[last + 1] - starts[first]);
            }
            return;
        }
        for (AttributedEvent e : batch.events()) {
            writeEvent(out, e);
        }
    }

    /** Writes one event as {@link #serialize} writes it within a batch: {@link TopicBatcher} encodes ahead. */
    void encode(DataOutputView out, AttributedEvent e) throws IOException {
        writeEvent(out, e);
    }

    @Override
    public TopicBatch deserialize(DataInputView in) throws IOException {
        String topic = strings().read(in);
        AttributedEvent[] events = new AttributedEvent[Utf8Strings.readVarInt(in)];
        for (int i = 0; i < events.length; i++) {
            events[i] = readEvent(in);
        }
        return new TopicBatch(topic, events);
    }

    private void writeEvent(DataOutputView out, AttributedEvent e) throws IOException {
        out.writeByte((e.isPost() ? POST : 0) | (e.reply() ? REPLY : 0) | (e.quote() ? QUOTE : 0)
                | (e.botPost() ? BOT_POST : 0) | (e.unattributed() ? UNATTRIBUTED : 0));
        out.writeByte(Platform.of(e.platform()).ordinal());
        out.writeLong(e.timeMillis());
        strings().writeArray(out, e.topics());
        strings().write(out, e.taxonomyVersion());
        strings().write(out, e.postId());
        strings().write(out, e.url());
        strings().write(out, e.snippet());
        strings().write(out, e.authorKey());
        strings().write(out, e.lang());
        strings().write(out, e.community());
        strings().writeArray(out, e.terms());
        // A mask of the counters that are not zero, then those: most events carry one. No array per event.
        out.writeByte((e.likes() != 0 ? 1 : 0) | (e.reposts() != 0 ? 2 : 0) | (e.replies() != 0 ? 4 : 0)
                | (e.quotes() != 0 ? 8 : 0) | (e.votes() != 0 ? 16 : 0));
        writeIfSet(out, e.likes());
        writeIfSet(out, e.reposts());
        writeIfSet(out, e.replies());
        writeIfSet(out, e.quotes());
        writeIfSet(out, e.votes());
    }

    private static void writeIfSet(DataOutputView out, long counter) throws IOException {
        if (counter != 0) {
            out.writeLong(counter);
        }
    }

    private static long readIfSet(DataInputView in, int nonZero, int bit) throws IOException {
        return (nonZero & bit) != 0 ? in.readLong() : 0;
    }

    private AttributedEvent readEvent(DataInputView in) throws IOException {
        int flags = in.readUnsignedByte();
        String platform = PLATFORMS[in.readUnsignedByte()].id();
        long time = in.readLong();
        String[] topics = strings().readArray(in);
        String taxonomyVersion = strings().read(in);
        String postId = strings().read(in);
        String url = strings().read(in);
        String snippet = strings().read(in);
        String authorKey = strings().read(in);
        String lang = strings().read(in);
        String community = strings().read(in);
        String[] terms = strings().readArray(in);
        int nonZero = in.readUnsignedByte();
        long likes = readIfSet(in, nonZero, 1);
        long reposts = readIfSet(in, nonZero, 2);
        long replies = readIfSet(in, nonZero, 4);
        long quotes = readIfSet(in, nonZero, 8);
        long votes = readIfSet(in, nonZero, 16);
        return new AttributedEvent((flags & POST) != 0 ? AttributedEvent.Kind.POST : AttributedEvent.Kind.ENGAGEMENT,
                platform, time, topics, taxonomyVersion, postId, url, snippet, authorKey, (flags & REPLY) != 0,
                (flags & QUOTE) != 0, (flags & BOT_POST) != 0, (flags & UNATTRIBUTED) != 0, lang, community, terms,
                likes, reposts, replies, quotes, votes);
    }

    @Override
    public TypeSerializerSnapshot<TopicBatch> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Restores the serializer (it has no configuration). */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<TopicBatch> {
        public Snapshot() {
            super(TopicBatchSerializer::new);
        }
    }

    /** Makes Flink use this serializer wherever a {@link TopicBatch} is sent ({@code @TypeInfo}). */
    public static final class TypeInfoFactory
            extends org.apache.flink.api.common.typeinfo.TypeInfoFactory<TopicBatch> {
        @Override
        public TypeInformation<TopicBatch> createTypeInfo(Type t, Map<String, TypeInformation<?>> params) {
            return new SerializerTypeInfo<>(TopicBatch.class, new TopicBatchSerializer());
        }
    }
}

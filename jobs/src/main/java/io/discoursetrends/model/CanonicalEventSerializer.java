package io.discoursetrends.model;

import java.io.IOException;
import java.lang.reflect.Type;
import java.time.Instant;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink's serializer for {@link CanonicalEvent}, the record every normalized event is sent as from the source
 * to classification (keyed by post). Strings, the post's text above all, go as UTF-8 blocks
 * ({@link Utf8Strings}); enums as ordinals; nullable counters and flags as bit masks. It replaces Flink's record
 * serializer, which wrote text one character at a time.
 *
 * <p>Savepoints never hold records in flight (only unaligned checkpoints do), so the format may change between
 * releases as long as upgrades go through a savepoint, as the runbook says; the snapshot is for Flink's
 * bookkeeping.
 */
public final class CanonicalEventSerializer extends RecordSerializer<CanonicalEvent> {
    private static final long serialVersionUID = 1L;

    private static final Platform[] PLATFORMS = Platform.values();
    private static final Engagement.Type[] TYPES = Engagement.Type.values();

    private static final int IS_POST = 1;
    private static final int HAS_OBSERVED_AT = 1 << 1;
    private static final int HAS_HASHTAGS = 1 << 2;
    private static final int HAS_METRICS = 1 << 3;
    private static final int BOT_KNOWN = 1 << 4;
    private static final int BOT = 1 << 5;

    @Override
    protected RecordSerializer<CanonicalEvent> newInstance() {
        return new CanonicalEventSerializer();
    }

    @Override
    public void serialize(CanonicalEvent event, DataOutputView out) throws IOException {
        Post p = event.post();
        int flags = (p != null ? IS_POST : 0) | (event.observedAt() != null ? HAS_OBSERVED_AT : 0);
        if (p != null) {
            flags |= (p.hashtags() != null ? HAS_HASHTAGS : 0) | (p.metrics() != null ? HAS_METRICS : 0)
                    | (p.authorBot() != null ? BOT_KNOWN : 0) | (Boolean.TRUE.equals(p.authorBot()) ? BOT : 0);
        }
        out.writeByte(flags);
        if (event.observedAt() != null) {
            writeInstant(out, event.observedAt());
        }
        if (p != null) {
            out.writeByte(p.platform().ordinal());
            strings().write(out, p.id());
            strings().write(out, p.url());
            strings().write(out, p.authorId());
            strings().write(out, p.authorHandle());
            strings().write(out, p.community());
            strings().write(out, p.text());
            strings().write(out, p.lang());
            writeNullableInstant(out, p.createdAt());
            strings().write(out, p.replyTo());
            strings().write(out, p.quoteOf());
            if (p.hashtags() != null) {
                strings().writeArray(out, p.hashtags());
            }
            if (p.metrics() != null) {
                writeMetrics(out, p.metrics());
            }
            return;
        }
        Engagement e = event.engagement();
        out.writeByte(e.platform().ordinal());
        out.writeByte(e.type().ordinal());
        strings().write(out, e.id());
        strings().write(out, e.subjectId());
        strings().write(out, e.actorId());
        writeNullableInstant(out, e.createdAt());
        out.writeLong(e.delta());
    }

    @Override
    public CanonicalEvent deserialize(DataInputView in) throws IOException {
        int flags = in.readUnsignedByte();
        Instant observedAt = (flags & HAS_OBSERVED_AT) != 0 ? readInstant(in) : null;
        if ((flags & IS_POST) != 0) {
            Platform platform = PLATFORMS[in.readUnsignedByte()];
            String id = strings().read(in);
            String url = strings().read(in);
            String authorId = strings().read(in);
            String authorHandle = strings().read(in);
            String community = strings().read(in);
            String text = strings().read(in);
            String lang = strings().read(in);
            Instant createdAt = readNullableInstant(in);
            String replyTo = strings().read(in);
            String quoteOf = strings().read(in);
            String[] hashtags = (flags & HAS_HASHTAGS) != 0 ? strings().readArray(in) : null;
            Metrics metrics = (flags & HAS_METRICS) != 0 ? readMetrics(in) : null;
            Boolean bot = (flags & BOT_KNOWN) != 0 ? Boolean.valueOf((flags & BOT) != 0) : null;
            return new CanonicalEvent(new Post(platform, id, url, authorId, authorHandle, bot, community, text, lang,
                    createdAt, replyTo, quoteOf, hashtags, metrics), null, observedAt);
        }
        Platform platform = PLATFORMS[in.readUnsignedByte()];
        Engagement.Type type = TYPES[in.readUnsignedByte()];
        String id = strings().read(in);
        String subjectId = strings().read(in);
        String actorId = strings().read(in);
        Instant createdAt = readNullableInstant(in);
        long delta = in.readLong();
        return new CanonicalEvent(null, new Engagement(platform, type, id, subjectId, actorId, createdAt, delta),
                observedAt);
    }

    @Override
    public TypeSerializerSnapshot<CanonicalEvent> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Restores the serializer (it has no configuration). */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<CanonicalEvent> {
        public Snapshot() {
            super(CanonicalEventSerializer::new);
        }
    }

    /** Makes Flink use this serializer wherever a {@link CanonicalEvent} is sent ({@code @TypeInfo}). */
    public static final class TypeInfoFactory
            extends org.apache.flink.api.common.typeinfo.TypeInfoFactory<CanonicalEvent> {
        @Override
        public TypeInformation<CanonicalEvent> createTypeInfo(Type t, Map<String, TypeInformation<?>> params) {
            return new SerializerTypeInfo<>(CanonicalEvent.class, new CanonicalEventSerializer());
        }
    }

    private static void writeInstant(DataOutputView out, Instant t) throws IOException {
        out.writeLong(t.getEpochSecond());
        out.writeInt(t.getNano());
    }

    private static Instant readInstant(DataInputView in) throws IOException {
        return Instant.ofEpochSecond(in.readLong(), in.readInt());
    }

    private static void writeNullableInstant(DataOutputView out, Instant t) throws IOException {
        out.writeBoolean(t != null);
        if (t != null) {
            writeInstant(out, t);
        }
    }

    private static Instant readNullableInstant(DataInputView in) throws IOException {
        return in.readBoolean() ? readInstant(in) : null;
    }

    /** A mask of the counters that are reported (bit i for the i-th), then those counters. */
    private static void writeMetrics(DataOutputView out, Metrics m) throws IOException {
        Long[] counters = {m.likes(), m.reposts(), m.replies(), m.quotes(), m.score()};
        int present = 0;
        for (int i = 0; i < counters.length; i++) {
            present |= counters[i] != null ? 1 << i : 0;
        }
        out.writeByte(present);
        for (Long c : counters) {
            if (c != null) {
                out.writeLong(c);
            }
        }
    }

    private static Metrics readMetrics(DataInputView in) throws IOException {
        int present = in.readUnsignedByte();
        Long[] counters = new Long[5];
        for (int i = 0; i < counters.length; i++) {
            if ((present & 1 << i) != 0) {
                counters[i] = in.readLong();
            }
        }
        return new Metrics(counters[0], counters[1], counters[2], counters[3], counters[4]);
    }
}

package io.discoursetrends.buckets;

import io.discoursetrends.engagement.AttributedEvent;
import io.discoursetrends.model.Platform;
import io.discoursetrends.model.SerializerTypeInfo;
import io.discoursetrends.model.Utf8Strings;
import java.io.IOException;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink's serializer for {@link TopicContribution}, the record sent from attribution to the topic buckets,
 * once per event and topic. The generic record serializer writes a string one character at a time and every
 * field with its own null marker; this one writes strings as UTF-8 in one block ({@link Utf8Strings}), the
 * flags in one byte, the platform as its ordinal (read back as the shared {@link Platform#id()} instance) and
 * only the counters that are not zero.
 *
 * <p>Records in flight are never part of a savepoint (only with unaligned checkpoints, which restore them with
 * the same job version), so the format may change between releases; the snapshot is for Flink's bookkeeping.
 */
public final class TopicContributionSerializer extends TypeSerializerSingleton<TopicContribution> {
    private static final long serialVersionUID = 1L;

    public static final TopicContributionSerializer INSTANCE = new TopicContributionSerializer();

    private static final Platform[] PLATFORMS = Platform.values();

    private static final int POST = 1;
    private static final int REPLY = 1 << 1;
    private static final int QUOTE = 1 << 2;
    private static final int BOT_POST = 1 << 3;
    private static final int UNATTRIBUTED = 1 << 4;

    @Override
    public boolean isImmutableType() {
        return true; // records of strings and arrays nobody writes to after creation
    }

    @Override
    public TopicContribution createInstance() {
        return null; // immutable: never deserialized into a reused instance
    }

    @Override
    public TopicContribution copy(TopicContribution from) {
        return from;
    }

    @Override
    public TopicContribution copy(TopicContribution from, TopicContribution reuse) {
        return from;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(TopicContribution c, DataOutputView out) throws IOException {
        AttributedEvent e = c.event();
        Utf8Strings.write(out, c.topic());
        out.writeByte((e.isPost() ? POST : 0) | (e.reply() ? REPLY : 0) | (e.quote() ? QUOTE : 0)
                | (e.botPost() ? BOT_POST : 0) | (e.unattributed() ? UNATTRIBUTED : 0));
        out.writeByte(Platform.of(e.platform()).ordinal());
        out.writeLong(e.timeMillis());
        Utf8Strings.writeArray(out, e.topics());
        Utf8Strings.write(out, e.taxonomyVersion());
        Utf8Strings.write(out, e.postId());
        Utf8Strings.write(out, e.url());
        Utf8Strings.write(out, e.snippet());
        Utf8Strings.write(out, e.authorKey());
        Utf8Strings.write(out, e.lang());
        Utf8Strings.write(out, e.community());
        Utf8Strings.writeArray(out, e.terms());
        long[] counters = {e.likes(), e.reposts(), e.replies(), e.quotes(), e.votes()};
        int nonZero = 0;
        for (int i = 0; i < counters.length; i++) {
            nonZero |= counters[i] != 0 ? 1 << i : 0;
        }
        out.writeByte(nonZero);
        for (int i = 0; i < counters.length; i++) {
            if ((nonZero & 1 << i) != 0) {
                out.writeLong(counters[i]);
            }
        }
    }

    @Override
    public TopicContribution deserialize(DataInputView in) throws IOException {
        String topic = Utf8Strings.read(in);
        int flags = in.readUnsignedByte();
        String platform = PLATFORMS[in.readUnsignedByte()].id();
        long time = in.readLong();
        String[] topics = Utf8Strings.readArray(in);
        String taxonomyVersion = Utf8Strings.read(in);
        String postId = Utf8Strings.read(in);
        String url = Utf8Strings.read(in);
        String snippet = Utf8Strings.read(in);
        String authorKey = Utf8Strings.read(in);
        String lang = Utf8Strings.read(in);
        String community = Utf8Strings.read(in);
        String[] terms = Utf8Strings.readArray(in);
        int nonZero = in.readUnsignedByte();
        long[] counters = new long[5];
        for (int i = 0; i < counters.length; i++) {
            if ((nonZero & 1 << i) != 0) {
                counters[i] = in.readLong();
            }
        }
        return new TopicContribution(topic, new AttributedEvent(
                (flags & POST) != 0 ? AttributedEvent.Kind.POST : AttributedEvent.Kind.ENGAGEMENT, platform, time,
                topics, taxonomyVersion, postId, url, snippet, authorKey, (flags & REPLY) != 0,
                (flags & QUOTE) != 0, (flags & BOT_POST) != 0, (flags & UNATTRIBUTED) != 0, lang, community, terms,
                counters[0], counters[1], counters[2], counters[3], counters[4]));
    }

    @Override
    public TopicContribution deserialize(TopicContribution reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public TypeSerializerSnapshot<TopicContribution> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Restores {@link #INSTANCE}. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<TopicContribution> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }

    /** Makes Flink use this serializer wherever a {@link TopicContribution} is sent ({@code @TypeInfo}). */
    public static final class TypeInfoFactory
            extends org.apache.flink.api.common.typeinfo.TypeInfoFactory<TopicContribution> {
        @Override
        public TypeInformation<TopicContribution> createTypeInfo(Type t, Map<String, TypeInformation<?>> params) {
            return new SerializerTypeInfo<>(TopicContribution.class, INSTANCE);
        }
    }
}

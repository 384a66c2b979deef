package io.discoursetrends.buckets;

import static org.assertj.core.api.Assertions.assertThat;

import io.discoursetrends.engagement.AttributedEvent;
import java.io.IOException;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** The fan-out edge's serializer: Flink picks it, and every field survives the round trip, nulls included. */
class TopicBatchSerializerTest {
    private final TopicBatchSerializer s = new TopicBatchSerializer();

    @Test
    void shouldBeTheSerializerFlinkUsesForTheRecord() {
        assertThat(TypeInformation.of(TopicBatch.class).createSerializer(new SerializerConfigImpl()))
                .isInstanceOf(TopicBatchSerializer.class);
    }

    @Test
    void shouldRoundTripAPostWithNonAsciiTextAndSeveralTopics() throws IOException {
        AttributedEvent post = new AttributedEvent(AttributedEvent.Kind.POST, "mastodon", 1_780_000_000_123L,
                new String[] {"ai-art", "open-weight-models"}, "2026-05-25.1", "113456789", null, null,
                "mastodon|1234", true, false, false, false, "ja", "mastodon.social",
                new String[] {"画像生成", "qwen", "ünïcödé", "😀"}, 0, 0, 0, 0, 0);
        assertRoundTrip(new TopicBatch("ai-art", new AttributedEvent[] {post}));
    }

    @Test
    void shouldRoundTripEngagementWithNegativeCountersAndEveryNullableFieldNull() throws IOException {
        AttributedEvent delta = new AttributedEvent(AttributedEvent.Kind.ENGAGEMENT, "reddit", -5L,
                AttributedEvent.NO_TOPICS, null, null, null, null, null, false, true, true, true, null, null,
                AttributedEvent.NO_TOPICS, 3, 0, -2, 1L << 40, -1);
        assertRoundTrip(new TopicBatch(TrendBucket.ALL_TOPICS, new AttributedEvent[] {delta}));
        AttributedEvent like = new AttributedEvent(AttributedEvent.Kind.ENGAGEMENT, "bluesky", 17L,
                new String[] {"ai-art"}, "v1", "at://did:plc:x/app.bsky.feed.post/3k", "https://bsky.app/p/3k",
                "x".repeat(300), "bluesky|did:plc:y", false, false, false, false, null, null,
                AttributedEvent.NO_TOPICS, 1, 0, 0, 0, 0);
        assertRoundTrip(new TopicBatch("ai-art", new AttributedEvent[] {like, like, delta}));
        assertRoundTrip(new TopicBatch("empty", new AttributedEvent[0]));
    }

    @Test
    void shouldWriteEventsEncodedAheadAsIfEncodingThemNow() throws IOException {
        AttributedEvent a = new AttributedEvent(AttributedEvent.Kind.POST, "bluesky", 1L, new String[] {"ai-art"},
                "v1", "at://p/1", "https://bsky.app/p/1", "hello", "bluesky|did:plc:a", false, false, false, false,
                "en", null, new String[] {"hello"}, 0, 0, 0, 0, 0);
        AttributedEvent b = new AttributedEvent(AttributedEvent.Kind.ENGAGEMENT, "reddit", 2L,
                AttributedEvent.NO_TOPICS, null, "t3_x", null, null, null, false, false, false, true, null, null,
                AttributedEvent.NO_TOPICS, 0, 0, 0, 0, 7);
        AttributedEvent c = new AttributedEvent(AttributedEvent.Kind.ENGAGEMENT, "bluesky", 3L,
                new String[] {"ai-art"}, "v1", "at://p/1", "https://bsky.app/p/1", "hello", "bluesky|did:plc:b",
                false, false, false, false, null, null, AttributedEvent.NO_TOPICS, 1, 0, 0, 0, 0);
        AttributedEvent[] all = {a, b, c};
        DataOutputSerializer ahead = new DataOutputSerializer(16);
        int[] starts = new int[all.length + 1];
        for (int i = 0; i < all.length; i++) {
            starts[i] = ahead.length();
            s.encode(ahead, all[i]);
        }
        starts[all.length] = ahead.length();
        TopicBatch.Flush flush = new TopicBatch.Flush(ahead.getSharedBuffer(), starts);
        TopicBatch allBatch = new TopicBatch("_all", all, new TopicBatch.Encoded(flush, new int[] {0, 1, 2}));
        TopicBatch topicBatch = new TopicBatch("ai-art", new AttributedEvent[] {a, c},
                new TopicBatch.Encoded(flush, new int[] {0, 2}));

        assertThat(bytes(allBatch)).isEqualTo(bytes(new TopicBatch("_all", all)));
        assertThat(bytes(topicBatch)).isEqualTo(bytes(new TopicBatch("ai-art", new AttributedEvent[] {a, c})));
        assertRoundTrip(topicBatch);
        // Once the flush is over its buffer is reused: the events are encoded again, to the same bytes.
        flush.open = false;
        java.util.Arrays.fill(ahead.getSharedBuffer(), (byte) 0);
        assertThat(bytes(topicBatch)).isEqualTo(bytes(new TopicBatch("ai-art", new AttributedEvent[] {a, c})));
        assertRoundTrip(topicBatch);
    }

    private byte[] bytes(TopicBatch batch) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(16);
        s.serialize(batch, out);
        return out.getCopyOfBuffer();
    }

    @Test
    void shouldRestoreItselfFromItsSnapshot() {
        assertThat(s.snapshotConfiguration().resolveSchemaCompatibility(s.snapshotConfiguration()))
                .extracting(TypeSerializerSchemaCompatibility::isCompatibleAsIs).isEqualTo(true);
        assertThat(s.snapshotConfiguration().restoreSerializer()).isInstanceOf(TopicBatchSerializer.class);
    }

    private void assertRoundTrip(TopicBatch c) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        s.serialize(c, out);
        s.serialize(c, out); // two in a row: each read must stop exactly at its end
        DataInputDeserializer in = new DataInputDeserializer(out.getSharedBuffer(), 0, out.length());
        assertThat(s.deserialize(in)).isEqualTo(c);
        assertThat(s.deserialize(in)).isEqualTo(c);
        assertThat(in.available()).isZero();
    }
}

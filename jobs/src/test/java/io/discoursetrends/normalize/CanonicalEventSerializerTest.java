package io.discoursetrends.normalize;

import static org.assertj.core.api.Assertions.assertThat;

import io.discoursetrends.model.CanonicalEvent;
import io.discoursetrends.model.CanonicalEventSerializer;
import io.discoursetrends.model.Engagement;
import io.discoursetrends.model.Metrics;
import io.discoursetrends.model.Platform;
import io.discoursetrends.model.Post;
import io.discoursetrends.replay.RawStreamGenerator;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The serializer events cross the network with: Flink picks it, and every event of the real fixtures and of the
 * generated stream, with every optional field absent or present, comes back equal.
 */
class CanonicalEventSerializerTest {
    private final CanonicalEventSerializer s = new CanonicalEventSerializer();

    @Test
    void shouldBeTheSerializerFlinkUsesForTheRecord() {
        assertThat(TypeInformation.of(CanonicalEvent.class).createSerializer(new SerializerConfigImpl()))
                .isInstanceOf(CanonicalEventSerializer.class);
    }

    @ParameterizedTest
    @EnumSource(Platform.class)
    void shouldRoundTripEveryEventOfThePlatformsRealFixtures(Platform platform) throws IOException {
        List<CanonicalEvent> events = new ArrayList<>();
        Fixtures.normalizeAll(platform).values().forEach(f -> events.addAll(f.events()));
        assertThat(events).isNotEmpty();
        assertRoundTrip(events);
    }

    @ParameterizedTest
    @EnumSource(Platform.class)
    void shouldRoundTripTheGeneratedStream(Platform platform) throws IOException {
        Normalizer n = Normalizers.forPlatform(platform);
        List<CanonicalEvent> events = new ArrayList<>();
        for (byte[] raw : RawStreamGenerator.values(RawStreamGenerator.generate(platform, 2_000,
                Instant.parse("2026-05-25T14:00:00Z"), Duration.ofMinutes(10), 7))) {
            n.normalize(raw).events().forEach(e -> events.add(e.observedAt(1_780_000_000_000L + events.size())));
        }
        assertRoundTrip(events);
    }

    @Test
    void shouldKeepEveryNullAndNonAsciiText() throws IOException {
        Post bare = new Post(Platform.REDDIT, "t3_x", null, null, null, null, null, null, null, null, null, null,
                null, null);
        Post full = new Post(Platform.MASTODON, "1", "https://m.example/@a/1", "a", "@a@m.example", false, "m.example",
                "画像生成 AI 😀 — ünïcödé", "ja", Instant.ofEpochSecond(1_780_000_000L, 123_456_789), "0", "q",
                new String[] {"ai", "アート"}, new Metrics(1L, null, 3L, null, -5L));
        Post bot = new Post(Platform.BLUESKY, "p", null, "did:plc:b", null, true, null, "", "en",
                Instant.EPOCH, null, null, new String[0], Metrics.NONE);
        Engagement like = new Engagement(Platform.HACKERNEWS, Engagement.Type.VOTE, null, "42", null, null, -1);
        assertRoundTrip(List.of(CanonicalEvent.of(bare), CanonicalEvent.of(full), CanonicalEvent.of(bot),
                CanonicalEvent.of(like), CanonicalEvent.of(full).observedAt(5)));
    }

    private void assertRoundTrip(List<CanonicalEvent> events) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(1024);
        for (CanonicalEvent e : events) {
            s.serialize(e, out);
        }
        DataInputDeserializer in = new DataInputDeserializer(out.getSharedBuffer(), 0, out.length());
        for (CanonicalEvent e : events) {
            assertThat(s.deserialize(in)).isEqualTo(e);
        }
        assertThat(in.available()).isZero();
    }
}

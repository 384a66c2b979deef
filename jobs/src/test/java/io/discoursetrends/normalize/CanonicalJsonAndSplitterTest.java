package io.discoursetrends.normalize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.discoursetrends.model.CanonicalEvent;
import io.discoursetrends.model.Engagement;
import io.discoursetrends.model.Metrics;
import io.discoursetrends.model.Platform;
import io.discoursetrends.model.Post;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CanonicalJsonAndSplitterTest {

    @Test
    void postAndEngagementRoundTripAndLeaveOutWhatIsAbsent() {
        CanonicalEvent post = CanonicalEvent.of(new Post(Platform.REDDIT, "t3_abc", "https://www.reddit.com/r/x/comments/abc/_/",
                "t2_1", "someone", null, "x", "title", null, Instant.parse("2026-01-01T00:00:00.123456Z"), null, null,
                new String[] {"ai"}, new Metrics(null, null, 3L, null, -2L)));
        String json = CanonicalJson.write(post);
        assertThat(json).isEqualTo("{\"kind\":\"post\",\"platform\":\"reddit\",\"id\":\"t3_abc\","
                + "\"url\":\"https://www.reddit.com/r/x/comments/abc/_/\",\"author_id\":\"t2_1\",\"author_handle\":\"someone\","
                + "\"community\":\"x\",\"text\":\"title\",\"created_at\":\"2026-01-01T00:00:00.123456Z\","
                + "\"hashtags\":[\"ai\"],\"metrics\":{\"replies\":3,\"score\":-2}}");
        assertThat(CanonicalJson.read(json.getBytes(StandardCharsets.UTF_8))).isEqualTo(post);

        CanonicalEvent like = CanonicalEvent.of(new Engagement(Platform.BLUESKY, Engagement.Type.LIKE,
                "at://did:plc:a/app.bsky.feed.like/1", "at://did:plc:b/app.bsky.feed.post/2", "did:plc:a",
                Instant.parse("2026-01-01T00:00:00Z"), 1));
        assertThat(CanonicalJson.write(like)).isEqualTo("{\"kind\":\"engagement\",\"platform\":\"bluesky\",\"type\":\"like\","
                + "\"id\":\"at://did:plc:a/app.bsky.feed.like/1\",\"subject_id\":\"at://did:plc:b/app.bsky.feed.post/2\","
                + "\"actor_id\":\"did:plc:a\",\"created_at\":\"2026-01-01T00:00:00Z\",\"delta\":1}");
        assertThat(CanonicalJson.read(CanonicalJson.writeBytes(like))).isEqualTo(like);
        assertThatThrownBy(() -> CanonicalJson.read("{\"kind\":\"dead_letter\"}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dead_letter");
    }

    @Test
    void redditTreeIsEmittedParentFirstWithRepliesDetached() {
        String doc = "[{\"kind\":\"Listing\",\"data\":{\"children\":[{\"kind\":\"t3\",\"data\":{\"name\":\"t3_a\"}}]}},"
                + "{\"kind\":\"Listing\",\"data\":{\"children\":["
                + "{\"kind\":\"t1\",\"data\":{\"name\":\"t1_b\",\"replies\":{\"kind\":\"Listing\",\"data\":{\"children\":["
                + "{\"kind\":\"t1\",\"data\":{\"name\":\"t1_c\",\"replies\":\"\"}},"
                + "{\"kind\":\"more\",\"data\":{\"children\":[\"d\"]}}]}}}},"
                + "{\"kind\":\"t1\",\"data\":{\"name\":\"t1_e\",\"replies\":\"\"}}]}}]";
        RecordSplitter.Split s = new RecordSplitter().split(Platform.REDDIT, doc.getBytes(StandardCharsets.UTF_8));
        assertThat(s.records()).containsExactly(
                "{\"kind\":\"t3\",\"data\":{\"name\":\"t3_a\"}}",
                "{\"kind\":\"t1\",\"data\":{\"name\":\"t1_b\",\"replies\":\"\"}}",
                "{\"kind\":\"t1\",\"data\":{\"name\":\"t1_c\",\"replies\":\"\"}}",
                "{\"kind\":\"more\",\"data\":{\"children\":[\"d\"]}}",
                "{\"kind\":\"t1\",\"data\":{\"name\":\"t1_e\",\"replies\":\"\"}}");
        assertThat(s.notes()).isEmpty();
    }

    @Test
    void blueskyLinesAreKeptAsTheyAreAndBlankOnesDropped() {
        byte[] doc = "{\"a\":1}\r\n\n  \n{\"b\": 2}".getBytes(StandardCharsets.UTF_8);
        assertThat(new RecordSplitter().split(Platform.BLUESKY, doc).records()).containsExactly("{\"a\":1}", "{\"b\": 2}");
    }

    @Test
    void aDocumentThatIsNotJsonIsRefusedWithWhere() {
        assertThatThrownBy(() -> new RecordSplitter().split(Platform.MASTODON, "{\"a\":".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("not valid JSON: ");
    }
}

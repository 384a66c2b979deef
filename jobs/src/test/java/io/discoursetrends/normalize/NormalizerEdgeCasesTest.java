package io.discoursetrends.normalize;

import static org.assertj.core.api.Assertions.assertThat;

import io.discoursetrends.model.CanonicalEvent;
import io.discoursetrends.model.Engagement;
import io.discoursetrends.model.Platform;
import io.discoursetrends.model.Post;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * Rules the fixtures do not exercise, on small records written here (shapes as the platforms document them).
 */
class NormalizerEdgeCasesTest {
    private static final String DID = "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa";

    private final Normalizer bluesky = Normalizers.forPlatform(Platform.BLUESKY);
    private final Normalizer reddit = Normalizers.forPlatform(Platform.REDDIT);
    private final Normalizer hn = Normalizers.forPlatform(Platform.HACKERNEWS);
    private final Normalizer mastodon = Normalizers.forPlatform(Platform.MASTODON);

    // --- every platform ------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Platform.class)
    void bytesThatAreNotAJsonObjectAreMalformedWithTheirReason(Platform p) {
        Normalizer n = Normalizers.forPlatform(p);
        assertThat(reason(n, "")).isEqualTo("empty record");
        assertThat(reason(n, "   ")).isEqualTo("empty record");
        assertThat(reason(n, "[1,2]")).isEqualTo("not a JSON object but an array");
        assertThat(reason(n, "\"text\"")).isEqualTo("not a JSON object but a string");
        assertThat(reason(n, "{\"a\":")).startsWith("not valid JSON: Unexpected end-of-input");
        assertThat(reason(n, "{} {}")).startsWith("not valid JSON: ");
        assertThat(n.normalize(new byte[] {'{', '"', (byte) 0xC3, 0x28, '"', ':', '1', '}'}).malformedReason())
                .isEqualTo("invalid UTF-8 at byte 2 (0xC3)");
        assertThat(n.normalize(null).malformedReason()).isEqualTo("empty record");
    }

    @ParameterizedTest
    @EnumSource(Platform.class)
    void deepNestingAndHugeStringsHitTheParserLimitsNotTheStackOrHeap(Platform p) {
        Normalizer n = Normalizers.forPlatform(p);
        String deep = "{\"a\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";
        assertThat(reason(n, deep)).startsWith("record exceeds a parser limit: Document nesting depth (201)");
        String huge = "{\"text\":\"" + "x".repeat(CanonicalJson.MAX_STRING_CHARS + 1) + "\"}";
        assertThat(reason(n, huge)).startsWith("record exceeds a parser limit: String value length");
    }

    // --- Bluesky -------------------------------------------------------------------------------------

    @Test
    void blueskyPostWithoutTimeUsFallsBackToCreatedAtAndWithoutEitherIsMalformed() {
        String post = commit(null, "app.bsky.feed.post", "3kabc", "{\"$type\":\"app.bsky.feed.post\",\"text\":\"hi\","
                + "\"createdAt\":\"2026-01-02T03:04:05.678Z\"}");
        assertThat(bluesky.normalize(utf8(post)).events().get(0).createdAt())
                .isEqualTo(Instant.parse("2026-01-02T03:04:05.678Z"));
        String neither = commit(null, "app.bsky.feed.post", "3kabc", "{\"text\":\"hi\"}");
        assertThat(reason(bluesky, neither))
                .isEqualTo("bluesky commit create of app.bsky.feed.post has no record.createdAt nor time_us");
        String badType = commit("\"1779719009132431\"", "app.bsky.feed.post", "3kabc", "{\"text\":\"hi\"}");
        assertThat(reason(bluesky, badType)).isEqualTo(
                "bluesky event time_us is a string, expected a non-negative integer (microseconds since the epoch)");
        assertThat(reason(bluesky, post.replace("\"did\":\"" + DID + "\",", "")))
                .isEqualTo("bluesky event has no did");
    }

    @Test
    void blueskyQuoteWithMediaIsAPostAndAQuoteEngagement() {
        String quoted = "at://did:plc:bbbbbbbbbbbbbbbbbbbbbbbb/app.bsky.feed.post/3kquoted";
        String rec = "{\"text\":\"look #LocalLLaMA\",\"createdAt\":\"2026-01-01T00:00:00Z\",\"langs\":[\"en\",\"de\"],"
                + "\"tags\":[\"OpenWeights\",\"#localllama\"],"
                + "\"facets\":[{\"index\":{\"byteStart\":5,\"byteEnd\":16},\"features\":["
                + "{\"$type\":\"app.bsky.richtext.facet#tag\",\"tag\":\"LocalLLaMA\"}]}],"
                + "\"embed\":{\"$type\":\"app.bsky.embed.recordWithMedia\",\"media\":{\"$type\":\"app.bsky.embed.images\","
                + "\"images\":[]},\"record\":{\"$type\":\"app.bsky.embed.record\",\"record\":{\"cid\":\"bafy\",\"uri\":\""
                + quoted + "\"}}}}";
        List<CanonicalEvent> events = bluesky.normalize(utf8(commit("1700000000000001", "app.bsky.feed.post", "3kq", rec)))
                .events();
        assertThat(events).hasSize(2);
        Post p = events.get(0).post();
        assertThat(p.quoteOf()).isEqualTo(quoted);
        assertThat(p.lang()).isEqualTo("en");
        assertThat(p.hashtags()).containsExactly("localllama", "openweights");
        assertThat(p.createdAt()).isEqualTo(Instant.parse("2023-11-14T22:13:20.000001Z"));
        assertThat(events.get(1).engagement()).isEqualTo(new Engagement(Platform.BLUESKY, Engagement.Type.QUOTE,
                p.id(), quoted, DID, p.createdAt(), 1));
    }

    @Test
    void blueskyEmbedOfAFeedGeneratorIsNoQuoteAndALikeOfOneIsIgnored() {
        String feed = "at://did:plc:bbbbbbbbbbbbbbbbbbbbbbbb/app.bsky.feed.generator/whats-hot";
        String rec = "{\"text\":\"try this feed\",\"embed\":{\"$type\":\"app.bsky.embed.record\",\"record\":{\"uri\":\""
                + feed + "\"}}}";
        List<CanonicalEvent> events = bluesky.normalize(utf8(commit("1700000000000000", "app.bsky.feed.post", "3kf", rec)))
                .events();
        assertThat(events).hasSize(1);
        assertThat(events.get(0).post().quoteOf()).isNull();
        String like = "{\"subject\":{\"cid\":\"bafy\",\"uri\":\"" + feed + "\"},\"createdAt\":\"2026-01-01T00:00:00Z\"}";
        assertThat(bluesky.normalize(utf8(commit("1700000000000000", "app.bsky.feed.like", "3kl", like))).ignoredBecause())
                .isEqualTo("bluesky like of " + feed + ", which is not a post");
    }

    @Test
    void blueskyReplyWhoseParentIsNotAPostIsMalformed() {
        String rec = "{\"text\":\"x\",\"reply\":{\"parent\":{\"uri\":\"https://example.com/\"},"
                + "\"root\":{\"uri\":\"https://example.com/\"}}}";
        assertThat(reason(bluesky, commit("1700000000000000", "app.bsky.feed.post", "3kr", rec))).isEqualTo(
                "bluesky commit create of app.bsky.feed.post record.reply.parent.uri 'https://example.com/' is not"
                        + " the AT URI of a post");
        assertThat(reason(bluesky, commit("1700000000000000", "app.bsky.feed.post", "a/b", "{\"text\":\"x\"}")))
                .isEqualTo("bluesky commit create of app.bsky.feed.post rkey 'a/b' is not a record key");
    }

    // --- Mastodon ------------------------------------------------------------------------------------

    @Test
    void mastodonStreamingPayloadThatIsNotJsonIsMalformedWithWhere() {
        assertThat(reason(mastodon, "{\"event\":\"update\",\"payload\":\"{not json\"}"))
                .startsWith("mastodon streaming update event payload: not valid JSON: ");
        assertThat(reason(mastodon, "{\"event\":\"update\"}")).isEqualTo("mastodon streaming update event has no payload");
    }

    // --- Reddit --------------------------------------------------------------------------------------

    @Test
    void redditRules() {
        assertThat(reddit.normalize(utf8("{\"kind\":\"more\",\"data\":{\"count\":3,\"children\":[\"a\"]}}")).ignoredBecause())
                .isEqualTo("reddit more is not a submission (t3) or comment (t1)");
        assertThat(reason(reddit, "{\"kind\":\"t3\",\"data\":{\"name\":\"t3_abc\",\"author\":\"x\",\"title\":\"t\"}}"))
                .isEqualTo("reddit t3 t3_abc has no created_utc");
        assertThat(reason(reddit, "{\"kind\":\"t3\",\"data\":{\"created_utc\":1.0}}")).isEqualTo("reddit t3 has no name");
        String hidden = "{\"kind\":\"t1\",\"data\":{\"name\":\"t1_abc\",\"author\":\"x\",\"body\":\"b\",\"created_utc\":1700000000,"
                + "\"parent_id\":\"t3_xyz\",\"link_id\":\"t3_xyz\",\"subreddit\":\"LocalLLaMA\",\"score\":1,\"score_hidden\":true}}";
        Post p = reddit.normalize(utf8(hidden)).events().get(0).post();
        assertThat(p.metrics().score()).isNull();
        assertThat(p.url()).isEqualTo("https://www.reddit.com/r/LocalLLaMA/comments/xyz/_/abc/");
        assertThat(reason(reddit, hidden.replace("t3_xyz\",\"link", "xyz\",\"link")))
                .isEqualTo("reddit t1 t1_abc parent_id 'xyz' is not a t1_ or t3_ fullname");
    }

    // --- Hacker News ---------------------------------------------------------------------------------

    @Test
    void hackerNewsRules() {
        assertThat(hn.normalize(utf8("{\"id\":5,\"deleted\":true,\"type\":\"comment\",\"time\":1160418111}")).ignoredBecause())
                .isEqualTo("hackernews item 5 is deleted");
        assertThat(hn.normalize(utf8("{\"id\":6,\"dead\":true,\"by\":\"x\",\"type\":\"story\",\"time\":1160418111}")).ignoredBecause())
                .isEqualTo("hackernews item 6 is dead (flagged or killed)");
        assertThat(reason(hn, "{\"id\":7,\"type\":\"story\",\"time\":1160418111,\"title\":\"t\"}"))
                .isEqualTo("hackernews item 7 (story) has no by");
        assertThat(reason(hn, "{\"id\":\"7\",\"type\":\"story\"}"))
                .isEqualTo("hackernews item id is a string, expected an integer");
        assertThat(reason(hn, "{\"id\":8,\"type\":\"comment\",\"by\":\"x\",\"time\":1160418111,\"text\":\"t\"}"))
                .isEqualTo("hackernews item 8 (comment) has no parent");
        assertThat(reason(hn, "{\"id\":9,\"type\":\"story\",\"by\":\"x\",\"time\":1160418111,\"title\":\"t\",\"score\":\"5\"}"))
                .isEqualTo("hackernews item 9 (story) score is a string, expected an integer");
    }

    // ------------------------------------------------------------------------------------------------

    private static String commit(String timeUs, String collection, String rkey, String record) {
        return "{\"did\":\"" + DID + "\"," + (timeUs == null ? "" : "\"time_us\":" + timeUs + ",")
                + "\"kind\":\"commit\",\"commit\":{\"rev\":\"3k\",\"operation\":\"create\",\"collection\":\""
                + collection + "\",\"rkey\":\"" + rkey + "\",\"record\":" + record + ",\"cid\":\"bafy\"}}";
    }

    private static String reason(Normalizer n, String raw) {
        NormalizeResult r = n.normalize(utf8(raw));
        assertThat(r.isMalformed()).as("malformed: %s", r).isTrue();
        return r.malformedReason();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

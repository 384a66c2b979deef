package io.discoursetrends.normalize;

import static org.assertj.core.api.Assertions.assertThat;

import io.discoursetrends.model.CanonicalEvent;
import io.discoursetrends.model.Engagement;
import io.discoursetrends.model.Metrics;
import io.discoursetrends.model.Platform;
import io.discoursetrends.model.Post;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every Jetstream event in shared/fixtures/bluesky, with values checked by hand against the capture. */
class BlueskyFixtureTest {
    private static final String GOLDEN = "jetstream_golden_v1.jsonl";

    @Test
    void everyRealEventIsEventsOrIgnoredNeverMalformed() {
        Map<String, Fixtures.FileResult> all = Fixtures.normalizeAll(Platform.BLUESKY);
        assertThat(all).isNotEmpty();
        all.values().forEach(f -> {
            for (int i = 0; i < f.results().size(); i++) {
                assertThat(f.results().get(i).malformedReason())
                        .as("%s line %d: %s", f.file(), i + 1, f.records().get(i)).isNull();
            }
        });
    }

    @Test
    void goldenCaptureGivesOnePostThreeEngagementEventsAndSevenIgnored() {
        Fixtures.FileResult golden = Fixtures.normalizeAll(Platform.BLUESKY).get(GOLDEN);
        assertThat(golden).as(GOLDEN + " present").isNotNull();
        // like, post (a reply: post + reply engagement), repost; follow, profile update, delete, a non-bsky
        // update, identity, account, block are ignored.
        assertThat(golden.counts()).isEqualTo("10/1/3/7");
        assertThat(golden.results().stream().filter(NormalizeResult::isIgnored).map(NormalizeResult::ignoredBecause))
                .containsExactly(
                        "bluesky commit create of app.bsky.graph.follow is not a post, like or repost",
                        "bluesky commit update of app.bsky.actor.profile is not counted (only creates are new posts or engagement)",
                        "bluesky commit delete of org.hypercerts.claim.activity is not counted (only creates are new posts or engagement)",
                        "bluesky commit update of place.stream.broadcast.origin is not counted (only creates are new posts or engagement)",
                        "bluesky identity event carries no post or engagement",
                        "bluesky account event carries no post or engagement",
                        "bluesky commit create of app.bsky.graph.block is not a post, like or repost");
    }

    @Test
    void likeIsAnEngagementOnThePostItNamesAtJetstreamTime() {
        List<CanonicalEvent> events = line(1).events();
        assertThat(events).containsExactly(CanonicalEvent.of(new Engagement(Platform.BLUESKY, Engagement.Type.LIKE,
                "at://did:plc:mcc5yghbk7tixqryac2yxku7/app.bsky.feed.like/3mmoojp7etg2g",
                "at://did:plc:vfnmgxg2yscfliemmcxzyfyh/app.bsky.feed.post/3mmoodizfwc2j",
                "did:plc:mcc5yghbk7tixqryac2yxku7",
                Instant.parse("2026-05-25T14:23:29.132431Z"), 1)));
    }

    @Test
    void replyIsAPostAndAReplyEngagementOnItsParentTimedByTimeUsNotCreatedAt() {
        List<CanonicalEvent> events = line(2).events();
        String uri = "at://did:plc:q235v55g5unth4zjjdpacfdr/app.bsky.feed.post/3mmoojp4cd223";
        String parent = "at://did:plc:j76trmiofvaxxpvx2vnb2vwf/app.bsky.feed.post/3mmojbrjwbs26";
        // record.createdAt says 14:23:28.757Z; time_us says 14:23:29.157119Z.
        Instant seen = Instant.parse("2026-05-25T14:23:29.157119Z");
        assertThat(events).containsExactly(
                CanonicalEvent.of(new Post(Platform.BLUESKY, uri,
                        "https://bsky.app/profile/did:plc:q235v55g5unth4zjjdpacfdr/post/3mmoojp4cd223",
                        "did:plc:q235v55g5unth4zjjdpacfdr", null, null, null, "Try RSV for a good time !!", "en",
                        seen, parent, null, new String[0], Metrics.NONE)),
                CanonicalEvent.of(new Engagement(Platform.BLUESKY, Engagement.Type.REPLY, uri, parent,
                        "did:plc:q235v55g5unth4zjjdpacfdr", seen, 1)));
    }

    @Test
    void repostIsARepostEngagement() {
        Engagement e = line(3).events().get(0).engagement();
        assertThat(e.type()).isEqualTo(Engagement.Type.REPOST);
        assertThat(e.id()).isEqualTo("at://did:plc:eizxoqcsvvvarxeb3pjkblrp/app.bsky.feed.repost/3mmoojpbade2i");
        assertThat(e.subjectId()).isEqualTo("at://did:plc:hjloomm2tkve3pmfgbxegl3v/app.bsky.feed.post/3mmood3a6hc25");
        assertThat(e.createdAt()).isEqualTo(Instant.parse("2026-05-25T14:23:29.134740Z"));
    }

    @Test
    void canonicalJsonOfTheReplyPostIsExact() {
        CanonicalEvent post = line(2).events().get(0);
        assertThat(CanonicalJson.write(post)).isEqualTo("{\"kind\":\"post\",\"platform\":\"bluesky\","
                + "\"id\":\"at://did:plc:q235v55g5unth4zjjdpacfdr/app.bsky.feed.post/3mmoojp4cd223\","
                + "\"url\":\"https://bsky.app/profile/did:plc:q235v55g5unth4zjjdpacfdr/post/3mmoojp4cd223\","
                + "\"author_id\":\"did:plc:q235v55g5unth4zjjdpacfdr\",\"text\":\"Try RSV for a good time !!\","
                + "\"lang\":\"en\",\"created_at\":\"2026-05-25T14:23:29.157119Z\","
                + "\"reply_to\":\"at://did:plc:j76trmiofvaxxpvx2vnb2vwf/app.bsky.feed.post/3mmojbrjwbs26\","
                + "\"hashtags\":[],\"metrics\":{}}");
    }

    /** The golden capture's line {@code n} (1-based), normalized. */
    private static NormalizeResult line(int n) {
        Fixtures.FileResult golden = Fixtures.normalizeAll(Platform.BLUESKY).get(GOLDEN);
        assertThat(golden).as(GOLDEN + " present").isNotNull();
        String raw = golden.records().get(n - 1);
        return Normalizers.forPlatform(Platform.BLUESKY).normalize(raw.getBytes(StandardCharsets.UTF_8));
    }
}

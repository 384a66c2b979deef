package io.discoursetrends.normalize;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.discoursetrends.model.CanonicalEvent;
import io.discoursetrends.model.Engagement;
import io.discoursetrends.model.Metrics;
import io.discoursetrends.model.Platform;
import io.discoursetrends.model.Post;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every status in shared/fixtures/mastodon (REST responses from mastodon.social), split as the ingest bridge
 * would, with values checked by hand. Boosts and streaming messages are built at run time from the real
 * statuses, since the fixtures hold none.
 */
class MastodonFixtureTest {
    private static final String CONTEXT =
            "test_entity_context__0__mastodon_social_api_v1_statuses_110446983926957470_context.json";
    private static final String STATUS0 = "test_entity_status__0__mastodon_social_api_v1_statuses_110446223051565765.json";
    private static final String STATUS1 = "test_entity_status__1__mastodon_social_api_v1_statuses_110446183735368325.json";
    private static final ObjectMapper JSON = CanonicalJson.newMapper();

    private final Normalizer normalizer = Normalizers.forPlatform(Platform.MASTODON);

    @Test
    void everyRealStatusIsEventsOrIgnoredNeverMalformed() {
        Fixtures.normalizeAll(Platform.MASTODON).values().forEach(f -> f.results().forEach(r ->
                assertThat(r.malformedReason()).as(f.file()).isNull()));
    }

    @Test
    void countsPerFile() {
        Map<String, String> expected = new LinkedHashMap<>();
        // records/posts/engagement/ignored. The context's two statuses are followers-only (private).
        expected.put(CONTEXT, "2/0/0/2");
        expected.put(STATUS0, "1/1/0/0");
        expected.put(STATUS1, "1/1/0/0");
        // Trends responses hold tags and preview cards, not statuses: the splitter emits nothing.
        expected.put("test_entity_tag__2__mastodon_social_api_v1_trends_tags.json", "0/0/0/0");
        expected.put("test_entity_trendinglinkhistory__0__mastodon_social_api_v1_trends_links.json", "0/0/0/0");
        Map<String, Fixtures.FileResult> all = Fixtures.normalizeAll(Platform.MASTODON);
        expected.forEach((file, counts) ->
                assertThat(all.get(file)).as(file + " present").isNotNull().extracting(Fixtures.FileResult::counts)
                        .as(file).isEqualTo(counts));
    }

    @Test
    void federatedStatusIsAPostWithItsOriginIdsInstanceAndCounters() {
        Post p = only(status(STATUS0)).post();
        assertThat(p).isEqualTo(new Post(Platform.MASTODON,
                "https://icosahedron.website/users/halcy/statuses/110446222386355655",
                "https://icosahedron.website/@halcy/110446222386355655",
                "https://icosahedron.website/@halcy",
                "halcy@icosahedron.website",
                false,
                "icosahedron.website",
                "test post for mastodon.py stuff\n\n@halcy you're a doo-doo head\n\nedit: editing this to have the"
                        + " maximum amount of fields filled :trans_heart: #ThisIsAHashtag",
                "de",
                Instant.parse("2023-05-28T12:06:50Z"),
                null,
                null,
                new String[] {"thisisahashtag"},
                new Metrics(1L, 0L, 0L, 0L, null)));
    }

    @Test
    void localAccountGetsTheServingInstanceAsCommunity() {
        Post p = only(status(STATUS1)).post();
        assertThat(p.community()).isEqualTo("mastodon.social");
        assertThat(p.authorHandle()).isEqualTo("halcy@mastodon.social");
        assertThat(p.text()).isEqualTo("test?");
        assertThat(p.createdAt()).isEqualTo(Instant.parse("2023-05-28T11:57:00.378Z"));
    }

    @Test
    void followersOnlyStatusesAreIgnored() {
        List<String> records = Fixtures.records(Platform.MASTODON, Fixtures.dir(Platform.MASTODON).resolve(CONTEXT));
        assertThat(records).hasSize(2);
        for (String r : records) {
            assertThat(normalizer.normalize(r.getBytes(StandardCharsets.UTF_8)).ignoredBecause())
                    .isEqualTo("mastodon status visibility is private, not public");
        }
    }

    @Test
    void replyToOwnStatusOnTheSameServerGetsTheParentUri() throws Exception {
        List<String> records = Fixtures.records(Platform.MASTODON, Fixtures.dir(Platform.MASTODON).resolve(CONTEXT));
        ObjectNode ancestor = (ObjectNode) JSON.readTree(records.get(0));
        ObjectNode descendant = (ObjectNode) JSON.readTree(records.get(1));
        ancestor.put("visibility", "public");
        descendant.put("visibility", "public");
        assertThat(only(normalizer.normalize(JSON.writeValueAsBytes(ancestor))).post().replyTo()).isNull();
        assertThat(only(normalizer.normalize(JSON.writeValueAsBytes(descendant))).post().replyTo())
                .isEqualTo("https://mastodon.social/users/halcy/statuses/110446983926957470");
        // Another author's parent: its uri is not knowable from the entity, so no reply_to rather than a wrong one.
        descendant.put("in_reply_to_account_id", "999");
        assertThat(only(normalizer.normalize(JSON.writeValueAsBytes(descendant))).post().replyTo()).isNull();
    }

    @Test
    void boostIsARepostEngagementOnTheWrappedStatusNotAPost() throws Exception {
        ObjectNode booster = (ObjectNode) JSON.readTree(Fixtures.bytes(file(STATUS0)));
        ObjectNode boosted = (ObjectNode) JSON.readTree(Fixtures.bytes(file(STATUS1)));
        ObjectNode wrapper = booster.deepCopy();
        wrapper.put("id", "110446300000000000");
        wrapper.put("uri", "https://icosahedron.website/users/halcy/statuses/110446299999999999/activity");
        wrapper.put("created_at", "2023-05-28T13:00:00.000Z");
        wrapper.put("content", "");
        wrapper.set("reblog", boosted);
        CanonicalEvent e = only(normalizer.normalize(JSON.writeValueAsBytes(wrapper)));
        assertThat(e).isEqualTo(CanonicalEvent.of(new Engagement(Platform.MASTODON, Engagement.Type.REPOST,
                "https://icosahedron.website/users/halcy/statuses/110446299999999999/activity",
                "https://mastodon.social/users/halcy/statuses/110446183735368325",
                "https://icosahedron.website/@halcy",
                Instant.parse("2023-05-28T13:00:00Z"), 1)));
    }

    @Test
    void streamingUpdateCarriesTheStatusAsAStringAndGivesTheSamePost() throws Exception {
        byte[] rest = Fixtures.bytes(file(STATUS0));
        ObjectNode msg = JSON.createObjectNode();
        msg.putArray("stream").add("public");
        msg.put("event", "status.update");
        msg.put("payload", new String(rest, StandardCharsets.UTF_8));
        assertThat(normalizer.normalize(JSON.writeValueAsBytes(msg))).isEqualTo(normalizer.normalize(rest));

        ObjectNode delete = JSON.createObjectNode();
        delete.put("event", "delete");
        delete.put("payload", "110446223051565765");
        assertThat(normalizer.normalize(JSON.writeValueAsBytes(delete)).ignoredBecause())
                .isEqualTo("mastodon streaming delete event carries no status");
    }

    @Test
    void statusWithoutAccountIsMalformedAndSaysSo() throws Exception {
        ObjectNode s = (ObjectNode) JSON.readTree(Fixtures.bytes(file(STATUS1)));
        s.remove("account");
        assertThat(normalizer.normalize(JSON.writeValueAsBytes(s)).malformedReason()).isEqualTo(
                "mastodon status https://mastodon.social/users/halcy/statuses/110446183735368325 has no account");
    }

    private List<CanonicalEvent> status(String name) {
        List<String> records = Fixtures.records(Platform.MASTODON, file(name));
        assertThat(records).hasSize(1);
        return normalizer.normalize(records.get(0).getBytes(StandardCharsets.UTF_8)).events();
    }

    private static Path file(String name) {
        return Fixtures.dir(Platform.MASTODON).resolve(name);
    }

    private static CanonicalEvent only(List<CanonicalEvent> events) {
        assertThat(events).hasSize(1);
        return events.get(0);
    }

    private static CanonicalEvent only(NormalizeResult r) {
        assertThat(r.malformedReason()).isNull();
        return only(r.events());
    }
}

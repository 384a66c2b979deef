package io.discoursetrends.normalize;

import static org.assertj.core.api.Assertions.assertThat;

import io.discoursetrends.model.Metrics;
import io.discoursetrends.model.Platform;
import io.discoursetrends.model.Post;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every item in shared/fixtures/hackernews (the examples of the Hacker News API README), checked by hand. */
class HackerNewsFixtureTest {

    private final Normalizer normalizer = Normalizers.forPlatform(Platform.HACKERNEWS);

    @Test
    void everyRealItemIsAPostOrIgnoredNeverMalformed() {
        Fixtures.normalizeAll(Platform.HACKERNEWS).values().forEach(f -> f.results().forEach(r ->
                assertThat(r.malformedReason()).as(f.file()).isNull()));
    }

    @Test
    void countsPerFile() {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("item_8863.json", "1/1/0/0"); // story
        expected.put("item_2921983.json", "1/1/0/0"); // comment
        expected.put("item_121003.json", "1/1/0/0"); // Ask HN
        expected.put("item_192327.json", "1/1/0/0"); // job
        expected.put("item_126809.json", "1/1/0/0"); // poll
        expected.put("item_160705.json", "1/0/0/1"); // pollopt: ignored
        // Not items: the splitter emits nothing for them.
        expected.put("maxitem.json", "0/0/0/0");
        expected.put("updates.json", "0/0/0/0");
        expected.put("user_jl.json", "0/0/0/0");
        Map<String, Fixtures.FileResult> all = Fixtures.normalizeAll(Platform.HACKERNEWS);
        expected.forEach((file, counts) ->
                assertThat(all.get(file)).as(file + " present").isNotNull().extracting(Fixtures.FileResult::counts)
                        .as(file).isEqualTo(counts));
    }

    @Test
    void storyIsAPostWithScoreAndDescendants() {
        assertThat(post("item_8863.json")).isEqualTo(new Post(Platform.HACKERNEWS, "hn:8863",
                "https://news.ycombinator.com/item?id=8863", "dhouston", "dhouston", null, null,
                "My YC app: Dropbox - Throw away your USB drive", null, Instant.parse("2007-04-04T19:16:40Z"),
                null, null, new String[0], new Metrics(null, null, 71L, null, 111L)));
    }

    @Test
    void commentRepliesToItsParentAndHasNoCounters() {
        Post p = post("item_2921983.json");
        assertThat(p.replyTo()).isEqualTo("hn:2921506");
        assertThat(p.metrics()).isEqualTo(Metrics.NONE);
        assertThat(p.text()).isEqualTo("Aw shucks, guys ... you make me blush with your compliments.\n\n"
                + "Tell you what, Ill make a deal: I'll keep writing if you keep reading. K?");
        assertThat(p.createdAt()).isEqualTo(Instant.parse("2011-08-24T18:38:47Z"));
    }

    @Test
    void askHnTextIsTitleThenReducedHtml() {
        Post p = post("item_121003.json");
        assertThat(p.text()).startsWith("Ask HN: The Arc Effect\n\nor HN: the Next Iteration\n\nI get the impression");
        assertThat(p.metrics()).isEqualTo(new Metrics(null, null, 16L, null, 25L));
    }

    @Test
    void jobKeepsPreformattedListsAndLinksAsText() {
        Post p = post("item_192327.json");
        assertThat(p.text()).contains("Responsibilities\n\n    * Contribute to product design")
                .contains("release \n\nQualifications")
                .contains("problem at http://www.justin.tv/problems/bml will go a long way")
                .doesNotContain("<").doesNotContain("&");
        assertThat(p.metrics()).isEqualTo(new Metrics(null, null, null, null, 6L));
    }

    @Test
    void pollOptionUserAndUpdatesAreIgnoredWithTheirReason() {
        assertThat(normalizer.normalize(Fixtures.bytes(Fixtures.dir(Platform.HACKERNEWS).resolve("item_160705.json")))
                .ignoredBecause()).isEqualTo("hackernews item 160705 is a poll option; its votes belong to its poll");
        assertThat(normalizer.normalize(Fixtures.bytes(Fixtures.dir(Platform.HACKERNEWS).resolve("user_jl.json")))
                .ignoredBecause()).isEqualTo("hackernews user profile, not an item");
        assertThat(normalizer.normalize(Fixtures.bytes(Fixtures.dir(Platform.HACKERNEWS).resolve("updates.json")))
                .ignoredBecause()).isEqualTo("hackernews updates list (item ids, not items)");
    }

    private Post post(String file) {
        NormalizeResult r = normalizer.normalize(Fixtures.bytes(Fixtures.dir(Platform.HACKERNEWS).resolve(file)));
        assertThat(r.malformedReason()).isNull();
        assertThat(r.events()).hasSize(1);
        return r.events().get(0).post();
    }
}

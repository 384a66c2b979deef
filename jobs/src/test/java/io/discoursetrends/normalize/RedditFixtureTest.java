package io.discoursetrends.normalize;

import static org.assertj.core.api.Assertions.assertThat;

import io.discoursetrends.model.CanonicalEvent;
import io.discoursetrends.model.Metrics;
import io.discoursetrends.model.Platform;
import io.discoursetrends.model.Post;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every thing in shared/fixtures/reddit (Reddit API responses recorded by PRAW), split as the ingest bridge
 * would (comment trees walked), with values checked by hand.
 */
class RedditFixtureTest {
    private static final String HOT_T3 = "TestRedditorListings.test_overview__hot__t3_only_first2.json";
    private static final String NEW_T1 = "TestRedditorListings.test_overview__new__oauth_reddit_com_user_spez_overview.json";
    private static final String COMMENTS = "TestSubmission.test_comments__oauth_reddit_com_comments_2gmzqe.json";
    private static final String ASKREDDIT = "TestSubredditListings.test_hot__oauth_reddit_com_r_askreddit_hot.json";

    @Test
    void everyRealThingIsAPostNeverMalformed() {
        Fixtures.normalizeAll(Platform.REDDIT).values().forEach(f -> f.results().forEach(r ->
                assertThat(r.malformedReason()).as(f.file()).isNull()));
    }

    @Test
    void countsPerFile() {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put(HOT_T3, "2/2/0/0");
        expected.put(NEW_T1, "8/8/0/0");
        expected.put(COMMENTS, "3/3/0/0"); // the submission, a comment, and the reply nested in its replies
        expected.put(ASKREDDIT, "10/10/0/0");
        Map<String, Fixtures.FileResult> all = Fixtures.normalizeAll(Platform.REDDIT);
        expected.forEach((file, counts) ->
                assertThat(all.get(file)).as(file + " present").isNotNull().extracting(Fixtures.FileResult::counts)
                        .as(file).isEqualTo(counts));
    }

    @Test
    void crosspostSubmissionQuotesItsParentAndCarriesScoreAndComments() {
        Post p = posts(HOT_T3).get(0);
        assertThat(p).isEqualTo(new Post(Platform.REDDIT, "t3_1tvsa59",
                "https://www.reddit.com/r/redditstock/comments/1tvsa59/hi_redditstock_leave_your_questions_and_well_be/",
                "t2_1w72", "spez", null, "redditstock",
                "Hi redditstock, leave your questions, and we\u2019ll be back later today to answer them.",
                null, Instant.parse("2026-06-03T15:11:07Z"), null, "t3_1tvs5jj", new String[0],
                new Metrics(null, null, 25L, null, 97L)));
    }

    @Test
    void commentRepliesToItsParentAndDoesNotTakeItsSubmissionsCommentCount() {
        Post p = posts(NEW_T1).get(0);
        assertThat(p.id()).isEqualTo("t1_optfyql");
        assertThat(p.replyTo()).isEqualTo("t1_optcg0g");
        assertThat(p.community()).isEqualTo("RDDT");
        assertThat(p.url()).isEqualTo(
                "https://www.reddit.com/r/RDDT/comments/1tvs5jj/steve_jen_and_drew_here_ask_us_anything/optfyql/");
        assertThat(p.createdAt()).isEqualTo(Instant.parse("2026-06-05T00:51:55Z"));
        // num_comments is 280 there: the AMA's count, not this comment's.
        assertThat(p.metrics()).isEqualTo(new Metrics(null, null, null, null, 22L));
        assertThat(p.text()).endsWith("Juuuust kidding. We\u2019ll follow up with the hoodie plan.");
    }

    @Test
    void commentTreeIsWalkedDepthFirstAndOldCommentsGetAUrlWithoutPermalink() {
        List<Post> posts = posts(COMMENTS);
        assertThat(posts).extracting(Post::id).containsExactly("t3_2gmzqe", "t1_cklfmye", "t1_cklhv0f");
        assertThat(posts).extracting(Post::replyTo).containsExactly(null, "t3_2gmzqe", "t1_cklfmye");
        Post submission = posts.get(0);
        assertThat(submission.authorId()).isEqualTo("bboe"); // 2014: no author_fullname yet
        assertThat(submission.text()).startsWith("[PRAW] HTTPS enabled PRAW testing needed\n\nPRAW client developers,\n\n");
        assertThat(submission.createdAt()).isEqualTo(Instant.parse("2014-09-17T06:34:31Z"));
        assertThat(submission.metrics()).isEqualTo(new Metrics(null, null, 2L, null, 11L));
        assertThat(posts.get(1).url()).isEqualTo("https://www.reddit.com/r/redditdev/comments/2gmzqe/_/cklfmye/");
        assertThat(posts.get(1).createdAt()).isEqualTo(Instant.parse("2014-09-18T01:51:52Z"));
        assertThat(posts.get(2).text()).startsWith("Yes it does. That fix is also in the master branch");
    }

    @Test
    void subredditListingGivesItsSubmissions() {
        List<Post> posts = posts(ASKREDDIT);
        Post first = posts.get(0);
        assertThat(first.id()).isEqualTo("t3_46c00m");
        assertThat(first.authorId()).isEqualTo("orangejulius");
        assertThat(first.community()).isEqualTo("AskReddit");
        assertThat(first.url()).isEqualTo(
                "https://www.reddit.com/r/AskReddit/comments/46c00m/the_askreddit_mobile_design_extravaganza_contest/");
        assertThat(first.text()).startsWith("THE ASKREDDIT MOBILE DESIGN EXTRAVAGANZA CONTEST!\n\nHi everybody!");
        assertThat(first.metrics()).isEqualTo(new Metrics(null, null, 433L, null, 1382L));
        // A link post without selftext is its title alone.
        assertThat(posts.get(2).text()).isEqualTo("Reddit, what went 0-100 real fucking quick?");
    }

    private static List<Post> posts(String file) {
        Fixtures.FileResult f = Fixtures.normalizeAll(Platform.REDDIT).get(file);
        assertThat(f).as(file + " present").isNotNull();
        return f.events().stream().map(CanonicalEvent::post).toList();
    }
}

package io.discoursetrends.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.discoursetrends.model.CanonicalEvent;
import io.discoursetrends.model.Engagement;
import io.discoursetrends.model.Metrics;
import io.discoursetrends.model.Platform;
import io.discoursetrends.normalize.NormalizeResult;
import io.discoursetrends.normalize.Normalizer;
import io.discoursetrends.normalize.Normalizers;
import io.discoursetrends.replay.KafkaReplayer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What {@code generate} promises beyond volume and rhythm (GeneratedStreamTest): reply trees as each platform's
 * wire format links them, every record accepted by the job's normalizers, and heavy-tailed engagement. The
 * checks read the raw records as the platform documents them (../shared/fixtures: Bluesky's
 * app.bsky.feed.post#replyRef, Mastodon's in_reply_to_id, Reddit's parent_id and link_id, Hacker News' parent),
 * independently of the generator's code.
 */
class GeneratedStreamRealismTest {
    private static final Instant MONDAY = Instant.parse("2026-05-25T00:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A day at the default volume, with the default duplicates and late records: what a user generates. */
    private static final GeneratedStream DAY = new GeneratedStream(MONDAY, Duration.ofDays(1), 200, 1, 0.01, 0.002);
    private static final Map<Platform, List<KafkaReplayer.Observed>> RECORDS = new EnumMap<>(Platform.class);

    @BeforeAll
    static void generate() {
        for (Platform p : Platform.values()) {
            RECORDS.put(p, DAY.generate(p).records());
        }
    }

    @ParameterizedTest
    @EnumSource(Platform.class)
    void shouldGiveTheJobsNormalizersNothingToDeadLetter(Platform p) {
        Normalizer normalizer = Normalizers.forPlatform(p);
        int posts = 0;
        for (KafkaReplayer.Observed o : RECORDS.get(p)) {
            NormalizeResult n = normalizer.normalize(o.value());
            assertThat(n.malformedReason()).as(new String(o.value(), java.nio.charset.StandardCharsets.UTF_8))
                    .isNull();
            posts += (int) n.events().stream().filter(CanonicalEvent::isPost).count();
        }
        assertThat(posts).isGreaterThan(1_000);
    }

    @Test
    void shouldLinkBlueskyRepliesToTheirParentAndTheThreadsFirstPost() {
        // uri -> the commit's record, for every post created in the stream
        Map<String, JsonNode> posts = new HashMap<>();
        Map<String, String> cids = new HashMap<>();
        List<JsonNode> likes = new ArrayList<>();
        for (KafkaReplayer.Observed o : RECORDS.get(Platform.BLUESKY)) {
            JsonNode e = read(o.value());
            JsonNode c = e.path("commit");
            if (!c.path("operation").asText().equals("create")) {
                continue;
            }
            String collection = c.path("collection").asText();
            if (collection.equals("app.bsky.feed.post")) {
                String uri = "at://" + e.get("did").asText() + "/app.bsky.feed.post/" + c.get("rkey").asText();
                posts.putIfAbsent(uri, c.get("record"));
                cids.putIfAbsent(uri, c.get("cid").asText());
            } else if (collection.equals("app.bsky.feed.like") || collection.equals("app.bsky.feed.repost")) {
                likes.add(c.get("record").get("subject"));
            }
        }
        SoftAssertions softly = new SoftAssertions();
        Map<String, Integer> depth = new HashMap<>();
        int replies = 0;
        for (Map.Entry<String, JsonNode> post : posts.entrySet()) {
            JsonNode reply = post.getValue().get("reply");
            if (reply == null) {
                continue;
            }
            replies++;
            String parent = reply.get("parent").get("uri").asText();
            String root = reply.get("root").get("uri").asText();
            if (!posts.containsKey(parent)) {
                // a reply to a post from before the stream, whose thread it does not know: taken as the start
                softly.assertThat(root).as("root of a reply to an unknown post").isEqualTo(parent);
                continue;
            }
            softly.assertThat(reply.get("parent").get("cid").asText()).as("parent cid of %s", post.getKey())
                    .isEqualTo(cids.get(parent));
            JsonNode parentReply = posts.get(parent).get("reply");
            String expectedRoot = parentReply == null ? parent : parentReply.get("root").get("uri").asText();
            softly.assertThat(root).as("root of %s (parent %s)", post.getKey(), parent).isEqualTo(expectedRoot);
            if (cids.containsKey(expectedRoot)) {
                softly.assertThat(reply.get("root").get("cid").asText()).as("root cid of %s", post.getKey())
                        .isEqualTo(cids.get(expectedRoot));
            }
        }
        for (String uri : posts.keySet()) {
            depth.put(uri, depthOf(uri, u -> {
                JsonNode r = posts.get(u) == null ? null : posts.get(u).get("reply");
                String parent = r == null ? null : r.get("parent").get("uri").asText();
                return parent != null && posts.containsKey(parent) ? parent : null;
            }));
        }
        for (JsonNode subject : likes) {
            String uri = subject.get("uri").asText();
            if (cids.containsKey(uri)) {
                softly.assertThat(subject.get("cid").asText()).as("like subject cid of %s", uri)
                        .isEqualTo(cids.get(uri));
            }
        }
        softly.assertAll();
        assertThat(replies).isGreaterThan(300);
        assertDeepTrees(depth);
    }

    @Test
    void shouldLinkMastodonRepliesByTheServingInstancesIdsAndMentionTheAccountAnswered() {
        Map<String, JsonNode> statuses = new LinkedHashMap<>();
        for (KafkaReplayer.Observed o : RECORDS.get(Platform.MASTODON)) {
            JsonNode s = read(o.value());
            if (s.has("event")) {
                if (!s.get("event").asText().startsWith("update") && !s.get("event").asText().equals("status.update")) {
                    continue; // a delete
                }
                s = read(s.get("payload").asText().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            if (s.hasNonNull("reblog")) {
                continue; // a boost wrapper
            }
            statuses.putIfAbsent(s.get("id").asText(), s);
        }
        SoftAssertions softly = new SoftAssertions();
        int replies = 0;
        for (JsonNode s : statuses.values()) {
            if (s.get("in_reply_to_id").isNull()) {
                softly.assertThat(s.get("in_reply_to_account_id").isNull()).isTrue();
                continue;
            }
            replies++;
            JsonNode parent = statuses.get(s.get("in_reply_to_id").asText());
            softly.assertThat(parent).as("parent %s of %s in the stream", s.get("in_reply_to_id"), s.get("id"))
                    .isNotNull();
            if (parent == null) {
                continue;
            }
            String parentAccount = parent.get("account").get("id").asText();
            softly.assertThat(s.get("in_reply_to_account_id").asText()).isEqualTo(parentAccount);
            if (!parentAccount.equals(s.get("account").get("id").asText())) {
                List<String> mentioned = new ArrayList<>();
                s.get("mentions").forEach(m -> mentioned.add(m.get("id").asText()));
                softly.assertThat(mentioned).as("mentions of %s", s.get("id")).contains(parentAccount);
            }
            softly.assertThat(parent.get("created_at").asText()).isLessThanOrEqualTo(s.get("created_at").asText());
        }
        softly.assertAll();
        Map<String, Integer> depth = new HashMap<>();
        for (String id : statuses.keySet()) {
            // walking in_reply_to_id ends at a status that replies to nothing (the thread's root, as /context
            // lists it first among the ancestors)
            depth.put(id, depthOf(id, u -> statuses.get(u).get("in_reply_to_id").isNull() ? null
                    : statuses.get(u).get("in_reply_to_id").asText()));
        }
        assertThat(replies).isGreaterThan(300);
        assertDeepTrees(depth);
    }

    @Test
    void shouldLinkRedditCommentsToTheirParentAndTheirSubmission() {
        Map<String, JsonNode> things = new HashMap<>();
        for (KafkaReplayer.Observed o : RECORDS.get(Platform.REDDIT)) {
            JsonNode t = read(o.value());
            String kind = t.get("kind").asText();
            if (kind.equals("t1") || kind.equals("t3")) {
                things.putIfAbsent(t.get("data").get("name").asText(), t.get("data"));
            }
        }
        SoftAssertions softly = new SoftAssertions();
        int comments = 0;
        for (JsonNode d : things.values()) {
            String name = d.get("name").asText();
            if (!name.startsWith("t1_")) {
                continue;
            }
            comments++;
            String link = d.get("link_id").asText();
            String parent = d.get("parent_id").asText();
            JsonNode submission = things.get(link);
            softly.assertThat(link).as("link_id of %s", name).startsWith("t3_");
            softly.assertThat(submission).as("submission %s of %s", link, name).isNotNull();
            softly.assertThat(things).as("parent %s of %s", parent, name).containsKey(parent);
            if (parent.startsWith("t1_") && things.containsKey(parent)) {
                softly.assertThat(things.get(parent).get("link_id").asText()).as("thread of %s", name).isEqualTo(link);
            } else {
                softly.assertThat(parent).as("a top-level comment's parent is its submission").isEqualTo(link);
            }
            if (submission != null) {
                softly.assertThat(d.get("subreddit").asText()).isEqualTo(submission.get("subreddit").asText());
                // /r/SUB/comments/LINK/SLUG/ID/: the submission's permalink, then the comment's id
                softly.assertThat(d.get("permalink").asText()).as("permalink of %s", name)
                        .isEqualTo(submission.get("permalink").asText() + d.get("id").asText() + "/");
            }
        }
        softly.assertAll();
        Map<String, Integer> depth = new HashMap<>();
        for (String name : things.keySet()) {
            depth.put(name, depthOf(name, u -> u.startsWith("t1_") ? things.get(u).get("parent_id").asText() : null));
        }
        assertThat(comments).isGreaterThan(300);
        assertDeepTrees(depth);
    }

    @Test
    void shouldLinkHackerNewsCommentsToTheirParentUpToAStory() {
        Map<Long, JsonNode> items = new HashMap<>();
        for (KafkaReplayer.Observed o : RECORDS.get(Platform.HACKERNEWS)) {
            JsonNode item = read(o.value());
            items.putIfAbsent(item.get("id").asLong(), item);
        }
        SoftAssertions softly = new SoftAssertions();
        Map<String, Integer> depth = new HashMap<>();
        int comments = 0;
        for (JsonNode item : items.values()) {
            if (!item.get("type").asText().equals("comment")) {
                continue;
            }
            comments++;
            long at = item.get("id").asLong();
            // parent: "either another comment or the relevant story" (the API's README); following it reaches
            // the story, created before each of its comments
            for (int hops = 0; items.get(at).get("type").asText().equals("comment") && hops < 10_000; hops++) {
                JsonNode parent = items.get(items.get(at).get("parent").asLong());
                softly.assertThat(parent).as("parent of %s", at).isNotNull();
                if (parent == null) {
                    break;
                }
                softly.assertThat(parent.get("time").asLong()).isLessThanOrEqualTo(items.get(at).get("time").asLong());
                at = parent.get("id").asLong();
            }
            softly.assertThat(items.get(at).get("type").asText()).as("root of %s", item.get("id"))
                    .isIn("story", "poll");
        }
        softly.assertAll();
        for (Long id : items.keySet()) {
            depth.put(id.toString(), depthOf(id.toString(), u -> items.get(Long.parseLong(u)).get("type").asText()
                    .equals("comment") ? items.get(Long.parseLong(u)).get("parent").asText() : null));
        }
        assertThat(comments).isGreaterThan(300);
        assertDeepTrees(depth);
    }

    /** Replies at every depth up to 3 and beyond: trees, not just answers to posts. */
    private static void assertDeepTrees(Map<String, Integer> depth) {
        long deep = depth.values().stream().filter(d -> d >= 3).count();
        assertThat(deep).as("nodes at depth >= 3").isGreaterThanOrEqualTo(10);
    }

    /** Hops from {@code id} up to a node without a parent ({@code parent} gives null); 0 for a root. */
    private static int depthOf(String id, Function<String, String> parent) {
        int d = 0;
        for (String at = parent.apply(id); at != null && d < 100_000; at = parent.apply(at)) {
            d++;
        }
        return d;
    }

    // --- heavy-tailed engagement -----------------------------------------------------------------------

    /**
     * Engagement per post as the job counts it: for Bluesky the like, repost, reply and quote events on the post;
     * elsewhere the growth of its counters from the first sighting to the last (what the job turns into
     * engagement), and the counters at the last sighting (what the platform shows). Real platforms are heavy
     * tailed: most posts get nothing, a few a large share. A generator that spreads engagement evenly (every
     * post a few likes, counters drawn uniformly) fails every one of these.
     */
    @ParameterizedTest
    @EnumSource(Platform.class)
    void shouldGiveEngagementAHeavyTail(Platform p) {
        Normalizer normalizer = Normalizers.forPlatform(p);
        Map<String, Metrics> first = new HashMap<>();
        Map<String, Metrics> last = new HashMap<>();
        Map<String, Long> events = new HashMap<>();
        for (KafkaReplayer.Observed o : RECORDS.get(p)) {
            for (CanonicalEvent e : normalizer.normalize(o.value()).events()) {
                if (e.isPost()) {
                    first.putIfAbsent(e.post().id(), e.post().metrics());
                    last.put(e.post().id(), e.post().metrics());
                    events.putIfAbsent(e.post().id(), 0L);
                } else if (e.engagement().type() != Engagement.Type.VOTE) {
                    events.merge(e.engagement().subjectId(), 1L, Long::sum);
                }
            }
        }
        List<Long> perPost = new ArrayList<>();
        List<Long> shown = new ArrayList<>();
        for (String id : first.keySet()) {
            if (p == Platform.BLUESKY) {
                perPost.add(events.get(id));
            } else {
                perPost.add(sum(last.get(id)) - sum(first.get(id)));
                shown.add(sum(last.get(id)));
            }
        }
        Tail engagement = Tail.of(perPost);
        System.out.printf("%s engagement per post: %s%n", p.id(), engagement);
        // Measured for this seed: the top 1% hold 32% (Bluesky), 17% to 19% elsewhere, medians 1 to 2, maxima
        // 400 to 1,250; the earlier generator's even engagement gave its top 1% 4% to 8%, medians 2 to 16 and
        // maxima of 42 to 92, and failed here.
        assertHeavyTail(engagement, p == Platform.BLUESKY ? 0.25 : 0.15, 3);
        if (!shown.isEmpty()) {
            Tail counters = Tail.of(shown);
            System.out.printf("%s counters at the last sighting: %s%n", p.id(), counters);
            // a score starts at 1 (the author's vote), and the story's posts (a fifth of Reddit's in a day) get more
            assertHeavyTail(counters, 0.15, 8);
            assertThat(counters.max()).as("a few posts reach thousands").isGreaterThanOrEqualTo(1_000);
        }
    }

    private static void assertHeavyTail(Tail t, double topShare, long maxMedian) {
        SoftAssertions softly = new SoftAssertions();
        softly.assertThat(t.posts()).isGreaterThan(1_000);
        softly.assertThat(t.median()).as("median: most posts get little or nothing")
                .isLessThanOrEqualTo(maxMedian);
        softly.assertThat(t.topPercentShare()).as("share of the top 1%% of posts in all engagement")
                .isGreaterThanOrEqualTo(topShare);
        softly.assertThat(t.max()).as("max >> median").isGreaterThanOrEqualTo(50 * Math.max(1, t.median()));
        softly.assertAll();
    }

    private static long sum(Metrics m) {
        if (m == null) {
            return 0;
        }
        long s = 0;
        for (Long v : new Long[] {m.likes(), m.reposts(), m.replies(), m.quotes(), m.score()}) {
            s += v == null ? 0 : v;
        }
        return s;
    }

    /** The distribution of engagement over posts. */
    record Tail(int posts, long median, long max, double topPercentShare) {
        static Tail of(List<Long> perPost) {
            long[] v = perPost.stream().mapToLong(Long::longValue).sorted().toArray();
            long total = Arrays.stream(v).sum();
            int top = Math.max(1, v.length / 100);
            long topSum = 0;
            for (int i = v.length - top; i < v.length; i++) {
                topSum += v[i];
            }
            return new Tail(v.length, v[v.length / 2], v[v.length - 1], total == 0 ? 0 : (double) topSum / total);
        }
    }

    private static JsonNode read(byte[] value) {
        try {
            return JSON.readTree(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

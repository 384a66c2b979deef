package io.discoursetrends.replay;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.discoursetrends.model.Platform;
import io.discoursetrends.normalize.CanonicalJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Generates raw platform records in each platform's real wire format, deterministically from a seed: Bluesky
 * Jetstream commit events (posts, replies, quotes, likes, reposts, and events the job ignores), Mastodon
 * statuses (REST entities and streaming messages, boosts, followers-only statuses, deletes), Reddit things
 * (t3, t1, "more" stubs) and Hacker News items (stories, Ask HN, jobs, polls, comments, deleted and dead
 * items). Texts are about the AI topics the project tracks, mixed with off-topic chatter.
 *
 * <p>Every record comes with what the normalizer must make of it (posts, engagement events, or ignored),
 * worked out here from what was generated, independently of the normalizers, so tests and the integration
 * test can compare exact counts. Records are in event-time order, spread over {@code [start, start+span)};
 * ids are unique within one call (and, in practice, across seeds). Replies, likes and boosts mostly point at
 * posts generated earlier in the same call, so engagement concentrates on posts the stream contains, and it is
 * heavy-tailed: most posts get none, a few a large share ({@code Stream#target}, {@code Stream#appeal}). Replies
 * form trees linked as each platform links them: Bluesky {@code reply.parent} and {@code reply.root} (the
 * thread's first post) as strong refs with the cids of the records they name, Mastodon {@code in_reply_to_id}
 * and {@code in_reply_to_account_id} with a mention of the account answered, Reddit {@code parent_id} and
 * {@code link_id}, Hacker News {@code parent}.
 *
 * <p>{@link #malformed} makes broken records of several kinds with the start of the reason the normalizer
 * must give, for dead-letter tests.
 */
public final class RawStreamGenerator {

    /**
     * One raw record (the bytes of one Kafka message), its event time, and what normalizing it must give.
     * {@code expectedIgnored} records give no events; the others give the stated numbers of posts and
     * engagement events.
     */
    public record RawRecord(Platform platform, byte[] value, Instant eventTime, int expectedPosts,
            int expectedEngagements, boolean expectedIgnored) {

        public String text() {
            return new String(value, StandardCharsets.UTF_8);
        }
    }

    /** A record the normalizer must refuse, what is wrong with it, and how its reason must start. */
    public record MalformedRecord(Platform platform, byte[] value, String defect, String expectedReasonPrefix) {}

    /**
     * Relative weights of the kinds of records, and the share of posts about AI. A platform uses the kinds
     * it has and re-weighs the rest: Mastodon has no like or quote events (its likes are counters), Reddit
     * and Hacker News have neither likes nor reposts; there a "quote" is a crosspost (Reddit) and counts as
     * a post elsewhere.
     */
    public record Mix(double posts, double replies, double quotes, double likes, double reposts, double ignored,
            double aiShare) {

        /**
         * Likes dominate, as on Bluesky (the fixture capture: 105 likes, 17 posts, 15 reposts in 152 events),
         * with more posts than there, so that trends have text to work on; two posts in three are about AI.
         */
        public static final Mix DEFAULT = new Mix(20, 10, 3, 45, 10, 12, 0.65);

        public Mix {
            if (posts < 0 || replies < 0 || quotes < 0 || likes < 0 || reposts < 0 || ignored < 0
                    || posts + replies + quotes + likes + reposts + ignored <= 0) {
                throw new IllegalArgumentException("mix weights must be >= 0 and not all 0");
            }
            if (aiShare < 0 || aiShare > 1) {
                throw new IllegalArgumentException("aiShare must be within [0, 1]");
            }
        }
    }

    private enum Kind { POST, REPLY, QUOTE, LIKE, REPOST, IGNORED }

    /** Share of engagement that follows earlier engagement ({@link Stream#target}). */
    private static final double PREFERENTIAL = 0.7;
    /** How many recent engagements the preferential choice draws from. */
    private static final int ATTENTION_WINDOW = 500;
    /** How many of the latest replies a reply may answer ({@link Stream#replyParent}). */
    private static final int RECENT_REPLIES = 16;
    /** Tail index of a post's appeal (Stream#appeal): the smaller, the heavier the tail. */
    private static final double APPEAL_SHAPE = 1.3;

    /** A post's appeal ({@code Stream#appeal}): heavy-tailed, median about 0.7, mean about 3.3, at most 20,000. */
    static double appeal(SplittableRandom r) {
        return Math.min(20_000, Math.pow(1 - r.nextDouble(), -1 / APPEAL_SHAPE) - 1);
    }

    /**
     * A Bluesky post as a strong ref (uri and the cid of its record) and the root of its thread (null: the post
     * starts its thread).
     */
    private record BskyRef(String uri, String cid, BskyRef rootOrNull) {
        BskyRef root() {
            return rootOrNull == null ? this : rootOrNull;
        }
    }

    private static final String BSKY_POST = "app.bsky.feed.post";
    private static final String B32 = "abcdefghijklmnopqrstuvwxyz234567";
    private static final String TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz";
    private static final String SERVING_INSTANCE = "mastodon.social";
    private static final String[] INSTANCES = {
        "mastodon.social", "mastodon.social", "fosstodon.org", "hachyderm.io", "sigmoid.social", "scholar.social",
        "mstdn.social", "chaos.social"
    };
    private static final String[] USER_WORDS = {
        "ada", "quokka", "tensor", "kestrel", "mira", "owl", "vector", "fern", "juno", "pixel", "sol", "basalt",
        "linnea", "ravi", "tomas", "yuki", "amara", "dev", "nora", "felix"
    };
    private static final String[] AI_SUBREDDITS = {
        "LocalLLaMA", "LocalLLaMA", "MachineLearning", "artificial", "technology", "law", "StableDiffusion",
        "medicine", "Teachers", "Futurology"
    };
    private static final String[] OTHER_SUBREDDITS = {"AskReddit", "cats", "soccer", "Coffee", "books", "Breadit"};

    private RawStreamGenerator() {}

    /** A title as the URL slug Reddit gives it: lower-case letters and digits, '_' between, 50 at most. */
    static String slug(String title) {
        StringBuilder b = new StringBuilder();
        for (char c : title.toLowerCase(Locale.ROOT).toCharArray()) {
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
                b.append(c);
            } else if (b.length() > 0 && b.charAt(b.length() - 1) != '_') {
                b.append('_');
            }
            if (b.length() >= 50) {
                break;
            }
        }
        return b.length() == 0 ? "_" : b.toString();
    }

    /** {@link #generate(Platform, int, Instant, Duration, long, Mix)} with {@link Mix#DEFAULT}. */
    public static List<RawRecord> generate(Platform platform, int count, Instant start, Duration span, long seed) {
        return generate(platform, count, start, span, seed, Mix.DEFAULT);
    }

    /**
     * {@code count} records of {@code platform} with event times in {@code [start, start + span)}, in
     * event-time order. The same arguments always give the same records.
     */
    public static List<RawRecord> generate(Platform platform, int count, Instant start, Duration span, long seed,
            Mix mix) {
        return generate(platform, new int[] {count}, start, span, seed, mix);
    }

    /**
     * One stream over consecutive steps: {@code perStep[k]} records with event times in
     * {@code [start + k*step, start + (k+1)*step)}, in event-time order, with {@link Mix#DEFAULT}. Unlike separate
     * calls per step, replies, likes and boosts reach posts of earlier steps, so threads and a popular post's
     * engagement carry on across step boundaries (as they do across hours on a real platform).
     */
    public static List<RawRecord> generate(Platform platform, int[] perStep, Instant start, Duration step,
            long seed) {
        return generate(platform, perStep, start, step, seed, Mix.DEFAULT);
    }

    private static List<RawRecord> generate(Platform platform, int[] perStep, Instant start, Duration step,
            long seed, Mix mix) {
        long total = 0;
        for (int n : perStep) {
            if (n < 0) {
                throw new IllegalArgumentException("count must be >= 0");
            }
            total += n;
        }
        if (step.isNegative() || step.isZero()) {
            throw new IllegalArgumentException("span must be positive");
        }
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(mix, "mix");
        Stream s = new Stream(platform, start, step, (int) Math.min(Integer.MAX_VALUE, total), seed, mix);
        List<RawRecord> out = new ArrayList<>((int) Math.min(Integer.MAX_VALUE, total));
        int i = 0;
        for (int k = 0; k < perStep.length; k++) {
            s.step(k, perStep[k]);
            for (int j = 0; j < perStep[k]; j++) {
                out.add(s.next(i++, j));
            }
        }
        return out;
    }

    /** Just the bytes of {@link #generate}'s records, e.g. for a Kafka producer. */
    public static List<byte[]> values(List<RawRecord> records) {
        List<byte[]> v = new ArrayList<>(records.size());
        for (RawRecord r : records) {
            v.add(r.value());
        }
        return v;
    }

    // ----------------------------------------------------------------------------------------------------

    /** The state of one generation run: the random source, the authors, and the posts made so far. */
    private static final class Stream {
        final Platform platform;
        final Instant start;
        final long spanMicros;
        final int count;
        final Mix mix;
        final SplittableRandom r;
        final ObjectMapper json = CanonicalJson.newMapper();
        final double[] weights;
        final String[] authors;
        /**
         * Per platform: the posts made so far, for replies and likes: Bluesky {@link BskyRef}s, Mastodon status
         * objects, Reddit fullnames, Hacker News ids.
         */
        final List<Object> posts = new ArrayList<>();
        /** Indexes into {@link #posts} of the targets of the last {@link #ATTENTION_WINDOW} engagements. */
        final int[] engaged = new int[ATTENTION_WINDOW];
        int engagedCount;
        /** Indexes into {@link #posts} of the last {@link #RECENT_REPLIES} replies. */
        final int[] recentReplies = new int[RECENT_REPLIES];
        int repliesCount;
        final long idBase;
        long lastMicros = Long.MIN_VALUE;
        /** The current step: its start (micros after {@link #start}) and how many records it holds. */
        long stepOffsetMicros;
        int stepCount;

        Stream(Platform platform, Instant start, Duration step, int count, long seed, Mix mix) {
            this.platform = platform;
            this.start = start;
            this.spanMicros = Math.max(1, step.toNanos() / 1_000);
            this.count = count;
            this.mix = mix;
            this.r = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (platform.ordinal() + 1)));
            this.weights = weights(platform, mix);
            this.authors = new String[20 + count / 10];
            for (int i = 0; i < authors.length; i++) {
                authors[i] = author(i);
            }
            // Ids from the seed, so two runs with different seeds rarely collide in one index.
            this.idBase = (seed & 0xFFFFFFL) * 1_000_000L;
        }

        private static double[] weights(Platform p, Mix m) {
            return switch (p) {
                case BLUESKY -> new double[] {m.posts(), m.replies(), m.quotes(), m.likes(), m.reposts(), m.ignored()};
                case MASTODON -> new double[] {m.posts() + m.quotes(), m.replies(), 0, 0, m.reposts(), m.ignored()};
                case REDDIT -> new double[] {m.posts(), m.replies(), m.quotes(), 0, 0, m.ignored()};
                case HACKERNEWS -> new double[] {m.posts() + m.quotes(), m.replies(), 0, 0, 0, m.ignored()};
            };
        }

        private String author(int i) {
            String name = USER_WORDS[r.nextInt(USER_WORDS.length)] + "_" + USER_WORDS[r.nextInt(USER_WORDS.length)]
                    + (r.nextBoolean() ? "" : Integer.toString(r.nextInt(100)));
            return switch (platform) {
                case BLUESKY -> "did:plc:" + randomChars(B32, 24);
                case MASTODON -> name + "@" + INSTANCES[r.nextInt(INSTANCES.length)];
                case REDDIT, HACKERNEWS -> name;
            };
        }

        private Kind kind() {
            double total = 0;
            for (double w : weights) {
                total += w;
            }
            if (total <= 0) {
                return Kind.POST; // a mix of only kinds this platform lacks: it still makes posts
            }
            double x = r.nextDouble() * total;
            Kind[] kinds = Kind.values();
            for (int k = 0; k < kinds.length; k++) {
                x -= weights[k];
                if (x < 0) {
                    return kinds[k];
                }
            }
            return Kind.POST;
        }

        void step(int k, int n) {
            stepOffsetMicros = k * spanMicros;
            stepCount = n;
        }

        /**
         * Evenly spread times with jitter within the step, strictly increasing in microseconds (Bluesky rkeys
         * derive from them).
         */
        private Instant time(int j) {
            long slot = Math.max(1, spanMicros / Math.max(1, stepCount));
            long micros = Math.min(spanMicros - 1, (long) j * spanMicros / Math.max(1, stepCount) + r.nextLong(slot));
            micros = Math.max(stepOffsetMicros + micros, lastMicros + 1);
            lastMicros = micros;
            return start.plus(micros, ChronoUnit.MICROS);
        }

        /** Record {@code i} of the stream, the {@code j}-th of its step. */
        RawRecord next(int i, int j) {
            Instant t = time(j);
            Kind kind = kind();
            return switch (platform) {
                case BLUESKY -> bluesky(i, t, kind);
                case MASTODON -> mastodon(i, t, kind);
                case REDDIT -> reddit(i, t, kind);
                case HACKERNEWS -> hackerNews(i, t, kind);
            };
        }

        // --- Bluesky ------------------------------------------------------------------------------------

        private RawRecord bluesky(int i, Instant t, Kind kind) {
            String did = authors[r.nextInt(authors.length)];
            long micros = ChronoUnit.MICROS.between(Instant.EPOCH, t);
            String rkey = tid(micros);
            ObjectNode e = json.createObjectNode();
            e.put("did", did);
            e.put("time_us", micros);
            e.put("kind", "commit");
            ObjectNode commit = e.putObject("commit");
            commit.put("rev", tid(micros + 1));
            commit.put("operation", "create");
            // Clients stamp createdAt themselves: usually a little before the relay sees it, sometimes skewed.
            Instant createdAt = t.minusMillis(200 + r.nextInt(3_000)).truncatedTo(ChronoUnit.MILLIS);
            switch (kind) {
                case LIKE, REPOST -> {
                    String collection = kind == Kind.LIKE ? "app.bsky.feed.like" : "app.bsky.feed.repost";
                    commit.put("collection", collection);
                    commit.put("rkey", rkey);
                    ObjectNode rec = commit.putObject("record");
                    rec.put("$type", collection);
                    rec.put("createdAt", createdAt.toString());
                    strongRef(rec.putObject("subject"), bskySubject(micros, false));
                    commit.put("cid", cid());
                    return record(e, t, 0, 1, false);
                }
                case POST, REPLY, QUOTE -> {
                    commit.put("collection", BSKY_POST);
                    commit.put("rkey", rkey);
                    ObjectNode rec = commit.putObject("record");
                    rec.put("$type", BSKY_POST);
                    rec.put("createdAt", createdAt.toString());
                    TopicTexts.Text text = kind == Kind.REPLY ? TopicTexts.reply(r, mix.aiShare())
                            : TopicTexts.next(r, mix.aiShare());
                    rec.putArray("langs").add(text.body().startsWith("Regen") ? "de" : "en");
                    rec.put("text", text.body());
                    facets(rec, text);
                    BskyRef self = new BskyRef("at://" + did + "/" + BSKY_POST + "/" + rkey, cid(), null);
                    if (kind == Kind.REPLY) {
                        // app.bsky.feed.post#replyRef: parent is the post answered, root the thread's first
                        // post (the parent's root, or the parent itself when it starts the thread).
                        BskyRef parent = bskySubject(micros, true);
                        self = new BskyRef(self.uri(), self.cid(), parent.root());
                        ObjectNode reply = rec.putObject("reply");
                        strongRef(reply.putObject("parent"), parent);
                        strongRef(reply.putObject("root"), parent.root());
                    } else if (kind == Kind.QUOTE) {
                        ObjectNode embed = rec.putObject("embed");
                        embed.put("$type", "app.bsky.embed.record");
                        strongRef(embed.putObject("record"), bskySubject(micros, false));
                    }
                    commit.put("cid", self.cid());
                    if (kind == Kind.REPLY) {
                        replied(posts.size());
                    }
                    posts.add(self);
                    return record(e, t, 1, kind == Kind.POST ? 0 : 1, false);
                }
                default -> {
                    return blueskyIgnored(e, commit, did, micros, createdAt, t);
                }
            }
        }

        private RawRecord blueskyIgnored(ObjectNode e, ObjectNode commit, String did, long micros,
                Instant createdAt, Instant t) {
            switch (r.nextInt(5)) {
                case 0 -> {
                    commit.put("collection", "app.bsky.graph.follow");
                    commit.put("rkey", tid(micros));
                    ObjectNode rec = commit.putObject("record");
                    rec.put("$type", "app.bsky.graph.follow");
                    rec.put("createdAt", createdAt.toString());
                    rec.put("subject", authors[r.nextInt(authors.length)]);
                    commit.put("cid", cid());
                }
                case 1 -> {
                    commit.put("operation", "delete");
                    commit.put("collection", r.nextBoolean() ? BSKY_POST : "app.bsky.feed.like");
                    commit.put("rkey", tid(micros - 1_000_000L * (1 + r.nextInt(86_400))));
                }
                case 2 -> {
                    e.remove("commit");
                    e.put("kind", "identity");
                    ObjectNode id = e.putObject("identity");
                    id.put("did", did);
                    id.put("handle", did.substring(8, 16) + ".bsky.social");
                    id.put("seq", 30_000_000_000L + micros % 1_000_000_000L);
                    id.put("time", t.truncatedTo(ChronoUnit.MILLIS).toString());
                }
                case 3 -> {
                    e.remove("commit");
                    e.put("kind", "account");
                    ObjectNode acc = e.putObject("account");
                    acc.put("active", true);
                    acc.put("did", did);
                    acc.put("seq", 30_000_000_000L + micros % 1_000_000_000L);
                    acc.put("time", t.truncatedTo(ChronoUnit.MILLIS).toString());
                }
                default -> {
                    commit.put("operation", "create");
                    commit.put("collection", "fyi.unravel.frontpage.vote");
                    commit.put("rkey", tid(micros));
                    ObjectNode rec = commit.putObject("record");
                    rec.put("$type", "fyi.unravel.frontpage.vote");
                    rec.put("createdAt", createdAt.toString());
                    commit.put("cid", cid());
                }
            }
            return record(e, t, 0, 0, true);
        }

        /**
         * A post generated earlier (four times in five, when there is one; chosen by {@link #target}, or for a
         * reply by {@link #replyParent}), else one
         * from before the run, whose thread the stream does not know (it is taken as the thread's start).
         */
        private BskyRef bskySubject(long micros, boolean reply) {
            if (!posts.isEmpty() && r.nextInt(5) != 0) {
                return (BskyRef) posts.get(reply ? replyParent() : target());
            }
            return new BskyRef("at://" + authors[r.nextInt(authors.length)] + "/" + BSKY_POST + "/"
                    + tid(micros - 1_000_000L * (60 + r.nextInt(7 * 86_400))), cid(), null);
        }

        /** New attention is skewed towards recent posts, as on a live timeline. */
        private int recentIndex() {
            int n = posts.size();
            int back = (int) Math.min(n - 1, Math.floor(-Math.log(1 - r.nextDouble()) * 20));
            return n - 1 - back;
        }

        /**
         * The post an engagement (like, repost, quote, reply, boost, comment) goes to. Attention on real platforms
         * is cumulative: a post that was liked is shown to more people (feeds, "trending", reposts), who like it
         * in turn. So with probability {@link #PREFERENTIAL} the target is that of one of the last
         * {@link #ATTENTION_WINDOW} engagements, picked uniformly, i.e. a post in proportion to the engagement it
         * got lately (preferential attachment; a Yule-Simon process, whose counts per post follow a power law
         * with exponent 1 + 1/p, about 2.4 here, near what retweet and Reddit vote counts show); otherwise a
         * recent post ({@link #recentIndex}). The window makes attention fade: a post stops gaining once it
         * drops out of what people engaged with lately. Most posts get nothing; a few get a large share.
         */
        private int target() {
            int index;
            if (engagedCount > 0 && r.nextDouble() < PREFERENTIAL) {
                index = engaged[r.nextInt(Math.min(engagedCount, ATTENTION_WINDOW))];
            } else {
                index = recentIndex();
            }
            engaged[engagedCount++ % ATTENTION_WINDOW] = index;
            if (engagedCount == 2 * ATTENTION_WINDOW) {
                engagedCount = ATTENTION_WINDOW; // keeps the ring position, avoids overflow
            }
            return index;
        }

        /**
         * The post a reply answers. Threads are conversations: three replies in ten answer one of the last
         * {@link #RECENT_REPLIES} replies (people answer whoever answered them), the rest go where attention goes
         * ({@link #target}). That gives replies to replies to replies, as on every platform.
         */
        private int replyParent() {
            if (repliesCount > 0 && r.nextInt(10) < 3) {
                int index = recentReplies[r.nextInt(Math.min(repliesCount, RECENT_REPLIES))];
                engaged[engagedCount++ % ATTENTION_WINDOW] = index;
                if (engagedCount == 2 * ATTENTION_WINDOW) {
                    engagedCount = ATTENTION_WINDOW;
                }
                return index;
            }
            return target();
        }

        /** Notes that the post about to be added at {@code index} is a reply. */
        private void replied(int index) {
            recentReplies[repliesCount++ % RECENT_REPLIES] = index;
            if (repliesCount == 2 * RECENT_REPLIES) {
                repliesCount = RECENT_REPLIES;
            }
        }

        /**
         * A post's appeal: how much engagement it draws, for the counters of Mastodon, Reddit and Hacker News.
         * Lomax (Pareto type II, shifted to start at 0) with shape {@link #APPEAL_SHAPE}: median about 0.7, mean
         * about 3.3, one post in a thousand above 200, capped at 20,000 so one draw cannot dwarf a whole run.
         * Counts of likes, boosts and votes per post are heavy-tailed on every platform measured (power laws or
         * log-normals): most posts get nothing, a few get thousands.
         */
        private double appeal() {
            return RawStreamGenerator.appeal(r);
        }

        /** A counter of {@code mean}, rounded at random so that small appeals still give an occasional 1. */
        private long counter(double mean) {
            return (long) Math.floor(mean + r.nextDouble());
        }

        private void strongRef(ObjectNode ref, BskyRef post) {
            ref.put("cid", post.cid());
            ref.put("uri", post.uri());
        }

        /** Hashtag facets with UTF-8 byte offsets, as the Bluesky app writes them. */
        private void facets(ObjectNode rec, TopicTexts.Text text) {
            if (text.hashtags().isEmpty()) {
                return;
            }
            ArrayNode facets = rec.putArray("facets");
            String body = text.body();
            for (String tag : text.hashtags()) {
                int at = body.indexOf("#" + tag);
                if (at < 0) {
                    continue;
                }
                int byteStart = body.substring(0, at).getBytes(StandardCharsets.UTF_8).length;
                int byteEnd = byteStart + ("#" + tag).getBytes(StandardCharsets.UTF_8).length;
                ObjectNode f = facets.addObject();
                ObjectNode index = f.putObject("index");
                index.put("byteStart", byteStart);
                index.put("byteEnd", byteEnd);
                ObjectNode feature = f.putArray("features").addObject();
                feature.put("$type", "app.bsky.richtext.facet#tag");
                feature.put("tag", tag);
            }
        }

        /** An AT Protocol TID: 53 bits of microseconds and 10 bits of clock id, base32-sortable. */
        private String tid(long micros) {
            long v = (Math.max(0, micros) << 10) | (idBase / 1_000_000L & 0x3FF);
            StringBuilder b = new StringBuilder(13);
            for (int k = 12; k >= 0; k--) {
                b.append(TID_ALPHABET.charAt((int) ((v >>> (5 * k)) & 31)));
            }
            return b.toString();
        }

        private String cid() {
            return "bafyrei" + randomChars(B32, 52);
        }

        // --- Mastodon -----------------------------------------------------------------------------------

        private RawRecord mastodon(int i, Instant exact, Kind kind) {
            Instant t = exact.truncatedTo(ChronoUnit.MILLIS); // Mastodon times have milliseconds
            String acct = authors[r.nextInt(authors.length)];
            if (kind == Kind.IGNORED) {
                if (r.nextBoolean()) {
                    ObjectNode msg = json.createObjectNode();
                    msg.putArray("stream").add("public");
                    msg.put("event", "delete");
                    msg.put("payload", Long.toString(snowflake(t.minusSeconds(3_600 + r.nextInt(86_400)), i)));
                    return record(msg, t, 0, 0, true);
                }
                ObjectNode status = status(i, t, acct, TopicTexts.next(r, mix.aiShare()), null);
                status.put("visibility", r.nextBoolean() ? "private" : "direct");
                return record(status, t, 0, 0, true);
            }
            if (kind == Kind.REPOST) {
                ObjectNode boosted = posts.isEmpty() || r.nextInt(5) == 0
                        ? status(i + 1_000_000, t.minusSeconds(600 + r.nextInt(86_400)),
                                authors[r.nextInt(authors.length)], TopicTexts.next(r, mix.aiShare()), null)
                        : (ObjectNode) posts.get(target());
                ObjectNode wrapper = status(i, t, acct, null, null);
                wrapper.set("reblog", boosted.deepCopy());
                wrapper.put("uri", wrapper.get("uri").asText() + "/activity");
                wrapper.put("url", wrapper.get("uri").asText());
                wrapper.put("content", "");
                wrapper.putArray("tags");
                return streamingOrRest(wrapper, t, 0, 1);
            }
            ObjectNode parent = kind == Kind.REPLY && !posts.isEmpty() ? (ObjectNode) posts.get(replyParent()) : null;
            TopicTexts.Text text = kind == Kind.REPLY ? TopicTexts.reply(r, mix.aiShare())
                    : TopicTexts.next(r, mix.aiShare());
            ObjectNode status = status(i, t, acct, text, parent);
            if (parent != null) {
                replied(posts.size());
            }
            posts.add(status);
            return streamingOrRest(status, t, 1, 0);
        }

        /** A fifth of statuses arrive as streaming messages, whose payload is the status JSON as a string. */
        private RawRecord streamingOrRest(ObjectNode status, Instant t, int posts, int engagements) {
            if (r.nextInt(5) != 0) {
                return record(status, t, posts, engagements, false);
            }
            ObjectNode msg = json.createObjectNode();
            msg.putArray("stream").add("public");
            msg.put("event", r.nextInt(4) == 0 ? "status.update" : "update");
            msg.put("payload", write(status));
            return record(msg, t, posts, engagements, false);
        }

        /** A Mastodon status as mastodon.social serves it; {@code text} null for a boost wrapper. */
        private ObjectNode status(int i, Instant t, String acct, TopicTexts.Text text, ObjectNode parent) {
            String user = acct.substring(0, acct.indexOf('@'));
            String domain = acct.substring(acct.indexOf('@') + 1);
            long id = snowflake(t, i);
            // The status id in a uri is the origin server's; a remote status has another local id here.
            long originId = domain.equals(SERVING_INSTANCE) ? id : snowflake(t.minusMillis(400), i) + 7;
            ObjectNode s = json.createObjectNode();
            s.put("id", Long.toString(id));
            s.put("created_at", t.truncatedTo(ChronoUnit.MILLIS).toString());
            if (parent != null) {
                s.put("in_reply_to_id", parent.get("id").asText());
                s.put("in_reply_to_account_id", parent.get("account").get("id").asText());
            } else {
                s.putNull("in_reply_to_id");
                s.putNull("in_reply_to_account_id");
            }
            s.put("sensitive", false);
            s.put("spoiler_text", "");
            s.put("visibility", r.nextInt(10) == 0 ? "unlisted" : "public");
            s.put("language", text != null && text.body().startsWith("Regen") ? "de" : "en");
            s.put("uri", "https://" + domain + "/users/" + user + "/statuses/" + originId);
            s.put("url", "https://" + domain + "/@" + user + "/" + originId);
            // Counters as the serving instance reports them: a boost wrapper has none of its own; a status has
            // favourites, then fewer boosts, replies and quotes, all in proportion to its appeal.
            double appeal = text == null ? 0 : appeal();
            s.put("replies_count", counter(appeal * 0.2));
            s.put("reblogs_count", counter(appeal * 0.4));
            s.put("favourites_count", counter(appeal));
            s.put("quotes_count", counter(appeal * 0.02));
            s.putNull("edited_at");
            s.put("content", text == null ? "" : html(text, domain));
            s.putNull("reblog");
            ObjectNode account = s.putObject("account");
            long accountId = 100_000L + Math.floorMod((long) acct.hashCode(), 100_000_000L);
            account.put("id", Long.toString(accountId));
            account.put("username", user);
            account.put("acct", domain.equals(SERVING_INSTANCE) ? user : acct);
            account.put("display_name", user.replace('_', ' '));
            account.put("locked", false);
            account.put("bot", Math.floorMod(acct.hashCode(), 20) == 0);
            account.put("discoverable", true);
            account.put("group", false);
            account.put("created_at", "2022-11-0" + (1 + Math.floorMod(acct.hashCode(), 9)) + "T00:00:00.000Z");
            account.put("note", "");
            account.put("url", "https://" + domain + "/@" + user);
            account.put("uri", "https://" + domain + "/users/" + user);
            account.put("followers_count", Math.floorMod(acct.hashCode(), 5_000));
            account.put("following_count", Math.floorMod(acct.hashCode() >> 3, 800));
            account.put("statuses_count", Math.floorMod(acct.hashCode() >> 5, 20_000));
            s.putArray("media_attachments");
            ArrayNode mentions = s.putArray("mentions");
            if (parent != null && !parent.get("account").get("id").asText().equals(account.get("id").asText())) {
                // A reply mentions the account it answers (Mastodon puts the @mention in by default).
                JsonNode to = parent.get("account");
                ObjectNode m = mentions.addObject();
                m.put("id", to.get("id").asText());
                m.put("username", to.get("username").asText());
                m.put("url", to.get("url").asText());
                m.put("acct", to.get("acct").asText());
            }
            ArrayNode tags = s.putArray("tags");
            if (text != null) {
                for (String tag : text.hashtags()) {
                    ObjectNode tn = tags.addObject();
                    tn.put("name", tag.toLowerCase(Locale.ROOT));
                    tn.put("url", "https://" + SERVING_INSTANCE + "/tags/" + tag.toLowerCase(Locale.ROOT));
                }
            }
            s.putArray("emojis");
            s.putNull("card");
            s.putNull("poll");
            s.putNull("quote");
            return s;
        }

        /** Mastodon's HTML: one paragraph, hashtags as links. */
        private static String html(TopicTexts.Text text, String domain) {
            String escaped = text.body().replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                    .replace("'", "&#39;").replace("\"", "&quot;");
            for (String tag : text.hashtags()) {
                escaped = escaped.replace("#" + tag, "<a href=\"https://" + domain + "/tags/" + tag
                        + "\" class=\"mention hashtag\" rel=\"tag\">#<span>" + tag + "</span></a>");
            }
            return "<p>" + escaped + "</p>";
        }

        private long snowflake(Instant t, int i) {
            return (t.toEpochMilli() << 16) | ((idBase / 1_000_000L + i) & 0xFFFF);
        }

        // --- Reddit -------------------------------------------------------------------------------------

        private RawRecord reddit(int i, Instant exact, Kind kind) {
            Instant t = exact.truncatedTo(ChronoUnit.SECONDS); // created_utc has whole seconds
            String author = authors[r.nextInt(authors.length)];
            long created = t.getEpochSecond();
            ObjectNode thing = json.createObjectNode();
            if (kind == Kind.IGNORED) {
                thing.put("kind", "more");
                ObjectNode d = thing.putObject("data");
                d.put("count", 1 + r.nextInt(40));
                d.put("name", "t1__");
                d.put("id", "_");
                d.put("parent_id", posts.isEmpty() ? "t3_" + id36(i + 500_000) : (String) posts.get(recentIndex()));
                d.put("depth", 0);
                ArrayNode children = d.putArray("children");
                for (int k = 0; k < 3; k++) {
                    children.add(id36(2_000_000 + i * 3L + k));
                }
                return record(thing, t, 0, 0, true);
            }
            String sub;
            ObjectNode d;
            if (kind == Kind.REPLY && !posts.isEmpty()) {
                String parent = (String) posts.get(replyParent());
                String link = parent.startsWith("t3_") ? parent : linkOfComment.get(parent);
                TopicTexts.Text text = TopicTexts.reply(r, mix.aiShare());
                String id = id36(1_000_000 + i);
                sub = subredditOf.get(link);
                thing.put("kind", "t1");
                d = thing.putObject("data");
                d.put("subreddit", sub);
                d.put("subreddit_id", "t5_" + id36(sub.hashCode() & 0xFFFFF));
                d.put("link_id", link);
                d.put("parent_id", parent);
                d.put("replies", "");
                d.put("id", id);
                d.put("author", author);
                d.put("author_fullname", "t2_" + id36(author.hashCode() & 0x7FFFFFF));
                d.put("body", text.body());
                d.put("score", 1 + counter(appeal() * 1.5)); // a comment starts at 1, its author's vote
                d.put("score_hidden", false);
                d.put("controversiality", 0);
                d.put("name", "t1_" + id);
                d.put("permalink", "/r/" + sub + "/comments/" + link.substring(3) + "/" + slugOf.get(link) + "/" + id
                        + "/");
                d.put("created", (double) created);
                d.put("created_utc", (double) created);
                d.put("ups", d.get("score").asInt());
                d.put("downs", 0);
                linkOfComment.put("t1_" + id, link);
                replied(posts.size());
                posts.add(d.get("name").asText());
                return record(thing, t, 1, 0, false);
            }
            TopicTexts.Text text = TopicTexts.next(r, mix.aiShare());
            String id = id36(i);
            sub = subredditFor(text);
            String slug = slug(text.title());
            thing.put("kind", "t3");
            d = thing.putObject("data");
            d.put("subreddit", sub);
            d.put("selftext", r.nextBoolean() ? text.body() : "");
            d.put("author_fullname", "t2_" + id36(author.hashCode() & 0x7FFFFFF));
            d.put("title", text.title());
            d.put("subreddit_name_prefixed", "r/" + sub);
            d.put("name", "t3_" + id);
            d.put("upvote_ratio", 0.5 + r.nextInt(50) / 100.0);
            double appeal = appeal();
            long score = 1 + counter(appeal * 2.5); // its author's vote, then the others'
            d.put("ups", score);
            d.put("score", score);
            d.put("num_comments", counter(appeal * 0.6));
            d.put("created", (double) created);
            d.put("created_utc", (double) created);
            d.put("author", author);
            d.put("id", id);
            d.put("is_self", true);
            d.put("over_18", false);
            d.put("stickied", false);
            d.put("domain", "self." + sub);
            d.put("permalink", "/r/" + sub + "/comments/" + id + "/" + slug + "/");
            d.put("url", "https://www.reddit.com/r/" + sub + "/comments/" + id + "/" + slug + "/");
            if (kind == Kind.QUOTE && !posts.isEmpty()) {
                String parent = (String) posts.get(target());
                d.put("crosspost_parent", parent.startsWith("t3_") ? parent : linkOfComment.get(parent));
                d.putArray("crosspost_parent_list");
            }
            posts.add("t3_" + id);
            subredditOf.put("t3_" + id, sub);
            slugOf.put("t3_" + id, slug);
            return record(thing, t, 1, 0, false);
        }

        /** A comment's submission, and a submission's subreddit: replies stay in their thread. */
        private final Map<String, String> linkOfComment = new HashMap<>();
        private final Map<String, String> subredditOf = new HashMap<>();
        /** A submission's URL slug, which its comments' permalinks repeat. */
        private final Map<String, String> slugOf = new HashMap<>();

        private String subredditFor(TopicTexts.Text text) {
            boolean ai = !text.topic().equals("chatter");
            return ai ? AI_SUBREDDITS[r.nextInt(AI_SUBREDDITS.length)]
                    : OTHER_SUBREDDITS[r.nextInt(OTHER_SUBREDDITS.length)];
        }

        private String id36(long n) {
            // Seven base-36 digits or more, like today's Reddit ids.
            return Long.toString(2_176_782_336L + idBase + n, 36);
        }

        // --- Hacker News --------------------------------------------------------------------------------

        private RawRecord hackerNews(int i, Instant t, Kind kind) {
            long id = 40_000_000L + idBase / 1_000 + i;
            String by = authors[r.nextInt(authors.length)];
            Instant time = t.truncatedTo(ChronoUnit.SECONDS);
            ObjectNode item = json.createObjectNode();
            if (kind == Kind.IGNORED) {
                switch (r.nextInt(3)) {
                    case 0 -> {
                        item.put("deleted", true);
                        item.put("id", id);
                        item.put("parent", posts.isEmpty() ? id - 1 : (Long) posts.get(recentIndex()));
                        item.put("time", time.getEpochSecond());
                        item.put("type", "comment");
                    }
                    case 1 -> {
                        item.put("by", by);
                        item.put("dead", true);
                        item.put("id", id);
                        item.put("text", "Buy cheap followers at example dot com");
                        item.put("time", time.getEpochSecond());
                        item.put("type", "comment");
                        item.put("parent", posts.isEmpty() ? id - 1 : (Long) posts.get(recentIndex()));
                    }
                    default -> {
                        item.put("by", by);
                        item.put("id", id);
                        item.put("poll", id - 1);
                        item.put("score", r.nextInt(300));
                        item.put("text", r.nextBoolean() ? "Yes" : "No");
                        item.put("time", time.getEpochSecond());
                        item.put("type", "pollopt");
                    }
                }
                return record(item, time, 0, 0, true);
            }
            item.put("by", by);
            item.put("id", id);
            if (kind == Kind.REPLY && !posts.isEmpty()) {
                TopicTexts.Text text = TopicTexts.reply(r, mix.aiShare());
                item.put("parent", (Long) posts.get(replyParent()));
                item.put("text", text.body().replace("'", "&#x27;"));
                item.put("time", time.getEpochSecond());
                item.put("type", "comment");
                replied(posts.size());
                posts.add(id);
                return record(item, time, 1, 0, false);
            }
            TopicTexts.Text text = TopicTexts.next(r, mix.aiShare());
            int variant = r.nextInt(10);
            double appeal = appeal();
            item.put("descendants", counter(appeal));
            item.put("score", 1 + counter(appeal * 2));
            item.put("time", time.getEpochSecond());
            if (variant < 6) {
                item.put("title", text.title());
                item.put("type", "story");
                item.put("url", "https://example.org/" + slug(text.title()));
            } else if (variant < 9) {
                item.put("title", "Ask HN: " + text.title());
                item.put("text", "<p>" + text.body().replace("'", "&#x27;") + "<p>What do you all think?");
                item.put("type", "story");
            } else {
                item.put("title", "Poll: " + text.title());
                item.put("text", "");
                item.putArray("parts").add(id + 1).add(id + 2);
                item.put("type", "poll");
            }
            posts.add(id);
            return record(item, time, 1, 0, false);
        }

        // --- shared -------------------------------------------------------------------------------------

        private RawRecord record(ObjectNode node, Instant t, int posts, int engagements, boolean ignored) {
            return new RawRecord(platform, write(node).getBytes(StandardCharsets.UTF_8), t, posts, engagements,
                    ignored);
        }

        private String write(ObjectNode node) {
            try {
                return json.writeValueAsString(node);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot write a generated record", e);
            }
        }

        private String randomChars(String alphabet, int n) {
            char[] c = new char[n];
            for (int k = 0; k < n; k++) {
                c[k] = alphabet.charAt(r.nextInt(alphabet.length()));
            }
            return new String(c);
        }
    }

    // ----------------------------------------------------------------------------------------------------

    /**
     * {@code count} malformed records of {@code platform}, cycling through the defects: not JSON, truncated,
     * not an object, invalid UTF-8, a required field of the wrong type, a required field missing. Each
     * carries the start of the reason the normalizer must give.
     */
    public static List<MalformedRecord> malformed(Platform platform, int count, long seed) {
        // Posts only, so that removing or retyping a post's required field is always possible.
        Mix postsOnly = new Mix(1, 0, 0, 0, 0, 0, 0.5);
        List<RawRecord> valid = generate(platform, Math.max(1, count), Instant.parse("2026-01-01T00:00:00Z"),
                Duration.ofHours(1), seed, postsOnly);
        ObjectMapper json = CanonicalJson.newMapper();
        List<MalformedRecord> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] v = valid.get(i).value();
            out.add(switch (i % 6) {
                case 0 -> new MalformedRecord(platform, ("{\"kind\": commit, oops " + i).getBytes(StandardCharsets.UTF_8),
                        "not JSON", "not valid JSON: ");
                case 1 -> new MalformedRecord(platform, Arrays.copyOf(v, v.length / 2), "truncated",
                        "not valid JSON: ");
                case 2 -> new MalformedRecord(platform, "[1,2,3]".getBytes(StandardCharsets.UTF_8), "not an object",
                        "not a JSON object but an array");
                case 3 -> {
                    byte[] bad = Arrays.copyOf(v, v.length);
                    int at = bad.length / 2;
                    // Start the bad sequence after a whole character, so the reported offset is this one.
                    while (at < bad.length - 2 && (bad[at - 1] & 0x80) != 0) {
                        at++;
                    }
                    bad[at] = (byte) 0xC3;
                    bad[at + 1] = (byte) 0x28;
                    yield new MalformedRecord(platform, bad, "invalid UTF-8", "invalid UTF-8 at byte " + at);
                }
                case 4 -> wrongType(platform, json, v);
                default -> missingField(platform, json, v);
            });
        }
        return out;
    }

    private static MalformedRecord wrongType(Platform platform, ObjectMapper json, byte[] v) {
        ObjectNode n = read(json, v);
        return switch (platform) {
            case BLUESKY -> {
                n.put("time_us", n.get("time_us").asText());
                yield new MalformedRecord(platform, bytes(json, n), "time_us is a string",
                        "bluesky event time_us is a string");
            }
            case MASTODON -> {
                ObjectNode s = mastodonStatus(json, n);
                s.put("created_at", 1_700_000_000L);
                yield new MalformedRecord(platform, bytes(json, s), "created_at is a number",
                        "mastodon status " + s.get("uri").asText() + " created_at is a number");
            }
            case REDDIT -> {
                ObjectNode d = (ObjectNode) n.get("data");
                d.put("created_utc", d.get("created_utc").asText());
                yield new MalformedRecord(platform, bytes(json, n), "created_utc is a string",
                        "reddit " + n.get("kind").asText() + " " + d.get("name").asText() + " created_utc is a string");
            }
            case HACKERNEWS -> {
                n.put("time", n.get("time").asText());
                yield new MalformedRecord(platform, bytes(json, n), "time is a string",
                        "hackernews item " + n.get("id").asText() + " (" + n.get("type").asText() + ") time is a string");
            }
        };
    }

    private static MalformedRecord missingField(Platform platform, ObjectMapper json, byte[] v) {
        ObjectNode n = read(json, v);
        return switch (platform) {
            case BLUESKY -> {
                n.remove("did");
                yield new MalformedRecord(platform, bytes(json, n), "no did", "bluesky event has no did");
            }
            case MASTODON -> {
                ObjectNode s = mastodonStatus(json, n);
                s.remove("account");
                yield new MalformedRecord(platform, bytes(json, s), "no account",
                        "mastodon status " + s.get("uri").asText() + " has no account");
            }
            case REDDIT -> {
                ((ObjectNode) n.get("data")).remove("name");
                yield new MalformedRecord(platform, bytes(json, n), "no name",
                        "reddit " + n.get("kind").asText() + " has no name");
            }
            case HACKERNEWS -> {
                n.remove("by");
                yield new MalformedRecord(platform, bytes(json, n), "no by",
                        "hackernews item " + n.get("id").asText() + " (" + n.get("type").asText() + ") has no by");
            }
        };
    }

    /** The status itself, out of a streaming message if the record is one. */
    private static ObjectNode mastodonStatus(ObjectMapper json, ObjectNode n) {
        return n.has("payload") ? read(json, n.get("payload").asText().getBytes(StandardCharsets.UTF_8)) : n;
    }

    private static ObjectNode read(ObjectMapper json, byte[] v) {
        try {
            return (ObjectNode) json.readTree(v);
        } catch (IOException e) {
            throw new IllegalStateException("a generated record is not JSON", e);
        }
    }

    private static byte[] bytes(ObjectMapper json, ObjectNode n) {
        try {
            return json.writeValueAsBytes(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}

package io.discoursetrends.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.discoursetrends.model.Platform;
import io.discoursetrends.normalize.CanonicalJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Posts about one topic at a chosen rate, minute by minute, in each platform's real wire format: the steady
 * background of a topic, a burst, a slow drift or a one-minute blip, to put on top of {@link RawStreamGenerator}'s
 * stream when testing or showing spike detection.
 *
 * <p>The records are {@link RawStreamGenerator}'s own (posts only, so Jetstream commits, Mastodon REST entities and
 * streaming messages, Reddit t3 things, Hacker News stories, Ask HN and polls), with the text replaced by one of a
 * {@link Script}'s lines and a fresh author per post: a burst is many people saying the same thing, not one
 * account flooding (which the job's per-author cap would discount). Engagement follows: Bluesky likes from other
 * accounts, and for Mastodon, Reddit and Hacker News later sightings with higher counters ({@link CounterSnapshots}),
 * 2 and 6 minutes after the post. Posts of a {@link #series} (a burst) get more of it than the background's posts
 * (what takes off is what people engage with), so they are the top posts of their minutes; {@link #steady} posts
 * get as much as the background's.
 *
 * <p>Deterministic for a seed. Posts of one step are spread over {@code [stepStart + 5 s, stepEnd - 1 s)}, so a
 * client clock a few seconds off (Bluesky's createdAt) keeps them in their step's bucket when steps are buckets.
 * Ids come from seeds derived from {@code seed} and the step, so they do not collide with the background's.
 */
public final class BurstGenerator {

    /**
     * What posts about a topic say: lines that the default taxonomy classifies into {@code topic} and no other
     * (checked by BurstGeneratorTest), where {@code {n}} becomes a number; #hashtags in a line are marked up as
     * each platform does. {@code subreddit} is where the Reddit posts go.
     */
    public record Script(String topic, String subreddit, List<String> lines) {
        public Script {
            Objects.requireNonNull(topic, "topic");
            Objects.requireNonNull(subreddit, "subreddit");
            if (lines.isEmpty()) {
                throw new IllegalArgumentException("a script needs at least one line");
            }
            lines = List.copyOf(lines);
        }
    }

    /** A model release everybody runs at once: "Aster 2" is its distinctive word. */
    public static final Script MODEL_RELEASE = new Script("open-weight-models", "LocalLLaMA", List.of(
            "Aster 2 is out with open weights: 70B dense, Apache 2.0, 128k context. #LocalLLaMA",
            "Aster 2 GGUF quants are already up, Q4_K_M fits in 48 GB and it is fast.",
            "Tried Aster 2 with llama.cpp on two 3090s: {n} tok/s and it nails my coding tests.",
            "Aster 2 weights on Hugging Face, and it beats Llama 3.3 70B on everything I threw at it.",
            "Ollama already ships Aster 2. Pulled it, {n} tok/s on a laptop. Open weights keep winning."));

    /** Everyday talk about running models locally: the steady background of open-weight-models. */
    public static final Script LOCAL_MODELS = new Script("open-weight-models", "LocalLLaMA", List.of(
            "Which GGUF quant do you run for coding, Q4_K_M or Q5_K_M?",
            "Ollama keeps my fan busy all day, still worth it for a local LLM.",
            "Still using Qwen3 for summaries, {n} tok/s is plenty for me.",
            "llama.cpp got faster again after the last update.",
            "DeepSeek for reasoning, Gemma 3 for quick answers: my local setup.",
            "Hugging Face downloads are slow tonight."));

    /** An image-model launch that floods every platform: "Lumen" is its distinctive word. */
    public static final Script IMAGE_LAUNCH = new Script("ai-images-art", "StableDiffusion", List.of(
            "Midjourney Lumen video mode is live and every feed is full of it.",
            "Lumen from Midjourney turns one still into a ten second clip. Artists are not amused. #AIArt",
            "Tried Midjourney Lumen: impressive motion, zero consent from the artists it learned from.",
            "The Midjourney Lumen launch means AI art everywhere today, {n} clips in my feed already.",
            "Etsy sellers are already flooding listings with Midjourney Lumen clips."));

    /** A regulator's first fine: "Velora" is the fined company. */
    public static final Script AI_ACT_FINE = new Script("ai-law-policy", "law", List.of(
            "The EU AI Office fined Velora {n} million euros under the AI Act for hiding its training sources.",
            "First AI Act fine: Velora has to pay and publish a summary of its training sources.",
            "Velora says it will appeal the AI Act fine. The GPAI code of practice suddenly matters.",
            "AI regulation with teeth: the Velora fine is the first real test of the EU AI Act."));

    /** A regulator clears an autonomous radiology model: "Sentinel" is its name. */
    public static final Script RADIOLOGY_CLEARANCE = new Script("ai-healthcare", "medicine", List.of(
            "Radiology AI Sentinel is cleared to read chest X-rays alone. Who signs the report now?",
            "Sentinel clearance is a big day for medical AI and a scary one for radiologists.",
            "Hospital AI goes autonomous: Sentinel reads chest X-rays with no radiologist in the loop.",
            "FDA AI news: Sentinel, the first autonomous radiology AI, cleared after a {n} patient study."));

    /** Schools and chatbots, a topic that grows slowly through a term. */
    public static final Script CLASSROOM = new Script("ai-education", "Teachers", List.of(
            "AI detectors flagged another honest essay in my class this week.",
            "Our school finally has rules on AI cheating, {n} pages of them.",
            "Students using ChatGPT for homework is the new normal, says every teacher I know.",
            "AI tutors are helpful for drills and useless for motivation."));

    /** Complaints about products made worse by AI. */
    public static final Script PRODUCT_GRIPES = new Script("ai-product-degradation", "technology", List.of(
            "Another app update with AI features nobody asked for.",
            "Search results are all AI slop now.",
            "Enshittification speedrun: the support chatbot cannot even find my order.",
            "The Google AI Overview was wrong again, {n} times this week."));

    /** The platforms' own AI discourse: scrapers, opt-outs, robots.txt. */
    public static final Script AI_SCRAPERS = new Script("platform-ai-discourse", "technology", List.of(
            "Added GPTBot and ClaudeBot to my robots.txt today.",
            "The fediverse AI debate again: do not train on my posts.",
            "AI scrapers hit my small forum {n} times an hour.",
            "Dead internet theory feels less like a joke every week."));

    /** Posts only, about nothing the generator would pick a topic for: their text is replaced anyway. */
    private static final RawStreamGenerator.Mix POSTS_ONLY = new RawStreamGenerator.Mix(1, 0, 0, 0, 0, 0, 0);
    private static final Duration LEAD = Duration.ofSeconds(5);
    /** At most this many likes on one generated Bluesky post. */
    private static final int MAX_LIKES = 400;
    private static final Duration TAIL = Duration.ofSeconds(1);
    private static final long[] SNAPSHOT_MINUTES = {2, 6};
    private static final Pattern HASHTAG = Pattern.compile("#(\\w+)");
    private static final String B32 = "abcdefghijklmnopqrstuvwxyz234567";
    private static final String TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz";
    private static final String[] NAMES = {
        "ada", "quokka", "tensor", "kestrel", "mira", "owl", "vector", "fern", "juno", "pixel", "sol", "basalt",
        "linnea", "ravi", "tomas", "yuki", "amara", "dev", "nora", "felix", "ines", "kofi", "lena", "omar"
    };
    private static final ObjectMapper JSON = CanonicalJson.newMapper();

    private BurstGenerator() {}

    /**
     * Posts per minute of a burst as they go: a strong first minute (80% of the peak), three minutes at the peak,
     * then a slow decay (6% of the peak a minute) to 40% of it, until it stops after {@code minutes}.
     */
    public static int[] burst(int peak, int minutes) {
        int[] out = new int[minutes];
        for (int i = 0; i < minutes; i++) {
            double f = i == 0 ? 0.8 : Math.max(0.4, 1 - 0.06 * Math.max(0, i - 3));
            out[i] = (int) Math.round(peak * f);
        }
        return out;
    }

    /** {@code postsPerMinute[i]} posts in minute {@code i} after {@code start}. */
    public static List<KafkaReplayer.Observed> perMinute(Platform platform, Script script, Instant start,
            int[] postsPerMinute, long seed) {
        return series(platform, script, start, Duration.ofMinutes(1), postsPerMinute, seed);
    }

    /**
     * The same number of posts in each of {@code minutes} minutes from {@code start}: a steady background, engaged
     * with as much as the background's posts are (heavy-tailed likes, 3 on average; counters raised once per
     * sighting).
     */
    public static List<KafkaReplayer.Observed> steady(Platform platform, Script script, Instant start, int minutes,
            int postsPerMinute, long seed) {
        int[] counts = new int[minutes];
        java.util.Arrays.fill(counts, postsPerMinute);
        return series(platform, script, start, Duration.ofMinutes(1), counts, seed, false);
    }

    /**
     * {@code counts[i]} posts in the step {@code [start + i*step, start + (i+1)*step)}, with their engagement,
     * each record with the time a bridge observed it (the post's own time for posts and likes).
     */
    public static List<KafkaReplayer.Observed> series(Platform platform, Script script, Instant start, Duration step,
            int[] counts, long seed) {
        return series(platform, script, start, step, counts, seed, true);
    }

    private static List<KafkaReplayer.Observed> series(Platform platform, Script script, Instant start,
            Duration step, int[] counts, long seed, boolean popular) {
        if (step.compareTo(LEAD.plus(TAIL).plusSeconds(1)) < 0) {
            throw new IllegalArgumentException("step must be longer than 7 s, got " + step);
        }
        SplittableRandom r = new SplittableRandom(seed);
        List<KafkaReplayer.Observed> out = new ArrayList<>();
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] < 0) {
                throw new IllegalArgumentException("counts must be >= 0, got " + counts[i] + " at " + i);
            }
            if (counts[i] == 0) {
                continue;
            }
            Instant from = start.plus(step.multipliedBy(i)).plus(LEAD);
            // A seed per step for the generator's ids: 24 bits of a hash, far from small background seeds.
            long stepSeed = (mix(seed * 31 + i) & 0xFFFFFFL) | 0x100000L;
            for (RawStreamGenerator.RawRecord raw : RawStreamGenerator.generate(platform, counts[i], from,
                    step.minus(LEAD).minus(TAIL), stepSeed, POSTS_ONLY)) {
                rewrite(platform, script, raw, r, popular, out);
            }
        }
        return out;
    }

    private static void rewrite(Platform platform, Script script, RawStreamGenerator.RawRecord raw,
            SplittableRandom r, boolean popular, List<KafkaReplayer.Observed> out) {
        String line = script.lines().get(r.nextInt(script.lines().size())).replace("{n}",
                Integer.toString(8 + r.nextInt(60)));
        List<String> tags = new ArrayList<>();
        Matcher m = HASHTAG.matcher(line);
        while (m.find()) {
            tags.add(m.group(1));
        }
        String title = HASHTAG.matcher(line).replaceAll("").trim();
        ObjectNode n = read(raw.value());
        Instant t = raw.eventTime();
        switch (platform) {
            case BLUESKY -> {
                String did = "did:plc:" + chars(r, B32, 24);
                n.put("did", did);
                ObjectNode rec = (ObjectNode) n.get("commit").get("record");
                rec.put("text", line);
                rec.putArray("langs").add("en");
                rec.remove("facets");
                facets(rec, line, tags);
                out.add(new KafkaReplayer.Observed(bytes(n), t));
                String uri = "at://" + did + "/app.bsky.feed.post/" + n.get("commit").get("rkey").asText();
                // Heavy-tailed like the background (RawStreamGenerator#appeal), a story's posts with more: most
                // get a few, some hundreds (capped, as each like is a record of its own).
                double appeal = RawStreamGenerator.appeal(r);
                int count = (int) Math.min(MAX_LIKES, Math.floor((popular ? 3 : 1) * appeal + r.nextDouble()));
                likes(uri, n.get("commit").get("cid").asText(), t, (popular ? 2 : 0) + count, r, out);
            }
            case MASTODON -> {
                boolean streaming = n.has("payload");
                ObjectNode status = streaming ? read(n.get("payload").asText().getBytes(StandardCharsets.UTF_8)) : n;
                mastodonStatus(status, line, tags, r);
                if (streaming) {
                    n.put("payload", write(status));
                }
                observedWithSnapshots(n, t, popular, r, out);
            }
            case REDDIT -> {
                ObjectNode d = (ObjectNode) n.get("data");
                String sub = script.subreddit();
                String id = d.get("id").asText();
                String slug = RawStreamGenerator.slug(title);
                d.put("subreddit", sub);
                d.put("subreddit_name_prefixed", "r/" + sub);
                d.put("title", title);
                // A title, and half the time a body that says a bit more (another of the script's lines).
                String more = script.lines().get(r.nextInt(script.lines().size())).replace("{n}",
                        Integer.toString(8 + r.nextInt(60)));
                d.put("selftext", r.nextBoolean() && !more.equals(line) ? more : "");
                d.put("domain", "self." + sub);
                d.put("permalink", "/r/" + sub + "/comments/" + id + "/" + slug + "/");
                d.put("url", "https://www.reddit.com/r/" + sub + "/comments/" + id + "/" + slug + "/");
                String author = name(r);
                d.put("author", author);
                d.put("author_fullname", "t2_" + Long.toString(author.hashCode() & 0x7FFFFFFL, 36));
                observedWithSnapshots(n, t, popular, r, out);
            }
            case HACKERNEWS -> {
                n.put("by", name(r));
                String old = n.path("title").asText();
                if (old.startsWith("Ask HN: ")) {
                    n.put("title", "Ask HN: " + title);
                    n.put("text", "<p>" + html(line).replace("'", "&#x27;") + "<p>What do you all think?");
                } else if (old.startsWith("Poll: ")) {
                    n.put("title", "Poll: " + title);
                } else {
                    n.put("title", title);
                    n.put("url", "https://example.org/" + RawStreamGenerator.slug(title));
                }
                observedWithSnapshots(n, t, popular, r, out);
            }
        }
    }

    /** The status rewritten: this line as its HTML, its tags, and a fresh human author. */
    private static void mastodonStatus(ObjectNode s, String line, List<String> tags, SplittableRandom r) {
        ObjectNode account = (ObjectNode) s.get("account");
        String oldUser = account.get("username").asText();
        String uri = s.get("uri").asText();
        String domain = uri.substring("https://".length(), uri.indexOf('/', "https://".length()));
        String user = name(r);
        s.put("uri", uri.replace("/users/" + oldUser + "/", "/users/" + user + "/"));
        s.put("url", s.get("url").asText().replace("/@" + oldUser + "/", "/@" + user + "/"));
        String escaped = html(line);
        for (String tag : tags) {
            escaped = escaped.replace("#" + tag, "<a href=\"https://" + domain + "/tags/" + tag
                    + "\" class=\"mention hashtag\" rel=\"tag\">#<span>" + tag + "</span></a>");
        }
        s.put("content", "<p>" + escaped + "</p>");
        s.put("language", "en");
        ArrayNode tagNodes = s.putArray("tags");
        for (String tag : tags) {
            ObjectNode tn = tagNodes.addObject();
            tn.put("name", tag.toLowerCase(Locale.ROOT));
            tn.put("url", "https://" + domain + "/tags/" + tag.toLowerCase(Locale.ROOT));
        }
        String acct = user + "@" + domain;
        account.put("id", Long.toString(100_000L + Math.floorMod((long) acct.hashCode(), 100_000_000L)));
        account.put("username", user);
        account.put("acct", account.get("acct").asText().contains("@") ? acct : user);
        account.put("display_name", user.replace('_', ' '));
        account.put("url", "https://" + domain + "/@" + user);
        account.put("uri", "https://" + domain + "/users/" + user);
        account.put("bot", false);
    }

    /** The post as seen when made, then two later sightings with higher counters (their engagement). */
    private static void observedWithSnapshots(ObjectNode n, Instant t, boolean popular, SplittableRandom r,
            List<KafkaReplayer.Observed> out) {
        byte[] value = bytes(n);
        out.add(new KafkaReplayer.Observed(value, t));
        for (long minutes : SNAPSHOT_MINUTES) {
            // A story's post: a few more on every counter, then growth in proportion to what it has (heavy-tailed
            // as the background's); a steady post grows like the background's.
            if (popular) {
                value = CounterSnapshots.raised(value, r);
            }
            for (int k = popular ? 2 : 1; k > 0; k--) {
                value = CounterSnapshots.grown(value, r);
            }
            out.add(new KafkaReplayer.Observed(value, t.plus(Duration.ofMinutes(minutes))));
        }
    }

    /** {@code n} likes from other accounts within three minutes, as Jetstream delivers them. */
    private static void likes(String subject, String subjectCid, Instant postTime, int n, SplittableRandom r,
            List<KafkaReplayer.Observed> out) {
        for (int k = 0; k < n; k++) {
            Instant t = postTime.plusMillis(1_000 + r.nextInt(180_000));
            long micros = ChronoUnit.MICROS.between(Instant.EPOCH, t) + r.nextInt(1_000);
            ObjectNode e = JSON.createObjectNode();
            e.put("did", "did:plc:" + chars(r, B32, 24));
            e.put("time_us", micros);
            e.put("kind", "commit");
            ObjectNode commit = e.putObject("commit");
            commit.put("rev", tid(micros + 1));
            commit.put("operation", "create");
            commit.put("collection", "app.bsky.feed.like");
            commit.put("rkey", tid(micros));
            ObjectNode rec = commit.putObject("record");
            rec.put("$type", "app.bsky.feed.like");
            rec.put("createdAt", t.minusMillis(300).truncatedTo(ChronoUnit.MILLIS).toString());
            ObjectNode ref = rec.putObject("subject");
            ref.put("cid", subjectCid); // a strong ref: the liked record's cid
            ref.put("uri", subject);
            commit.put("cid", "bafyrei" + chars(r, B32, 52));
            out.add(new KafkaReplayer.Observed(bytes(e), Instant.ofEpochSecond(0, micros * 1_000)));
        }
    }

    /** Hashtag facets with UTF-8 byte offsets, as the Bluesky app writes them. */
    private static void facets(ObjectNode rec, String text, List<String> tags) {
        if (tags.isEmpty()) {
            return;
        }
        ArrayNode facets = rec.putArray("facets");
        for (String tag : tags) {
            int at = text.indexOf("#" + tag);
            int byteStart = text.substring(0, at).getBytes(StandardCharsets.UTF_8).length;
            ObjectNode f = facets.addObject();
            ObjectNode index = f.putObject("index");
            index.put("byteStart", byteStart);
            index.put("byteEnd", byteStart + ("#" + tag).getBytes(StandardCharsets.UTF_8).length);
            ObjectNode feature = f.putArray("features").addObject();
            feature.put("$type", "app.bsky.richtext.facet#tag");
            feature.put("tag", tag);
        }
    }

    private static String name(SplittableRandom r) {
        return NAMES[r.nextInt(NAMES.length)] + "_" + NAMES[r.nextInt(NAMES.length)] + r.nextInt(10_000);
    }

    private static String html(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** An AT Protocol TID for these microseconds (clock id 0x2A). */
    private static String tid(long micros) {
        long v = (micros << 10) | 0x2A;
        StringBuilder b = new StringBuilder(13);
        for (int k = 12; k >= 0; k--) {
            b.append(TID_ALPHABET.charAt((int) ((v >>> (5 * k)) & 31)));
        }
        return b.toString();
    }

    private static String chars(SplittableRandom r, String alphabet, int n) {
        char[] c = new char[n];
        for (int k = 0; k < n; k++) {
            c[k] = alphabet.charAt(r.nextInt(alphabet.length()));
        }
        return new String(c);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static ObjectNode read(byte[] value) {
        try {
            return (ObjectNode) JSON.readTree(value);
        } catch (IOException e) {
            throw new UncheckedIOException("a generated record is not JSON", e);
        }
    }

    private static String write(JsonNode n) {
        try {
            return JSON.writeValueAsString(n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] bytes(JsonNode n) {
        return write(n).getBytes(StandardCharsets.UTF_8);
    }
}

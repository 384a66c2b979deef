package io.discoursetrends.benchmarks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.discoursetrends.classify.SyntheticTaxonomy;
import io.discoursetrends.classify.Taxonomy;
import io.discoursetrends.classify.TaxonomyParser;
import io.discoursetrends.classify.TopicDefinition;
import io.discoursetrends.model.CanonicalEvent;
import io.discoursetrends.model.Platform;
import io.discoursetrends.model.Post;
import io.discoursetrends.normalize.NormalizeResult;
import io.discoursetrends.normalize.Normalizer;
import io.discoursetrends.normalize.Normalizers;
import io.discoursetrends.replay.RawStreamGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Inputs shared by the benchmarks: a realistic mix of raw records from all four platforms, the posts they
 * normalize to, and the taxonomies classification is measured with. Everything is generated from a seed, so
 * two runs measure the same work.
 *
 * <p>Assumption behind the mix: Bluesky's firehose dwarfs the other sources (its Jetstream carries every like
 * and repost of the network), so it is most of the records; Mastodon, Reddit and Hacker News follow in
 * decreasing volume. Record kinds within a platform are {@link RawStreamGenerator.Mix#DEFAULT}.
 */
final class BenchmarkData {
    static final long SEED = 42;
    static final Instant START = Instant.parse("2026-05-25T14:00:00Z");

    /** Share of the records per platform (sums to 1). */
    static final Map<Platform, Double> SHARES = shares();

    private BenchmarkData() {}

    private static Map<Platform, Double> shares() {
        Map<Platform, Double> m = new EnumMap<>(Platform.class);
        m.put(Platform.BLUESKY, 0.70);
        m.put(Platform.MASTODON, 0.15);
        m.put(Platform.REDDIT, 0.10);
        m.put(Platform.HACKERNEWS, 0.05);
        return m;
    }

    /** One raw record as the Kafka source would see it: its platform (topic), bytes and record timestamp. */
    record RawInput(Platform platform, byte[] value, long timestampMillis) {}

    /**
     * About {@code total} raw records over {@code span}, all platforms merged in event-time order (each
     * platform's generator is in order; the merge keeps it so, as per-partition watermarks would see it).
     * The record timestamp is the event time, as for a bridge that produces records as they happen.
     */
    static List<RawInput> mixedStream(int total, Duration span, long seed) {
        List<RawStreamGenerator.RawRecord> all = new ArrayList<>(total);
        for (Map.Entry<Platform, Double> e : SHARES.entrySet()) {
            all.addAll(RawStreamGenerator.generate(e.getKey(), (int) Math.round(total * e.getValue()), START, span,
                    seed));
        }
        all.sort(Comparator.comparing(RawStreamGenerator.RawRecord::eventTime)); // stable: ties keep platform order
        List<RawInput> out = new ArrayList<>(all.size());
        for (RawStreamGenerator.RawRecord r : all) {
            out.add(new RawInput(r.platform(), r.value(), r.eventTime().toEpochMilli()));
        }
        return out;
    }

    /** One normalizer per platform, as one source instance holds them. */
    static Map<Platform, Normalizer> normalizers() {
        Map<Platform, Normalizer> m = new EnumMap<>(Platform.class);
        for (Platform p : Platform.values()) {
            m.put(p, Normalizers.forPlatform(p));
        }
        return m;
    }

    /** The first {@code count} posts (all platforms, in stream order) that the mixed stream normalizes to. */
    static Post[] posts(int count, long seed) {
        // Posts are about a third of the events: generate enough records to find them.
        List<RawInput> raw = mixedStream(count * 4, Duration.ofMinutes(10), seed);
        Map<Platform, Normalizer> normalizers = normalizers();
        List<Post> posts = new ArrayList<>(count);
        for (RawInput r : raw) {
            NormalizeResult result = normalizers.get(r.platform()).normalize(r.value());
            for (CanonicalEvent e : result.events()) {
                if (e.isPost() && posts.size() < count) {
                    posts.add(e.post());
                }
            }
        }
        if (posts.size() < count) {
            throw new IllegalStateException("generated only " + posts.size() + " posts, wanted " + count);
        }
        return posts.toArray(Post[]::new);
    }

    /**
     * A taxonomy by name: {@code synthetic-N} ({@link SyntheticTaxonomy} with N/10 topics of 10 phrases),
     * {@code default} (the one shipped in the jar), {@code default+multiword-N} ({@link #realistic}: the
     * default topics plus N/10 synthetic topics of 10 multi-word phrases).
     */
    static Taxonomy taxonomy(String name, long seed) {
        if (name.equals("default")) {
            return Taxonomy.defaultTaxonomy();
        }
        int dash = name.lastIndexOf('-');
        int phrases = Integer.parseInt(name.substring(dash + 1));
        return switch (name.substring(0, dash)) {
            case "synthetic" -> SyntheticTaxonomy.generate(phrases / 10, 10, seed);
            case "default+multiword" -> realistic(phrases / 10, 10, seed);
            default -> throw new IllegalArgumentException("unknown taxonomy " + name);
        };
    }

    /**
     * The default taxonomy's topics (what the generated texts are about) plus {@code syntheticTopics} generated
     * topics of {@code phrasesPerTopic} phrases of two or three words each. A plain {@link SyntheticTaxonomy}
     * is built from the very words AI posts use, with 40% single-word phrases ("model", "court"): on generated
     * texts its 2,000 phrases give about 8 topics per post and half the posts 5 or more, while real
     * taxonomies avoid ambiguous single words (see the default's conventions). Keeping only multi-word
     * phrases gives the mix the issue asks for: some posts in a topic or two, most in none.
     */
    static Taxonomy realistic(int syntheticTopics, int phrasesPerTopic, long seed) {
        Taxonomy pool = SyntheticTaxonomy.generate(syntheticTopics, phrasesPerTopic * 5, seed);
        List<Map<String, Object>> topics = new ArrayList<>();
        for (TopicDefinition t : Taxonomy.defaultTaxonomy().topics()) {
            topics.add(yaml(t, t.phrases()));
        }
        for (TopicDefinition t : pool.topics()) {
            List<String> multiWord = t.phrases().stream().filter(p -> p.indexOf(' ') > 0).limit(phrasesPerTopic)
                    .toList();
            if (multiWord.size() < phrasesPerTopic) {
                throw new IllegalStateException(t.id() + " has only " + multiWord.size() + " multi-word phrases");
            }
            topics.add(yaml(t, multiWord));
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("version", "default-" + Taxonomy.defaultTaxonomy().version() + "+multiword-" + syntheticTopics
                + "x" + phrasesPerTopic + "-" + seed);
        doc.put("topics", topics);
        try {
            return TaxonomyParser.parse(new YAMLMapper().writeValueAsString(doc), "benchmark taxonomy");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Object> yaml(TopicDefinition t, List<String> phrases) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", t.id());
        m.put("label", t.label());
        putIfAny(m, "phrases", phrases);
        putIfAny(m, "hashtags", t.hashtags());
        putIfAny(m, "communities", t.communities());
        putIfAny(m, "regexes", t.regexes());
        putIfAny(m, "exclude", t.exclude());
        putIfAny(m, "languages", t.languages());
        return m;
    }

    private static void putIfAny(Map<String, Object> m, String key, List<String> values) {
        if (!values.isEmpty()) {
            m.put(key, values);
        }
    }

    /** JVM, CPU and heap, for the head of every report: a number means little without its machine. */
    static String machine() {
        String cpu = "unknown CPU";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    cpu = line.substring(line.indexOf(':') + 1).strip();
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or not readable: say so rather than guess
        }
        Runtime rt = Runtime.getRuntime();
        return "JVM " + System.getProperty("java.vm.name") + " " + Runtime.version() + "; "
                + rt.availableProcessors() + " available processors; CPU " + cpu + "; max heap "
                + rt.maxMemory() / (1024 * 1024) + " MiB; " + System.getProperty("os.name") + " "
                + System.getProperty("os.arch") + "; " + loadAverage();
    }

    /**
     * The 1, 5 and 15 minute load averages: on a shared machine, other processes compete for the cores and
     * caches, which slows every figure down (CPU-time figures less than wall-time ones, but not zero).
     */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).strip().split(" ");
            return "load average " + f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "load average unknown";
        }
    }
}

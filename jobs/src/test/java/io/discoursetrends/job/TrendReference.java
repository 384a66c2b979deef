package io.discoursetrends.job;

import io.discoursetrends.buckets.BucketAccumulator;
import io.discoursetrends.buckets.TrendBucket;
import io.discoursetrends.classify.Classification;
import io.discoursetrends.classify.CompiledTaxonomy;
import io.discoursetrends.model.CanonicalEvent;
import io.discoursetrends.model.Engagement;
import io.discoursetrends.model.Metrics;
import io.discoursetrends.model.Platform;
import io.discoursetrends.model.Post;
import io.discoursetrends.normalize.NormalizeResult;
import io.discoursetrends.normalize.Normalizer;
import io.discoursetrends.normalize.Normalizers;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The trend buckets computed in plain Java from the produced records, sharing nothing with the streaming job but
 * the normalizers and the taxonomy matcher (each tested on its own): a batch pass per platform in produce order
 * (dedup, attribution, snapshot deltas, bots), then exact counts per topic x platform x bucket, with exact
 * distinct authors (the job's are sketched) and exact term counts.
 *
 * <p>It relies on the properties {@link TrendStream} guarantees: no post with engagement arrives after the
 * watermark passed its engagement, and no author has more than the per-author cap of posts in a bucket in a
 * way whose outcome would depend on arrival order across partitions (checked: see {@link #capConflicts}).
 */
final class TrendReference {
    static final String ALL = TrendBucket.ALL_TOPICS;
    static final String ALL_PLATFORMS = TrendBucket.ALL_PLATFORMS;

    /** One counted contribution (the reference's own event type). */
    record Event(boolean post, String platform, long time, String[] topics, String version, String postId, String url,
            String snippet, String author, boolean bot, boolean unattributed, String lang, String community,
            String[] terms, long likes, long reposts, long replies, long quotes, long votes, boolean tooLate) {
        long engagement() {
            return likes + reposts + replies + quotes + votes;
        }
    }

    final Map<String, TrendBucket> buckets = new TreeMap<>();
    final Map<String, Long> exactAuthors = new HashMap<>();
    final Map<String, Long> exactEngagers = new HashMap<>();
    final List<Event> tooLate = new ArrayList<>();
    final List<String> capConflicts = new ArrayList<>();
    /** Matched posts (the drill-down index): per platform, {posts, likes, reposts, replies, quotes, votes}. */
    final Map<String, long[]> matchedPosts = new TreeMap<>();
    long events;

    private final long bucketMillis;
    private final int cap;

    TrendReference(List<TrendStream.Produced> produced, CompiledTaxonomy before, CompiledTaxonomy after, long switchMillis,
            long bucketMillis, int cap) {
        this.bucketMillis = bucketMillis;
        this.cap = cap;
        List<Event> all = new ArrayList<>();
        for (Platform p : Platform.values()) {
            all.addAll(attribute(p, produced.stream().filter(x -> x.platform() == p && !x.closer()).toList(), before,
                    after, switchMillis, matchedPosts.computeIfAbsent(p.id(), k -> new long[6])));
        }
        events = all.size();
        for (Event e : all) {
            if (e.tooLate()) {
                tooLate.add(e);
            }
        }
        bucket(all.stream().filter(e -> !e.tooLate()).toList());
    }

    // --- dedup and attribution, per platform, in produce order ---------------------------------------------

    private static final class Known {
        String[] topics;
        String version;
        String url;
        String snippet;
        boolean bot;
        Metrics counters;
    }

    private static List<Event> attribute(Platform platform, List<TrendStream.Produced> produced,
            CompiledTaxonomy before, CompiledTaxonomy after, long switchMillis, long[] matched) {
        Normalizer normalizer = Normalizers.forPlatform(platform);
        Map<String, Known> posts = new HashMap<>();
        Set<String> seen = new HashSet<>();
        Map<String, List<Engagement>> pending = new LinkedHashMap<>();
        Map<String, Boolean> pendingTooLate = new HashMap<>();
        List<Event> out = new ArrayList<>();
        for (TrendStream.Produced record : produced) {
            NormalizeResult n = normalizer.normalize(record.value());
            if (n.isMalformed() || n.isIgnored()) {
                continue;
            }
            for (CanonicalEvent ev : n.events()) {
                boolean late = record.tooLate();
                if (ev.isPost()) {
                    Post p = ev.post();
                    Known k = posts.get(p.id());
                    Metrics m = p.metrics() == null ? Metrics.NONE : p.metrics();
                    if (k != null) {
                        if (!m.isEmpty()) {
                            long[] d = {inc(k.counters.likes(), m.likes()), inc(k.counters.reposts(), m.reposts()),
                                inc(k.counters.replies(), m.replies()), inc(k.counters.quotes(), m.quotes()),
                                inc(k.counters.score(), m.score())};
                            k.counters = m;
                            if (d[0] != 0 || d[1] != 0 || d[2] != 0 || d[3] != 0 || d[4] != 0) {
                                addMatched(matched, k, d);
                                long observed = Math.max(p.createdAt().toEpochMilli(), record.timestamp());
                                out.add(new Event(false, platform.id(), observed, k.topics, k.version, p.id(), k.url,
                                        k.snippet, null, k.bot, false, null, null, new String[0], d[0], d[1], d[2],
                                        d[3], d[4], late));
                            }
                        }
                        continue;
                    }
                    k = new Known();
                    long time = p.createdAt().toEpochMilli();
                    CompiledTaxonomy taxonomy = time >= switchMillis ? after : before;
                    Classification c = taxonomy.classify(p);
                    k.bot = Boolean.TRUE.equals(p.authorBot());
                    k.topics = k.bot ? new String[0] : c.topics();
                    k.version = taxonomy.version();
                    k.url = p.url();
                    // attribution.unmatched-snippets is off: a post of no topic keeps no snippet.
                    k.snippet = k.topics.length > 0 ? snippet(p.text()) : null;
                    k.counters = m;
                    posts.put(p.id(), k);
                    if (k.topics.length > 0) {
                        matched[0]++;
                    }
                    out.add(new Event(true, platform.id(), time, k.topics, k.version, p.id(), p.url(), k.snippet,
                            p.authorId() == null ? null : platform.id() + "|" + p.authorId(), k.bot, false, p.lang(),
                            p.community(), k.bot ? new String[0] : c.terms(), 0, 0, 0, 0, 0, late));
                    List<Engagement> waiting = pending.remove(p.id());
                    if (waiting != null) {
                        for (Engagement e : waiting) {
                            out.add(attributed(platform, e, k, pendingTooLate.get(e.id())));
                            addMatched(matched, k, deltas(e));
                        }
                    }
                } else {
                    Engagement e = ev.engagement();
                    if (!seen.add(e.id())) {
                        continue;
                    }
                    Known k = posts.get(e.subjectId());
                    if (k != null) {
                        out.add(attributed(platform, e, k, late));
                        addMatched(matched, k, deltas(e));
                    } else {
                        pending.computeIfAbsent(e.subjectId(), s -> new ArrayList<>()).add(e);
                        pendingTooLate.put(e.id(), late);
                    }
                }
            }
        }
        for (List<Engagement> waiting : pending.values()) {
            for (Engagement e : waiting) {
                long[] d = deltas(e);
                out.add(new Event(false, platform.id(), e.createdAt().toEpochMilli(), new String[0], null,
                        e.subjectId(), null, null, actor(platform, e), false, true, null, null, new String[0], d[0],
                        d[1], d[2], d[3], d[4], pendingTooLate.get(e.id())));
            }
        }
        return out;
    }

    private static void addMatched(long[] matched, Known k, long[] d) {
        if (k.topics.length > 0) {
            for (int i = 0; i < 5; i++) {
                matched[1 + i] += d[i];
            }
        }
    }

    private static Event attributed(Platform platform, Engagement e, Known k, boolean late) {
        long[] d = deltas(e);
        if (!k.counters.isEmpty()) { // a counted event raises the base of the next snapshot
            Metrics c = k.counters;
            k.counters = new Metrics(plus(c.likes(), d[0]), plus(c.reposts(), d[1]), plus(c.replies(), d[2]),
                    plus(c.quotes(), d[3]), plus(c.score(), d[4]));
        }
        return new Event(false, platform.id(), e.createdAt().toEpochMilli(), k.topics, k.version, e.subjectId(), k.url,
                k.snippet, actor(platform, e), k.bot, false, null, null, new String[0], d[0], d[1], d[2], d[3], d[4],
                late);
    }

    private static String actor(Platform platform, Engagement e) {
        return e.actorId() == null ? null : platform.id() + "|" + e.actorId();
    }

    private static long[] deltas(Engagement e) {
        long[] d = new long[5];
        d[switch (e.type()) {
            case LIKE -> 0;
            case REPOST -> 1;
            case REPLY -> 2;
            case QUOTE -> 3;
            case VOTE -> 4;
        }] = e.delta();
        return d;
    }

    private static long inc(Long before, Long now) {
        return before == null || now == null ? 0 : now - before;
    }

    private static Long plus(Long v, long d) {
        return v == null ? null : v + d;
    }

    private static String snippet(String text) {
        if (text == null) {
            return null;
        }
        String t = text.strip();
        if (t.length() <= 140) {
            return t;
        }
        int end = Character.isHighSurrogate(t.charAt(139)) ? 139 : 140;
        return t.substring(0, end) + "…";
    }

    // --- buckets ---------------------------------------------------------------------------------------

    private static final class Acc {
        long posts, capped, bots, likes, reposts, replies, quotes, votes, unattributed;
        final Map<String, Integer> perAuthor = new HashMap<>();
        final Set<String> engagers = new HashSet<>();
        final Map<String, Long> terms = new HashMap<>();
        final Map<String, Long> postEngagement = new HashMap<>();
        final Map<String, String[]> postShown = new HashMap<>();
        final Map<String, Long> communities = new HashMap<>();
        final Map<String, Long> languages = new HashMap<>();
        final TreeSet<String> versions = new TreeSet<>();
    }

    private void bucket(List<Event> events) {
        Map<String, Acc> accs = new HashMap<>();
        for (Event e : events) {
            long start = Math.floorDiv(e.time(), bucketMillis) * bucketMillis;
            List<String> keys = new ArrayList<>(List.of(ALL + "|" + e.platform(), ALL + "|" + ALL_PLATFORMS));
            for (String t : e.topics()) {
                keys.add(t + "|" + e.platform());
                keys.add(t + "|" + ALL_PLATFORMS);
            }
            for (String key : keys) {
                add(accs.computeIfAbsent(key + "|" + start, k -> new Acc()), e);
            }
        }
        for (Map.Entry<String, Acc> en : accs.entrySet()) {
            String[] parts = en.getKey().split("\\|");
            long start = Long.parseLong(parts[2]);
            Acc a = en.getValue();
            for (Map.Entry<String, Integer> author : a.perAuthor.entrySet()) {
                if (author.getValue() > cap) {
                    capConflicts.add(en.getKey() + " " + author.getKey() + " " + author.getValue());
                }
            }
            String id = TrendBucket.documentId(parts[0], parts[1], start);
            TrendBucket b = new TrendBucket(parts[0], parts[1], start, start + bucketMillis, true,
                    a.versions.toArray(new String[0]), a.posts, a.capped, a.bots, a.likes, a.reposts, a.replies,
                    a.quotes, a.votes, a.likes + a.reposts + a.replies + a.quotes + a.votes, a.unattributed,
                    a.perAuthor.size(), a.engagers.size(), topPosts(a), top(a.terms, 10), top(a.communities, 5),
                    top(a.languages, Integer.MAX_VALUE), top(a.terms, TrendBucket.ALL_TOPICS.equals(parts[0])
                            ? BucketAccumulator.TOP_TERMS : BucketAccumulator.SKETCH_TERMS));
            buckets.put(id, b);
            exactAuthors.put(id, (long) a.perAuthor.size());
            exactEngagers.put(id, (long) a.engagers.size());
        }
    }

    private void add(Acc a, Event e) {
        if (e.version() != null) {
            a.versions.add(e.version());
        }
        if (e.post()) {
            if (e.bot()) {
                a.bots++;
                return;
            }
            if (e.author() != null) {
                int n = a.perAuthor.merge(e.author(), 1, Integer::sum);
                if (n > cap) {
                    a.capped++;
                    return;
                }
            }
            a.posts++;
            for (String t : e.terms()) {
                a.terms.merge(t, 1L, Long::sum);
            }
            if (e.community() != null) {
                a.communities.merge(e.community(), 1L, Long::sum);
            }
            if (e.lang() != null) {
                a.languages.merge(e.lang(), 1L, Long::sum);
            }
            return;
        }
        a.likes += e.likes();
        a.reposts += e.reposts();
        a.replies += e.replies();
        a.quotes += e.quotes();
        a.votes += e.votes();
        if (e.unattributed()) {
            a.unattributed += e.engagement();
            return;
        }
        if (e.author() != null) {
            a.engagers.add(e.author());
        }
        if (e.postId() != null) {
            a.postEngagement.merge(e.postId(), e.engagement(), Long::sum);
            a.postShown.putIfAbsent(e.postId(), new String[] {e.url(), e.snippet()});
        }
    }

    private static TrendBucket.TopPost[] topPosts(Acc a) {
        return a.postEngagement.entrySet().stream()
                .filter(en -> en.getValue() > 0)
                .sorted(Comparator.<Map.Entry<String, Long>>comparingLong(en -> -en.getValue())
                        .thenComparing(Map.Entry::getKey))
                .limit(5)
                .map(en -> new TrendBucket.TopPost(en.getKey(), a.postShown.get(en.getKey())[0],
                        a.postShown.get(en.getKey())[1], en.getValue()))
                .toArray(TrendBucket.TopPost[]::new);
    }

    private static TrendBucket.Count[] top(Map<String, Long> counts, int limit) {
        return counts.entrySet().stream()
                .sorted(Comparator.<Map.Entry<String, Long>>comparingLong(en -> -en.getValue())
                        .thenComparing(Map.Entry::getKey))
                .limit(limit)
                .map(en -> new TrendBucket.Count(en.getKey(), en.getValue()))
                .toArray(TrendBucket.Count[]::new);
    }

    static String describe(long millis) {
        return Instant.ofEpochMilli(millis).toString();
    }

    static Map<Platform, Long> perPlatform(List<Event> events) {
        Map<Platform, Long> out = new EnumMap<>(Platform.class);
        for (Event e : events) {
            out.merge(Platform.of(e.platform()), 1L, Long::sum);
        }
        return out;
    }
}

package io.discoursetrends.buckets;

import io.discoursetrends.engagement.AttributedEvent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.datasketches.frequencies.ErrorType;
import org.apache.datasketches.frequencies.ItemsSketch;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.TgtHllType;
import org.apache.datasketches.hll.Union;

/**
 * Everything one bucket of one topic on one platform has counted so far. Mutable, owned by one key of
 * {@link TopicBucketFunction}; Flink stores it with {@link BucketAccumulatorSerializer} (compact bytes, the
 * sketches in their own binary formats), never with Kryo.
 *
 * <p>Exact where memory is bounded by the bucket (counts, the posts per author for the cap, engagement per
 * post for the top posts, communities, languages); sketched where it is not: unique authors and engagers are
 * HyperLogLog sketches ({@value #HLL_LG_K} = lgK, about 1.6% relative error, 3.3% at 95% confidence, and exact
 * in list mode for small counts), top terms a frequent-items sketch whose counts are exact until a bucket
 * holds more than {@value #TERMS_MAP_SIZE}*3/4 distinct terms.
 *
 * <p>The term sketch is also a spike's view of the whole minute: the bucket carries its {@value #SKETCH_TERMS}
 * most frequent terms ({@link TrendBucket#sketchTerms()}), not only the {@value #TOP_TERMS} its document shows,
 * so a term that rises from nothing is seen in the minute it rises even when ten older terms are more frequent.
 * What it can miss: a term ranked below {@value #SKETCH_TERMS} in its minute; and, once the minute holds more
 * than 768 distinct terms, a term under the sketch's error, at most 3.5/{@value #TERMS_MAP_SIZE} of the minute's
 * term occurrences (DataSketches' a-priori bound; the count of a term above it is then an estimate).
 */
public final class BucketAccumulator {
    public static final int HLL_LG_K = 12;
    public static final int TERMS_MAP_SIZE = 1024;
    public static final int TOP_POSTS = 5;
    public static final int TOP_TERMS = 10;
    public static final int SKETCH_TERMS = 100;
    public static final int TOP_COMMUNITIES = 5;

    long posts;
    long cappedPosts;
    long botPosts;
    long likes;
    long reposts;
    long replies;
    long quotes;
    long votes;
    long unattributedEngagement;
    HllSketch authors = new HllSketch(HLL_LG_K, TgtHllType.HLL_8);
    HllSketch engagers = new HllSketch(HLL_LG_K, TgtHllType.HLL_8);
    Map<String, Integer> postsPerAuthor = new HashMap<>();
    ItemsSketch<String> terms = new ItemsSketch<>(TERMS_MAP_SIZE);
    Map<String, PostEngagement> postEngagement = new HashMap<>();
    Map<String, Long> communities = new HashMap<>();
    Map<String, Long> languages = new HashMap<>();
    TreeSet<String> taxonomyVersions = new TreeSet<>();
    /** The bucket's final result was emitted (the watermark passed its end); later events are late updates. */
    boolean fired;
    /** Changed since the last emission: the next early-result timer has something to write. */
    boolean dirty;
    /** The taxonomy version last added to {@link #taxonomyVersions}: nearly every event has the same one. */
    private transient String lastVersion;

    /** A post's engagement within this bucket, with what the top-posts list shows of it. */
    static final class PostEngagement {
        long engagement;
        String url;
        String snippet;

        PostEngagement(long engagement, String url, String snippet) {
            this.engagement = engagement;
            this.url = url;
            this.snippet = snippet;
        }
    }

    /**
     * Counts one event. {@code maxPostsPerAuthor} caps how many posts of one author count in this bucket
     * (spam and flooding resistance); the rest are counted as {@code capped_posts} only.
     */
    public void add(AttributedEvent e, int maxPostsPerAuthor) {
        dirty = true;
        String version = e.taxonomyVersion();
        if (version != null && !version.equals(lastVersion)) {
            taxonomyVersions.add(version); // a set: skipping the version just added changes nothing
            lastVersion = version;
        }
        if (e.isPost()) {
            addPost(e, maxPostsPerAuthor);
            return;
        }
        likes += e.likes();
        reposts += e.reposts();
        replies += e.replies();
        quotes += e.quotes();
        votes += e.votes();
        if (e.unattributed()) {
            unattributedEngagement += e.engagement();
            return;
        }
        if (e.authorKey() != null) {
            engagers.update(e.authorKey());
        }
        if (e.postId() != null) {
            PostEngagement pe = postEngagement.get(e.postId());
            if (pe == null) {
                postEngagement.put(e.postId(), new PostEngagement(e.engagement(), e.url(), e.snippet()));
            } else {
                pe.engagement += e.engagement();
            }
        }
    }

    private void addPost(AttributedEvent e, int maxPostsPerAuthor) {
        if (e.botPost()) {
            botPosts++;
            return;
        }
        if (e.authorKey() != null) {
            int before = postsPerAuthor.merge(e.authorKey(), 1, Integer::sum) - 1;
            if (before == 0) {
                // Every author in postsPerAuthor is in the sketch already, and adding an item again leaves a
                // HyperLogLog sketch as it is: only an author's first post in the bucket needs the hash.
                authors.update(e.authorKey());
            }
            if (before >= maxPostsPerAuthor) {
                cappedPosts++;
                return;
            }
        }
        posts++;
        for (String t : e.terms()) {
            terms.update(t);
        }
        if (e.community() != null) {
            communities.merge(e.community(), 1L, Long::sum);
        }
        if (e.lang() != null) {
            languages.merge(e.lang(), 1L, Long::sum);
        }
    }

    /** The bucket as the document that is written for it. */
    public TrendBucket result(String topic, String platform, long startMillis, long endMillis, boolean complete) {
        TrendBucket.Count[] sketched = sketchTerms(terms, termsCarried(topic, complete));
        return new TrendBucket(topic, platform, startMillis, endMillis, complete,
                taxonomyVersions.toArray(new String[0]), posts, cappedPosts, botPosts, likes, reposts, replies,
                quotes, votes, likes + reposts + replies + quotes + votes, unattributedEngagement,
                Math.round(authors.getEstimate()), Math.round(engagers.getEstimate()), topPosts(), topTerms(sketched),
                top(communities, TOP_COMMUNITIES), top(languages, Integer.MAX_VALUE), sketched);
    }

    /**
     * The all-platforms document of one topic's bucket, composed from its platforms' accumulators instead of
     * counted a second time. Every author, engager and post belongs to one platform (author keys carry the
     * platform), so the platforms' counts add up, the per-author cap decided on the author's platform is the
     * decision for all platforms, the HLL sketches unite, the term counts merge (exact while the merged sketch
     * holds under {@value #TERMS_MAP_SIZE}*3/4 terms, as for one platform), and the top posts of all platforms
     * are among the platforms' own top posts.
     */
    public static TrendBucket combined(List<BucketAccumulator> platforms, String topic, long startMillis,
            long endMillis, boolean complete) {
        TreeSet<String> versions = new TreeSet<>();
        long posts = 0;
        long capped = 0;
        long bots = 0;
        long likes = 0;
        long reposts = 0;
        long replies = 0;
        long quotes = 0;
        long votes = 0;
        long unattributed = 0;
        Union authors = new Union(HLL_LG_K);
        Union engagers = new Union(HLL_LG_K);
        ItemsSketch<String> terms = new ItemsSketch<>(TERMS_MAP_SIZE);
        List<TrendBucket.TopPost> candidates = new ArrayList<>();
        Map<String, Long> communities = new HashMap<>();
        Map<String, Long> languages = new HashMap<>();
        for (BucketAccumulator a : platforms) {
            versions.addAll(a.taxonomyVersions);
            posts += a.posts;
            capped += a.cappedPosts;
            bots += a.botPosts;
            likes += a.likes;
            reposts += a.reposts;
            replies += a.replies;
            quotes += a.quotes;
            votes += a.votes;
            unattributed += a.unattributedEngagement;
            authors.update(a.authors);
            engagers.update(a.engagers);
            terms.merge(a.terms);
            candidates.addAll(Arrays.asList(a.topPosts()));
            a.communities.forEach((k, v) -> communities.merge(k, v, Long::sum));
            a.languages.forEach((k, v) -> languages.merge(k, v, Long::sum));
        }
        candidates.sort(Comparator.comparingLong((TrendBucket.TopPost p) -> -p.engagement())
                .thenComparing(TrendBucket.TopPost::id));
        TrendBucket.Count[] sketched = sketchTerms(terms, termsCarried(topic, complete));
        return new TrendBucket(topic, TrendBucket.ALL_PLATFORMS, startMillis, endMillis, complete,
                versions.toArray(new String[0]), posts, capped, bots, likes, reposts, replies, quotes, votes,
                likes + reposts + replies + quotes + votes, unattributed, Math.round(authors.getEstimate()),
                Math.round(engagers.getEstimate()),
                candidates.subList(0, Math.min(TOP_POSTS, candidates.size())).toArray(new TrendBucket.TopPost[0]),
                topTerms(sketched), top(communities, TOP_COMMUNITIES), top(languages, Integer.MAX_VALUE), sketched);
    }

    /**
     * The {@value #TOP_POSTS} posts with the most engagement (ties: the smaller id), picked in one pass: a busy
     * bucket holds tens of thousands of posts, and sorting them all at every early result would be wasted.
     */
    private TrendBucket.TopPost[] topPosts() {
        String[] ids = new String[TOP_POSTS];
        PostEngagement[] top = new PostEngagement[TOP_POSTS];
        int n = 0;
        for (Map.Entry<String, PostEngagement> en : postEngagement.entrySet()) {
            PostEngagement pe = en.getValue();
            if (pe.engagement <= 0) {
                continue;
            }
            String id = en.getKey();
            int at = n;
            while (at > 0 && ranksBefore(pe.engagement, id, top[at - 1].engagement, ids[at - 1])) {
                at--;
            }
            if (at >= TOP_POSTS) {
                continue;
            }
            int last = Math.min(n, TOP_POSTS - 1);
            System.arraycopy(ids, at, ids, at + 1, last - at);
            System.arraycopy(top, at, top, at + 1, last - at);
            ids[at] = id;
            top[at] = pe;
            n = Math.min(n + 1, TOP_POSTS);
        }
        TrendBucket.TopPost[] out = new TrendBucket.TopPost[n];
        for (int i = 0; i < n; i++) {
            out[i] = new TrendBucket.TopPost(ids[i], top[i].url, top[i].snippet, top[i].engagement);
        }
        return out;
    }

    private static boolean ranksBefore(long engagement, String id, long otherEngagement, String otherId) {
        return engagement > otherEngagement || engagement == otherEngagement && id.compareTo(otherId) < 0;
    }

    /**
     * Only complete buckets of topics reach the spike stage: early results (every few seconds per open bucket)
     * and {@code _all} carry the top ten only, as before there were sketch terms.
     */
    private static int termsCarried(String topic, boolean complete) {
        return complete && !TrendBucket.ALL_TOPICS.equals(topic) ? SKETCH_TERMS : TOP_TERMS;
    }

    /** The sketch's {@code limit} most frequent terms (ties: the smaller term). */
    private static TrendBucket.Count[] sketchTerms(ItemsSketch<String> terms, int limit) {
        ItemsSketch.Row<String>[] rows = terms.getFrequentItems(0, ErrorType.NO_FALSE_NEGATIVES);
        return Arrays.stream(rows)
                .sorted(Comparator.<ItemsSketch.Row<String>>comparingLong(r -> -r.getEstimate())
                        .thenComparing(ItemsSketch.Row::getItem))
                .limit(limit)
                .map(r -> new TrendBucket.Count(r.getItem(), r.getEstimate()))
                .toArray(TrendBucket.Count[]::new);
    }

    private static TrendBucket.Count[] topTerms(TrendBucket.Count[] sketched) {
        return Arrays.copyOf(sketched, Math.min(TOP_TERMS, sketched.length));
    }

    static TrendBucket.Count[] top(Map<String, Long> counts, int limit) {
        List<Map.Entry<String, Long>> entries = new ArrayList<>(counts.entrySet());
        entries.sort(Comparator.<Map.Entry<String, Long>>comparingLong(en -> -en.getValue())
                .thenComparing(Map.Entry::getKey));
        return entries.stream().limit(limit).map(en -> new TrendBucket.Count(en.getKey(), en.getValue()))
                .toArray(TrendBucket.Count[]::new);
    }
}

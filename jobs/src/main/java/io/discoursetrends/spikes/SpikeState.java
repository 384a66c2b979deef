package io.discoursetrends.spikes;

import io.discoursetrends.buckets.TrendBucket;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The per-key state of {@link SpikeDetectionFunction} besides the detector's own: Flink POJOs of primitives and
 * arrays only (bounded in size), so Flink serializes them natively and a key's state stays small.
 */
public final class SpikeState {
    private SpikeState() {}

    /** Most posts and terms kept while a spike is open. */
    static final int KEPT_POSTS = 20;
    static final int KEPT_TERMS = 300;

    /**
     * What an open spike has gathered: totals, the posts behind it and its terms (the {@value #KEPT_TERMS} most
     * frequent over its buckets, from every term each bucket's sketch carries).
     */
    public static class Explanation {
        public long posts;
        public long engagement;
        public long maxAuthors;
        public String[] postIds = new String[0];
        public String[] postUrls = new String[0];
        public String[] postTexts = new String[0];
        public long[] postEngagement = new long[0];
        public String[] terms = new String[0];
        public long[] termCounts = new long[0];
        public CalendarEvent event;

        public Explanation() {}

        void add(TrendBucket b) {
            posts += b.posts();
            engagement += b.engagement();
            maxAuthors = Math.max(maxAuthors, b.uniqueAuthors());
            Map<String, long[]> engaged = new HashMap<>();
            Map<String, String[]> shown = new HashMap<>();
            for (int i = 0; i < postIds.length; i++) {
                engaged.put(postIds[i], new long[] {postEngagement[i]});
                shown.put(postIds[i], new String[] {postUrls[i], postTexts[i]});
            }
            for (TrendBucket.TopPost p : b.topPosts()) {
                engaged.computeIfAbsent(p.id(), k -> new long[1])[0] += p.engagement();
                shown.putIfAbsent(p.id(), new String[] {p.url(), p.text()});
            }
            List<Map.Entry<String, long[]>> top = new ArrayList<>(engaged.entrySet());
            top.sort(Comparator.<Map.Entry<String, long[]>>comparingLong(e -> -e.getValue()[0])
                    .thenComparing(Map.Entry::getKey));
            int n = Math.min(KEPT_POSTS, top.size());
            postIds = new String[n];
            postUrls = new String[n];
            postTexts = new String[n];
            postEngagement = new long[n];
            for (int i = 0; i < n; i++) {
                String id = top.get(i).getKey();
                postIds[i] = id;
                postUrls[i] = shown.get(id)[0];
                postTexts[i] = shown.get(id)[1];
                postEngagement[i] = top.get(i).getValue()[0];
            }
            Map<String, Long> counts = new HashMap<>();
            for (int i = 0; i < terms.length; i++) {
                counts.put(terms[i], termCounts[i]);
            }
            for (TrendBucket.Count c : b.termsForExplanation()) {
                counts.merge(c.value(), c.count(), Long::sum);
            }
            List<Map.Entry<String, Long>> kept = new ArrayList<>(counts.entrySet());
            kept.sort(Comparator.<Map.Entry<String, Long>>comparingLong(e -> -e.getValue())
                    .thenComparing(Map.Entry::getKey));
            int m = Math.min(KEPT_TERMS, kept.size());
            terms = new String[m];
            termCounts = new long[m];
            for (int i = 0; i < m; i++) {
                terms[i] = kept.get(i).getKey();
                termCounts[i] = kept.get(i).getValue();
            }
        }

        TrendBucket.TopPost[] topPosts(int limit) {
            int n = Math.min(limit, postIds.length);
            TrendBucket.TopPost[] out = new TrendBucket.TopPost[n];
            for (int i = 0; i < n; i++) {
                out[i] = new TrendBucket.TopPost(postIds[i], postUrls[i], postTexts[i], postEngagement[i]);
            }
            return out;
        }
    }

    /**
     * What a topic usually talks about on this platform, for the distinctive terms of its spikes: the terms of its
     * buckets outside spikes (every term each bucket's sketch carries, not only its top ten), decaying with a
     * half-life of a day, in a {@link TermBaseline} sketch of 4 KB, with their total weight; and its usual
     * engagement per bucket, for event impact.
     *
     * <p>{@code terms} and {@code weights} are the layout of the releases before the sketch (the 300 heaviest
     * terms, learned from the buckets' top ten): a state restored from such a savepoint has them and no sketch;
     * {@link #adoptLegacyTerms} folds them into the sketch, then empties them. That list never saw a term outside
     * a minute's top ten, so it is folded in as {@value #LEGACY_BUCKETS} quiet minutes' worth of weight, not the
     * day or more it stands for: the minutes after the upgrade, which see every term, soon outweigh its bias
     * (until they do, a middling term may be named distinctive for lack of a baseline).
     */
    public static class History {
        static final double LEGACY_BUCKETS = 30;

        public String[] terms = new String[0];
        public double[] weights = new double[0];
        /** {@link TermBaseline} cells; null until first used (and in a state from an older savepoint). */
        public float[] termSketch;
        /** Total decayed weight of the terms in {@code termSketch}. */
        public double termMass;
        public double engagementLevel;
        public long buckets;
        public long lastBucketMillis;

        public History() {}

        void learn(TrendBucket b, double decay, double engagementRate) {
            long size = b.bucketEndMillis() - b.bucketStartMillis();
            if (buckets > 0 && b.bucketStartMillis() > lastBucketMillis + size) {
                // Minutes without a bucket had no engagement: the level decays toward zero over them.
                long missing = (b.bucketStartMillis() - lastBucketMillis) / size - 1;
                engagementLevel *= Math.pow(1 - engagementRate, missing);
            }
            lastBucketMillis = b.bucketStartMillis();
            adoptLegacyTerms(decay);
            TermBaseline.decay(termSketch, decay);
            termMass *= decay;
            for (TrendBucket.Count c : b.termsForExplanation()) {
                TermBaseline.add(termSketch, c.value(), c.count());
                termMass += c.count();
            }
            engagementLevel = buckets == 0 ? b.engagement()
                    : engagementLevel + engagementRate * (b.engagement() - engagementLevel);
            buckets++;
        }

        /** The term's usual decayed weight (an upper bound: see {@link TermBaseline}). */
        double termWeight(String term) {
            adoptLegacyTerms(1);
            return TermBaseline.estimate(termSketch, term);
        }

        /** The total of the terms' weights. */
        double termMass() {
            adoptLegacyTerms(1);
            return termMass;
        }

        /**
         * Creates the sketch if there is none, with the terms of a state from before it (see the class comment);
         * {@code decayPerBucket} tells how many buckets the old weights stand for.
         */
        void adoptLegacyTerms(double decayPerBucket) {
            if (termSketch != null) {
                return;
            }
            termSketch = TermBaseline.empty();
            // The old weights sum about n_eff buckets of top terms, n_eff = (1 - decay^buckets) / (1 - decay).
            double buckets = decayPerBucket < 1
                    ? (1 - Math.pow(decayPerBucket, this.buckets)) / (1 - decayPerBucket) : this.buckets;
            double scale = Math.min(1, LEGACY_BUCKETS / Math.max(1, buckets));
            for (int i = 0; i < terms.length; i++) {
                TermBaseline.add(termSketch, terms[i], weights[i] * scale);
                termMass += weights[i] * scale;
            }
            terms = new String[0];
            weights = new double[0];
        }
    }

    /** The impact of one calendar event on this key, while its 48-hour window fills. */
    public static class Impact {
        public String eventId;
        public double baselinePosts = -1;
        public double baselineEngagement;
        public double peakPosts = -1;
        public long peakAtMillis = -1;
        public double peakExcess;
        public double excessPosts;
        public double excessEngagement;
        public double halfLifeMinutes = Double.NaN;
        /** Start of the last bucket counted, empty ones included; -1 before the first. */
        public long lastBucketMillis = -1;

        public Impact() {}

        /** Counts one bucket after the event (an empty minute is a bucket of zeros: below the baseline). */
        void add(long start, double posts, double engagement) {
            double excess = posts - baselinePosts;
            excessPosts += excess;
            excessEngagement += engagement - baselineEngagement;
            if (posts > peakPosts) {
                peakPosts = posts;
                peakAtMillis = start;
                peakExcess = excess;
                halfLifeMinutes = Double.NaN; // a new peak: its decay starts again
            } else if (Double.isNaN(halfLifeMinutes) && peakExcess > 0 && excess <= peakExcess / 2) {
                halfLifeMinutes = (start - peakAtMillis) / 60_000.0;
            }
            lastBucketMillis = start;
        }

        /** The minutes without a bucket between the last counted one and {@code before}: zeros. */
        void addEmptyUntil(long before, long firstBucket, long bucketMillis) {
            long next = lastBucketMillis < 0 ? firstBucket : lastBucketMillis + bucketMillis;
            for (long t = next; t < before; t += bucketMillis) {
                add(t, 0, 0);
            }
        }
    }
}

package io.discoursetrends.spikes;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The terms over-represented in a spike against its topic's own usual terms: the log-odds ratio with an
 * informative Dirichlet prior (Monroe, Colaresi and Quinn, "Fightin' Words", 2008), as a z-score. The prior
 * (the two corpora together, {@value #PRIOR_MASS} pseudo-counts) keeps rare terms from ranking high on one or
 * two occurrences; a term needs {@value #MIN_COUNT} occurrences in the spike and z above {@value #MIN_Z}.
 *
 * <p>The spike's counts come from its buckets' term sketches (up to 100 terms per bucket, not only the ten the
 * bucket documents show), so a term that rises from nothing is counted in the minute it rises; the baseline is
 * the topic's decayed {@link TermBaseline} sketch of its quiet minutes, which has a weight for any term (an upper
 * bound), so a term absent before has a baseline near zero and one that was merely not among the top terms is
 * not mistaken for new. docs/spikes.md says what can still be missed.
 */
public final class DistinctiveTerms {
    static final double PRIOR_MASS = 100;
    static final long MIN_COUNT = 2;
    static final double MIN_Z = 1.96;

    private DistinctiveTerms() {}

    /** Against a baseline given as its terms and their weights (every other term weighs 0). */
    public static SpikeDocument.Term[] of(String[] spikeTerms, long[] spikeCounts, String[] baseTerms,
            double[] baseWeights, int limit) {
        Map<String, Double> base = new HashMap<>();
        double nBase = 0;
        for (int i = 0; i < baseTerms.length; i++) {
            base.put(baseTerms[i], baseWeights[i]);
            nBase += baseWeights[i];
        }
        return of(spikeTerms, spikeCounts, t -> base.getOrDefault(t, 0.0), nBase, limit);
    }

    /** Against a baseline that weighs any term ({@code baseWeight}), {@code nBase} in all. */
    public static SpikeDocument.Term[] of(String[] spikeTerms, long[] spikeCounts, ToDoubleFunction<String> baseWeight,
            double nBase, int limit) {
        double nSpike = 0;
        for (long c : spikeCounts) {
            nSpike += c;
        }
        double total = nSpike + nBase;
        if (nSpike == 0) {
            return new SpikeDocument.Term[0];
        }
        List<SpikeDocument.Term> out = new ArrayList<>();
        for (int i = 0; i < spikeTerms.length; i++) {
            long ys = spikeCounts[i];
            if (ys < MIN_COUNT) {
                continue;
            }
            // An upper-bound sketch may answer a little more than the whole for a tiny baseline: keep it a share.
            double yb = Math.min(baseWeight.applyAsDouble(spikeTerms[i]), nBase);
            double alpha = PRIOR_MASS * (ys + yb) / total;
            double delta = Math.log((ys + alpha) / (nSpike + PRIOR_MASS - ys - alpha))
                    - Math.log((yb + alpha) / (nBase + PRIOR_MASS - yb - alpha));
            double z = delta / Math.sqrt(1 / (ys + alpha) + 1 / (yb + alpha));
            if (z > MIN_Z) {
                out.add(new SpikeDocument.Term(spikeTerms[i], ys, Math.round(z * 100) / 100.0));
            }
        }
        out.sort(Comparator.comparingDouble((SpikeDocument.Term t) -> -t.z()).thenComparing(SpikeDocument.Term::term));
        return out.stream().limit(limit).toArray(SpikeDocument.Term[]::new);
    }
}

package io.discoursetrends.spikes;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The terms over-represented in a spike against its topic's own usual terms: the log-odds ratio with an
 * informative Dirichlet prior (Monroe, Colaresi and Quinn, "Fightin' Words", 2008), as a z-score. The prior
 * (the two corpora together, {@value #PRIOR_MASS} pseudo-counts) keeps rare terms from ranking high on one or
 * two occurrences; a term needs {@value #MIN_COUNT} occurrences in the spike and z above {@value #MIN_Z}.
 *
 * <p>The counts come from the buckets' top terms (ten per bucket), so a spike's terms are the frequent ones of
 * its minutes, compared with the frequent ones of the topic's quiet minutes.
 */
public final class DistinctiveTerms {
    static final double PRIOR_MASS = 100;
    static final long MIN_COUNT = 2;
    static final double MIN_Z = 1.96;

    private DistinctiveTerms() {}

    public static SpikeDocument.Term[] of(String[] spikeTerms, long[] spikeCounts, String[] baseTerms,
            double[] baseWeights, int limit) {
        Map<String, Double> base = new HashMap<>();
        double nBase = 0;
        for (int i = 0; i < baseTerms.length; i++) {
            base.put(baseTerms[i], baseWeights[i]);
            nBase += baseWeights[i];
        }
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
            double yb = base.getOrDefault(spikeTerms[i], 0.0);
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

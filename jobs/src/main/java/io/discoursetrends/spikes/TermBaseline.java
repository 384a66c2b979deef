package io.discoursetrends.spikes;

/**
 * A key's usual terms as a decayed Count-Min sketch with conservative update (Cormode and Muthukrishnan 2005;
 * Estan and Varghese 2002), over the {@code float[]} a Flink POJO stores: {@value #DEPTH} rows of
 * {@value #WIDTH} cells, 4 KB whatever the number of distinct terms. The distinctive terms of a spike need the
 * baseline of any term of the spike, also one never frequent before: a list of the usual top terms answers 0
 * for a term that fell off it, which would make a middling term look new; this sketch never answers less than
 * the term's decayed weight, so a term is never distinctive for being forgotten.
 *
 * <p>Error, one-sided: an estimate exceeds the true weight by at most e/{@value #WIDTH} (about 1.1%) of the
 * sketch's total weight with probability 1 - e^-{@value #DEPTH} (98%), and by much less in practice on skewed
 * term frequencies, where conservative update leaves the cells of rare terms nearly clean. So a spike term whose
 * share of the spike is a few percent stands out against a baseline share of 1% even if every collision went
 * against it; a term whose share of the spike is under about 1% can be missed (its baseline may be overstated).
 *
 * <p>Rows hash {@link String#hashCode()} (specified by the JDK, so the same after a restore on another JVM) with
 * a per-row seed. Decay multiplies every cell, which keeps the sketch an upper bound of the decayed weights.
 */
final class TermBaseline {
    static final int DEPTH = 4;
    static final int WIDTH = 256;
    private static final int[] SEEDS = {0x9E3779B9, 0x85EBCA6B, 0xC2B2AE35, 0x27D4EB2F};

    private TermBaseline() {}

    static float[] empty() {
        return new float[DEPTH * WIDTH];
    }

    static double estimate(float[] cells, String term) {
        double min = Double.MAX_VALUE;
        for (int row = 0; row < DEPTH; row++) {
            min = Math.min(min, cells[cell(term, row)]);
        }
        return min;
    }

    /** Adds {@code weight} to the term: each of its cells is raised to at most its new estimate (conservative). */
    static void add(float[] cells, String term, double weight) {
        float target = (float) (estimate(cells, term) + weight);
        for (int row = 0; row < DEPTH; row++) {
            int i = cell(term, row);
            cells[i] = Math.max(cells[i], target);
        }
    }

    static void decay(float[] cells, double factor) {
        for (int i = 0; i < cells.length; i++) {
            cells[i] *= (float) factor;
        }
    }

    private static int cell(String term, int row) {
        int h = term.hashCode() ^ SEEDS[row];
        // murmur3's finalizer: every bit of the string's hash reaches the cell index.
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        h *= 0xC2B2AE35;
        h ^= h >>> 16;
        return row * WIDTH + (h & (WIDTH - 1));
    }
}

package io.discoursetrends.classify;

import java.util.Arrays;

/**
 * What {@link CompiledTaxonomy#classify} found in a post: the ids of the topics it matched (sorted, distinct,
 * empty if none) and its terms (folded tokens without stop words, URL and mention fragments, numbers and
 * one-letter tokens; distinct, in order of first occurrence, at most {@link CompiledTaxonomy#MAX_TERMS}).
 * Arrays rather than Lists so Flink serializes the values natively; compared by value.
 */
public record Classification(String[] topics, String[] terms) {

    public boolean matched() {
        return topics.length > 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Classification c && Arrays.equals(topics, c.topics) && Arrays.equals(terms, c.terms);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(topics) * 31 + Arrays.hashCode(terms);
    }

    @Override
    public String toString() {
        return "Classification[topics=" + Arrays.toString(topics) + ", terms=" + Arrays.toString(terms) + "]";
    }
}

package io.discoursetrends.classify;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

/**
 * Aho-Corasick over token ids: finds every pattern (a sequence of token ids) that ends at each token of a
 * text in one left-to-right pass, whatever the number of patterns. The alphabet is the patterns' vocabulary;
 * a text token outside it cannot continue any pattern, so the caller sends the automaton back to the root
 * ({@link #ROOT}) instead of calling {@link #step}.
 *
 * <p>Layout: the root's transitions are a dense array over the vocabulary (the root is where most steps
 * start); every other state's transitions are a sorted slice of one edge array, searched by bisection
 * (most states have one child). Failure links make a step amortized O(1); dictionary links make reporting
 * the patterns that end at a state cost O(number reported).
 */
final class TokenAutomaton {

    static final int ROOT = 0;

    private final int[] rootNext;
    private final int[] edgeStart;
    private final int[] edgeToken;
    private final int[] edgeTarget;
    private final int[] fail;
    /** Patterns ending exactly at a state (not via its suffixes): outPattern[outStart[s] .. outStart[s+1]). */
    private final int[] outStart;
    private final int[] outPattern;
    /** The nearest proper suffix state that has own patterns, or -1. */
    private final int[] dictLink;

    private TokenAutomaton(int[] rootNext, int[] edgeStart, int[] edgeToken, int[] edgeTarget, int[] fail,
            int[] outStart, int[] outPattern, int[] dictLink) {
        this.rootNext = rootNext;
        this.edgeStart = edgeStart;
        this.edgeToken = edgeToken;
        this.edgeTarget = edgeTarget;
        this.fail = fail;
        this.outStart = outStart;
        this.outPattern = outPattern;
        this.dictLink = dictLink;
    }

    /**
     * @param patterns token-id sequences (non-empty); pattern {@code i} is reported as {@code i}
     * @param vocabularySize token ids are 0..vocabularySize-1
     */
    static TokenAutomaton build(List<int[]> patterns, int vocabularySize) {
        // 1. The trie, with sorted children per node.
        List<TreeMap<Integer, Integer>> children = new ArrayList<>();
        List<List<Integer>> own = new ArrayList<>();
        children.add(new TreeMap<>());
        own.add(new ArrayList<>());
        for (int p = 0; p < patterns.size(); p++) {
            int s = ROOT;
            for (int token : patterns.get(p)) {
                Integer next = children.get(s).get(token);
                if (next == null) {
                    next = children.size();
                    children.add(new TreeMap<>());
                    own.add(new ArrayList<>());
                    children.get(s).put(token, next);
                }
                s = next;
            }
            own.get(s).add(p);
        }
        int states = children.size();

        // 2. Flatten.
        int[] rootNext = new int[vocabularySize];
        children.get(ROOT).forEach((t, s) -> rootNext[t] = s); // 0 = stay at the root
        int[] edgeStart = new int[states + 1];
        int edges = 0;
        for (int s = 0; s < states; s++) {
            edgeStart[s] = edges;
            edges += s == ROOT ? 0 : children.get(s).size();
        }
        edgeStart[states] = edges;
        int[] edgeToken = new int[edges];
        int[] edgeTarget = new int[edges];
        for (int s = 1; s < states; s++) {
            int e = edgeStart[s];
            for (var entry : children.get(s).entrySet()) {
                edgeToken[e] = entry.getKey();
                edgeTarget[e] = entry.getValue();
                e++;
            }
        }
        int[] outStart = new int[states + 1];
        int outs = 0;
        for (int s = 0; s < states; s++) {
            outStart[s] = outs;
            outs += own.get(s).size();
        }
        outStart[states] = outs;
        int[] outPattern = new int[outs];
        for (int s = 0; s < states; s++) {
            int o = outStart[s];
            for (int p : own.get(s)) {
                outPattern[o++] = p;
            }
        }

        // 3. Failure and dictionary links, breadth first (a state's links point to shallower states).
        int[] fail = new int[states];
        int[] dictLink = new int[states];
        Arrays.fill(dictLink, -1);
        TokenAutomaton a = new TokenAutomaton(rootNext, edgeStart, edgeToken, edgeTarget, fail, outStart, outPattern,
                dictLink);
        int[] queue = new int[states];
        int head = 0;
        int tail = 0;
        for (int s : children.get(ROOT).values()) {
            fail[s] = ROOT;
            queue[tail++] = s;
        }
        while (head < tail) {
            int u = queue[head++];
            for (var entry : children.get(u).entrySet()) {
                int token = entry.getKey();
                int v = entry.getValue();
                fail[v] = a.step(fail[u], token);
                int f = fail[v];
                dictLink[v] = outStart[f + 1] > outStart[f] ? f : dictLink[f];
                queue[tail++] = v;
            }
        }
        return a;
    }

    /** The state after reading {@code token} (a vocabulary id) in {@code state}. */
    int step(int state, int token) {
        int s = state;
        while (s != ROOT) {
            int next = child(s, token);
            if (next >= 0) {
                return next;
            }
            s = fail[s];
        }
        return rootNext[token];
    }

    private int child(int s, int token) {
        int lo = edgeStart[s];
        int hi = edgeStart[s + 1] - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int t = edgeToken[mid];
            if (t < token) {
                lo = mid + 1;
            } else if (t > token) {
                hi = mid - 1;
            } else {
                return edgeTarget[mid];
            }
        }
        return -1;
    }

    /** True if some pattern ends at {@code state} (itself or one of its suffixes). */
    boolean hasMatch(int state) {
        return outStart[state + 1] > outStart[state] || dictLink[state] >= 0;
    }

    /** The first state (itself or a suffix) with own patterns, or -1; iterate with {@link #nextMatchState}. */
    int firstMatchState(int state) {
        return outStart[state + 1] > outStart[state] ? state : dictLink[state];
    }

    int nextMatchState(int state) {
        return dictLink[state];
    }

    int patternsFrom(int state) {
        return outStart[state];
    }

    int patternsTo(int state) {
        return outStart[state + 1];
    }

    int pattern(int index) {
        return outPattern[index];
    }

    int states() {
        return fail.length;
    }
}

package io.discoursetrends.classify;

import com.google.re2j.Matcher;
import io.discoursetrends.model.Post;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A {@link Taxonomy} compiled into one matcher for all its topics. Per post, the text is tokenized once
 * ({@link TextNormalizer}) and the tokens run through one Aho-Corasick automaton over token ids that holds
 * every phrase and exclusion of every topic, so a post costs the same with 20 phrases or 20,000: a phrase
 * matches whole consecutive tokens only ("AI art" does not match "AI artist"). Hashtags and communities are
 * hash lookups. Regexes are the one per-topic cost: each topic's regexes run on the text (RE2/J, linear time,
 * about 5 us for a 250-character post, more than tokenizing and matching every phrase of it) unless the
 * topic is already decided (matched, vetoed, or not for the post's language), so a taxonomy should keep them
 * few. A regex sees the post's text as it is (not folded), case-insensitively.
 *
 * <p>A topic matches a post when (a phrase is in the text, or one of its hashtags is among the post's
 * hashtags or written as #tag in the text, or the post's community is one of its communities, or one of its
 * regexes finds a match in the text) and none of its {@code exclude} phrases is in the text and (it has no
 * languages, or the post's language is unknown, or the language's primary subtag is one of them).
 *
 * <p><b>Not thread-safe</b>: {@link #classify} reuses scratch buffers so that it allocates only its result.
 * Compile one per operator instance (in {@code open()}); compiling the default taxonomy takes a few
 * milliseconds.
 */
public final class CompiledTaxonomy {

    /** Terms kept per post: enough for a long post's vocabulary, bounded for the buckets' term counts. */
    public static final int MAX_TERMS = 32;

    /** Longer tokens are hashes, ids and base64, not words. */
    static final int MAX_TERM_CODE_POINTS = 40;

    private static final String[] NONE = new String[0];

    private final Taxonomy taxonomy;
    /** Topic ids, sorted: topic index order is output order. */
    private final String[] ids;
    /** Per topic: accepted primary language subtags, or null for all. */
    private final String[][] languages;

    private final TokenTable vocabulary;
    private final TokenAutomaton automaton;
    /** Per pattern: actions[actionStart[p] .. actionStart[p+1]), each topic << 1 | (1 if exclusion). */
    private final int[] actionStart;
    private final int[] actions;

    private final TokenTable hashtags;
    private final int[] hashtagTopicStart;
    private final int[] hashtagTopics;
    private final Map<String, int[]> communities;

    /** Topics with regexes, and their matchers (reset per post: Matcher objects are reused, not allocated). */
    private final int[] regexTopics;
    private final Matcher[][] regexMatchers;

    // Per-post scratch.
    private final TokenBuffer tokens = new TokenBuffer();
    private final long[] matched;
    private final long[] excluded;
    private final int[] termIndex = new int[MAX_TERMS];

    private CompiledTaxonomy(Taxonomy taxonomy) {
        this.taxonomy = taxonomy;
        List<TopicDefinition> topics = new ArrayList<>(taxonomy.topics());
        topics.sort(Comparator.comparing(TopicDefinition::id));
        int n = topics.size();
        ids = new String[n];
        languages = new String[n][];
        matched = new long[(n + 63) >>> 6];
        excluded = new long[(n + 63) >>> 6];

        // Phrases: distinct token sequences, each with the (topic, exclusion) actions it triggers.
        Map<String, Integer> vocab = new LinkedHashMap<>();
        Map<List<Integer>, List<Integer>> patternActions = new LinkedHashMap<>();
        Map<String, Set<Integer>> tagTopics = new LinkedHashMap<>();
        Map<String, Set<Integer>> communityTopics = new HashMap<>();
        List<Integer> regexTopicList = new ArrayList<>();
        List<Matcher[]> matcherList = new ArrayList<>();
        for (int t = 0; t < n; t++) {
            TopicDefinition d = topics.get(t);
            ids[t] = d.id();
            languages[t] = d.languages().isEmpty() ? null : d.languages().stream()
                    .map(l -> l.toLowerCase(Locale.ROOT)).distinct().toArray(String[]::new);
            for (String phrase : d.phrases()) {
                addPattern(phrase, t << 1, vocab, patternActions);
            }
            for (String phrase : d.exclude()) {
                addPattern(phrase, t << 1 | 1, vocab, patternActions);
            }
            for (String tag : d.hashtags()) {
                tagTopics.computeIfAbsent(TextNormalizer.normalizeHashtag(tag), k -> new LinkedHashSet<>()).add(t);
            }
            for (String c : d.communities()) {
                communityTopics.computeIfAbsent(TextNormalizer.normalizeCommunity(c), k -> new LinkedHashSet<>())
                        .add(t);
            }
            if (!d.regexes().isEmpty()) {
                regexTopicList.add(t);
                matcherList.add(d.regexes().stream().distinct()
                        .map(r -> TaxonomyParser.compileRegex(r).matcher("")).toArray(Matcher[]::new));
            }
        }
        vocabulary = new TokenTable(vocab.keySet());
        List<int[]> patterns = new ArrayList<>(patternActions.size());
        actionStart = new int[patternActions.size() + 1];
        List<Integer> actionList = new ArrayList<>();
        int p = 0;
        for (var e : patternActions.entrySet()) {
            patterns.add(e.getKey().stream().mapToInt(Integer::intValue).toArray());
            actionStart[p++] = actionList.size();
            actionList.addAll(e.getValue());
        }
        actionStart[p] = actionList.size();
        actions = actionList.stream().mapToInt(Integer::intValue).toArray();
        automaton = TokenAutomaton.build(patterns, vocabulary.size());

        hashtags = new TokenTable(tagTopics.keySet());
        hashtagTopicStart = new int[tagTopics.size() + 1];
        List<Integer> tagTopicList = new ArrayList<>();
        int h = 0;
        for (Set<Integer> ts : tagTopics.values()) {
            hashtagTopicStart[h++] = tagTopicList.size();
            tagTopicList.addAll(ts);
        }
        hashtagTopicStart[h] = tagTopicList.size();
        hashtagTopics = tagTopicList.stream().mapToInt(Integer::intValue).toArray();

        communities = new HashMap<>();
        communityTopics.forEach((c, ts) -> communities.put(c, ts.stream().mapToInt(Integer::intValue).toArray()));
        regexTopics = regexTopicList.stream().mapToInt(Integer::intValue).toArray();
        regexMatchers = matcherList.toArray(new Matcher[0][]);
    }

    private static void addPattern(String phrase, int action, Map<String, Integer> vocab,
            Map<List<Integer>, List<Integer>> patternActions) {
        List<String> words = TextNormalizer.tokens(phrase);
        if (words.isEmpty()) {
            return; // the parser refuses these; a Taxonomy built by hand could still hold one
        }
        List<Integer> key = new ArrayList<>(words.size());
        for (String w : words) {
            key.add(vocab.computeIfAbsent(w, k -> vocab.size()));
        }
        List<Integer> acts = patternActions.computeIfAbsent(List.copyOf(key), k -> new ArrayList<>());
        if (!acts.contains(action)) {
            acts.add(action);
        }
    }

    public static CompiledTaxonomy compile(Taxonomy taxonomy) {
        return new CompiledTaxonomy(taxonomy);
    }

    public String version() {
        return taxonomy.version();
    }

    public Taxonomy taxonomy() {
        return taxonomy;
    }

    /** Topic ids in output order (sorted). */
    public List<String> topicIds() {
        return List.of(ids);
    }

    /** States of the phrase automaton (a size measure for logs and benchmarks). */
    public int automatonStates() {
        return automaton.states();
    }

    /** Classifies one post; allocates only the result. */
    public Classification classify(Post post) {
        Arrays.fill(matched, 0L);
        Arrays.fill(excluded, 0L);
        String text = post.text() == null ? "" : post.text();
        TokenBuffer b = tokens;
        TextNormalizer.tokenize(text, b);

        // 1. Phrases and exclusions, and the terms, in one pass over the tokens.
        int terms = 0;
        int state = TokenAutomaton.ROOT;
        char[] chars = b.chars;
        for (int i = 0, count = b.count(); i < count; i++) {
            int from = b.start[i];
            int to = b.end[i];
            int hash = b.hash[i];
            int id = vocabulary.lookup(chars, from, to, hash);
            state = id < 0 ? TokenAutomaton.ROOT : automaton.step(state, id);
            if (id >= 0 && automaton.hasMatch(state)) {
                for (int s = automaton.firstMatchState(state); s >= 0; s = automaton.nextMatchState(s)) {
                    for (int k = automaton.patternsFrom(s), end = automaton.patternsTo(s); k < end; k++) {
                        int pattern = automaton.pattern(k);
                        for (int a = actionStart[pattern], aEnd = actionStart[pattern + 1]; a < aEnd; a++) {
                            int act = actions[a];
                            int topic = act >>> 1;
                            if ((act & 1) == 0) {
                                matched[topic >>> 6] |= 1L << topic;
                            } else {
                                excluded[topic >>> 6] |= 1L << topic;
                            }
                        }
                    }
                }
            }
            if (terms < MAX_TERMS && isTerm(b, i) && !seen(b, i, terms)) {
                termIndex[terms++] = i;
            }
        }

        // 2. Hashtags: the post's own list and those written in the text.
        if (hashtags.size() > 0) {
            String[] tags = post.hashtags();
            if (tags != null) {
                for (String tag : tags) {
                    if (tag != null) {
                        b.addTag(tag);
                    }
                }
            }
            for (int i = 0, n = b.tagCount(); i < n; i++) {
                int id = hashtags.lookup(b.tagChars, b.tagStart[i], b.tagEnd[i], b.tagHash[i]);
                if (id >= 0) {
                    for (int k = hashtagTopicStart[id]; k < hashtagTopicStart[id + 1]; k++) {
                        int topic = hashtagTopics[k];
                        matched[topic >>> 6] |= 1L << topic;
                    }
                }
            }
        }

        // 3. The community.
        if (!communities.isEmpty() && post.community() != null) {
            int[] ts = communities.get(TextNormalizer.normalizeCommunity(post.community()));
            if (ts != null) {
                for (int topic : ts) {
                    matched[topic >>> 6] |= 1L << topic;
                }
            }
        }

        // 4. Regexes, only for topics still undecided.
        String lang = post.lang();
        for (int r = 0; r < regexTopics.length; r++) {
            int topic = regexTopics[r];
            long bit = 1L << topic;
            if (((matched[topic >>> 6] | excluded[topic >>> 6]) & bit) != 0 || !languageOk(topic, lang)) {
                continue;
            }
            for (Matcher m : regexMatchers[r]) {
                if (m.reset(text).find()) {
                    matched[topic >>> 6] |= bit;
                    break;
                }
            }
        }

        // 5. The result: matched, not vetoed, in a language the topic accepts; sorted because ids are.
        int found = 0;
        for (int w = 0; w < matched.length; w++) {
            long bits = matched[w] & ~excluded[w];
            while (bits != 0) {
                int topic = (w << 6) + Long.numberOfTrailingZeros(bits);
                bits &= bits - 1;
                if (languageOk(topic, lang)) {
                    found++;
                } else {
                    matched[w] &= ~(1L << topic);
                }
            }
        }
        String[] topicsOut = found == 0 ? NONE : new String[found];
        int o = 0;
        for (int w = 0; w < matched.length && o < found; w++) {
            long bits = matched[w] & ~excluded[w];
            while (bits != 0) {
                topicsOut[o++] = ids[(w << 6) + Long.numberOfTrailingZeros(bits)];
                bits &= bits - 1;
            }
        }
        String[] termsOut = terms == 0 ? NONE : new String[terms];
        for (int t = 0; t < terms; t++) {
            termsOut[t] = b.token(termIndex[t]);
        }
        return new Classification(topicsOut, termsOut);
    }

    private boolean languageOk(int topic, String lang) {
        String[] accepted = languages[topic];
        if (accepted == null || lang == null || lang.isEmpty()) {
            return true;
        }
        int primary = 0;
        while (primary < lang.length() && lang.charAt(primary) != '-' && lang.charAt(primary) != '_') {
            primary++;
        }
        for (String l : accepted) {
            if (l.length() == primary && lang.regionMatches(true, 0, l, 0, primary)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isTerm(TokenBuffer b, int i) {
        int flags = b.flags[i];
        if ((flags & (TokenBuffer.NO_TERM | TokenBuffer.DIGITS)) != 0) {
            return false;
        }
        int cps = b.codePoints[i];
        if ((flags & TokenBuffer.SOLO) != 0) {
            if ((flags & TokenBuffer.CJK) == 0) {
                return false; // a Thai or Khmer letter is not a word
            }
        } else if (cps < 2 || cps > MAX_TERM_CODE_POINTS) {
            return false;
        }
        return StopWords.TABLE.lookup(b.chars, b.start[i], b.end[i], b.hash[i]) < 0;
    }

    /** Whether token i equals one of the first {@code terms} terms (at most 32 compares, by hash first). */
    private boolean seen(TokenBuffer b, int i, int terms) {
        int hash = b.hash[i];
        for (int t = 0; t < terms; t++) {
            int j = termIndex[t];
            if (b.hash[j] == hash
                    && Arrays.equals(b.chars, b.start[j], b.end[j], b.chars, b.start[i], b.end[i])) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "CompiledTaxonomy[" + taxonomy.version() + ", " + ids.length + " topics, " + vocabulary.size()
                + " words, " + automaton.states() + " states]";
    }
}

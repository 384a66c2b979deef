package io.discoursetrends.classify;

import static org.assertj.core.api.Assertions.assertThat;

import io.discoursetrends.model.Metrics;
import io.discoursetrends.model.Platform;
import io.discoursetrends.model.Post;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;

/**
 * The compiled matcher (one Aho-Corasick automaton over token ids, hash lookups) decides exactly what a naive
 * reading of the rules decides: for each topic, search the post's token list for each phrase, compare
 * hashtags and community as strings, apply exclusions and languages. Random synthetic taxonomies (with
 * phrases shared across topics, overlapping and nested) against random texts built from the same words.
 */
class MatcherEquivalencePropertyTest {

    private static final Pattern TEXT_HASHTAG = Pattern.compile("(?<![\\p{L}\\p{N}\\p{M}_])#([\\p{L}\\p{N}\\p{M}_]+)");

    @Property(tries = 60)
    void compiledMatcherAgreesWithNaiveReference(@ForAll long seed, @ForAll @IntRange(min = 1, max = 60) int topics,
            @ForAll @IntRange(min = 1, max = 12) int phrasesPerTopic) {
        Taxonomy taxonomy = SyntheticTaxonomy.generate(topics, phrasesPerTopic, seed);
        CompiledTaxonomy compiled = CompiledTaxonomy.compile(taxonomy);
        SplittableRandom r = new SplittableRandom(seed ^ 0x5DEECE66DL);
        List<String> vocabulary = SyntheticTaxonomy.vocabulary();
        int matchedPosts = 0;
        List<String> phrases = new ArrayList<>();
        taxonomy.topics().forEach(d -> {
            phrases.addAll(d.phrases());
            phrases.addAll(d.exclude());
        });
        for (int i = 0; i < 200; i++) {
            Post post = randomPost(r, vocabulary, phrases);
            List<String> expected = reference(taxonomy, post);
            String[] actual = compiled.classify(post).topics();
            assertThat(actual).as("topics of %s (lang %s, community %s, hashtags %s)", post.text(), post.lang(),
                    post.community(), List.of(post.hashtags())).containsExactlyElementsOf(expected);
            if (!expected.isEmpty()) {
                matchedPosts++;
            }
        }
        // A run where nothing matched would prove little; most runs must have matches.
        Statistics.label("some post matched").collect(matchedPosts > 0);
        Statistics.label("some post matched").coverage(c -> c.check(true).percentage(p -> p >= 80));
    }

    @Property(tries = 20)
    void compiledMatcherAgreesOnLargeTaxonomies(@ForAll long seed) {
        Taxonomy taxonomy = SyntheticTaxonomy.generate(200, 10, seed); // 2,000 phrases
        CompiledTaxonomy compiled = CompiledTaxonomy.compile(taxonomy);
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < 100; i++) {
            Post post = randomPost(r, SyntheticTaxonomy.vocabulary(), List.of());
            assertThat(compiled.classify(post).topics()).containsExactlyElementsOf(reference(taxonomy, post));
        }
    }

    /** A random text, with now and then one of {@code phrases} written into it (capitalized, punctuated). */
    private static Post randomPost(SplittableRandom r, List<String> vocabulary, List<String> phrases) {
        String text = SyntheticTaxonomy.randomText(r, 3 + r.nextInt(60));
        if (!phrases.isEmpty() && r.nextBoolean()) {
            String p = phrases.get(r.nextInt(phrases.size()));
            p = r.nextBoolean() ? p.toUpperCase(Locale.ROOT) : p.replace(' ', '-');
            int at = r.nextInt(text.length() + 1);
            text = text.substring(0, at) + " " + p + ". " + text.substring(at);
        }
        String lang = switch (r.nextInt(6)) {
            case 0 -> "de";
            case 1 -> "fr";
            case 2 -> "en-US";
            case 3, 4 -> "en";
            default -> null;
        };
        String word = vocabulary.get(r.nextInt(vocabulary.size()));
        String community = switch (r.nextInt(4)) {
            case 0 -> Character.toUpperCase(word.charAt(0)) + word.substring(1);
            case 1 -> word + ".social";
            default -> null;
        };
        String[] hashtags = new String[r.nextInt(3)];
        for (int i = 0; i < hashtags.length; i++) {
            hashtags[i] = (vocabulary.get(r.nextInt(vocabulary.size())) + vocabulary.get(r.nextInt(vocabulary.size())))
                    .toLowerCase(Locale.ROOT);
        }
        return new Post(Platform.REDDIT, "t3_x", "https://www.reddit.com/x", "a", "a", null, community, text, lang,
                Instant.EPOCH, null, null, hashtags, Metrics.NONE);
    }

    /** The rules of CompiledTaxonomy read literally, one topic and one phrase at a time. */
    static List<String> reference(Taxonomy taxonomy, Post post) {
        List<String> tokens = TextNormalizer.tokens(post.text() == null ? "" : post.text());
        Set<String> postTags = new HashSet<>();
        for (String t : post.hashtags()) {
            postTags.add(TextNormalizer.normalizeHashtag(t));
        }
        Matcher m = TEXT_HASHTAG.matcher(post.text() == null ? "" : post.text());
        while (m.find()) {
            postTags.add(TextNormalizer.normalizeHashtag(m.group(1)));
        }
        String community = post.community() == null ? null : TextNormalizer.normalizeCommunity(post.community());
        String primaryLang = post.lang() == null ? null : post.lang().split("[-_]")[0].toLowerCase(Locale.ROOT);
        TreeSet<String> out = new TreeSet<>();
        for (TopicDefinition d : taxonomy.topics()) {
            boolean hit = d.phrases().stream().anyMatch(p -> contains(tokens, p))
                    || d.hashtags().stream().anyMatch(h -> postTags.contains(TextNormalizer.normalizeHashtag(h)))
                    || d.communities().stream().anyMatch(c -> TextNormalizer.normalizeCommunity(c).equals(community))
                    || d.regexes().stream().anyMatch(x -> TaxonomyParser.compileRegex(x).matcher(post.text()).find());
            boolean vetoed = d.exclude().stream().anyMatch(p -> contains(tokens, p));
            boolean language = d.languages().isEmpty() || primaryLang == null || d.languages().contains(primaryLang);
            if (hit && !vetoed && language) {
                out.add(d.id());
            }
        }
        return new ArrayList<>(out);
    }

    private static boolean contains(List<String> tokens, String phrase) {
        return Collections.indexOfSubList(tokens, TextNormalizer.tokens(phrase)) >= 0;
    }
}

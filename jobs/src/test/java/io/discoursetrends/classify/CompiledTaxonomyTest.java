package io.discoursetrends.classify;

import static org.assertj.core.api.Assertions.assertThat;

import io.discoursetrends.model.Metrics;
import io.discoursetrends.model.Platform;
import io.discoursetrends.model.Post;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What the compiled matcher decides for a post: topics by every route, vetoes, languages, and terms. */
class CompiledTaxonomyTest {

    private static final CompiledTaxonomy TAXONOMY = CompiledTaxonomy.compile(TaxonomyParser.parse("""
            version: "test-1"
            topics:
              - id: open-weights
                label: Open weights
                phrases: ["open weights", "Qwen", "深度求索", "llama.cpp"]
                hashtags: ["#LocalLLaMA"]
                communities: ["r/LocalLLaMA", "sigmoid.social"]
                regexes: ["\\\\bllama[- ]?[0-9]"]
                exclude: ["llama farm"]
              - id: ai-art
                label: AI art
                phrases: ["AI art", "Midjourney"]
                hashtags: ["AIArt", "人工知能アート"]
              - id: cafe-ai
                label: Café AI (German and French only)
                phrases: ["café IA", "KI im Café"]
                languages: ["de", "fr"]
              - id: art
                label: Art in general
                phrases: ["art", "Midjourney"]
            """, "test.yaml"));

    static Post post(String text) {
        return post(text, null, null, new String[0]);
    }

    static Post post(String text, String lang, String community, String[] hashtags) {
        return new Post(Platform.MASTODON, "id-1", "https://example.social/1", "a", "a@example.social", null,
                community, text, lang, Instant.parse("2026-11-22T12:00:00Z"), null, null, hashtags, Metrics.NONE);
    }

    static String[] topics(Post p) {
        return TAXONOMY.classify(p).topics();
    }

    @Test
    void phrasesMatchWholeWordsOnly() {
        assertThat(topics(post("Qwen is out"))).containsExactly("open-weights");
        assertThat(topics(post("Qwenish things"))).isEmpty();
        assertThat(topics(post("AI artist at work"))).isEmpty(); // "AI art" must not match inside "artist"
        assertThat(topics(post("smart people"))).isEmpty();
    }

    @Test
    void multiWordPhrasesNeedConsecutiveTokensWhateverThePunctuation() {
        assertThat(topics(post("They released OPEN-WEIGHTS today"))).containsExactly("open-weights");
        assertThat(topics(post("open, weights"))).containsExactly("open-weights");
        assertThat(topics(post("open source weights"))).isEmpty();
        assertThat(topics(post("built with Llama cpp"))).containsExactly("open-weights");
        assertThat(topics(post("llama.cpp!"))).containsExactly("open-weights");
    }

    @Test
    void caseAndAccentsDoNotMatter() {
        assertThat(topics(post("QWEN"))).containsExactly("open-weights");
        assertThat(topics(post("Ａｉ Ａｒｔ"))).containsExactly("ai-art", "art");
        assertThat(topics(post("le CAFE ia", "fr", null, new String[0]))).containsExactly("cafe-ai");
    }

    @Test
    void cjkPhrasesMatchAsCharacterSequences() {
        assertThat(topics(post("今天深度求索发布了新模型"))).containsExactly("open-weights");
        assertThat(topics(post("深度学习求索"))).isEmpty();
    }

    @Test
    void hashtagsMatchInTheListAndInTheText() {
        assertThat(topics(post("nothing here", null, null, new String[] {"localllama"}))).containsExactly("open-weights");
        assertThat(topics(post("nothing here", null, null, new String[] {"#LOCALLLAMA"}))).containsExactly("open-weights");
        assertThat(topics(post("see #LocalLLaMA"))).containsExactly("open-weights");
        assertThat(topics(post("see #LocalLLaMAs"))).isEmpty();
        assertThat(topics(post("new #人工知能アート piece"))).containsExactly("ai-art");
        assertThat(topics(post("the word localllama without a hash"))).isEmpty();
    }

    @Test
    void communityMatchesSubredditAndInstance() {
        assertThat(topics(post("hello", null, "LocalLLaMA", new String[0]))).containsExactly("open-weights");
        assertThat(topics(post("hello", null, "localllama", new String[0]))).containsExactly("open-weights");
        assertThat(topics(post("hello", null, "sigmoid.social", new String[0]))).containsExactly("open-weights");
        assertThat(topics(post("hello", null, "mastodon.social", new String[0]))).isEmpty();
    }

    @Test
    void regexesRunOnTheTextCaseInsensitively() {
        assertThat(topics(post("Trying LLAMA-3 today"))).containsExactly("open-weights");
        assertThat(topics(post("llama3 is here"))).containsExactly("open-weights");
        assertThat(topics(post("a llama in the field"))).isEmpty();
    }

    @Test
    void anExclusionVetoesTheTopicHoweverItMatched() {
        assertThat(topics(post("Llama 2 visits the llama farm"))).isEmpty(); // regex vetoed
        assertThat(topics(post("#LocalLLaMA at the Llama Farm"))).isEmpty(); // hashtag vetoed
        assertThat(topics(post("llama farm", null, "LocalLLaMA", new String[0]))).isEmpty(); // community vetoed
        assertThat(topics(post("Midjourney at the llama farm"))).containsExactly("ai-art", "art"); // others stay
    }

    @Test
    void languagesFilterOnThePrimarySubtagAndUnknownLanguagePasses() {
        assertThat(topics(post("KI im Café", "de", null, new String[0]))).containsExactly("cafe-ai");
        assertThat(topics(post("KI im Café", "de-AT", null, new String[0]))).containsExactly("cafe-ai");
        assertThat(topics(post("KI im Café", "FR_ca", null, new String[0]))).containsExactly("cafe-ai");
        assertThat(topics(post("KI im Café", "en", null, new String[0]))).isEmpty();
        assertThat(topics(post("KI im Café", "deu", null, new String[0]))).isEmpty();
        assertThat(topics(post("KI im Café", null, null, new String[0]))).containsExactly("cafe-ai");
    }

    @Test
    void aPostCanMatchSeveralTopicsSortedAndDistinct() {
        String[] t = topics(post("Midjourney and Qwen: AI art, art, art #AIArt", null, "LocalLLaMA",
                new String[] {"aiart"}));
        assertThat(t).containsExactly("ai-art", "art", "open-weights");
    }

    @Test
    void noTopicIsAnEmptyArrayAndNullTextIsEmptyText() {
        Classification c = TAXONOMY.classify(post(null));
        assertThat(c.topics()).isEmpty();
        assertThat(c.terms()).isEmpty();
        assertThat(c.matched()).isFalse();
    }

    @Test
    void termsAreDistinctFoldedTokensWithoutStopWordsNumbersUrlsOrMentions() {
        Classification c = TAXONOMY.classify(post("The new Qwen model is GREAT, the Qwen model! 2026 x "
                + "https://huggingface.co/Qwen/Qwen3 @someone@mastodon.social Café 深度 ปัญญา #LocalLLaMA"));
        assertThat(c.terms()).containsExactly("qwen", "model", "great", "cafe", "深", "度", "localllama");
    }

    @Test
    void termsStopAtThirtyTwo() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            b.append("word").append((char) ('a' + i % 26)).append((char) ('a' + i / 26)).append(' ');
        }
        Classification c = TAXONOMY.classify(post(b.toString()));
        assertThat(c.terms()).hasSize(CompiledTaxonomy.MAX_TERMS).startsWith("wordaa", "wordba").endsWith("wordfb");
    }

    @Test
    void classificationComparesArraysByValue() {
        Classification a = new Classification(new String[] {"x"}, new String[] {"t"});
        Classification b = new Classification(new String[] {"x"}, new String[] {"t"});
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).isNotEqualTo(new Classification(new String[] {"x"}, new String[0]));
        assertThat(a.toString()).isEqualTo("Classification[topics=[x], terms=[t]]");
    }

    @Test
    void versionAndOrderOfTopicIds() {
        assertThat(TAXONOMY.version()).isEqualTo("test-1");
        assertThat(TAXONOMY.topicIds()).containsExactly("ai-art", "art", "cafe-ai", "open-weights");
    }

    @Test
    void theSameInstanceClassifiesPostAfterPostWithoutCarryOver() {
        assertThat(topics(post("Qwen"))).containsExactly("open-weights");
        assertThat(topics(post("llama farm"))).isEmpty();
        assertThat(topics(post("Qwen"))).containsExactly("open-weights");
        assertThat(topics(post("nothing"))).isEmpty();
    }
}

package io.discoursetrends.classify;

import static io.discoursetrends.classify.CompiledTaxonomyTest.post;
import static org.assertj.core.api.Assertions.assertThat;

import io.discoursetrends.model.Post;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The taxonomy shipped in the jar: it parses, has the topics the dashboards are built on, puts typical posts
 * where an analyst would, and stays away from the usual false friends (llamas, footballers, coffee "models").
 */
class DefaultTaxonomyTest {

    private static final CompiledTaxonomy DEFAULT = CompiledTaxonomy.compile(Taxonomy.defaultTaxonomy());

    @Test
    void parsesAndHasEveryRequiredTopic() {
        Taxonomy t = Taxonomy.defaultTaxonomy();
        assertThat(t.version()).isNotBlank();
        assertThat(t.topics()).extracting(TopicDefinition::id).containsExactlyInAnyOrder(
                "open-weight-models",
                "ai-harm-accountability",
                "ai-law-policy",
                "ai-images-art",
                "ai-healthcare",
                "ai-product-degradation",
                "ai-education",
                "platform-ai-discourse");
        assertThat(t.topics()).allSatisfy(d -> {
            assertThat(d.label()).isNotBlank();
            assertThat(d.description()).isNotBlank();
            assertThat(d.phrases()).hasSizeGreaterThan(10);
        });
        // Phrases cost nothing per post; regexes cost a scan each. The shipped taxonomy keeps to phrases.
        assertThat(t.regexCount()).isZero();
        assertThat(Taxonomy.defaultTaxonomy()).isSameAs(t);
        assertThat(TaxonomyParser.parse(t.source(), "again")).isEqualTo(t);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            Qwen3-235B-A22B just dropped with open weights. Running the Q4_K_M quant on two 3090s | open-weight-models
            DeepSeek-V3 under MIT: we can audit it and run it offline                             | open-weight-models
            Llama 4 Scout vs Gemma 3 27B for coding?                                              | open-weight-models
            pulled the new GGUF into llama.cpp and Ollama, works fine                             | open-weight-models
            深度求索发布了新的开源模型                                                               | open-weight-models
            Who is liable when a chatbot gives dangerous advice? Accountability for AI harm matters | ai-harm-accountability
            The new incident report counts 300 cases of voice-clone scams this quarter             | ai-harm-accountability
            Nonconsensual deepfakes of students spread at the school                              | ai-harm-accountability
            The EU AI Act's rules for general-purpose AI apply from August                        | ai-law-policy
            A judge sanctioned lawyers for citing cases invented by ChatGPT                       | ai-law-policy
            The court ruled that training on scraped books is fair use                            | ai-law-policy
            Midjourney images flooded Etsy and artists are furious about credit and consent        | ai-images-art
            Is prompting Stable Diffusion art? Glaze and Nightshade downloads spike               | ai-images-art
            Our hospital pilots an AI model for radiology triage                                  | ai-healthcare
            AI scribes save doctors 40 minutes a day, but errors end up in patient records        | ai-healthcare
            Google's AI Overviews told me to eat rocks. Pure enshittification                     | ai-product-degradation
            Why can't I turn off the AI in my email client? AI features nobody asked for          | ai-product-degradation
            Teachers: AI detectors flagged 12% of honest essays in our school                     | ai-education
            Our district now allows ChatGPT for homework, with citations                          | ai-education
            Bluesky says it will not train on your posts, but the firehose is public; AI scrapers don't care | platform-ai-discourse
            Reddit's data was essential to every major LLM, says the CEO                          | platform-ai-discourse
            """)
    void typicalPostsLandInTheirTopic(String text, String topic) {
        assertThat(DEFAULT.classify(post(text)).topics()).contains(topic);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            Coffee is the only model I trust before 9am. #coffee
            We visited a llama farm and fed the llamas
            Dani Olmo scored twice, Barcelona win 2-0
            Gemma and I went to the flux capacitor exhibit
            Sora, my cat, knocked the plant over again #caturday
            Regen in Berlin, Kaffee in der Hand. Passt.
            The art museum was closed, so we went to the local model train club
            """)
    void everydayPostsStayOutOfEveryTopic(String text) {
        Post p = post(text);
        assertThat(DEFAULT.classify(p).topics()).as(text).isEmpty();
    }

    @Test
    void communitiesTagWholeSubreddits() {
        assertThat(DEFAULT.classify(post("what do you run?", null, "LocalLLaMA", new String[0])).topics())
                .containsExactly("open-weight-models");
        assertThat(DEFAULT.classify(post("new piece", null, "StableDiffusion", new String[0])).topics())
                .containsExactly("ai-images-art");
        assertThat(DEFAULT.classify(post("hello", null, "AskReddit", new String[0])).topics()).isEmpty();
    }

    @Test
    void topicsAreSortedWhenAPostHasSeveral() {
        String[] t = DEFAULT.classify(post("Getty v. Stability: the Stable Diffusion lawsuit goes to trial; "
                + "open weights on Hugging Face were the evidence")).topics();
        assertThat(List.of(t)).containsExactly("ai-images-art", "ai-law-policy", "open-weight-models");
    }
}

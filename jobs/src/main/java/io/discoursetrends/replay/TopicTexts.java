package io.discoursetrends.replay;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Post texts for {@link RawStreamGenerator}: the AI topics the project tracks, and the off-topic chatter
 * that surrounds them on every platform. Each text is built from a template and slot values, so a seeded
 * run gives the same texts and a long run still varies. Hashtags are written into the text ("#LocalLLaMA")
 * so a generator can mark them up the way each platform does.
 */
final class TopicTexts {

    /** A generated text: a one-line title (used by Reddit and Hacker News), a body, and its hashtags. */
    record Text(String topic, String title, String body, List<String> hashtags) {}

    private static final String[] MODELS = {
        "Qwen3-235B-A22B", "Qwen2.5-Coder-32B", "Llama 4 Scout", "Llama 3.3 70B", "DeepSeek-V3", "DeepSeek-R1",
        "Mistral Small 3.1", "Mixtral 8x22B", "Gemma 3 27B", "Gemma 3n", "Phi-4", "OLMo 2 32B"
    };
    private static final String[] HARDWARE = {
        "a single RTX 3090", "two 3090s", "an M3 Max with 64 GB", "a Framework desktop", "my old gaming PC",
        "a 4090", "a Raspberry Pi 5 (slowly)"
    };
    private static final String[] QUANTS = {"Q4_K_M", "Q5_K_M", "Q8_0", "AWQ 4-bit", "EXL2 4.65bpw"};
    private static final String[] OPINIONS = {
        "honestly impressive", "better than I expected at code", "still hallucinates citations",
        "great at German, weak at math", "the best local model I have run so far", "overhyped, in my tests"
    };
    private static final String[] LICENSES = {"Apache 2.0", "MIT", "a custom community licence", "the Gemma terms"};
    private static final String[] ORGS = {
        "OpenAI", "Meta", "Google DeepMind", "Anthropic", "Mistral AI", "the vendor", "the city council"
    };
    private static final String[] HARMS = {
        "non-consensual deepfakes", "voice-clone scams", "fabricated medical advice", "automated harassment"
    };
    private static final String[] TOOLS = {"ChatGPT", "a chatbot", "Copilot", "an AI assistant", "Gemini"};
    private static final String[] PLACES = {"Illinois", "California", "the EU", "the UK", "New York", "Brazil"};
    private static final String[] DOMAINS = {"hiring", "political ads", "insurance claims", "tenant screening"};
    private static final String[] IMAGE_TOOLS = {"Midjourney", "Stable Diffusion", "Flux", "DALL-E", "Imagen"};
    private static final String[] VENUES = {"Etsy", "a stock photo site", "the state fair art contest", "Pinterest"};
    private static final String[] TEAMS = {"Arsenal", "the Lakers", "Bayern", "the Mariners", "Boca Juniors"};
    private static final String[] CITIES = {"Berlin", "Seattle", "Glasgow", "Lisbon", "Toronto", "Melbourne"};
    private static final String[] BOOKS = {"Piranesi", "The Left Hand of Darkness", "Project Hail Mary", "Middlemarch"};

    private interface Template {
        Text make(SplittableRandom r);
    }

    private static final Template[] AI = {
        r -> {
            String m = pick(r, MODELS);
            return text("open-weights", m + " released with open weights",
                    m + " just dropped with open weights. Running the " + pick(r, QUANTS) + " quant on "
                            + pick(r, HARDWARE) + " at " + (8 + r.nextInt(60)) + " tok/s: " + pick(r, OPINIONS)
                            + ". #LocalLLaMA #OpenWeights", "LocalLLaMA", "OpenWeights");
        },
        r -> {
            String a = pick(r, MODELS);
            String b = pick(r, MODELS);
            return text("open-weights", "Is " + a + " really better than " + b + " for coding?",
                    "Is " + a + " actually better than " + b + " for coding, or is it benchmark contamination"
                            + " again? Would love real-world reports. #LLM", "LLM");
        },
        r -> {
            String m = pick(r, MODELS);
            return text("open-weights", "Why open weights matter: " + m,
                    "Open weights matter: " + m + " under " + pick(r, LICENSES) + " means we can audit it,"
                            + " fine-tune it and run it offline. #OpenWeights #AI", "OpenWeights", "AI");
        },
        r -> {
            String m = pick(r, MODELS);
            return text("open-weights", "r/LocalLLaMA on " + m,
                    "r/LocalLLaMA is losing it over " + m + ". " + (32 << r.nextInt(3)) + "k context and it fits in "
                            + (16 + 8 * r.nextInt(4)) + " GB of VRAM. #LocalLLaMA", "LocalLLaMA");
        },
        r -> text("ai-harm", "Who is liable when a chatbot gives dangerous advice?",
                "Who is liable when a chatbot gives dangerous advice? " + pick(r, ORGS)
                        + " says not them. Accountability for AI harm cannot be optional. #AI", "AI"),
        r -> text("ai-harm", "New report: " + pick(r, HARMS) + " are up again",
                "The new incident report counts " + (40 + r.nextInt(900)) + " cases of " + pick(r, HARMS)
                        + " this quarter. Platforms keep shipping first and apologising later. #AIHarm", "AIHarm"),
        r -> text("ai-courts", "Lawyers sanctioned for citing cases invented by " + pick(r, TOOLS),
                "A judge sanctioned lawyers for citing cases invented by " + pick(r, TOOLS)
                        + ". Again. Courts now ask for a certificate that filings were checked. #AI #Law", "AI", "Law"),
        r -> text("ai-policy", pick(r, PLACES) + " passes AI disclosure rules for " + pick(r, DOMAINS),
                pick(r, PLACES) + " passed a bill requiring disclosure of AI use in " + pick(r, DOMAINS)
                        + ". Enforcement is the open question. #AIAct #AIPolicy", "AIAct", "AIPolicy"),
        r -> text("ai-courts", "Court rules on training data fair use",
                "The court ruled that training on scraped " + pick(r, new String[] {"books", "news articles",
                    "song lyrics", "photos"}) + " is " + pick(r, new String[] {"fair use", "not fair use",
                        "a question for a jury"}) + ". Appeals are certain. #AI #Copyright", "AI", "Copyright"),
        r -> text("ai-art", "AI images flood " + pick(r, VENUES),
                pick(r, IMAGE_TOOLS) + " images flooded " + pick(r, VENUES)
                        + " and artists are furious about credit and consent. #AIArt", "AIArt"),
        r -> text("ai-art", "Is prompting " + pick(r, IMAGE_TOOLS) + " art?",
                "Is prompting " + pick(r, IMAGE_TOOLS) + " art? Glaze and Nightshade downloads spike after"
                        + " every model update. #AIArt #Artists", "AIArt", "Artists"),
        r -> text("ai-health", "Hospital pilots AI for radiology triage",
                "Our hospital pilots an AI model for radiology triage: " + (5 + r.nextInt(30))
                        + "% fewer missed findings in the study, but who checks the checker? #HealthAI", "HealthAI"),
        r -> text("ai-health", "AI scribes in the clinic",
                "AI scribes save doctors " + (20 + r.nextInt(90)) + " minutes a day, but errors in notes"
                        + " end up in patient records. #HealthAI #MedTech", "HealthAI", "MedTech"),
        r -> text("ai-education", "AI detectors flag honest essays",
                "Teachers: AI detectors flagged " + (5 + r.nextInt(40)) + "% of honest essays in our school."
                        + " We stopped using them. #EdTech #AI", "EdTech", "AI"),
        r -> text("ai-education", "District allows " + pick(r, TOOLS) + " for homework",
                "Our district now allows " + pick(r, TOOLS) + " for homework, with citations and a short"
                        + " reflection on what it got wrong. #EdTech", "EdTech"),
    };

    private static final Template[] OFF_TOPIC = {
        r -> text("chatter", "Coffee first", "Coffee is the only model I trust before 9am. #coffee", "coffee"),
        r -> text("chatter", "Anyone watching " + pick(r, TEAMS) + " tonight?",
                "Anyone watching " + pick(r, TEAMS) + " tonight? I have a bad feeling about the defence."),
        r -> text("chatter", "The cat strikes again",
                "My cat knocked the plant over again and looked me in the eye while doing it. #caturday",
                "caturday"),
        r -> text("chatter", "Rain in " + pick(r, CITIES), "Rain all week in " + pick(r, CITIES)
                + ". The umbrella industry thanks you."),
        r -> text("chatter", "Book recommendation", "Just finished " + pick(r, BOOKS) + ", highly recommend."),
        r -> text("chatter", "Sourdough attempt", "Sourdough attempt #" + (2 + r.nextInt(40))
                + ": better crumb this time, crust still pale."),
        r -> text("chatter", "Kaffee und Regen", "Regen in " + pick(r, CITIES) + ", Kaffee in der Hand. Passt."),
    };

    private TopicTexts() {}

    /** A text about AI with probability {@code aiShare}, off-topic otherwise. */
    static Text next(SplittableRandom r, double aiShare) {
        Template[] pool = r.nextDouble() < aiShare ? AI : OFF_TOPIC;
        return pool[r.nextInt(pool.length)].make(r);
    }

    /** A short reply to some post. */
    static Text reply(SplittableRandom r, double aiShare) {
        if (r.nextDouble() < aiShare) {
            String[] replies = {
                "Which quant did you use? Mine is much slower.",
                "This is exactly why open weights matter.",
                "Source? I could not find the ruling.",
                "The accountability gap here is huge.",
                "Tried it too, same experience.",
                "Benchmarks say otherwise, but my own tests agree with you.",
                "Teachers I know say the same thing.",
            };
            String s = pick(r, replies);
            return new Text("reply", s, s, List.of());
        }
        String[] replies = {"Ha, same here.", "Congrats!", "Ouch.", "Agreed.", "Thanks for sharing!"};
        String s = pick(r, replies);
        return new Text("chatter", s, s, List.of());
    }

    private static Text text(String topic, String title, String body, String... hashtags) {
        return new Text(topic, title, body, List.of(hashtags));
    }

    static String pick(SplittableRandom r, String[] options) {
        return options[r.nextInt(options.length)];
    }
}

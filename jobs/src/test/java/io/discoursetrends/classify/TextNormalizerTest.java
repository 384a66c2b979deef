package io.discoursetrends.classify;

import static org.assertj.core.api.Assertions.assertThat;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Folding and tokenization: what counts as the same word, and where words end. */
class TextNormalizerTest {

    @Test
    void punctuationSplitsTokensAndCaseIsFolded() {
        assertThat(TextNormalizer.tokens("GPT-4o and llama.cpp, Llama cpp; don't"))
                .containsExactly("gpt", "4o", "and", "llama", "cpp", "llama", "cpp", "don", "t");
        assertThat(TextNormalizer.tokens("open_source #LocalLLaMA @user")).containsExactly("open", "source",
                "localllama", "user");
        assertThat(TextNormalizer.tokens("")).isEmpty();
        assertThat(TextNormalizer.tokens("!!! ... 🤖🔥")).isEmpty();
    }

    @Test
    void accentsAndCompatibilityFormsAreFolded() {
        assertThat(TextNormalizer.tokens("Café CAFE cafe\u0301 İstanbul ΟΔΟΣ ὁδός Ёлка"))
                .containsExactly("cafe", "cafe", "cafe", "istanbul", "οδοσ", "οδοσ", "елка");
        assertThat(TextNormalizer.tokens("ﬁne Ｆｕｌｌ ① x²")).containsExactly("fine", "full", "1", "x2");
        assertThat(TextNormalizer.fold("Ça VA, Straße?")).isEqualTo("ca va, straße?");
    }

    @Test
    void formatCharactersDoNotSplitWordsButZeroWidthSpaceDoes() {
        assertThat(TextNormalizer.tokens("soft\u00ADhyphen zero\u200Dwidth zw\u200Bsp"))
                .containsExactly("softhyphen", "zerowidth", "zw", "sp");
    }

    @Test
    void scriptsWithoutSpacesGiveOneTokenPerCharacter() {
        assertThat(TextNormalizer.tokens("深度求索发布DeepSeek-V3")).containsExactly("深", "度", "求", "索", "发", "布",
                "deepseek", "v3");
        assertThat(TextNormalizer.tokens("ラーメン")).containsExactly("ラ", "ー", "メ", "ン");
        // Thai marks stay on their consonant; Devanagari and Hangul are spaced scripts with spelling marks.
        assertThat(TextNormalizer.tokens("กิน")).containsExactly("กิ", "น");
        assertThat(TextNormalizer.tokens("हिन्दी मशीन 한국어")).containsExactly("हिन्दी", "मशीन", "한국어");
        // Whether a mark is kept depends on the letter it follows, not on the letter that began the word.
        assertThat(TextNormalizer.tokens("कab\u0301 a\u0301क\u093F")).containsExactly("कab", "aकि");
    }

    @Test
    void voicingMarksAreSpellingNotAccentsAndHalfWidthKanaMatchFullWidth() {
        assertThat(TextNormalizer.tokens("ガ")).isNotEqualTo(TextNormalizer.tokens("カ"));
        assertThat(TextNormalizer.tokens("ﾊﾟﾝ")).isEqualTo(TextNormalizer.tokens("パン"));
        assertThat(TextNormalizer.tokens("ハ\u309Aン")).isEqualTo(TextNormalizer.tokens("パン"));
        assertThat(TextNormalizer.fold("ﾊﾟﾝ")).isEqualTo("パン");
    }

    @Test
    void hashtagsAndCommunitiesNormalize() {
        assertThat(TextNormalizer.normalizeHashtag("#LocalLLaMA")).isEqualTo("localllama");
        assertThat(TextNormalizer.normalizeHashtag("##Café_IA")).isEqualTo("cafe_ia");
        assertThat(TextNormalizer.normalizeCommunity("r/LocalLLaMA")).isEqualTo("localllama");
        assertThat(TextNormalizer.normalizeCommunity("/r/LocalLLaMA")).isEqualTo("localllama");
        assertThat(TextNormalizer.normalizeCommunity("Sigmoid.Social")).isEqualTo("sigmoid.social");
        String lower = "already.lower";
        assertThat(TextNormalizer.normalizeCommunity(lower)).isSameAs(lower);
    }

    @Test
    void hashtagsWrittenInTextAreCaptured() {
        TokenBuffer b = new TokenBuffer();
        TextNormalizer.tokenize("#LocalLLaMA rocks, C#sharp is none, #open_source #人工知能 and ## #Ｆｕｌｌ", b);
        List<String> tags = new ArrayList<>();
        for (int i = 0; i < b.tagCount(); i++) {
            tags.add(b.tag(i));
        }
        assertThat(tags).containsExactly("localllama", "open_source", "人工知能", "full");
    }

    @Test
    void urlAndMentionTokensAreFlaggedNotDropped() {
        TokenBuffer b = new TokenBuffer();
        TextNormalizer.tokenize("see https://Example.com/ai-art and @user@mastodon.social www.x.org ok", b);
        List<String> flagged = new ArrayList<>();
        List<String> plain = new ArrayList<>();
        for (int i = 0; i < b.count(); i++) {
            ((b.flags[i] & TokenBuffer.NO_TERM) != 0 ? flagged : plain).add(b.token(i));
        }
        assertThat(plain).containsExactly("see", "and", "ok");
        assertThat(flagged).containsExactly("https", "example", "com", "ai", "art", "user", "mastodon", "social",
                "www", "x", "org");
    }

    @Test
    void foldTablesAreIdempotentOverTheBmpLetters() {
        // Folding a folded letter changes nothing; otherwise a phrase folded once and a text folded once could
        // disagree depending on how they were written.
        for (int c = 0; c < 0x10000; c++) {
            if (Character.isSurrogate((char) c) || !Character.isLetterOrDigit(c)) {
                continue;
            }
            String once = TextNormalizer.fold(new String(Character.toChars(c)));
            assertThat(TextNormalizer.fold(once)).as("U+%04X", c).isEqualTo(once);
        }
    }

    /**
     * The table-driven tokenizer agrees with a direct reading of the rules (whole-string NFKD, marks removed,
     * simple case folding, runs of letters and digits, Han and kana one per token) on random mixes of ASCII, accented
     * Latin, Greek, CJK, punctuation and white space.
     */
    @Test
    void tokenizerAgreesWithAReferenceOnRandomText() {
        String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 \t\n.,;:!?-'\"()#@/_"
                + "éÉèàçñÑüÖßøÅæœ" + "αβγΣσςΏ" + "人工知能深度モリかな";
        List<String> units = new ArrayList<>();
        alphabet.codePoints().forEach(cp -> units.add(new String(Character.toChars(cp))));
        units.add("e\u0301"); // a decomposed accent, on the letter it belongs to
        SplittableRandom r = new SplittableRandom(7);
        for (int round = 0; round < 3000; round++) {
            StringBuilder b = new StringBuilder();
            int n = r.nextInt(40);
            for (int i = 0; i < n; i++) {
                b.append(units.get(r.nextInt(units.size())));
            }
            String text = b.toString();
            assertThat(TextNormalizer.tokens(text)).as("tokens of '%s'", text).isEqualTo(reference(text));
        }
    }

    private static List<String> reference(String text) {
        String d = Normalizer.normalize(text, Normalizer.Form.NFKD).replaceAll("\\p{M}", "");
        StringBuilder folded = new StringBuilder();
        d.codePoints().forEach(cp -> folded.appendCodePoint(Character.toLowerCase(Character.toUpperCase(cp))));
        String lower = folded.toString();
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < lower.length(); ) {
            int cp = lower.codePointAt(i);
            i += Character.charCount(cp);
            Character.UnicodeScript s = Character.UnicodeScript.of(cp);
            boolean solo = s == Character.UnicodeScript.HAN || s == Character.UnicodeScript.HIRAGANA
                    || s == Character.UnicodeScript.KATAKANA;
            if (Character.isLetterOrDigit(cp) && !solo) {
                cur.appendCodePoint(cp);
                continue;
            }
            if (cur.length() > 0) {
                out.add(cur.toString());
                cur.setLength(0);
            }
            if (solo) {
                out.add(new String(Character.toChars(cp)));
            }
        }
        if (cur.length() > 0) {
            out.add(cur.toString());
        }
        return out;
    }
}

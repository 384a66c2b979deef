package io.discoursetrends.classify;

import java.lang.Character.UnicodeScript;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How post text and taxonomy terms are compared. Everything that matches text (phrases, exclusions, hashtags)
 * and every term goes through this one class, so a phrase and a post agree on what a word is.
 *
 * <p><b>Folding</b>, per code point: NFKD (compatibility forms such as full-width letters, ligatures and
 * superscripts become plain ones), combining marks dropped, then lower-cased (simple case folding, so
 * {@code ς} and {@code σ} agree). Marks are dropped only after letters of scripts where they are accents
 * (Latin, Greek, Cyrillic, Arabic, Hebrew): "Café", "CAFE" and "café" all fold to "cafe". In other scripts
 * marks are part of the spelling (Devanagari vowel signs, Thai tone marks, Japanese voicing marks), so those
 * letters are folded with NFKC instead, which keeps {@code ガ} distinct from {@code カ}.
 *
 * <p><b>Tokens</b> are maximal runs of letters and digits ({@link Character#isLetterOrDigit}, by code point);
 * everything else separates them, so "gpt-4o" is [gpt, 4o], "llama.cpp" is [llama, cpp] and "don't" is
 * [don, t]. Characters of scripts written without spaces (Han, Hiragana, Katakana, Thai, Lao, Khmer, Myanmar)
 * are each a token of their own, so a phrase in those scripts matches as a character sequence. Format
 * characters (soft hyphen, zero-width joiners) are ignored without splitting a word.
 *
 * <p>The hot path ({@link #tokenize(CharSequence, TokenBuffer)}) reads per-character tables built once at
 * class load (under 0.1 s); it allocates nothing unless the text holds letters outside the Basic Multilingual
 * Plane, which are folded on the fly.
 */
public final class TextNormalizer {

    /** Classes of a folded code point. */
    static final byte SEP = 0;
    /** Letter or digit whose marks are accents (dropped). */
    static final byte WORD = 1;
    /** Letter or digit whose marks are spelling (kept in the token). */
    static final byte WORD_KEEP_MARKS = 2;
    /** Han, Hiragana, Katakana: a token of its own, and a term even alone (an ideograph is a word). */
    static final byte SOLO_CJK = 3;
    /** Thai, Lao, Khmer, Myanmar: a token of its own, never a term alone (a letter is not a word). */
    static final byte SOLO_OTHER = 4;
    static final byte MARK = 5;
    /** Format characters: skipped without ending a token. */
    static final byte IGNORE = 6;

    private static final int NOTHING = -1;
    /** FOLD[c] >= 0: folds to that single code point; NOTHING; <= -2: folds to MULTI[-v - 2]. */
    private static final int[] FOLD = new int[0x10000];
    private static final byte[] CLASS = new byte[0x10000];
    private static final String[] MULTI;

    static {
        List<String> multi = new ArrayList<>();
        for (int c = 0; c < 0x10000; c++) {
            CLASS[c] = classOfSlow(c);
            if (c < 0x80) {
                FOLD[c] = c >= 'A' && c <= 'Z' ? c + 32 : c;
                continue;
            }
            if (Character.isSurrogate((char) c)) {
                FOLD[c] = c;
                continue;
            }
            String f = foldSlow(c);
            if (f.isEmpty()) {
                FOLD[c] = NOTHING;
            } else if (f.codePointCount(0, f.length()) == 1) {
                FOLD[c] = f.codePointAt(0);
            } else {
                FOLD[c] = -2 - multi.size();
                multi.add(f);
            }
        }
        MULTI = multi.toArray(new String[0]);
    }

    private TextNormalizer() {}

    // ---------------------------------------------------------------------------------------------------------
    // Public helpers (taxonomy compilation, tests, the CLI): these allocate; the job's hot path does not use them.

    /** The tokens of {@code text}, folded, in order (duplicates kept). */
    public static List<String> tokens(CharSequence text) {
        TokenBuffer b = new TokenBuffer();
        tokenize(text, b);
        List<String> out = new ArrayList<>(b.count());
        for (int i = 0; i < b.count(); i++) {
            out.add(b.token(i));
        }
        return out;
    }

    /** {@code text} folded as a whole (separators kept), e.g. "Ça VA, Straße?" -> "ca va, straße?". */
    public static String fold(CharSequence text) {
        StringBuilder out = new StringBuilder(text.length());
        boolean keepMarks = false;
        for (int i = 0; i < text.length(); ) {
            int cp = Character.codePointAt(text, i);
            i += Character.charCount(cp);
            int single = foldSingle(cp);
            if (single != MULTI_FOLD) {
                if (single != NOTHING) {
                    keepMarks = appendFolded(out, single, keepMarks);
                }
            } else {
                String m = foldMulti(cp);
                for (int k = 0; k < m.length(); ) {
                    int g = m.codePointAt(k);
                    k += Character.charCount(g);
                    keepMarks = appendFolded(out, g, keepMarks);
                }
            }
        }
        return out.toString();
    }

    private static boolean appendFolded(StringBuilder out, int g, boolean keepMarks) {
        byte cls = classOf(g);
        if (cls == MARK) {
            if (keepMarks) {
                int last = out.length() > 0 ? out.charAt(out.length() - 1) : 0;
                int composed = composeKana(last, g);
                if (composed >= 0) {
                    out.setCharAt(out.length() - 1, (char) composed);
                } else {
                    out.appendCodePoint(g);
                }
            }
            return keepMarks;
        }
        if (cls != IGNORE) {
            out.appendCodePoint(g);
        }
        return cls == WORD_KEEP_MARKS || cls == SOLO_CJK || cls == SOLO_OTHER;
    }

    /**
     * A hashtag as the taxonomy and posts are compared on: without leading '#', folded. "#LocalLLaMA" and
     * "localllama" give "localllama".
     */
    public static String normalizeHashtag(String tag) {
        int start = 0;
        while (start < tag.length() && (tag.charAt(start) == '#' || Character.isWhitespace(tag.charAt(start)))) {
            start++;
        }
        return fold(tag.substring(start).strip());
    }

    /** True if a normalized hashtag holds only letters, digits, marks and '_' (what platforms link as a tag). */
    static boolean isHashtagText(String normalized) {
        if (normalized.isEmpty()) {
            return false;
        }
        for (int i = 0; i < normalized.length(); ) {
            int cp = normalized.codePointAt(i);
            i += Character.charCount(cp);
            if (cp != '_' && classOf(cp) == SEP) {
                return false;
            }
        }
        return true;
    }

    /**
     * A community as the taxonomy and posts are compared on: lower case, without a leading "r/" or "/r/".
     * Reddit posts carry the bare subreddit name ("LocalLLaMA"), Mastodon posts the author's instance domain
     * ("sigmoid.social"); Bluesky and Hacker News posts have none.
     */
    public static String normalizeCommunity(String community) {
        String c = community.strip();
        if (c.regionMatches(true, 0, "/r/", 0, 3)) {
            c = c.substring(3);
        } else if (c.regionMatches(true, 0, "r/", 0, 2)) {
            c = c.substring(2);
        }
        return c.toLowerCase(Locale.ROOT); // the same instance when already lower case: no allocation per post
    }

    // ---------------------------------------------------------------------------------------------------------
    // The hot path.

    private static final int MULTI_FOLD = -2;

    /** The single code point {@code cp} folds to, NOTHING, or MULTI_FOLD (then see {@link #foldMulti}). */
    static int foldSingle(int cp) {
        if (cp < 0x10000) {
            int v = FOLD[cp];
            return v >= NOTHING ? v : MULTI_FOLD;
        }
        // Outside the BMP: emoji and symbols (the common case) fold to themselves; letters are rare.
        int type = Character.getType(cp);
        if (type == Character.OTHER_SYMBOL || type == Character.UNASSIGNED || type == Character.PRIVATE_USE) {
            return cp;
        }
        String f = foldSlow(cp);
        if (f.isEmpty()) {
            return NOTHING;
        }
        return f.codePointCount(0, f.length()) == 1 ? f.codePointAt(0) : MULTI_FOLD;
    }

    static String foldMulti(int cp) {
        return cp < 0x10000 ? MULTI[-FOLD[cp] - 2] : foldSlow(cp);
    }

    static byte classOf(int cp) {
        return cp < 0x10000 ? CLASS[cp] : classOfSlow(cp);
    }

    /**
     * Tokenizes {@code text} into {@code out} (cleared first): tokens with their flags, and the hashtags
     * written in the text ("#tag", not preceded by a letter or digit, so "C#" is none).
     *
     * <p>Tokens inside URLs ("http://", "https://", "www." up to the next white space) and mentions ('@' up to
     * the next white space) are matched like any other but flagged {@link TokenBuffer#NO_TERM}: they are link
     * and handle fragments, not what a post talks about.
     */
    static void tokenize(CharSequence text, TokenBuffer out) {
        out.clear();
        int n = text.length();
        int noTermUntil = -1;
        boolean keepMarks = false;
        boolean prevWordish = false;
        boolean inTag = false;
        int i = 0;
        while (i < n) {
            char ch = text.charAt(i);
            if (ch < 0x80 && out.open && !out.openSolo) {
                // The common case, inlined: an ASCII character inside a word or ending it.
                byte cls = CLASS[ch];
                if (cls == WORD) {
                    out.appendAscii((char) FOLD[ch]);
                    keepMarks = false; // a mark after a Latin letter is an accent, whatever began the word
                    i++;
                    continue;
                }
                if (ch == ' ' || ch == '.' || ch == ',' || ch == '\n') {
                    out.closeToken();
                    out.lastClass = SEP;
                    if (inTag) {
                        out.closeTag();
                        inTag = false;
                    }
                    prevWordish = false;
                    keepMarks = false;
                    i++;
                    continue;
                }
            }
            int cp = Character.codePointAt(text, i);
            int at = i;
            i += Character.charCount(cp);
            if (!out.open && at >= noTermUntil) {
                if ((cp == 'h' || cp == 'H') && (startsWith(text, at, "http://") || startsWith(text, at, "https://"))
                        || (cp == 'w' || cp == 'W') && startsWith(text, at, "www.")) {
                    noTermUntil = nextWhitespace(text, at);
                }
            }
            if (cp == '@') {
                noTermUntil = Math.max(noTermUntil, nextWhitespace(text, at));
            }
            if (cp == '#') {
                if (inTag) {
                    out.closeTag();
                }
                out.closeToken();
                inTag = !prevWordish;
                if (inTag) {
                    out.openTag();
                }
                prevWordish = false;
                continue;
            }
            if (cp == '_') {
                out.closeToken();
                if (inTag) {
                    out.tagAppend('_');
                }
                prevWordish = true; // "foo_#bar" is no hashtag either
                continue;
            }
            int single = foldSingle(cp);
            if (single == NOTHING) {
                continue;
            }
            if (single != MULTI_FOLD) {
                keepMarks = step(out, single, at, noTermUntil, keepMarks);
            } else {
                String m = foldMulti(cp);
                for (int k = 0; k < m.length(); ) {
                    int g = m.codePointAt(k);
                    k += Character.charCount(g);
                    keepMarks = step(out, g, at, noTermUntil, keepMarks);
                }
            }
            byte cls = out.lastClass;
            prevWordish = cls != SEP;
            if (inTag && cls == SEP) {
                out.closeTag();
                inTag = false;
            }
        }
        out.closeToken();
        if (inTag) {
            out.closeTag();
        }
    }

    /** Feeds one folded code point; returns whether marks that follow are kept. */
    private static boolean step(TokenBuffer out, int g, int sourceIndex, int noTermUntil, boolean keepMarks) {
        byte cls = classOf(g);
        out.lastClass = cls;
        switch (cls) {
            case WORD, WORD_KEEP_MARKS -> {
                if (out.open && out.openSolo) {
                    out.closeToken();
                }
                if (!out.open) {
                    out.openToken(sourceIndex < noTermUntil, false, false);
                }
                out.append(g, true);
                out.tagAppend(g);
                return cls == WORD_KEEP_MARKS;
            }
            case SOLO_CJK, SOLO_OTHER -> {
                out.closeToken();
                out.openToken(sourceIndex < noTermUntil, true, cls == SOLO_CJK);
                out.append(g, true);
                out.tagAppend(g);
                return true;
            }
            case MARK -> {
                if (keepMarks && out.open) {
                    if (!out.composeLast(g)) {
                        out.append(g, false);
                        out.tagAppend(g);
                    }
                }
                // A dropped mark neither ends the word nor counts as a separator for hashtags.
                out.lastClass = out.open ? WORD : SEP;
                return keepMarks;
            }
            case IGNORE -> {
                out.lastClass = out.open ? WORD : SEP;
                return keepMarks;
            }
            default -> {
                out.closeToken();
                return false;
            }
        }
    }

    /**
     * The kana that {@code base} and a voicing mark (U+3099, U+309A) compose to, or -1. Only half-width kana
     * arrive decomposed ("ﾊﾟ"); composing them keeps them equal to the full-width "パ" a phrase would use.
     */
    static int composeKana(int base, int mark) {
        if ((mark != 0x3099 && mark != 0x309A) || base < 0x3041 || base > 0x30FF) {
            return -1;
        }
        String c = Normalizer.normalize(new String(new char[] {(char) base, (char) mark}), Normalizer.Form.NFC);
        return c.length() == 1 ? c.charAt(0) : -1;
    }

    private static boolean startsWith(CharSequence text, int at, String prefix) {
        if (at + prefix.length() > text.length()) {
            return false;
        }
        for (int k = 0; k < prefix.length(); k++) {
            if (Character.toLowerCase(text.charAt(at + k)) != prefix.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    private static int nextWhitespace(CharSequence text, int from) {
        int n = text.length();
        for (int k = from; k < n; k++) {
            if (Character.isWhitespace(text.charAt(k))) {
                return k;
            }
        }
        return n;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Table construction (class load) and the slow path for code points outside the BMP.

    private static byte classOfSlow(int cp) {
        if (cp == 0x200B) {
            return SEP; // zero-width space: a word boundary, not a joiner
        }
        int type = Character.getType(cp);
        switch (type) {
            case Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK:
                return MARK;
            case Character.FORMAT:
                return IGNORE;
            default:
                break;
        }
        if (!Character.isLetterOrDigit(cp)) {
            return SEP;
        }
        UnicodeScript script = UnicodeScript.of(cp);
        switch (script) {
            case HAN, HIRAGANA, KATAKANA:
                return SOLO_CJK;
            case THAI, LAO, KHMER, MYANMAR:
                return SOLO_OTHER;
            case COMMON, INHERITED:
                // The prolonged sound mark and iteration marks belong to the kana/kanji around them.
                if (cp >= 0x3000 && cp <= 0x30FF) {
                    return SOLO_CJK;
                }
                return WORD;
            default:
                return dropsMarks(script) ? WORD : WORD_KEEP_MARKS;
        }
    }

    /** Scripts whose combining marks are accents, ignored when comparing. */
    private static boolean dropsMarks(UnicodeScript script) {
        return switch (script) {
            case LATIN, GREEK, CYRILLIC, ARABIC, HEBREW, COMMON, INHERITED -> true;
            default -> false;
        };
    }

    private static boolean isMark(int cp) {
        int type = Character.getType(cp);
        return type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK
                || type == Character.COMBINING_SPACING_MARK;
    }

    /** The fold of one code point, as a string; see the class comment. */
    static String foldSlow(int cp) {
        String s = new String(Character.toChars(cp));
        if (isMark(cp)) {
            return Normalizer.normalize(s, Normalizer.Form.NFKD); // the stream decides whether to keep it
        }
        String d = Normalizer.normalize(s, Normalizer.Form.NFKD);
        if (d.isEmpty()) {
            return d;
        }
        int base = d.codePointAt(0);
        if (isMark(base)) {
            return d; // a spacing form of a mark (half-width voicing marks): a mark, for the stream to place
        }
        if (!dropsMarks(UnicodeScript.of(base)) && !d.equals(s)) {
            d = Normalizer.normalize(s, Normalizer.Form.NFKC);
            return caseFold(d, false);
        }
        return caseFold(d, dropsMarks(UnicodeScript.of(base)));
    }

    private static String caseFold(String s, boolean dropMarks) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            if (dropMarks && isMark(c)) {
                continue;
            }
            // Simple case folding: lower(upper(c)) maps final sigma to sigma, dotless i to i, titlecase to lower.
            int f = Character.toLowerCase(Character.toUpperCase(c));
            if (!dropMarks || !isMark(f)) {
                b.appendCodePoint(f);
            }
        }
        return b.toString();
    }
}

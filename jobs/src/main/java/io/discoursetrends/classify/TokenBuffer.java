package io.discoursetrends.classify;

import java.util.Arrays;

/**
 * The tokens and hashtags of one text, as {@link TextNormalizer#tokenize} leaves them: folded characters in
 * one pool, each token a range of it with its String-compatible hash, so lookups need no String per token.
 * Reused from post to post (the arrays only grow), hence not thread-safe.
 */
final class TokenBuffer {

    /** Inside a URL or a mention: matched, never a term. */
    static final int NO_TERM = 1;
    /** A character of a script written without spaces, a token of its own. */
    static final int SOLO = 2;
    /** A Han or kana character (SOLO): a term even alone. */
    static final int CJK = 4;
    /** Only digits. */
    static final int DIGITS = 8;

    char[] chars = new char[512];
    int length;
    private int count;
    int[] start = new int[64];
    int[] end = new int[64];
    int[] hash = new int[64];
    int[] flags = new int[64];
    /** Letters and digits in the token (marks not counted). */
    int[] codePoints = new int[64];

    char[] tagChars = new char[64];
    int tagLength;
    private int tagCount;
    int[] tagStart = new int[8];
    int[] tagEnd = new int[8];
    int[] tagHash = new int[8];

    // Tokenizer state.
    boolean open;
    boolean openSolo;
    byte lastClass;
    private int curHash;
    private int curCodePoints;
    private int curFlags;
    private boolean curDigitsOnly;
    private boolean tagOpen;
    private int curTagHash;

    void clear() {
        length = 0;
        count = 0;
        tagLength = 0;
        tagCount = 0;
        open = false;
        openSolo = false;
        tagOpen = false;
        lastClass = TextNormalizer.SEP;
    }

    int count() {
        return count;
    }

    int tagCount() {
        return tagCount;
    }

    /** Token {@code i} as a String (allocates: for terms and tests). */
    String token(int i) {
        return new String(chars, start[i], end[i] - start[i]);
    }

    String tag(int i) {
        return new String(tagChars, tagStart[i], tagEnd[i] - tagStart[i]);
    }

    void openToken(boolean noTerm, boolean solo, boolean cjk) {
        if (count == start.length) {
            int n = count * 2;
            start = Arrays.copyOf(start, n);
            end = Arrays.copyOf(end, n);
            hash = Arrays.copyOf(hash, n);
            flags = Arrays.copyOf(flags, n);
            codePoints = Arrays.copyOf(codePoints, n);
        }
        start[count] = length;
        open = true;
        openSolo = solo;
        curHash = 0;
        curCodePoints = 0;
        curDigitsOnly = true;
        curFlags = (noTerm ? NO_TERM : 0) | (solo ? SOLO : 0) | (cjk ? CJK : 0);
    }

    void append(int cp, boolean counts) {
        if (length + 2 > chars.length) {
            chars = Arrays.copyOf(chars, chars.length * 2);
        }
        if (cp < 0x10000) {
            chars[length++] = (char) cp;
            curHash = 31 * curHash + cp;
        } else {
            char hi = Character.highSurrogate(cp);
            char lo = Character.lowSurrogate(cp);
            chars[length++] = hi;
            chars[length++] = lo;
            curHash = 31 * (31 * curHash + hi) + lo;
        }
        if (counts) {
            curCodePoints++;
            if (curDigitsOnly && !Character.isDigit(cp)) {
                curDigitsOnly = false;
            }
        }
    }

    /**
     * Composes a voicing mark with the open token's last character (see {@link TextNormalizer#composeKana}),
     * in the token and in an open hashtag; false if they do not compose.
     */
    boolean composeLast(int mark) {
        if (!open || length == start[count]) {
            return false;
        }
        int composed = TextNormalizer.composeKana(chars[length - 1], mark);
        if (composed < 0) {
            return false;
        }
        chars[length - 1] = (char) composed;
        int h = 0;
        for (int k = start[count]; k < length; k++) {
            h = 31 * h + chars[k];
        }
        curHash = h;
        if (tagOpen && tagLength > tagStart[tagCount]) {
            tagChars[tagLength - 1] = (char) composed;
            h = 0;
            for (int k = tagStart[tagCount]; k < tagLength; k++) {
                h = 31 * h + tagChars[k];
            }
            curTagHash = h;
        }
        return true;
    }

    /** {@link #append} for a folded ASCII letter or digit inside an open token (and hashtag, if one is open). */
    void appendAscii(char c) {
        if (length == chars.length) {
            chars = Arrays.copyOf(chars, chars.length * 2);
        }
        chars[length++] = c;
        curHash = 31 * curHash + c;
        curCodePoints++;
        if (curDigitsOnly && (c < '0' || c > '9')) {
            curDigitsOnly = false;
        }
        if (tagOpen) {
            tagAppend(c);
        }
    }

    void closeToken() {
        if (!open) {
            return;
        }
        end[count] = length;
        hash[count] = curHash;
        codePoints[count] = curCodePoints;
        flags[count] = curFlags | (curDigitsOnly ? DIGITS : 0);
        count++;
        open = false;
        openSolo = false;
    }

    void openTag() {
        if (tagCount == tagStart.length) {
            int n = tagCount * 2;
            tagStart = Arrays.copyOf(tagStart, n);
            tagEnd = Arrays.copyOf(tagEnd, n);
            tagHash = Arrays.copyOf(tagHash, n);
        }
        tagStart[tagCount] = tagLength;
        curTagHash = 0;
        tagOpen = true;
    }

    void tagAppend(int cp) {
        if (!tagOpen) {
            return;
        }
        if (tagLength + 2 > tagChars.length) {
            tagChars = Arrays.copyOf(tagChars, tagChars.length * 2);
        }
        if (cp < 0x10000) {
            tagChars[tagLength++] = (char) cp;
            curTagHash = 31 * curTagHash + cp;
        } else {
            char hi = Character.highSurrogate(cp);
            char lo = Character.lowSurrogate(cp);
            tagChars[tagLength++] = hi;
            tagChars[tagLength++] = lo;
            curTagHash = 31 * (31 * curTagHash + hi) + lo;
        }
    }

    void closeTag() {
        if (!tagOpen) {
            return;
        }
        tagOpen = false;
        if (tagLength == tagStart[tagCount]) {
            return; // a lone '#'
        }
        tagEnd[tagCount] = tagLength;
        tagHash[tagCount] = curTagHash;
        tagCount++;
    }

    /**
     * Adds a hashtag given apart from the text (a post's {@code hashtags} field), folded as the text's are.
     * Characters that could not be in a hashtag written in text are kept, so such a tag simply matches nothing.
     */
    void addTag(String tag) {
        openTag();
        boolean keepMarks = false;
        int i = 0;
        while (i < tag.length() && tag.charAt(i) == '#') {
            i++;
        }
        while (i < tag.length()) {
            int cp = tag.codePointAt(i);
            i += Character.charCount(cp);
            int single = TextNormalizer.foldSingle(cp);
            if (single >= 0) {
                keepMarks = tagFolded(single, keepMarks);
            } else if (single != -1) {
                String m = TextNormalizer.foldMulti(cp);
                for (int k = 0; k < m.length(); ) {
                    int g = m.codePointAt(k);
                    k += Character.charCount(g);
                    keepMarks = tagFolded(g, keepMarks);
                }
            }
        }
        closeTag();
    }

    private boolean tagFolded(int g, boolean keepMarks) {
        byte cls = TextNormalizer.classOf(g);
        if (cls == TextNormalizer.MARK) {
            if (keepMarks) {
                int composed = tagLength > tagStart[tagCount]
                        ? TextNormalizer.composeKana(tagChars[tagLength - 1], g) : -1;
                if (composed >= 0) {
                    tagChars[tagLength - 1] = (char) composed;
                    int h = 0;
                    for (int k = tagStart[tagCount]; k < tagLength; k++) {
                        h = 31 * h + tagChars[k];
                    }
                    curTagHash = h;
                } else {
                    tagAppend(g);
                }
            }
            return keepMarks;
        }
        if (cls != TextNormalizer.IGNORE) {
            tagAppend(g);
        }
        return cls == TextNormalizer.WORD_KEEP_MARKS || cls == TextNormalizer.SOLO_CJK
                || cls == TextNormalizer.SOLO_OTHER;
    }
}

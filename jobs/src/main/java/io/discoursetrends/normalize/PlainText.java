package io.discoursetrends.normalize;

import java.util.Locale;
import java.util.Set;

/**
 * Post text as the classifiers and the index want it: plain, capped, and always encodable.
 *
 * <p>{@link #fromHtml} reduces the small HTML that Mastodon and Hacker News produce (p, br, a, span, i, pre,
 * code, lists) in one left-to-right pass: tags are dropped, paragraphs become a blank line, line breaks and
 * block ends a newline, and character references are decoded. It is not an HTML parser: it needs none,
 * since both platforms sanitize their markup, and a single pass cannot backtrack, so hostile input
 * ({@code <<<<<...} or a million unterminated entities) costs linear time.
 *
 * <p>Texts are cut at {@link #MAX_CHARS} characters: enough for every Bluesky and Mastodon post and nearly
 * every Reddit self-post, while a 40,000-character Reddit essay does not bloat the index or the classifiers.
 * Unpaired UTF-16 surrogates (which JSON escapes such as {@code \ud800} can produce) become U+FFFD, since
 * no UTF-8 writer downstream could encode them.
 */
public final class PlainText {

    /** The longest text a canonical post carries, in UTF-16 characters. */
    public static final int MAX_CHARS = 10_000;

    private static final int MAX_ENTITY = 10;
    private static final char REPLACEMENT = '\uFFFD';

    private PlainText() {}

    /** {@code s} cut to {@link #MAX_CHARS} and with unpaired surrogates replaced; null stays null. */
    public static String cap(String s) {
        if (s == null) {
            return null;
        }
        String cut = s.length() <= MAX_CHARS ? s : s.substring(0, cutPoint(s, MAX_CHARS));
        return clean(cut);
    }

    /** {@code s} with unpaired surrogates replaced by U+FFFD; the same instance when there are none. */
    public static String clean(String s) {
        if (s == null) {
            return null;
        }
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return cleanFrom(s, i);
            }
        }
        return s;
    }

    private static String cleanFrom(String s, int first) {
        StringBuilder b = new StringBuilder(s.length()).append(s, 0, first);
        int n = s.length();
        for (int i = first; i < n; i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                b.append(c).append(s.charAt(++i));
            } else {
                b.append(Character.isSurrogate(c) ? REPLACEMENT : c);
            }
        }
        return b.toString();
    }

    /** The largest index <= max that does not split a surrogate pair. */
    private static int cutPoint(CharSequence s, int max) {
        return max > 0 && Character.isHighSurrogate(s.charAt(max - 1)) ? max - 1 : max;
    }

    /** A post carries at most this many hashtags (Bluesky allows 8 in record.tags, plus facets). */
    static final int MAX_HASHTAGS = 32;

    /** Adds {@code tag} lower-cased and without '#', unless blank, absurdly long, or the set is full. */
    static void addHashtag(Set<String> tags, String tag) {
        if (tag == null || tags.size() >= MAX_HASHTAGS) {
            return;
        }
        int start = 0;
        while (start < tag.length() && (tag.charAt(start) == '#' || Character.isWhitespace(tag.charAt(start)))) {
            start++;
        }
        String t = clean(tag.substring(start).strip().toLowerCase(Locale.ROOT));
        if (!t.isEmpty() && t.length() <= 640) {
            tags.add(t);
        }
    }

    /** Plain text of an HTML fragment, capped at {@link #MAX_CHARS}; null stays null. */
    public static String fromHtml(String html) {
        if (html == null) {
            return null;
        }
        Reducer r = new Reducer(Math.min(html.length(), MAX_CHARS));
        int n = html.length();
        boolean noMoreTagEnds = false;
        int i = 0;
        while (i < n && !r.full()) {
            char c = html.charAt(i);
            if (c == '<' && !noMoreTagEnds) {
                int end = html.indexOf('>', i + 1);
                if (end < 0) {
                    // No later '>' at all: every remaining '<' is text, and we never search again.
                    noMoreTagEnds = true;
                    r.text(c);
                    i++;
                } else {
                    r.tag(html, i + 1, end);
                    i = end + 1;
                }
            } else if (c == '&') {
                i = entity(html, i, r);
            } else {
                r.text(c);
                i++;
            }
        }
        return clean(r.result());
    }

    /** Decodes the character reference at {@code amp} (or emits a literal '&'); returns the next index. */
    private static int entity(String s, int amp, Reducer r) {
        int n = s.length();
        int limit = Math.min(n, amp + 2 + MAX_ENTITY);
        int semi = -1;
        for (int j = amp + 1; j < limit; j++) {
            char c = s.charAt(j);
            if (c == ';') {
                semi = j;
                break;
            }
            if (!(Character.isLetterOrDigit(c) || (c == '#' && j == amp + 1))) {
                break;
            }
        }
        if (semi < 0 || semi == amp + 1) {
            r.text('&');
            return amp + 1;
        }
        int cp = decode(s, amp + 1, semi);
        if (cp < 0) {
            r.text('&');
            return amp + 1;
        }
        r.codePoint(cp);
        return semi + 1;
    }

    /** The code point of the reference between '&' and ';', or -1 if it is not one we know. */
    private static int decode(String s, int from, int to) {
        if (s.charAt(from) == '#') {
            boolean hex = to - from > 1 && (s.charAt(from + 1) == 'x' || s.charAt(from + 1) == 'X');
            int start = from + (hex ? 2 : 1);
            if (start >= to || to - start > 7) {
                return -1;
            }
            int v = 0;
            for (int j = start; j < to; j++) {
                int d = Character.digit(s.charAt(j), hex ? 16 : 10);
                if (d < 0) {
                    return -1;
                }
                v = v * (hex ? 16 : 10) + d;
            }
            if (v == 0 || v > Character.MAX_CODE_POINT || (v >= 0xD800 && v <= 0xDFFF)) {
                return REPLACEMENT;
            }
            return v;
        }
        switch (s.substring(from, to)) {
            case "amp": return '&';
            case "lt": return '<';
            case "gt": return '>';
            case "quot": return '"';
            case "apos": return '\'';
            case "nbsp": return ' ';
            case "hellip": return '\u2026';
            case "mdash": return '\u2014';
            case "ndash": return '\u2013';
            case "lsquo": return '\u2018';
            case "rsquo": return '\u2019';
            case "ldquo": return '\u201C';
            case "rdquo": return '\u201D';
            default: return -1;
        }
    }

    /**
     * Accumulates text and the line breaks that tags ask for. Breaks are held back until more text comes,
     * so a fragment never starts or ends with blank lines, and several block ends in a row give one break.
     */
    private static final class Reducer {
        private final StringBuilder out;
        private int pendingNewlines;

        Reducer(int capacityHint) {
            out = new StringBuilder(capacityHint);
        }

        boolean full() {
            return out.length() >= MAX_CHARS;
        }

        void text(char c) {
            flushBreaks();
            out.append(c);
        }

        void codePoint(int cp) {
            flushBreaks();
            out.appendCodePoint(cp);
        }

        private void flushBreaks() {
            if (pendingNewlines > 0) {
                if (out.length() > 0) {
                    // Newlines already in the text (inside <pre>, or before a tag) count towards the break.
                    int have = 0;
                    for (int k = out.length() - 1; k >= 0 && out.charAt(k) == '\n' && have < pendingNewlines; k--) {
                        have++;
                    }
                    for (int k = have; k < pendingNewlines; k++) {
                        out.append('\n');
                    }
                }
                pendingNewlines = 0;
            }
        }

        /** Handles the tag whose content (between '<' and '>') is s[from, to). */
        void tag(String s, int from, int to) {
            int i = from;
            if (i < to && s.charAt(i) == '/') {
                i++;
            }
            int nameStart = i;
            while (i < to && Character.isLetterOrDigit(s.charAt(i))) {
                i++;
            }
            int len = i - nameStart;
            if (len == 0) {
                return;
            }
            if (is(s, nameStart, len, "br")) {
                pendingNewlines++;
            } else if (is(s, nameStart, len, "p")) {
                pendingNewlines = Math.max(pendingNewlines, 2);
            } else if (is(s, nameStart, len, "div") || is(s, nameStart, len, "li")
                    || is(s, nameStart, len, "pre") || is(s, nameStart, len, "blockquote")
                    || is(s, nameStart, len, "ul") || is(s, nameStart, len, "ol")
                    || is(s, nameStart, len, "tr") || (len == 2 && Character.toLowerCase(s.charAt(nameStart)) == 'h'
                            && Character.isDigit(s.charAt(nameStart + 1)))) {
                pendingNewlines = Math.max(pendingNewlines, 1);
            }
        }

        private static boolean is(String s, int start, int len, String name) {
            return len == name.length() && s.regionMatches(true, start, name, 0, len);
        }

        String result() {
            int end = Math.min(out.length(), MAX_CHARS);
            end = cutPoint(out, end);
            int start = 0;
            while (start < end && Character.isWhitespace(out.charAt(start))) {
                start++;
            }
            while (end > start && Character.isWhitespace(out.charAt(end - 1))) {
                end--;
            }
            return out.substring(start, end);
        }
    }
}

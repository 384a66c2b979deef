package io.discoursetrends.engagement;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The words of one post table ({@code post-state-v4}, {@link AttributionOperator}): topic ids and taxonomy versions,
 * which nearly every post of a key group repeats (a version of 12 to 40 characters on every tracked post, a topic id
 * of about 12 on every matched one), kept once per key group and referred to from each post by their number.
 *
 * <p>In a post's state a word is kept as its <i>reference</i>: {@link #MARK} and one character holding its number
 * (one shared string per number), which {@link PostStateV4Serializer} writes as a varint of a byte or two. Words are
 * only ever appended, so a number means the same word for as long as the table lives; the table's words are
 * cleared with its last post ({@link AttributionOperator}). A key group's words travel with its posts on a rescale.
 *
 * <p>Topic ids are slugs ({@code [a-z0-9-]}) and the taxonomy parser refuses a version with a control character, so
 * no word looks like a reference: a string that does is taken for one.
 */
final class Words {
    /** Starts a reference; no topic id starts with it. */
    static final char MARK = '\u0002';
    /** Words per table: beyond this, words are kept in full (a taxonomy that changes its topics all the time). */
    static final int MAX = 4096;

    private static final String[] REFS = new String[MAX];

    static {
        for (int i = 0; i < MAX; i++) {
            REFS[i] = new String(new char[] {MARK, (char) i});
        }
    }

    private final List<String> words = new ArrayList<>();
    private final Map<String, Integer> numbers = new HashMap<>();

    /** The table's words as restored, in their order. */
    Words(Iterable<String> restored) {
        if (restored != null) {
            for (String w : restored) {
                numbers.put(w, words.size());
                words.add(w);
            }
        }
    }

    static boolean isRef(String s) {
        return s != null && s.length() == 2 && s.charAt(0) == MARK && s.charAt(1) < MAX;
    }

    static String ref(int number) {
        return REFS[number];
    }

    static int number(String ref) {
        return ref.charAt(1);
    }

    /** The word's number, or -1 if it is new (then {@link #add} it, if there {@link #hasRoom}). */
    int numberOf(String word) {
        Integer n = numbers.get(word);
        return n == null ? -1 : n;
    }

    boolean hasRoom() {
        return words.size() < MAX;
    }

    int add(String word) {
        numbers.put(word, words.size());
        words.add(word);
        return words.size() - 1;
    }

    /** The word a kept string stands for: a reference's word, else the string itself. */
    String resolve(String kept) {
        return isRef(kept) ? words.get(number(kept)) : kept;
    }

    int size() {
        return words.size();
    }
}

package io.discoursetrends.classify;

import io.discoursetrends.model.EditDistance;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.discoursetrends.classify.TaxonomyException.Problem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a topic taxonomy from YAML and reports every problem with its line and column:
 *
 * <pre>
 * version: "2026-11-22.1"          # required, non-empty, no control characters; recorded in every output document
 * topics:
 *   - id: open-weight-models       # required, [a-z0-9][a-z0-9-]{0,63}, unique ("_" first is reserved)
 *     label: Open-weight models    # required
 *     description: ...             # optional
 *     phrases: ["open weights", "DeepSeek"]     # whole words, case- and accent-insensitive
 *     hashtags: ["LocalLLaMA", "#opensource"]   # '#' optional
 *     communities: ["r/LocalLLaMA", "sigmoid.social"]   # subreddits (r/ optional), Mastodon instances
 *     regexes: ["\\bllama[- ]?[0-9]"]          # RE2 syntax, case-insensitive, on the post's text as is
 *     exclude: ["llama farm"]                  # phrases that veto this topic
 *     languages: ["en", "de"]                  # primary subtags; absent or empty = every language
 * </pre>
 *
 * A topic needs at least one of phrases, hashtags, communities and regexes. The file is read with Jackson's
 * streaming YAML parser into a small tree that keeps each value's position, then checked; mapping it onto
 * classes would lose the positions and stop at the first unknown key.
 */
public final class TaxonomyParser {

    public static final List<String> TOP_LEVEL_KEYS = List.of("version", "topics");
    public static final List<String> TOPIC_KEYS = List.of("id", "label", "description", "phrases", "hashtags",
            "communities", "regexes", "exclude", "languages");

    /** Keys people reach for, and the one this format uses instead. */
    private static final Map<String, String> SYNONYMS = Map.ofEntries(
            Map.entry("keywords", "phrases"), Map.entry("terms", "phrases"), Map.entry("words", "phrases"),
            Map.entry("tags", "hashtags"), Map.entry("subreddits", "communities"),
            Map.entry("instances", "communities"), Map.entry("patterns", "regexes"), Map.entry("regex", "regexes"),
            Map.entry("excludes", "exclude"), Map.entry("exclusions", "exclude"), Map.entry("name", "label"),
            Map.entry("title", "label"), Map.entry("lang", "languages"), Map.entry("langs", "languages"));

    private static final java.util.regex.Pattern ID = java.util.regex.Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");
    private static final java.util.regex.Pattern LANGUAGE = java.util.regex.Pattern.compile("[A-Za-z]{2,3}");
    private static final java.util.regex.Pattern SUBREDDIT = java.util.regex.Pattern.compile("[A-Za-z0-9_]{2,21}");
    private static final java.util.regex.Pattern DOMAIN = java.util.regex.Pattern.compile(
            "(?:[\\p{L}\\p{N}](?:[\\p{L}\\p{N}-]*[\\p{L}\\p{N}])?\\.)+[\\p{L}\\p{N}-]{2,}");

    /**
     * The largest taxonomy read, in characters (Unicode code points): SnakeYAML's input limit. The default
     * taxonomy is about 1% of it; at the limit, validating takes well under 64 MB of heap.
     */
    public static final int MAX_CODE_POINTS = 3 * 1024 * 1024;

    /** Deeper than any taxonomy: a guard against hostile input, not a format rule. */
    private static final int MAX_DEPTH = 16;

    // Not YAMLFactory.builder().build(): that one starts with no parser features, so an empty value ("tags:")
    // reads as "" instead of null (EMPTY_STRING_AS_NULL is on only in the constructor's defaults).
    private static final YAMLFactory YAML = new YAMLFactory();

    private TaxonomyParser() {}

    /**
     * @param yaml the taxonomy text
     * @param sourceName how problems name the input (a file name, "broadcast state", ...)
     * @throws TaxonomyException with every problem found
     */
    public static Taxonomy parse(String yaml, String sourceName) {
        return new Run(sourceName).parse(yaml);
    }

    /** Compiles a regex as the classifier does (case-insensitive RE2). */
    static Pattern compileRegex(String regex) {
        return Pattern.compile(regex, Pattern.CASE_INSENSITIVE);
    }

    // ---------------------------------------------------------------------------------------------------------
    // The tree: just enough YAML to know where each value was.

    private sealed interface Node permits MapNode, ListNode, Scalar {
        int line();

        int column();
    }

    private record Entry(String key, int line, int column, Node value) {}

    private record MapNode(int line, int column, Map<String, Entry> entries) implements Node {}

    private record ListNode(int line, int column, List<Node> items) implements Node {}

    /** {@code token} null: a value already reported as unusable (an alias, too deep); stay quiet about it. */
    private record Scalar(int line, int column, JsonToken token, String text) implements Node {
        boolean isString() {
            return token == JsonToken.VALUE_STRING;
        }

        boolean isNull() {
            return token == JsonToken.VALUE_NULL;
        }

        boolean reported() {
            return token == null;
        }

        /** What the value is, for "must be a string, not ...". */
        String describe() {
            return switch (token) {
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "the number " + text;
                case VALUE_TRUE, VALUE_FALSE -> "'" + text + "', which YAML reads as a boolean";
                case VALUE_NULL -> "empty";
                default -> "'" + text + "'";
            };
        }
    }

    private static final class Run {
        private final String source;
        private final List<Problem> problems = new ArrayList<>();

        Run(String source) {
            this.source = source;
        }

        Taxonomy parse(String yaml) {
            // SnakeYAML's own limit, said as what it is: its error reads like a syntax error at some line.
            if (yaml.length() > MAX_CODE_POINTS && yaml.codePointCount(0, yaml.length()) > MAX_CODE_POINTS) {
                problem(1, 1, "the taxonomy has " + yaml.codePointCount(0, yaml.length()) + " characters, over the "
                        + "size limit of " + MAX_CODE_POINTS + " characters (3 MiB); a taxonomy that large is"
                        + " not read at all (split it, or drop phrases that never match)");
                throw fail();
            }
            Node root;
            try (JsonParser p = YAML.createParser(yaml)) {
                JsonToken first = p.nextToken();
                if (first == null) {
                    problem(1, 1, "the taxonomy is empty: it needs 'version' and 'topics'");
                    throw fail();
                }
                root = read(p, 0);
                JsonToken more = p.nextToken();
                if (more != null) {
                    JsonLocation at = p.currentTokenLocation();
                    problem(at.getLineNr(), at.getColumnNr(),
                            "a second YAML document ('---'): a taxonomy file holds exactly one");
                }
            } catch (JsonProcessingException e) {
                // The tree is incomplete: whatever else we would say could be an artefact of the syntax error.
                problems.clear();
                int[] at = syntaxPosition(e);
                problem(at[0], at[1], syntaxMessage(e));
                throw fail();
            } catch (IOException e) {
                throw new UncheckedIOException(e); // a String source does no I/O
            }
            Taxonomy t = check(root, yaml);
            if (!problems.isEmpty()) {
                throw fail();
            }
            return t;
        }

        private TaxonomyException fail() {
            List<Problem> sorted = new ArrayList<>(problems);
            sorted.sort(Comparator.comparingInt(Problem::line).thenComparingInt(Problem::column));
            return new TaxonomyException(source, sorted);
        }

        private void problem(int line, int column, String message) {
            problems.add(new Problem(line, column, message));
        }

        private void problem(Node at, String message) {
            problem(at.line(), at.column(), message);
        }

        // --- reading -----------------------------------------------------------------------------------------

        private Node read(JsonParser p, int depth) throws IOException {
            JsonLocation at = p.currentTokenLocation();
            int line = at.getLineNr();
            int column = at.getColumnNr();
            JsonToken t = p.currentToken();
            if (p instanceof YAMLParser y && y.isCurrentAlias()) {
                problem(line, column, "YAML aliases (*" + p.getText() + ") are not supported here: write the value out");
                return new Scalar(line, column, null, p.getText());
            }
            if ((t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) && depth >= MAX_DEPTH) {
                problem(line, column, "nested more than " + MAX_DEPTH + " levels deep");
                p.skipChildren();
                return new Scalar(line, column, null, "");
            }
            if (t == JsonToken.START_OBJECT) {
                Map<String, Entry> entries = new LinkedHashMap<>();
                for (JsonToken k = p.nextToken(); k != JsonToken.END_OBJECT; k = p.nextToken()) {
                    JsonLocation keyAt = p.currentTokenLocation();
                    String key = p.currentName();
                    p.nextToken();
                    Node value = read(p, depth + 1);
                    Entry previous = entries.get(key);
                    if (previous != null) {
                        problem(keyAt.getLineNr(), keyAt.getColumnNr(), "duplicate key '" + key
                                + "' (first on line " + previous.line() + ")");
                    } else {
                        entries.put(key, new Entry(key, keyAt.getLineNr(), keyAt.getColumnNr(), value));
                    }
                }
                return new MapNode(line, column, entries);
            }
            if (t == JsonToken.START_ARRAY) {
                List<Node> items = new ArrayList<>();
                for (JsonToken k = p.nextToken(); k != JsonToken.END_ARRAY; k = p.nextToken()) {
                    items.add(read(p, depth + 1));
                }
                return new ListNode(line, column, items);
            }
            return new Scalar(line, column, t, p.getText());
        }

        /** Where SnakeYAML saw the problem (Jackson's own location is where it last read, often earlier). */
        @SuppressWarnings("deprecation")
        private static int[] syntaxPosition(JsonProcessingException e) {
            if (e instanceof com.fasterxml.jackson.dataformat.yaml.snakeyaml.error.MarkedYAMLException m
                    && m.getProblemMark() != null) {
                return new int[] {m.getProblemMark().getLine() + 1, m.getProblemMark().getColumn() + 1};
            }
            JsonLocation at = e.getLocation();
            return at == null ? new int[] {1, 1} : new int[] {Math.max(1, at.getLineNr()), Math.max(1, at.getColumnNr())};
        }

        @SuppressWarnings("deprecation") // the snakeyaml wrapper is the only way to its problem and context
        private static String syntaxMessage(JsonProcessingException e) {
            String message;
            if (e instanceof com.fasterxml.jackson.dataformat.yaml.snakeyaml.error.MarkedYAMLException m
                    && m.getProblem() != null) {
                message = "YAML syntax error: " + m.getProblem();
                if (m.getContext() != null && m.getContextMark() != null) {
                    message += " (" + m.getContext() + " at line " + (m.getContextMark().getLine() + 1)
                            + ", column " + (m.getContextMark().getColumn() + 1) + ")";
                }
            } else {
                message = "YAML syntax error: " + e.getOriginalMessage();
            }
            return message.replaceAll("\\s*\\R\\s*", " ").strip();
        }

        // --- checking ----------------------------------------------------------------------------------------

        private Taxonomy check(Node root, String yaml) {
            if (!(root instanceof MapNode map)) {
                problem(root, "a taxonomy is a mapping with 'version' and 'topics', not " + kind(root));
                return null;
            }
            unknownKeys(map, TOP_LEVEL_KEYS, "at the top level");
            String version = null;
            Entry v = map.entries().get("version");
            if (v == null) {
                problem(map, "missing required key 'version'");
            } else {
                version = string(v, "'version'", true);
                // Recorded in every document; attribution's state also takes a control character in it for a
                // reference to a word (engagement.Words).
                if (version != null && version.chars().anyMatch(Character::isISOControl)) {
                    problem(v.value(), "'version' contains a control character: use printable characters only");
                    version = null;
                }
            }
            List<TopicDefinition> topics = new ArrayList<>();
            Entry t = map.entries().get("topics");
            if (t == null) {
                problem(map, "missing required key 'topics'");
            } else if (t.value() instanceof ListNode list) {
                if (list.items().isEmpty()) {
                    problem(list, "'topics' is empty: a taxonomy needs at least one topic");
                }
                Map<String, Scalar> ids = new HashMap<>();
                for (int i = 0; i < list.items().size(); i++) {
                    TopicDefinition d = topic(list.items().get(i), i + 1, ids);
                    if (d != null) {
                        topics.add(d);
                    }
                }
            } else if (!(t.value() instanceof Scalar s && s.reported())) {
                problem(t.value(), "'topics' must be a list of topics (each starting with '- id: ...'), not "
                        + kind(t.value()));
            }
            return problems.isEmpty() ? new Taxonomy(version, topics, yaml) : null;
        }

        private TopicDefinition topic(Node node, int number, Map<String, Scalar> ids) {
            if (!(node instanceof MapNode map)) {
                if (!(node instanceof Scalar s && s.reported())) {
                    problem(node, "topic #" + number + " must be a mapping (id, label, phrases, ...), not "
                            + kind(node));
                }
                return null;
            }
            // The id first: every other message names the topic by it.
            String id = null;
            Entry idEntry = map.entries().get("id");
            if (idEntry == null) {
                problem(map, "topic #" + number + " has no 'id'");
            } else {
                id = string(idEntry, "'id' of topic #" + number, true);
                if (id != null) {
                    Scalar at = (Scalar) idEntry.value();
                    if (id.startsWith("_")) {
                        problem(at, "topic id '" + id + "' starts with '_', which is reserved for the job's own use");
                    } else if (!ID.matcher(id).matches()) {
                        problem(at, "invalid topic id '" + id + "': use 1 to 64 lower-case letters (a-z), digits"
                                + " and '-', starting with a letter or digit");
                    }
                    Scalar first = ids.putIfAbsent(id, at);
                    if (first != null) {
                        problem(at, "duplicate topic id '" + id + "' (first defined on line " + first.line() + ")");
                    }
                }
            }
            String name = id != null ? "topic '" + id + "'" : "topic #" + number;
            unknownKeys(map, TOPIC_KEYS, "in " + name);

            String label = null;
            Entry l = map.entries().get("label");
            if (l == null) {
                problem(map, name + " has no 'label'");
            } else {
                label = string(l, "'label' in " + name, true);
            }
            Entry d = map.entries().get("description");
            String description = d == null ? null : string(d, "'description' in " + name, false);

            List<String> phrases = phrases(map, "phrases", name, "phrase");
            List<String> exclude = phrases(map, "exclude", name, "exclude phrase");
            List<String> hashtags = new ArrayList<>();
            for (Scalar s : strings(map, "hashtags", name)) {
                String tag = TextNormalizer.normalizeHashtag(s.text());
                if (s.text().isBlank() || tag.isEmpty()) {
                    problem(s, "empty hashtag in " + name);
                } else if (!TextNormalizer.isHashtagText(tag)) {
                    problem(s, "hashtag '" + s.text() + "' in " + name
                            + " can hold only letters, digits and '_' (after an optional '#')");
                } else {
                    hashtags.add(s.text());
                }
            }
            List<String> communities = new ArrayList<>();
            for (Scalar s : strings(map, "communities", name)) {
                String c = s.text().strip();
                String bare = c.startsWith("/r/") ? c.substring(3) : c.startsWith("r/") ? c.substring(2) : null;
                boolean ok = bare != null ? SUBREDDIT.matcher(bare).matches()
                        : SUBREDDIT.matcher(c).matches() || DOMAIN.matcher(c).matches();
                if (c.isEmpty()) {
                    problem(s, "empty community in " + name);
                } else if (!ok) {
                    problem(s, "community '" + s.text() + "' in " + name + " is neither a subreddit ('r/name',"
                            + " letters, digits and '_') nor a Mastodon instance ('host.domain')");
                } else {
                    communities.add(c);
                }
            }
            List<String> regexes = new ArrayList<>();
            for (Scalar s : strings(map, "regexes", name)) {
                if (s.text().isEmpty()) {
                    problem(s, "empty regex in " + name);
                    continue;
                }
                try {
                    Pattern.compile(s.text()); // first without flags: RE2's message then quotes the regex as written
                    Pattern p = compileRegex(s.text());
                    if (p.matcher("").find()) {
                        problem(s, "regex '" + s.text() + "' in " + name
                                + " matches empty text, so it would match every post");
                    } else {
                        regexes.add(s.text());
                    }
                } catch (PatternSyntaxException e) {
                    problem(s, "bad regex in " + name + ": " + e.getMessage());
                }
            }
            List<String> languages = new ArrayList<>();
            for (Scalar s : strings(map, "languages", name)) {
                if (LANGUAGE.matcher(s.text()).matches()) {
                    languages.add(s.text().toLowerCase(Locale.ROOT));
                } else {
                    problem(s, "language '" + s.text() + "' in " + name
                            + " is not a primary language subtag such as 'en' or 'de'");
                }
            }
            boolean empty = true;
            for (String key : List.of("phrases", "hashtags", "communities", "regexes")) {
                Entry e = map.entries().get(key);
                if (e != null && !(e.value() instanceof Scalar s && s.isNull())
                        && !(e.value() instanceof ListNode list && list.items().isEmpty())) {
                    empty = false;
                }
            }
            if (empty) {
                problem(map, name + " is empty: it has no phrases, hashtags, communities or regexes, so it can"
                        + " never match");
            }
            if (id == null || label == null) {
                return null;
            }
            return new TopicDefinition(id, label, description, phrases, hashtags, communities, regexes, exclude,
                    languages);
        }

        private List<String> phrases(MapNode map, String key, String name, String what) {
            List<String> out = new ArrayList<>();
            for (Scalar s : strings(map, key, name)) {
                if (s.text().isBlank()) {
                    problem(s, "empty " + what + " in " + name);
                } else if (TextNormalizer.tokens(s.text()).isEmpty()) {
                    problem(s, what + " '" + s.text() + "' in " + name
                            + " has no letters or digits, so it can never match");
                } else {
                    out.add(s.text());
                }
            }
            return out;
        }

        /** The string items of a list-valued key (absent or empty: none); other values are reported. */
        private List<Scalar> strings(MapNode map, String key, String name) {
            Entry e = map.entries().get(key);
            if (e == null) {
                return List.of();
            }
            Node v = e.value();
            if (v instanceof Scalar s) {
                if (!s.isNull() && !s.reported()) {
                    String example = s.isString() ? "[\"" + s.text() + "\"]" : "[...]";
                    problem(s, "'" + key + "' in " + name + " must be a list, e.g. " + key + ": " + example);
                }
                return List.of();
            }
            if (v instanceof MapNode) {
                problem(v, "'" + key + "' in " + name + " must be a list, not a mapping");
                return List.of();
            }
            List<Scalar> out = new ArrayList<>();
            List<Node> items = ((ListNode) v).items();
            for (int i = 0; i < items.size(); i++) {
                Node item = items.get(i);
                if (item instanceof Scalar s && s.isString()) {
                    out.add(s);
                } else if (item instanceof Scalar s && s.reported()) {
                    continue;
                } else if (item instanceof Scalar s) {
                    problem(s, key + "[" + (i + 1) + "] in " + name + " must be a string, not " + s.describe()
                            + (s.isNull() ? "" : ": quote it (\"" + s.text() + "\")"));
                } else {
                    problem(item, key + "[" + (i + 1) + "] in " + name + " must be a string, not " + kind(item));
                }
            }
            return out;
        }

        /** A string-valued key; null (with a problem) if it is not one. */
        private String string(Entry e, String what, boolean required) {
            Node v = e.value();
            if (v instanceof Scalar s && s.isString()) {
                if (required && s.text().isBlank()) {
                    problem(s, what + " is empty");
                    return null;
                }
                return s.text();
            }
            if (v instanceof Scalar s && s.reported()) {
                return null;
            }
            if (v instanceof Scalar s && s.isNull()) {
                if (required) {
                    problem(s, what + " is empty");
                }
                return null;
            }
            if (v instanceof Scalar s) {
                problem(s, what + " must be a string, not " + s.describe() + ": quote it (\"" + s.text() + "\")");
                return null;
            }
            problem(v, what + " must be a string, not " + kind(v));
            return null;
        }

        private void unknownKeys(MapNode map, List<String> known, String where) {
            for (Entry e : map.entries().values()) {
                if (!known.contains(e.key())) {
                    String suggestion = suggest(e.key(), known);
                    problem(e.line(), e.column(), "unknown key '" + e.key() + "' " + where
                            + (suggestion != null ? " (did you mean '" + suggestion + "'?)" : ""));
                }
            }
        }

        private static String kind(Node n) {
            if (n instanceof MapNode) {
                return "a mapping";
            }
            if (n instanceof ListNode) {
                return "a list";
            }
            return ((Scalar) n).token == null ? "a value" : ((Scalar) n).describe();
        }
    }

    /** The known key closest to {@code key} (typos, singular for plural), or null if none is close. */
    static String suggest(String key, List<String> known) {
        String k = key.toLowerCase(Locale.ROOT);
        String synonym = SYNONYMS.get(k);
        if (synonym != null && known.contains(synonym)) {
            return synonym;
        }
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            int d = EditDistance.levenshtein(k, candidate);
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        return best != null && bestDistance <= 3 && bestDistance * 2 < best.length() ? best : null;
    }
}

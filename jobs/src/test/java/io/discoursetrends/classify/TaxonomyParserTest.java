package io.discoursetrends.classify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every kind of problem the parser reports, each at its exact line and column (1-based, pointing at the
 * offending key or value), and all of a file's problems in one exception.
 */
class TaxonomyParserTest {

    private static final String VALID = """
            version: "2026-11-22.1"
            topics:
              - id: open-weight-models
                label: Open-weight models
                description: Models with published weights.
                phrases: ["open weights", "Qwen", "深度求索"]
                hashtags: ["LocalLLaMA", "#opensource"]
                communities: ["r/LocalLLaMA", "sigmoid.social"]
                regexes: ["\\\\bllama[- ]?[0-9]"]
                exclude: ["llama farm"]
                languages: ["en", "DE"]
              - id: ai-art
                label: AI art
                hashtags: [AIArt]
            """;

    /** The problems of {@code yaml}, formatted as the CLI prints them. */
    private static List<String> problems(String yaml) {
        TaxonomyException e = catchThrowableOfType(TaxonomyException.class,
                () -> TaxonomyParser.parse(yaml, "topics.yaml"));
        assertThat(e).as("expected problems in:%n%s", yaml).isNotNull();
        return e.formatted();
    }

    @Test
    void validTaxonomyKeepsEveryFieldAsWrittenAndItsSource() {
        Taxonomy t = TaxonomyParser.parse(VALID, "topics.yaml");
        assertThat(t.version()).isEqualTo("2026-11-22.1");
        assertThat(t.source()).isEqualTo(VALID);
        assertThat(t.topics()).extracting(TopicDefinition::id).containsExactly("open-weight-models", "ai-art");
        TopicDefinition d = t.topics().get(0);
        assertThat(d).isEqualTo(new TopicDefinition("open-weight-models", "Open-weight models",
                "Models with published weights.", List.of("open weights", "Qwen", "深度求索"),
                List.of("LocalLLaMA", "#opensource"), List.of("r/LocalLLaMA", "sigmoid.social"),
                List.of("\\bllama[- ]?[0-9]"), List.of("llama farm"), List.of("en", "de")));
        assertThat(t.topics().get(1).description()).isNull();
        assertThat(t.topics().get(1).phrases()).isEmpty();
        assertThat(t.summary()).isEqualTo("2 topics, 3 phrases, 3 hashtags, 2 communities, 1 regexes");
    }

    @Test
    void unknownKeysAreReportedWithASuggestion() {
        assertThat(problems("""
                version: "1"
                topic: []
                topics:
                  - id: a
                    label: A
                    phrase: ["x"]
                    keywords: ["y"]
                    colour: red
                """)).containsExactly(
                "topics.yaml:2:1: unknown key 'topic' at the top level (did you mean 'topics'?)",
                "topics.yaml:4:5: topic 'a' is empty: it has no phrases, hashtags, communities or regexes, so it"
                        + " can never match",
                "topics.yaml:6:5: unknown key 'phrase' in topic 'a' (did you mean 'phrases'?)",
                "topics.yaml:7:5: unknown key 'keywords' in topic 'a' (did you mean 'phrases'?)",
                "topics.yaml:8:5: unknown key 'colour' in topic 'a'");
    }

    @Test
    void wrongTypesNameWhatWasFoundAndHowToFixIt() {
        assertThat(problems("""
                version: 1.10
                topics:
                  - id: a
                    label: [A]
                    phrases: "open weights"
                    hashtags: [ok, 3090, no, {x: 1}]
                    languages: {en: true}
                  - just a string
                """)).containsExactly(
                "topics.yaml:1:10: 'version' must be a string, not the number 1.10: quote it (\"1.10\")",
                "topics.yaml:4:12: 'label' in topic 'a' must be a string, not a list",
                "topics.yaml:5:14: 'phrases' in topic 'a' must be a list, e.g. phrases: [\"open weights\"]",
                "topics.yaml:6:20: hashtags[2] in topic 'a' must be a string, not the number 3090: quote it (\"3090\")",
                "topics.yaml:6:26: hashtags[3] in topic 'a' must be a string, not 'no', which YAML reads as a"
                        + " boolean: quote it (\"no\")",
                "topics.yaml:6:30: hashtags[4] in topic 'a' must be a string, not a mapping",
                "topics.yaml:7:16: 'languages' in topic 'a' must be a list, not a mapping",
                "topics.yaml:8:5: topic #2 must be a mapping (id, label, phrases, ...), not 'just a string'");
    }

    @Test
    void missingRequiredKeysPointAtTheMappingThatLacksThem() {
        assertThat(problems("""
                # no version
                topics:
                  - label: A
                    phrases: [x]
                  - id: b
                    phrases: [y]
                  - id: c
                    label: ""
                    phrases: [z]
                """)).containsExactly(
                "topics.yaml:2:1: missing required key 'version'",
                "topics.yaml:3:5: topic #1 has no 'id'",
                "topics.yaml:5:5: topic 'b' has no 'label'",
                "topics.yaml:8:12: 'label' in topic 'c' is empty");
        assertThat(problems("version: \"1\"\n")).containsExactly("topics.yaml:1:1: missing required key 'topics'");
        assertThat(problems("version: \"\\x02\\x05\"\ntopics: []\n")).contains(
                "topics.yaml:1:10: 'version' contains a control character: use printable characters only");
        assertThat(problems("version: \"1\"\ntopics: []\n"))
                .containsExactly("topics.yaml:2:9: 'topics' is empty: a taxonomy needs at least one topic");
        assertThat(problems("")).containsExactly("topics.yaml:1:1: the taxonomy is empty: it needs 'version' and 'topics'");
        assertThat(problems("- a\n- b\n"))
                .containsExactly("topics.yaml:1:1: a taxonomy is a mapping with 'version' and 'topics', not a list");
    }

    @Test
    void emptyTopicIsReportedAtItsStart() {
        assertThat(problems("""
                version: "1"
                topics:
                  - id: a
                    label: A
                    phrases: []
                    exclude: ["x"]
                    hashtags:
                """)).containsExactly("topics.yaml:3:5: topic 'a' is empty: it has no phrases, hashtags,"
                + " communities or regexes, so it can never match");
    }

    @Test
    void duplicateIdPointsAtTheSecondAndNamesTheFirstLine() {
        assertThat(problems("""
                version: "1"
                topics:
                  - id: a
                    label: A
                    phrases: [x]
                  - id: a
                    label: Again
                    phrases: [y]
                """)).containsExactly("topics.yaml:6:9: duplicate topic id 'a' (first defined on line 3)");
    }

    @Test
    void invalidAndReservedIds() {
        assertThat(problems("""
                version: "1"
                topics:
                  - id: Open Weights
                    label: A
                    phrases: [x]
                  - id: _all
                    label: B
                    phrases: [y]
                  - id: -dash
                    label: C
                    phrases: [z]
                """)).containsExactly(
                "topics.yaml:3:9: invalid topic id 'Open Weights': use 1 to 64 lower-case letters (a-z), digits"
                        + " and '-', starting with a letter or digit",
                "topics.yaml:6:9: topic id '_all' starts with '_', which is reserved for the job's own use",
                "topics.yaml:9:9: invalid topic id '-dash': use 1 to 64 lower-case letters (a-z), digits and '-',"
                        + " starting with a letter or digit");
        String longId = "a".repeat(65);
        assertThat(problems("version: \"1\"\ntopics:\n  - id: " + longId + "\n    label: L\n    phrases: [x]\n"))
                .singleElement().asString().startsWith("topics.yaml:3:9: invalid topic id '" + longId + "'");
    }

    @Test
    void badRegexCarriesTheRe2MessageAndEmptyMatchingRegexIsRefused() {
        assertThat(problems("""
                version: "1"
                topics:
                  - id: a
                    label: A
                    regexes: ["(open", "ok", "x*", "(?<=a)b"]
                """)).containsExactly(
                "topics.yaml:5:15: bad regex in topic 'a': error parsing regexp: missing closing ): `(open`",
                "topics.yaml:5:30: regex 'x*' in topic 'a' matches empty text, so it would match every post",
                "topics.yaml:5:36: bad regex in topic 'a': error parsing regexp: invalid named capture:"
                        + " `(?<=a)b`");
    }

    @Test
    void emptyBlankAndTokenlessPhrases() {
        assertThat(problems("""
                version: "1"
                topics:
                  - id: a
                    label: A
                    phrases: ["", "  ", "!!!", "ok"]
                    exclude: ["--"]
                """)).containsExactly(
                "topics.yaml:5:15: empty phrase in topic 'a'",
                "topics.yaml:5:19: empty phrase in topic 'a'",
                "topics.yaml:5:25: phrase '!!!' in topic 'a' has no letters or digits, so it can never match",
                "topics.yaml:6:15: exclude phrase '--' in topic 'a' has no letters or digits, so it can never match");
    }

    @Test
    void hashtagsCommunitiesAndLanguagesAreChecked() {
        assertThat(problems("""
                version: "1"
                topics:
                  - id: a
                    label: A
                    hashtags: ["#open source", "#", "ok_tag"]
                    communities: ["r/has space", "r/x", "LocalLLaMA", "sigmoid.social", "not a domain"]
                    languages: ["en-GB", "english", "de"]
                """)).containsExactly(
                "topics.yaml:5:16: hashtag '#open source' in topic 'a' can hold only letters, digits and '_'"
                        + " (after an optional '#')",
                "topics.yaml:5:32: empty hashtag in topic 'a'",
                "topics.yaml:6:19: community 'r/has space' in topic 'a' is neither a subreddit ('r/name', letters,"
                        + " digits and '_') nor a Mastodon instance ('host.domain')",
                "topics.yaml:6:34: community 'r/x' in topic 'a' is neither a subreddit ('r/name', letters, digits"
                        + " and '_') nor a Mastodon instance ('host.domain')",
                "topics.yaml:6:73: community 'not a domain' in topic 'a' is neither a subreddit ('r/name', letters,"
                        + " digits and '_') nor a Mastodon instance ('host.domain')",
                "topics.yaml:7:17: language 'en-GB' in topic 'a' is not a primary language subtag such as 'en' or"
                        + " 'de'",
                "topics.yaml:7:26: language 'english' in topic 'a' is not a primary language subtag such as 'en' or"
                        + " 'de'");
    }

    @Test
    void yamlSyntaxErrorIsOneLineAtItsPosition() {
        assertThat(problems("""
                version: "1"
                topics:
                  - id: a
                    label: A
                    phrases: ["x", "y"
                  - id: b
                """)).containsExactly("topics.yaml:6:3: YAML syntax error: expected ',' or ']', but got -"
                + " (while parsing a flow sequence at line 5, column 14)");
        assertThat(problems("version: \"1\"\ntopics:\n\t- id: a\n")).singleElement().asString()
                .startsWith("topics.yaml:3:1: YAML syntax error: found character '\\t(TAB)' that cannot start any token");
    }

    @Test
    void duplicateKeysAliasesAndSecondDocumentsAreRefused() {
        assertThat(problems("""
                version: "1"
                topics:
                  - id: a
                    label: A
                    phrases: [x]
                    phrases: [y]
                  - &t {id: b, label: B, phrases: [z]}
                  - *t
                ---
                version: "2"
                """)).containsExactly(
                "topics.yaml:6:5: duplicate key 'phrases' (first on line 5)",
                "topics.yaml:8:5: YAML aliases (*t) are not supported here: write the value out",
                "topics.yaml:10:1: a second YAML document ('---'): a taxonomy file holds exactly one");
    }

    @Test
    void allProblemsOfAFileComeTogetherInFileOrder() {
        TaxonomyException e = catchThrowableOfType(TaxonomyException.class, () -> TaxonomyParser.parse("""
                version: ""
                topics:
                  - id: B
                    label: X
                    regexes: ["["]
                  - id: c
                    lable: C
                    phrases: [x]
                """, "t.yaml"));
        assertThat(e.problems()).extracting(TaxonomyException.Problem::line).containsExactly(1, 3, 5, 6, 7);
        assertThat(e.getMessage().lines()).hasSize(5).allMatch(l -> l.startsWith("t.yaml:"));
        assertThat(e.formatted().get(4)).isEqualTo("t.yaml:7:5: unknown key 'lable' in topic 'c' (did you mean 'label'?)");
        assertThat(e.source()).isEqualTo("t.yaml");
    }

    @Test
    void absentOptionalListsAreEmptyAndNullListsToo() {
        Taxonomy t = TaxonomyParser.parse("version: v\ntopics:\n  - id: a\n    label: A\n    phrases: [x]\n"
                + "    hashtags:\n    languages: []\n", "t.yaml");
        TopicDefinition d = t.topics().get(0);
        assertThat(d.hashtags()).isEmpty();
        assertThat(d.languages()).isEmpty();
        assertThat(d.regexes()).isEmpty();
    }

    @Test
    void suggestionsCoverTyposPluralsAndSynonymsButNotUnrelatedWords() {
        List<String> keys = TaxonomyParser.TOPIC_KEYS;
        assertThat(TaxonomyParser.suggest("phrase", keys)).isEqualTo("phrases");
        assertThat(TaxonomyParser.suggest("hashtag", keys)).isEqualTo("hashtags");
        assertThat(TaxonomyParser.suggest("community", keys)).isEqualTo("communities");
        assertThat(TaxonomyParser.suggest("Regex", keys)).isEqualTo("regexes");
        assertThat(TaxonomyParser.suggest("excludes", keys)).isEqualTo("exclude");
        assertThat(TaxonomyParser.suggest("langauges", keys)).isEqualTo("languages");
        assertThat(TaxonomyParser.suggest("tags", keys)).isEqualTo("hashtags");
        assertThat(TaxonomyParser.suggest("colour", keys)).isNull();
        assertThat(TaxonomyParser.suggest("x", keys)).isNull();
    }

    @Test
    void hostileNestingIsAProblemNotAStackOverflow() {
        String deep = "version: \"1\"\ntopics: " + "[".repeat(5000) + "]".repeat(5000) + "\n";
        assertThatThrownBy(() -> TaxonomyParser.parse(deep, "t.yaml")).isInstanceOf(TaxonomyException.class);
    }
}

package io.discoursetrends.classify;

import java.util.List;

/**
 * One topic of a {@link Taxonomy}, as written in the YAML (terms are kept as the analyst wrote them; they are
 * normalized when the taxonomy is compiled). Lists are never null and immutable; {@code description} may be
 * null. See {@link TaxonomyParser} for what each field means and what makes it valid.
 */
public record TopicDefinition(
        String id,
        String label,
        String description,
        List<String> phrases,
        List<String> hashtags,
        List<String> communities,
        List<String> regexes,
        List<String> exclude,
        List<String> languages) {

    public TopicDefinition {
        phrases = List.copyOf(phrases);
        hashtags = List.copyOf(hashtags);
        communities = List.copyOf(communities);
        regexes = List.copyOf(regexes);
        exclude = List.copyOf(exclude);
        languages = List.copyOf(languages);
    }
}

package io.discoursetrends.classify;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * A parsed, valid topic taxonomy: its version (recorded in every output document), its topics in file order,
 * and the YAML it was parsed from. The job keeps {@link #source()} (a String) in broadcast state and parses it
 * again on restore, so no parsed structure has to be serializable. Obtain one from {@link TaxonomyParser}.
 */
public record Taxonomy(String version, List<TopicDefinition> topics, String source) {

    /** The classpath resource holding the taxonomy shipped with the job. */
    public static final String DEFAULT_RESOURCE = "taxonomy/default-taxonomy.yaml";

    public Taxonomy {
        topics = List.copyOf(topics);
    }

    /**
     * The taxonomy shipped in the jar (taxonomy/default-taxonomy.yaml), parsed once.
     *
     * @throws IllegalStateException if the resource is missing or invalid: a broken build, not a user error
     */
    public static Taxonomy defaultTaxonomy() {
        return DefaultHolder.DEFAULT;
    }

    public Optional<TopicDefinition> topic(String id) {
        return topics.stream().filter(t -> t.id().equals(id)).findFirst();
    }

    public int phraseCount() {
        return topics.stream().mapToInt(t -> t.phrases().size()).sum();
    }

    public int hashtagCount() {
        return topics.stream().mapToInt(t -> t.hashtags().size()).sum();
    }

    public int communityCount() {
        return topics.stream().mapToInt(t -> t.communities().size()).sum();
    }

    public int regexCount() {
        return topics.stream().mapToInt(t -> t.regexes().size()).sum();
    }

    /** "N topics, M phrases, H hashtags, C communities, R regexes", as {@code topics validate} prints it. */
    public String summary() {
        return topics.size() + " topics, " + phraseCount() + " phrases, " + hashtagCount() + " hashtags, "
                + communityCount() + " communities, " + regexCount() + " regexes";
    }

    @Override
    public String toString() {
        return "Taxonomy[" + version + ", " + topics.size() + " topics]";
    }

    private static final class DefaultHolder {
        static final Taxonomy DEFAULT = load();

        private static Taxonomy load() {
            try (InputStream in = Taxonomy.class.getClassLoader().getResourceAsStream(DEFAULT_RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("the default taxonomy " + DEFAULT_RESOURCE
                            + " is missing from the classpath");
                }
                String yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                return TaxonomyParser.parse(yaml, DEFAULT_RESOURCE);
            } catch (TaxonomyException e) {
                throw new IllegalStateException("the default taxonomy is invalid:\n" + e.getMessage(), e);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}

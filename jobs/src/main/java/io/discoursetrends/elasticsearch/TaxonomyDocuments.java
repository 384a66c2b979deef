package io.discoursetrends.elasticsearch;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.discoursetrends.classify.Taxonomy;
import io.discoursetrends.classify.TaxonomyException;
import io.discoursetrends.classify.TaxonomyParser;
import io.discoursetrends.classify.TaxonomyUpdate;
import io.discoursetrends.classify.TopicDefinition;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * The {@code discourse-taxonomies} document of a taxonomy the job has applied
 * (schemas/json/taxonomy-version.schema.json): its version, when it was published and from when it applies,
 * and each topic's id, label and description, so dashboards can show labels and analysts can see which
 * taxonomy produced a bucket ({@code taxonomy_versions}). Id: the version.
 */
public final class TaxonomyDocuments implements DocumentMapper<TaxonomyUpdate> {
    private static final long serialVersionUID = 1L;
    private static final JsonFactory JSON = new JsonFactory();

    private final String base;

    public TaxonomyDocuments(String base) {
        this.base = base;
    }

    @Override
    public String index(TaxonomyUpdate t) {
        return TimeBasedIndex.name(base, t.publishedAtMillis());
    }

    @Override
    public String id(TaxonomyUpdate t) {
        return t.version();
    }

    @Override
    public byte[] source(TaxonomyUpdate t) {
        Taxonomy taxonomy;
        try {
            taxonomy = TaxonomyParser.parse(t.yaml(), "taxonomy " + t.version());
        } catch (TaxonomyException e) {
            // The classifier only applies taxonomies that parse; this one did a moment ago.
            throw new IllegalStateException("an applied taxonomy no longer parses: " + e.getMessage(), e);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(1024);
        try (JsonGenerator g = JSON.createGenerator(bytes)) {
            g.writeStartObject();
            g.writeStringField("kind", "taxonomy");
            g.writeStringField("version", t.version());
            g.writeStringField("published_at", Instant.ofEpochMilli(t.publishedAtMillis()).toString());
            if (t.effectiveFromMillis() != null) {
                g.writeStringField("effective_from", Instant.ofEpochMilli(t.effectiveFromMillis()).toString());
            }
            g.writeArrayFieldStart("topics");
            for (TopicDefinition topic : taxonomy.topics()) {
                g.writeStartObject();
                g.writeStringField("id", topic.id());
                g.writeStringField("label", topic.label());
                if (topic.description() != null) {
                    g.writeStringField("description", topic.description());
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}

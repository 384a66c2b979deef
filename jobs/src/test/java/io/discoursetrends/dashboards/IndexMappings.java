package io.discoursetrends.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.Set;

/**
 * The mappings of one document kind as its index template declares them
 * ({@code schemas/elasticsearch/<alias>.index-template.json} on the test class path): what type a dotted field
 * path has, and whether Elasticsearch can aggregate, sort or filter on it. The templates are {@code dynamic:
 * strict}, so a field that is not here cannot exist in the index at all.
 */
final class IndexMappings {
    static final Set<String> NUMERIC = Set.of("long", "integer", "short", "byte", "double", "float", "half_float",
            "scaled_float", "unsigned_long");
    static final Set<String> DATES = Set.of("date", "date_nanos");

    /** One mapped leaf field. {@code indexed}: searchable (filters work); {@code docValues}: aggregatable. */
    record Field(String path, String type, boolean indexed, boolean docValues) {
        boolean isNumeric() {
            return NUMERIC.contains(type);
        }

        boolean isDate() {
            return DATES.contains(type);
        }

        boolean isKeyword() {
            return "keyword".equals(type);
        }

        /** text (and other analyzed types) have no doc values: Elasticsearch refuses to aggregate or sort on them. */
        boolean isAggregatable() {
            return docValues && !"text".equals(type) && !"match_only_text".equals(type);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    final String alias;
    private final JsonNode properties;

    private IndexMappings(String alias, JsonNode properties) {
        this.alias = alias;
        this.properties = properties;
    }

    /** The template of the kind read through {@code alias} (data view titles are these aliases). */
    static IndexMappings forAlias(String alias) {
        String path = "schemas/elasticsearch/" + alias + ".index-template.json";
        try (InputStream in = IndexMappings.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalArgumentException("no index template " + path + " for the data view " + alias);
            }
            return new IndexMappings(alias, JSON.readTree(in).at("/template/mappings/properties"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The leaf field at a dotted path ({@code top_posts.text}), or empty if the template does not map one. */
    Optional<Field> field(String path) {
        JsonNode node = null;
        JsonNode level = properties;
        for (String part : path.split("\\.")) {
            if (level == null || !level.has(part)) {
                return Optional.empty();
            }
            node = level.get(part);
            level = node.get("properties");
        }
        if (node == null || !node.has("type")) {
            return Optional.empty(); // an object, not a field
        }
        String type = node.get("type").asText();
        boolean indexed = node.path("index").asBoolean(true);
        boolean docValues = node.path("doc_values").asBoolean(!"text".equals(type));
        return Optional.of(new Field(path, type, indexed, docValues));
    }
}

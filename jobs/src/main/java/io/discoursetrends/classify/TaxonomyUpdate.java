package io.discoursetrends.classify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.discoursetrends.normalize.CanonicalJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * A new taxonomy for the running job, as published on the control topic ({@value #DEFAULT_TOPIC}, key
 * {@value #KEY}) by {@code discourse-trends topics publish}:
 *
 * <pre>
 * {"version":"2026-11-22.1","yaml":"version: ...","effective_from_millis":1795000000000,"published_at_millis":1794990000000}
 * </pre>
 *
 * {@code effectiveFromMillis} (epoch milliseconds of event time) null means the taxonomy applies to every
 * event processed after the update arrives; set, it applies to events at or after that time. The YAML
 * travels whole (not a parsed form) so the job validates it with the same parser and keeps it in broadcast
 * state as a String.
 */
public record TaxonomyUpdate(String version, String yaml, Long effectiveFromMillis, long publishedAtMillis)
        implements java.io.Serializable {

    public static final String DEFAULT_TOPIC = "discourse.control.taxonomy";
    /** Every update has this key, so they share a partition (keeping their order) and compaction keeps the last. */
    public static final String KEY = "taxonomy";

    private static final ObjectMapper JSON = CanonicalJson.newMapper();

    public TaxonomyUpdate {
        if (version == null || version.isBlank()) {
            throw new IllegalArgumentException("a taxonomy update needs a version");
        }
        if (yaml == null || yaml.isBlank()) {
            throw new IllegalArgumentException("a taxonomy update needs its YAML");
        }
    }

    public static TaxonomyUpdate of(Taxonomy taxonomy, Instant effectiveFrom, Instant publishedAt) {
        return new TaxonomyUpdate(taxonomy.version(), taxonomy.source(),
                effectiveFrom == null ? null : effectiveFrom.toEpochMilli(), publishedAt.toEpochMilli());
    }

    /** Parses the carried YAML. @throws TaxonomyException if it is invalid, or names another version */
    public Taxonomy taxonomy() {
        Taxonomy t = TaxonomyParser.parse(yaml, "taxonomy update " + version);
        if (!t.version().equals(version)) {
            throw new TaxonomyException("taxonomy update " + version, List.of(new TaxonomyException.Problem(
                    1, 1, "the update says version '" + version + "' but its YAML says '" + t.version() + "'")));
        }
        return t;
    }

    /** The JSON form (UTF-8), as it goes on the control topic. */
    public byte[] toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("version", version);
        n.put("yaml", yaml);
        if (effectiveFromMillis != null) {
            n.put("effective_from_millis", effectiveFromMillis.longValue());
        }
        n.put("published_at_millis", publishedAtMillis);
        try {
            return JSON.writeValueAsBytes(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a taxonomy update as JSON", e); // strings and numbers only
        }
    }

    /**
     * Reads {@link #toJson()}'s form. Unknown fields are ignored, so a newer publisher can add some.
     *
     * @throws IllegalArgumentException naming what is wrong, for anything else
     */
    public static TaxonomyUpdate fromJson(byte[] json) {
        if (json == null || json.length == 0) {
            throw new IllegalArgumentException("taxonomy update is empty");
        }
        JsonNode n;
        try {
            n = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("taxonomy update is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("taxonomy update is not a JSON object but "
                    + (n == null ? "nothing" : n.getNodeType().name().toLowerCase(Locale.ROOT)));
        }
        String version = text(n, "version");
        String yaml = text(n, "yaml");
        JsonNode from = n.get("effective_from_millis");
        Long effectiveFrom = from == null || from.isNull() ? null : millis(from, "effective_from_millis");
        JsonNode published = n.get("published_at_millis");
        if (published == null || published.isNull()) {
            throw new IllegalArgumentException("taxonomy update has no published_at_millis");
        }
        return new TaxonomyUpdate(version, yaml, effectiveFrom, millis(published, "published_at_millis"));
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("taxonomy update has no " + field);
        }
        if (!v.isTextual()) {
            throw new IllegalArgumentException("taxonomy update " + field + " is "
                    + v.getNodeType().name().toLowerCase(Locale.ROOT) + ", expected a string");
        }
        if (v.textValue().isBlank()) {
            throw new IllegalArgumentException("taxonomy update has an empty " + field);
        }
        return v.textValue();
    }

    private static long millis(JsonNode v, String field) {
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            String what = v.isNumber() ? v.asText() : v.getNodeType().name().toLowerCase(Locale.ROOT);
            throw new IllegalArgumentException("taxonomy update " + field + " is " + what
                    + ", expected epoch milliseconds (an integer)");
        }
        return v.longValue();
    }
}

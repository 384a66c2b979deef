package io.discoursetrends.normalize;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.discoursetrends.model.CanonicalEvent;
import io.discoursetrends.model.Engagement;
import io.discoursetrends.model.Post;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The one place Jackson is configured for this project: instants as ISO-8601 strings, nulls left out, and
 * read limits that turn hostile input (nesting thousands deep, strings of hundreds of megabytes) into a
 * parse error, which the normalizers report as malformed, instead of a stack overflow or an exhausted heap.
 *
 * <p>{@link #write(CanonicalEvent)} gives the JSON that schemas/json/post.schema.json and
 * engagement.schema.json describe: the inner post or engagement, with its {@code kind}.
 */
public final class CanonicalJson {

    /** Raw platform records nest a few levels (a Reddit thing with media metadata: about ten). */
    public static final int MAX_NESTING_DEPTH = 200;

    /** Far above any real post body (Reddit allows 40,000 characters, Mastodon instances a few thousand). */
    public static final int MAX_STRING_CHARS = 1_000_000;

    /** Kafka's default message size is 1 MiB; a record is refused well before it can hurt the heap. */
    public static final long MAX_RECORD_BYTES = 16L * 1024 * 1024;

    private static final ObjectMapper SHARED = newMapper();
    private static final ObjectWriter WRITER = SHARED.writer();

    private CanonicalJson() {}

    /** A new mapper with the project's settings and the read limits for one raw record. */
    public static ObjectMapper newMapper() {
        return newMapper(StreamReadConstraints.builder()
                .maxNestingDepth(MAX_NESTING_DEPTH)
                .maxStringLength(MAX_STRING_CHARS)
                .maxDocumentLength(MAX_RECORD_BYTES)
                .build());
    }

    /** A new mapper with the project's settings and the given read limits (API responses need deeper ones). */
    static ObjectMapper newMapper(StreamReadConstraints constraints) {
        JsonFactory factory = JsonFactory.builder().streamReadConstraints(constraints).build();
        return JsonMapper.builder(factory)
                .addModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                // "{...} garbage" on one line is a broken record, not a record.
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                // {"text":"harmless","text":"other"}: which one a reader sees depends on the reader, so a record
                // with a key twice is malformed. Checked by the tree builder where it stores a field (the put
                // returns the value it replaced), so it costs nothing per record, unlike the parser's
                // STRICT_DUPLICATE_DETECTION, which keeps a set of names for every object.
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .serializationInclusion(JsonInclude.Include.NON_NULL)
                .build();
    }

    /** The canonical JSON of an event as a string (one line, no trailing newline). */
    public static String write(CanonicalEvent event) {
        try {
            return WRITER.writeValueAsString(event.payload());
        } catch (JsonProcessingException e) {
            // Posts and engagement hold only strings, numbers and instants: this is a bug, not bad input.
            throw new IllegalStateException("cannot write " + event + " as JSON", e);
        }
    }

    /** The canonical JSON of an event as UTF-8 bytes. */
    public static byte[] writeBytes(CanonicalEvent event) {
        try {
            return WRITER.writeValueAsBytes(event.payload());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + event + " as JSON", e);
        }
    }

    /**
     * Reads canonical JSON back (the inverse of {@link #write}); {@code kind} says which record it is.
     *
     * @throws IllegalArgumentException if the document is not a canonical post or engagement
     */
    public static CanonicalEvent read(byte[] json) {
        try {
            JsonNode node = SHARED.readTree(json);
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException("a canonical event is a JSON object");
            }
            ObjectNode obj = (ObjectNode) node;
            JsonNode kind = obj.remove("kind");
            String k = kind == null ? null : kind.asText();
            if (Post.KIND.equals(k)) {
                return CanonicalEvent.of(SHARED.treeToValue(obj, Post.class));
            }
            if (Engagement.KIND.equals(k)) {
                return CanonicalEvent.of(SHARED.treeToValue(obj, Engagement.class));
            }
            throw new IllegalArgumentException("kind is " + k + ", expected post or engagement");
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a canonical event: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

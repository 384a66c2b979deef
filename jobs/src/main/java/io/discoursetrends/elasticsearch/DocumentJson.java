package io.discoursetrends.elasticsearch;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.discoursetrends.buckets.TrendBucket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Writing the job's documents with Jackson's streaming generator (no object mapper and no intermediate tree on
 * the sink's path), and the parts several documents share.
 */
final class DocumentJson {
    private static final JsonFactory JSON = new JsonFactory();

    interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private DocumentJson() {}

    /** One JSON object, its fields written by {@code body}. */
    static byte[] object(int sizeHint, Body body) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(sizeHint);
        try (JsonGenerator g = JSON.createGenerator(bytes)) {
            g.writeStartObject();
            body.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing to memory
        }
        return bytes.toByteArray();
    }

    /** {@code field: [{id, url?, text?, engagement}]}: the posts behind a bucket or a spike. */
    static void topPosts(JsonGenerator g, String field, TrendBucket.TopPost[] posts) throws IOException {
        g.writeArrayFieldStart(field);
        for (TrendBucket.TopPost p : posts) {
            g.writeStartObject();
            g.writeStringField("id", p.id());
            optional(g, "url", p.url());
            optional(g, "text", p.text());
            g.writeNumberField("engagement", p.engagement());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    static void optional(JsonGenerator g, String field, String value) throws IOException {
        if (value != null) {
            g.writeStringField(field, value);
        }
    }
}

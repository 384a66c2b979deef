package io.discoursetrends.elasticsearch;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.discoursetrends.engagement.IndexedPost;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * The {@code discourse-posts} document of a matched post (schemas/json/post-document.schema.json), in the monthly
 * index of its creation, id {@code platform|id}: written whole when the post arrives, then each rewrite of a
 * {@link IndexedPost#partial} one is a partial update that sets the newer totals and {@code updated_at} (absolute
 * values: a replayed update sets them again). The document in the index is the same as if rewritten whole.
 */
public final class PostDocuments implements DocumentMapper<IndexedPost> {
    private static final long serialVersionUID = 1L;
    private static final JsonFactory JSON = new JsonFactory();

    private final String base;

    public PostDocuments(String base) {
        this.base = base;
    }

    @Override
    public String index(IndexedPost p) {
        return TimeBasedIndex.name(base, p.createdAtMillis());
    }

    @Override
    public String id(IndexedPost p) {
        return p.documentId();
    }

    @Override
    public boolean partial(IndexedPost p) {
        return p.partial();
    }

    @Override
    public byte[] source(IndexedPost p) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(p.partial() ? 160 : 512);
        try (JsonGenerator g = JSON.createGenerator(bytes)) {
            g.writeStartObject();
            if (!p.partial()) {
                whole(g, p);
            }
            engagement(g, p);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** What the post's arrival writes and no rewrite changes. */
    private static void whole(JsonGenerator g, IndexedPost p) throws IOException {
        g.writeStringField("kind", "post");
        g.writeStringField("platform", p.platform());
        g.writeStringField("id", p.id());
        optional(g, "url", p.url());
        optional(g, "text", p.text());
        g.writeArrayFieldStart("topics");
        for (String t : p.topics()) {
            g.writeString(t);
        }
        g.writeEndArray();
        optional(g, "taxonomy_version", p.taxonomyVersion());
        optional(g, "author_id", p.authorId());
        optional(g, "author_handle", p.authorHandle());
        optional(g, "lang", p.lang());
        optional(g, "community", p.community());
        g.writeStringField("created_at", Instant.ofEpochMilli(p.createdAtMillis()).toString());
    }

    /** What changes as engagement comes in: all a partial update sets. */
    private static void engagement(JsonGenerator g, IndexedPost p) throws IOException {
        g.writeStringField("updated_at", Instant.ofEpochMilli(p.updatedAtMillis()).toString());
        g.writeNumberField("likes", p.likes());
        g.writeNumberField("reposts", p.reposts());
        g.writeNumberField("replies", p.replies());
        g.writeNumberField("quotes", p.quotes());
        g.writeNumberField("votes", p.votes());
        g.writeNumberField("engagement", p.engagement());
    }

    private static void optional(JsonGenerator g, String field, String value) throws IOException {
        if (value != null) {
            g.writeStringField(field, value);
        }
    }
}

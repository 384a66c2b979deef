package io.discoursetrends.elasticsearch;

import com.fasterxml.jackson.core.JsonGenerator;
import io.discoursetrends.buckets.TrendBucket;
import java.io.IOException;
import java.time.Instant;

/**
 * The {@code discourse-trends} document of a {@link TrendBucket} (schemas/json/trend-bucket.schema.json), in
 * the monthly index of the bucket's start: a bucket always lands in the same concrete index, so rewriting it
 * (early result, complete, late update) replaces the document instead of adding one.
 */
public final class TrendBucketDocuments implements DocumentMapper<TrendBucket> {
    private static final long serialVersionUID = 1L;

    private final String base;

    public TrendBucketDocuments(String base) {
        this.base = base;
    }

    @Override
    public String index(TrendBucket b) {
        return TimeBasedIndex.name(base, b.bucketStartMillis());
    }

    @Override
    public String id(TrendBucket b) {
        return b.documentId();
    }

    @Override
    public byte[] source(TrendBucket b) {
        return DocumentJson.object(512, g -> {
            g.writeStringField("kind", "trend_bucket");
            g.writeStringField("topic", b.topic());
            g.writeStringField("platform", b.platform());
            g.writeStringField("bucket_start", Instant.ofEpochMilli(b.bucketStartMillis()).toString());
            g.writeStringField("bucket_end", Instant.ofEpochMilli(b.bucketEndMillis()).toString());
            g.writeNumberField("bucket_seconds", (b.bucketEndMillis() - b.bucketStartMillis()) / 1000);
            g.writeBooleanField("complete", b.complete());
            g.writeArrayFieldStart("taxonomy_versions");
            for (String v : b.taxonomyVersions()) {
                g.writeString(v);
            }
            g.writeEndArray();
            g.writeNumberField("posts", b.posts());
            g.writeNumberField("capped_posts", b.cappedPosts());
            g.writeNumberField("bot_posts", b.botPosts());
            g.writeNumberField("likes", b.likes());
            g.writeNumberField("reposts", b.reposts());
            g.writeNumberField("replies", b.replies());
            g.writeNumberField("quotes", b.quotes());
            g.writeNumberField("votes", b.votes());
            g.writeNumberField("engagement", b.engagement());
            g.writeNumberField("unattributed_engagement", b.unattributedEngagement());
            g.writeNumberField("unique_authors", b.uniqueAuthors());
            g.writeNumberField("unique_engagers", b.uniqueEngagers());
            DocumentJson.topPosts(g, "top_posts", b.topPosts());
            counts(g, "top_terms", "term", "count", b.topTerms());
            counts(g, "top_communities", "community", "posts", b.topCommunities());
            counts(g, "languages", "lang", "posts", b.languages());
        });
    }

    private static void counts(JsonGenerator g, String field, String valueName, String countName,
            TrendBucket.Count[] counts) throws IOException {
        g.writeArrayFieldStart(field);
        for (TrendBucket.Count c : counts) {
            g.writeStartObject();
            g.writeStringField(valueName, c.value());
            g.writeNumberField(countName, c.count());
            g.writeEndObject();
        }
        g.writeEndArray();
    }
}

package io.discoursetrends.elasticsearch;

import io.discoursetrends.buckets.PlatformCount;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * The {@code discourse-platform-counts} document of a {@link PlatformCount}
 * (schemas/json/platform-count.schema.json). Written by hand rather than through Jackson: nine numbers and
 * two dates per bucket do not need a mapper on the sink's path.
 */
public final class PlatformCountDocuments implements DocumentMapper<PlatformCount> {
    private static final long serialVersionUID = 1L;

    private final String index;

    public PlatformCountDocuments(String index) {
        this.index = index;
    }

    @Override
    public String index(PlatformCount c) {
        return index;
    }

    @Override
    public String id(PlatformCount c) {
        return c.documentId();
    }

    @Override
    public byte[] source(PlatformCount c) {
        return ("{\"kind\":\"platform_count\",\"platform\":\"" + c.platform().id()
                + "\",\"bucket_start\":\"" + Instant.ofEpochMilli(c.bucketStartMillis())
                + "\",\"bucket_end\":\"" + Instant.ofEpochMilli(c.bucketEndMillis())
                + "\",\"bucket_seconds\":" + (c.bucketEndMillis() - c.bucketStartMillis()) / 1000
                + ",\"posts\":" + c.posts()
                + ",\"replies\":" + c.replies()
                + ",\"quotes\":" + c.quotes()
                + ",\"likes\":" + c.likes()
                + ",\"reposts\":" + c.reposts()
                + ",\"votes\":" + c.votes()
                + ",\"engagement\":" + c.engagement() + "}").getBytes(StandardCharsets.UTF_8);
    }
}

package io.discoursetrends.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import io.discoursetrends.buckets.TrendBucket;
import io.discoursetrends.kafka.DeadLetterSerializer;
import io.discoursetrends.model.DeadLetter;
import io.discoursetrends.model.Platform;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The documents the job writes (trend buckets to Elasticsearch, dead letters to Kafka) are valid against
 * their JSON Schemas, and each index template maps exactly the fields its schema allows: with
 * {@code dynamic: strict}, a field the job writes but the template lacks would be rejected by Elasticsearch.
 */
public class DocumentSchemaTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

    public static JsonSchema schema(String name) {
        return FACTORY.getSchema(SchemaLocation.of("classpath:schemas/json/" + name + ".schema.json"),
                SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build());
    }

    /**
     * The {@code _all} bucket of Bluesky for the minute from {@code start}: every field set, one top post with
     * url and text and one without. Engagement 49 = likes 40 + reposts 5 + replies 3 + quotes 1 + votes 0.
     */
    static TrendBucket allTopicBucket(long start) {
        return new TrendBucket(TrendBucket.ALL_TOPICS, Platform.BLUESKY.id(), start, start + 60_000, true,
                new String[] {"v1"}, 12, 1, 2, 40, 5, 3, 1, 0, 49, 4, 10, 30,
                new TrendBucket.TopPost[] {
                    new TrendBucket.TopPost("at://did:plc:a/post/1", "https://bsky.app/profile/a/post/1", "hello", 9),
                    new TrendBucket.TopPost("at://did:plc:b/post/2", null, null, 5)},
                new TrendBucket.Count[] {new TrendBucket.Count("diffusion", 3)}, new TrendBucket.Count[0],
                new TrendBucket.Count[] {new TrendBucket.Count("en", 12)},
                new TrendBucket.Count[] {new TrendBucket.Count("diffusion", 3), new TrendBucket.Count("lora", 1)});
    }

    @Test
    void allTopicBucketDocumentsMatchTheirSchema() throws Exception {
        TrendBucket b = allTopicBucket(Instant.parse("2026-05-25T14:23:00Z").toEpochMilli());
        TrendBucketDocuments docs = new TrendBucketDocuments("discourse-trends");
        JsonNode doc = JSON.readTree(docs.source(b));
        assertThat(schema("trend-bucket").validate(doc)).as(doc.toString()).isEmpty();
        assertThat(doc.get("kind").asText()).isEqualTo("trend_bucket");
        assertThat(doc.get("topic").asText()).isEqualTo("_all");
        assertThat(doc.get("engagement").asLong()).isEqualTo(49);
        assertThat(doc.get("bucket_start").asText()).isEqualTo("2026-05-25T14:23:00Z");
        assertThat(doc.get("bucket_end").asText()).isEqualTo("2026-05-25T14:24:00Z");
        assertThat(doc.get("bucket_seconds").asLong()).isEqualTo(60);
        assertThat(doc.at("/top_posts/0/url").asText()).isEqualTo("https://bsky.app/profile/a/post/1");
        // A top post without url or text leaves the fields out rather than writing null.
        assertThat(doc.at("/top_posts/1").has("url")).isFalse();
        assertThat(doc.at("/top_posts/1").has("text")).isFalse();
        assertThat(docs.id(b)).isEqualTo("_all|bluesky|2026-05-25T14:23:00Z");
        assertThat(docs.index(b)).isEqualTo("discourse-trends-2026.05");
    }

    @Test
    void deadLettersMatchTheirSchemaAndKeepBytesThatAreNotUtf8() {
        byte[] invalidUtf8 = {'{', (byte) 0xC3, (byte) 0x28, '}'};
        JsonNode d = DeadLetterSerializer.toJson(JSON, new DeadLetter(Platform.REDDIT, "discourse.raw.reddit", 1, 42,
                1_779_719_009_000L, "not valid UTF-8 at byte 1", invalidUtf8));
        assertThat(schema("dead-letter").validate(d)).isEmpty();
        assertThat(d.has("raw_text")).isFalse();
        assertThat(java.util.Base64.getDecoder().decode(d.get("raw_base64").asText())).isEqualTo(invalidUtf8);

        JsonNode text = DeadLetterSerializer.toJson(JSON, new DeadLetter(Platform.BLUESKY, "t", 0, 0, 0, "not JSON",
                "{oops".getBytes(StandardCharsets.UTF_8)));
        assertThat(schema("dead-letter").validate(text)).isEmpty();
        assertThat(text.get("raw_text").asText()).isEqualTo("{oops");
    }

    @Test
    void everyIndexTemplateMapsExactlyItsSchemasFields() throws Exception {
        assertThat(IndexManagement.KINDS).containsExactlyInAnyOrder("discourse-trends", "discourse-spikes",
                "discourse-event-impact", "discourse-posts", "discourse-taxonomies");
        for (String name : IndexManagement.KINDS) {
            JsonNode template = resource("schemas/elasticsearch/" + name + ".index-template.json");
            String schemaPath = template.at("/_meta/schema").asText();
            JsonNode schema = resource(schemaPath.replaceFirst("^schemas/", "schemas/"));
            assertThat(template.at("/template/mappings/dynamic").asText()).isEqualTo("strict");
            assertThat(names(template.at("/template/mappings/properties")))
                    .as(name + " mapping vs " + schemaPath).isEqualTo(names(schema.get("properties")));
        }
    }

    private static Set<String> names(JsonNode object) {
        Set<String> out = new TreeSet<>();
        object.fieldNames().forEachRemaining(out::add);
        return out;
    }

    private static JsonNode resource(String path) throws Exception {
        try (InputStream in = DocumentSchemaTest.class.getClassLoader().getResourceAsStream(path)) {
            assertThat(in).as(path).isNotNull();
            return JSON.readTree(in);
        }
    }
}

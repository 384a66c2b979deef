package io.discoursetrends.buckets;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.discoursetrends.classify.Taxonomy;
import io.discoursetrends.classify.TaxonomyUpdate;
import io.discoursetrends.elasticsearch.DocumentSchemaTest;
import io.discoursetrends.elasticsearch.PostDocuments;
import io.discoursetrends.engagement.IndexedPost;
import io.discoursetrends.elasticsearch.TaxonomyDocuments;
import io.discoursetrends.elasticsearch.TrendBucketDocuments;
import io.discoursetrends.engagement.AttributedEvent;
import io.discoursetrends.kafka.LateEventSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** The documents the job writes for buckets, taxonomies and late events match their JSON Schemas. */
class TrendDocumentsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long T0 = TopicBucketFunctionTest.T0;

    static BucketAccumulator filled() {
        BucketAccumulator a = new BucketAccumulator();
        a.add(TopicBucketFunctionTest.post("p1", 5, "alice", "diffusion", "en"), 3);
        a.add(TopicBucketFunctionTest.post("p2", 6, "bob", "glaze", "de"), 3);
        a.add(TopicBucketFunctionTest.like("p1", 7, "carol", 4), 3);
        a.add(TopicBucketFunctionTest.botPost("b1", 8), 3);
        a.add(TopicBucketFunctionTest.unattributed(9, 2), 3);
        return a;
    }

    @Test
    void shouldWriteBucketDocumentsThatMatchTheSchemaIntoTheMonthlyIndexOfTheBucket() throws Exception {
        TrendBucket b = filled().result("ai-art", "all", T0, T0 + 60_000, true);
        TrendBucketDocuments docs = new TrendBucketDocuments("discourse-trends");
        JsonNode d = JSON.readTree(docs.source(b));

        assertThat(DocumentSchemaTest.schema("trend-bucket").validate(d)).isEmpty();
        assertThat(docs.index(b)).isEqualTo("discourse-trends-2026.05");
        assertThat(docs.id(b)).isEqualTo("ai-art|all|2026-05-25T14:00:00Z");
        assertThat(d.get("engagement").asLong()).isEqualTo(6);
        assertThat(d.get("unattributed_engagement").asLong()).isEqualTo(2);
        assertThat(d.get("bot_posts").asLong()).isEqualTo(1);
        assertThat(d.at("/top_posts/0/id").asText()).isEqualTo("p1");
        assertThat(d.at("/top_posts/0/engagement").asLong()).isEqualTo(4);
        assertThat(d.at("/top_terms/0/term").asText()).isEqualTo("diffusion");
        assertThat(d.at("/languages/1/lang").asText()).isEqualTo("en");
    }

    @Test
    void shouldRestoreAnAccumulatorExactlyFromItsSerializedForm() throws Exception {
        BucketAccumulator a = filled();
        a.fired = true;
        DataOutputSerializer out = new DataOutputSerializer(64);
        BucketAccumulatorSerializer.INSTANCE.serialize(a, out);
        BucketAccumulator back = BucketAccumulatorSerializer.INSTANCE.deserialize(
                new DataInputDeserializer(out.getCopyOfBuffer()));

        assertThat(back.result("t", "p", T0, T0 + 60_000, true)).isEqualTo(a.result("t", "p", T0, T0 + 60_000, true));
        assertThat(back.fired).isTrue();
        // The copy is deep: counting on in the copy leaves the original alone.
        BucketAccumulator copy = BucketAccumulatorSerializer.INSTANCE.copy(a);
        copy.add(TopicBucketFunctionTest.post("p3", 10, "dave", "diffusion", "en"), 3);
        assertThat(copy.result("t", "p", T0, T0, true).posts()).isEqualTo(3);
        assertThat(a.result("t", "p", T0, T0, true).posts()).isEqualTo(2);
        assertThat(copy.result("t", "p", T0, T0, true).uniqueAuthors()).isEqualTo(3);
        assertThat(a.result("t", "p", T0, T0, true).uniqueAuthors()).isEqualTo(2);
    }

    @Test
    void shouldWriteTaxonomyDocumentsWithEveryTopicsLabel() throws Exception {
        Taxonomy t = Taxonomy.defaultTaxonomy();
        TaxonomyUpdate u = new TaxonomyUpdate(t.version(), t.source(), T0, T0);
        TaxonomyDocuments docs = new TaxonomyDocuments("discourse-taxonomies");
        JsonNode d = JSON.readTree(docs.source(u));
        assertThat(DocumentSchemaTest.schema("taxonomy-version").validate(d)).isEmpty();
        assertThat(d.get("topics")).hasSize(t.topics().size());
        assertThat(docs.id(u)).isEqualTo(t.version());
        assertThat(d.get("effective_from").asText()).isEqualTo("2026-05-25T14:00:00Z");
    }

    @Test
    void shouldWritePostDocumentsThatMatchTheirSchema() throws Exception {
        IndexedPost p = new IndexedPost("reddit", "t3_abc", "https://reddit.com/r/LocalLLaMA/abc", "Qwen3 is out",
                new String[] {"open-weight-models"}, "v1", "t2_x", "someone", "en", "LocalLLaMA", T0, 0, 0, 4, 0, 17,
                T0 + 300_000);
        PostDocuments docs = new PostDocuments("discourse-posts");
        JsonNode d = JSON.readTree(docs.source(p));
        assertThat(DocumentSchemaTest.schema("post-document").validate(d)).as(d.toString()).isEmpty();
        assertThat(d.get("engagement").asLong()).isEqualTo(21);
        assertThat(docs.id(p)).isEqualTo("reddit|t3_abc");
        assertThat(docs.index(p)).isEqualTo("discourse-posts-2026.05");
    }

    @Test
    void shouldWriteLateEventsThatMatchTheirSchema() throws Exception {
        for (AttributedEvent e : new AttributedEvent[] {TopicBucketFunctionTest.post("p1", 5, "a", "x", "en"),
            TopicBucketFunctionTest.like("p1", 7, "b", 1), TopicBucketFunctionTest.unattributed(9, 1)}) {
            JsonNode d = JSON.readTree(LateEventSerializer.toJson(e));
            assertThat(DocumentSchemaTest.schema("late-event").validate(d)).as(d.toString()).isEmpty();
        }
    }
}

package io.discoursetrends.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.discoursetrends.engagement.IndexedPost;
import io.discoursetrends.local.LocalElasticsearch;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.apache.flink.runtime.metrics.groups.InternalSinkWriterMetricGroup;
import org.apache.flink.runtime.metrics.groups.UnregisteredMetricGroups;
import org.apache.flink.streaming.runtime.tasks.TestProcessingTimeService;
import org.junit.jupiter.api.Test;

/**
 * The drill-down document's rewrites as partial updates, on a real node with the job's own templates (strict
 * mapping): an update sets the engagement of the document written whole before, in the same request or a later one,
 * and leaves it as a whole rewrite would have (the schema's document); an update of a document that is not there is
 * dead-lettered with a reason and counted, and the writer goes on.
 */
class PostDocumentUpdateIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BASE = "discourse-posts";
    private static final long CREATED = Instant.parse("2026-11-03T10:00:00Z").toEpochMilli();

    @Test
    void shouldSetTheEngagementOfTheDocumentWrittenWholeAndDeadLetterAnUpdateOfAMissingOne() throws Exception {
        try (LocalElasticsearch es = LocalElasticsearch.launch()) {
            ElasticsearchConnection connection = ElasticsearchConnection.of(es.httpUrl());
            var admin = ElasticsearchClients.create(connection, Map.of());
            IndexTemplates.install(admin, Map.of(), line -> {});
            admin._transport().close();

            ElasticsearchWriterTest.RecordingRejected rejected = new ElasticsearchWriterTest.RecordingRejected();
            PostDocuments mapper = new PostDocuments(BASE);
            IndexedPost a = post("a", 0);
            IndexedPost b = post("b", 0);
            var metrics = InternalSinkWriterMetricGroup.wrap(
                    UnregisteredMetricGroups.createUnregisteredOperatorMetricGroup());
            try (ElasticsearchWriter<IndexedPost> w = new ElasticsearchWriter<>(
                    ElasticsearchClients.create(connection, Map.of()), mapper, BulkSettings.DEFAULTS,
                    new TestProcessingTimeService(), metrics, rejected, connection.credentials(Map.of()).toString())) {
                // a: whole in one request, its update in the next; b: both in one request; c: never written whole.
                w.write(a, null);
                w.flush(false);
                w.write(post("a", 7).stripped(), null);
                w.write(b, null);
                w.write(post("b", 2).stripped(), null);
                w.write(post("b", 3).stripped(), null);
                w.write(post("c", 4).stripped(), null);
                w.flush(false);

                assertThat(w.updatesOfMissingDocuments()).isEqualTo(1);
                assertThat(w.documentsDeadLettered()).isEqualTo(1);
                assertThat(w.documentsSentCount()).isEqualTo(5);
            }
            assertThat(rejected.documents).singleElement().satisfies(d -> {
                assertThat(d.index()).isEqualTo(BASE + "-2026.11");
                assertThat(d.id()).isEqualTo("bluesky|c");
                assertThat(d.status()).isEqualTo(404);
                assertThat(d.errorType()).isEqualTo("document_missing_exception");
                assertThat(d.reason()).contains("found no document to update");
                assertThat(JSON.readTree(d.document()).get("likes").asLong()).isEqualTo(4);
            });

            // As if rewritten whole with the newer totals: every field of the arrival's write, the update's totals.
            var schema = DocumentSchemaTest.schema("post-document");
            for (IndexedPost expected : new IndexedPost[] {post("a", 7), post("b", 3)}) {
                JsonNode source = source(es, expected.documentId());
                assertThat(source).isEqualTo(JSON.readTree(mapper.source(expected)));
                assertThat(schema.validate(source)).isEmpty();
            }
            assertThat(GeneratedDocuments.send(es.httpUrl(), "GET", "/" + BASE + "-2026.11/_doc/"
                    + URLEncoder.encode("bluesky|c", StandardCharsets.UTF_8), null).statusCode()).isEqualTo(404);
        }
    }

    /** A matched post with {@code likes}, last engaged with {@code likes} minutes after its creation. */
    private static IndexedPost post(String id, int likes) {
        return new IndexedPost("bluesky", id, "https://example.org/" + id, "a text about " + id,
                new String[] {"ai-courts"}, "v1", "did:plc:" + id, id + ".bsky.social", "en", null, CREATED, likes, 0,
                1, 0, 0, CREATED + likes * 60_000L);
    }

    private static JsonNode source(LocalElasticsearch es, String id) throws Exception {
        var r = GeneratedDocuments.send(es.httpUrl(), "GET", "/" + BASE + "-2026.11/_doc/"
                + URLEncoder.encode(id, StandardCharsets.UTF_8), null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).get("_source");
    }
}

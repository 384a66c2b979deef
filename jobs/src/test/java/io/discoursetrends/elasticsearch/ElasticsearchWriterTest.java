package io.discoursetrends.elasticsearch;

import static io.discoursetrends.elasticsearch.ElasticsearchWriter.ItemOutcome.DEAD_LETTER;
import static io.discoursetrends.elasticsearch.ElasticsearchWriter.ItemOutcome.DEAD_LETTER_MISSING;
import static io.discoursetrends.elasticsearch.ElasticsearchWriter.ItemOutcome.FAIL;
import static io.discoursetrends.elasticsearch.ElasticsearchWriter.ItemOutcome.FAIL_CREDENTIALS;
import static io.discoursetrends.elasticsearch.ElasticsearchWriter.ItemOutcome.RETRY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.metrics.groups.InternalSinkWriterMetricGroup;
import org.apache.flink.runtime.metrics.groups.UnregisteredMetricGroups;
import org.apache.flink.streaming.runtime.tasks.TestProcessingTimeService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writer's failure classification against a stub that answers {@code _bulk} as Elasticsearch would: what is
 * retried, what is dead-lettered (and with what), what fails the job at once, and what the metrics say.
 */
class ElasticsearchWriterTest {
    private static final BulkSettings FAST_RETRIES = new BulkSettings(3, 1L << 20, Duration.ofHours(1),
            Duration.ofMillis(1), Duration.ofMillis(4), Duration.ofSeconds(5));

    private final StubElasticsearch stub;
    private final RecordingRejected rejected = new RecordingRejected();

    ElasticsearchWriterTest() throws IOException {
        stub = new StubElasticsearch();
    }

    @AfterEach
    void stop() {
        stub.close();
    }

    /** A document per number: index "idx", id "d<n>". */
    static final DocumentMapper<Integer> DOCS = new DocumentMapper<>() {
        @Override
        public String index(Integer n) {
            return "idx";
        }

        @Override
        public String id(Integer n) {
            return "d" + n;
        }

        @Override
        public byte[] source(Integer n) {
            return ("{\"n\":" + n + "}").getBytes(StandardCharsets.UTF_8);
        }
    };

    /** As {@link #DOCS}, and a negative number a partial update of the document of its absolute value. */
    static final DocumentMapper<Integer> UPDATES = new DocumentMapper<>() {
        @Override
        public String index(Integer n) {
            return "idx";
        }

        @Override
        public String id(Integer n) {
            return "d" + Math.abs(n);
        }

        @Override
        public byte[] source(Integer n) {
            return (n < 0 ? "{\"m\":" + n + "}" : "{\"n\":" + n + "}").getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public boolean partial(Integer n) {
            return n < 0;
        }
    };

    private ElasticsearchWriter<Integer> writer(RejectedDocuments handler, BulkSettings bulk, Map<String, String> env)
            throws Exception {
        return writer(DOCS, handler, bulk, env);
    }

    private ElasticsearchWriter<Integer> writer(DocumentMapper<Integer> docs, RejectedDocuments handler,
            BulkSettings bulk, Map<String, String> env) throws Exception {
        ElasticsearchConnection connection = ElasticsearchConnection.of(stub.url());
        return new ElasticsearchWriter<>(ElasticsearchClients.create(connection, env), docs, bulk,
                new TestProcessingTimeService(),
                InternalSinkWriterMetricGroup.wrap(UnregisteredMetricGroups.createUnregisteredOperatorMetricGroup()),
                handler, connection.credentials(env).toString());
    }

    private static void write(ElasticsearchWriter<Integer> w, int... numbers) throws Exception {
        for (int n : numbers) {
            w.write(n, null);
        }
    }

    @Test
    void shouldDeadLetterAMappingErrorWithItsBytesAndReasonAndIndexTheRest() throws Exception {
        stub.then(StubElasticsearch.items(new int[] {201, 400, 201},
                null, "strict_dynamic_mapping_exception: [1:9] mapping set to strict, dynamic introduction of [oops] "
                        + "within [_doc] is not allowed"));
        try (ElasticsearchWriter<Integer> w = writer(rejected, FAST_RETRIES, Map.of())) {
            write(w, 1, 2, 3);

            assertThat(rejected.documents).hasSize(1);
            RejectedDocument d = rejected.documents.get(0);
            assertThat(d.index()).isEqualTo("idx");
            assertThat(d.id()).isEqualTo("d2");
            assertThat(new String(d.document(), StandardCharsets.UTF_8)).isEqualTo("{\"n\":2}");
            assertThat(d.status()).isEqualTo(400);
            assertThat(d.errorType()).isEqualTo("strict_dynamic_mapping_exception");
            assertThat(d.reason()).contains("dynamic introduction of [oops]");
            assertThat(w.documentsDeadLettered()).isEqualTo(1);
            assertThat(w.documentsSentCount()).isEqualTo(2);
            assertThat(w.bulkRetries()).isZero();
            // The bad document was not sent again.
            assertThat(stub.requests).hasSize(1);
        }
    }

    @Test
    void shouldSendAPartialDocumentAsAnUpdateOfItsFields() throws Exception {
        try (ElasticsearchWriter<Integer> w = writer(UPDATES, rejected, FAST_RETRIES, Map.of())) {
            write(w, 1, -1);
            w.flush(false);
            assertThat(stub.requests).singleElement().satisfies(r -> assertThat(r).containsExactly(
                    new StubElasticsearch.Item("idx", "d1", "{\"n\":1}", "index"),
                    new StubElasticsearch.Item("idx", "d1", "{\"doc\":{\"m\":-1}}", "update")));
        }
    }

    /** The whole write refused for now (429): its update found no document, and goes again after it. */
    @Test
    void shouldRetryAnUpdateOfADocumentWhoseWholeWriteIsRetriedInTheSameRequest() throws Exception {
        stub.then(StubElasticsearch.items(new int[] {201, 429, 404}, null, "es_rejected_execution_exception: full",
                "document_missing_exception: [d2]: document missing"));
        try (ElasticsearchWriter<Integer> w = writer(UPDATES, rejected, FAST_RETRIES, Map.of())) {
            write(w, 1, 2, -2);
            assertThat(stub.requests).extracting(r -> r.stream().map(i -> i.action() + " " + i.id()).toList())
                    .containsExactly(List.of("index d1", "index d2", "update d2"), List.of("index d2", "update d2"));
            assertThat(rejected.documents).isEmpty();
            assertThat(w.updatesOfMissingDocuments()).isZero();
            assertThat(w.documentsSentCount()).isEqualTo(3);
        }
    }

    /** No whole write coming (dead-lettered before, or the index deleted): dead-lettered, counted, the job goes on. */
    @Test
    void shouldDeadLetterAnUpdateOfADocumentThatIsNotThere() throws Exception {
        // d2's whole write went before (and was dead-lettered, say); d3's is dead-lettered now, its update comes next.
        stub.then(StubElasticsearch.items(new int[] {201, 404, 400}, null,
                        "document_missing_exception: [d2]: document missing", "document_parsing_exception: bad"),
                StubElasticsearch.items(new int[] {404}, "document_missing_exception: [d3]: document missing"));
        try (ElasticsearchWriter<Integer> w = writer(UPDATES, rejected, FAST_RETRIES, Map.of())) {
            write(w, 1, -2, 3); // three actions: a request
            write(w, -3);
            w.flush(false);
            assertThat(stub.requests).hasSize(2); // nothing retried
            assertThat(rejected.documents).extracting(d -> d.id() + " " + d.errorType()).containsExactly(
                    "d2 document_missing_exception", "d3 document_parsing_exception", "d3 document_missing_exception");
            assertThat(rejected.documents).filteredOn(d -> d.status() == 404).hasSize(2).allSatisfy(d ->
                    assertThat(d.reason()).contains("found no document to update")
                            .contains("whole write was dead-lettered before").contains("index was deleted")
                            .contains("document missing"));
            assertThat(new String(rejected.documents.get(0).document(), StandardCharsets.UTF_8))
                    .isEqualTo("{\"m\":-2}");
            assertThat(w.updatesOfMissingDocuments()).isEqualTo(2);
            assertThat(w.documentsDeadLettered()).isEqualTo(3);
        }
    }

    @Test
    void shouldFlushTheRejectedDocumentsWhenTheWriterFlushes() throws Exception {
        try (ElasticsearchWriter<Integer> w = writer(rejected, FAST_RETRIES, Map.of())) {
            write(w, 1);
            assertThat(rejected.flushes).isZero();
            w.flush(false);
            assertThat(stub.requests).hasSize(1);
            assertThat(rejected.flushes).isEqualTo(1);
        }
    }

    @Test
    void shouldFailTheJobOnARejectedDocumentWhenThereIsNoHandler() throws Exception {
        stub.then(StubElasticsearch.items(new int[] {201, 400}, null,
                "document_parsing_exception: [1:6] failed to parse field [n] of type [long]"));
        try (ElasticsearchWriter<Integer> w = writer(null, FAST_RETRIES, Map.of())) {
            write(w, 1, 2);
            assertThatThrownBy(() -> w.flush(false))
                    .isInstanceOf(IOException.class)
                    .hasMessageStartingWith("Elasticsearch rejected document d2 in index idx (400 "
                            + "document_parsing_exception: [1:6] failed to parse field [n] of type [long]). "
                            + "The job's documents and the index template disagree");
        }
    }

    @Test
    void shouldRetryOnlyTheItemsThatWereOverloaded() throws Exception {
        stub.then(StubElasticsearch.items(new int[] {201, 429, 503},
                        null, "es_rejected_execution_exception: queue full", "unavailable_shards_exception: primary"),
                StubElasticsearch.items(new int[] {429}, "es_rejected_execution_exception: queue full"));
        try (ElasticsearchWriter<Integer> w = writer(rejected, FAST_RETRIES, Map.of())) {
            write(w, 1, 2, 3);
            assertThat(stub.requests).extracting(r -> r.stream().map(StubElasticsearch.Item::id).toList())
                    .containsExactly(List.of("d1", "d2", "d3"), List.of("d2", "d3"), List.of("d2"));
            assertThat(w.bulkRetries()).isEqualTo(2);
            assertThat(w.documentsSentCount()).isEqualTo(3);
            assertThat(w.bulkRequestCount()).isEqualTo(3);
            assertThat(rejected.documents).isEmpty();
        }
    }

    @Test
    void shouldRetryAWholeRequestThatFailedWith503() throws Exception {
        stub.then(StubElasticsearch.request(503, "cluster_block_exception"),
                StubElasticsearch.request(429, "circuit_breaking_exception"));
        try (ElasticsearchWriter<Integer> w = writer(rejected, FAST_RETRIES, Map.of())) {
            write(w, 1, 2, 3);
            assertThat(stub.requests).hasSize(3);
            assertThat(w.documentsSentCount()).isEqualTo(3);
            assertThat(w.bulkRetries()).isEqualTo(2);
        }
    }

    @Test
    void shouldGiveUpAfterTheMaximumRetryTime() throws Exception {
        BulkSettings shortRetry = new BulkSettings(1, 1L << 20, Duration.ofHours(1), Duration.ofMillis(10),
                Duration.ofMillis(20), Duration.ofMillis(200));
        for (int i = 0; i < 100; i++) {
            stub.then(StubElasticsearch.request(503, "unavailable"));
        }
        try (ElasticsearchWriter<Integer> w = writer(rejected, shortRetry, Map.of())) {
            long started = System.nanoTime();
            assertThatThrownBy(() -> write(w, 1))
                    .hasMessageStartingWith("Elasticsearch did not accept 1 documents within PT0.2S of retries; "
                            + "last failure: 503");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
        }
    }

    @Test
    void shouldFailFastOnRefusedCredentialsNamingTheVariablesButNotTheSecret(@TempDir Path dir) throws Exception {
        Path key = Files.writeString(dir.resolve("key"), "c2VjcmV0LWtleS12YWx1ZQ==\n");
        stub.then(StubElasticsearch.request(401, "security_exception"));
        try (ElasticsearchWriter<Integer> w = writer(rejected, FAST_RETRIES,
                Map.of("DISCOURSE_ES_API_KEY_FILE", key.toString()))) {
            assertThatThrownBy(() -> write(w, 1, 2, 3))
                    .isInstanceOf(IOException.class)
                    .hasMessageStartingWith("Elasticsearch refused the credentials (401; the sink used api key). Set "
                            + "DISCOURSE_ES_API_KEY, or DISCOURSE_ES_USERNAME and DISCOURSE_ES_PASSWORD")
                    .hasMessageContaining("_FILE")
                    .message().doesNotContain("c2VjcmV0LWtleS12YWx1ZQ==");
            assertThat(stub.requests).hasSize(1);
            assertThat(stub.authorizationHeaders).containsExactly("ApiKey c2VjcmV0LWtleS12YWx1ZQ==");
        }
    }

    @Test
    void shouldFailFastWhenAnItemIsForbidden() throws Exception {
        stub.then(StubElasticsearch.items(new int[] {403}, "security_exception: action [indices:data/write/bulk[s]] "
                + "is unauthorized for user [reader]"));
        try (ElasticsearchWriter<Integer> w = writer(rejected, FAST_RETRIES, Map.of())) {
            assertThatThrownBy(() -> write(w, 1, 2, 3))
                    .hasMessageStartingWith("Elasticsearch denied the request (403; the sink used no credentials)")
                    .hasMessageContaining("DISCOURSE_ES_API_KEY");
            assertThat(rejected.documents).isEmpty();
        }
    }

    @Test
    void shouldFailOnIndexLevelErrorsInsteadOfDeadLetteringEveryDocument() throws Exception {
        stub.then(StubElasticsearch.items(new int[] {404}, "index_not_found_exception: no such index [idx]"));
        try (ElasticsearchWriter<Integer> w = writer(rejected, FAST_RETRIES, Map.of())) {
            assertThatThrownBy(() -> write(w, 1, 2, 3))
                    .hasMessageStartingWith("Elasticsearch cannot write to index idx (404 index_not_found_exception");
            assertThat(rejected.documents).isEmpty();
        }
    }

    @Test
    void classifiesItemFailuresByStatusAndType() {
        assertThat(ElasticsearchWriter.classifyItem(400, "mapper_parsing_exception", "failed to parse")).isEqualTo(DEAD_LETTER);
        assertThat(ElasticsearchWriter.classifyItem(400, "document_parsing_exception", "x")).isEqualTo(DEAD_LETTER);
        assertThat(ElasticsearchWriter.classifyItem(400, "strict_dynamic_mapping_exception", "x")).isEqualTo(DEAD_LETTER);
        assertThat(ElasticsearchWriter.classifyItem(400, "illegal_argument_exception", "Limit of total fields"))
                .isEqualTo(DEAD_LETTER);
        assertThat(ElasticsearchWriter.classifyItem(409, "version_conflict_engine_exception", "x")).isEqualTo(DEAD_LETTER);
        assertThat(ElasticsearchWriter.classifyItem(413, "x", "x")).isEqualTo(DEAD_LETTER);
        assertThat(ElasticsearchWriter.classifyItem(429, "es_rejected_execution_exception", "x")).isEqualTo(RETRY);
        assertThat(ElasticsearchWriter.classifyItem(429, "cluster_block_exception", "flood-stage")).isEqualTo(RETRY);
        assertThat(ElasticsearchWriter.classifyItem(500, "x", "x")).isEqualTo(RETRY);
        assertThat(ElasticsearchWriter.classifyItem(503, "unavailable_shards_exception", "x")).isEqualTo(RETRY);
        assertThat(ElasticsearchWriter.classifyItem(401, "security_exception", "x")).isEqualTo(FAIL_CREDENTIALS);
        assertThat(ElasticsearchWriter.classifyItem(403, "security_exception", "x")).isEqualTo(FAIL_CREDENTIALS);
        assertThat(ElasticsearchWriter.classifyItem(403, "cluster_block_exception", "index write (api)")).isEqualTo(FAIL);
        assertThat(ElasticsearchWriter.classifyItem(404, "index_not_found_exception", "x")).isEqualTo(FAIL);
        assertThat(ElasticsearchWriter.classifyItem(404, "index_not_found_exception", "x", true)).isEqualTo(FAIL);
        assertThat(ElasticsearchWriter.classifyItem(404, "document_missing_exception", "[d1]: document missing"))
                .isEqualTo(DEAD_LETTER_MISSING);
        assertThat(ElasticsearchWriter.classifyItem(404, "document_missing_exception", "[d1]: document missing",
                true)).isEqualTo(RETRY);
        assertThat(ElasticsearchWriter.classifyItem(400, "document_parsing_exception", "x", true))
                .isEqualTo(DEAD_LETTER);
        assertThat(ElasticsearchWriter.classifyItem(400, "index_closed_exception", "x")).isEqualTo(FAIL);
        assertThat(ElasticsearchWriter.classifyItem(400, "invalid_alias_name_exception", "x")).isEqualTo(FAIL);
        assertThat(ElasticsearchWriter.classifyItem(400, "illegal_argument_exception",
                "no write index is defined for alias [a]")).isEqualTo(FAIL);
    }

    /** Keeps what it is handed; counts flushes. */
    static final class RecordingRejected implements RejectedDocuments {
        final List<RejectedDocument> documents = new ArrayList<>();
        int flushes;

        @Override
        public void reject(RejectedDocument document) {
            documents.add(document);
        }

        @Override
        public void flush() {
            flushes++;
        }

        @Override
        public void close() {}
    }
}

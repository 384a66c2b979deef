package io.discoursetrends.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The dead-letter records of the Elasticsearch sink match schemas/json/es-rejected.schema.json. */
class RejectedDocumentSchemaTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonSchema SCHEMA = DocumentSchemaTest.schema("es-rejected");

    @Test
    void rejectedDocumentRecordsMatchTheirSchema() throws Exception {
        String doc = "{\"kind\":\"trend_bucket\",\"topic\":\"_all\",\"platform\":\"bluesky\",\"oops\":1,"
                + "\"text\":\"caf\u00e9 \\\"q\\\"\"}";
        RejectedDocument d = new RejectedDocument("discourse-trends-2026.05", "_all|bluesky|2026-05-25T14:23:00Z",
                doc.getBytes(StandardCharsets.UTF_8), 400, "strict_dynamic_mapping_exception",
                "[1:52] mapping set to strict, dynamic introduction of [oops] within [_doc] is not allowed",
                Instant.parse("2026-05-25T14:24:01.123Z"));
        JsonNode record = JSON.readTree(JSON.writeValueAsBytes(KafkaRejectedDocuments.toJson(JSON, d)));

        assertThat(SCHEMA.validate(record)).isEmpty();
        assertThat(record.get("kind").asText()).isEqualTo("es_rejected");
        assertThat(record.get("index").asText()).isEqualTo("discourse-trends-2026.05");
        assertThat(record.get("id").asText()).isEqualTo("_all|bluesky|2026-05-25T14:23:00Z");
        assertThat(record.get("status").asInt()).isEqualTo(400);
        assertThat(record.get("error_type").asText()).isEqualTo("strict_dynamic_mapping_exception");
        assertThat(record.get("rejected_at").asText()).isEqualTo("2026-05-25T14:24:01.123Z");
        // The document is the exact text sent, and parses back to the same JSON.
        assertThat(record.get("document").asText()).isEqualTo(doc);
        assertThat(JSON.readTree(record.get("document").asText())).isEqualTo(JSON.readTree(doc));
    }

    @Test
    void schemaRefusesARecordWithoutItsReasonOrWithAnotherKind() throws Exception {
        JsonNode noReason = JSON.readTree("{\"kind\":\"es_rejected\",\"index\":\"i\",\"id\":\"1\",\"status\":400,"
                + "\"error_type\":\"x\",\"rejected_at\":\"2026-05-25T14:24:01Z\",\"document\":\"{}\"}");
        assertThat(SCHEMA.validate(noReason)).isNotEmpty();
        JsonNode otherKind = JSON.readTree("{\"kind\":\"dead_letter\",\"index\":\"i\",\"id\":\"1\",\"status\":400,"
                + "\"error_type\":\"x\",\"reason\":\"r\",\"rejected_at\":\"2026-05-25T14:24:01Z\",\"document\":\"{}\"}");
        assertThat(SCHEMA.validate(otherKind)).isNotEmpty();
    }
}

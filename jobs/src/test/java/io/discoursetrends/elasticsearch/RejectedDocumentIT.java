package io.discoursetrends.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import io.discoursetrends.job.Connectors;
import io.discoursetrends.job.JobOptions;
import io.discoursetrends.local.LocalElasticsearch;
import io.discoursetrends.local.LocalKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * Documents that violate the strict mapping go to the dead-letter Kafka topic with Elasticsearch's reason and
 * their exact bytes, the job goes on, and every other document is indexed. The sink is built the way the job
 * builds it, {@code Connectors.elasticsearchSink(mapper)}, against a real broker and a real node.
 */
class RejectedDocumentIT {
    private static final long DOCUMENTS = 5_000;
    private static final String TOPIC = "it.dead-letters.elasticsearch";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonSchema SCHEMA = DocumentSchemaTest.schema("es-rejected");

    /** n -> what is wrong with its document, and the error Elasticsearch gives it. */
    private static final Map<Long, String[]> BAD = Map.of(
            17L, new String[] {"an unmapped field", "strict_dynamic_mapping_exception", "oops"},
            2_500L, new String[] {"text in a long field", "document_parsing_exception", "value"},
            4_999L, new String[] {"a malformed date", "document_parsing_exception", "ts"});

    /** The generated documents, three of them broken. */
    static final class WithBadDocuments implements DocumentMapper<Long> {
        private final GeneratedDocuments good = new GeneratedDocuments("rejected-it");

        @Override
        public String index(Long n) {
            return good.index(n);
        }

        @Override
        public String id(Long n) {
            return good.id(n);
        }

        @Override
        public byte[] source(Long n) {
            return bad(n).getBytes(StandardCharsets.UTF_8);
        }

        static String bad(long n) {
            String doc = GeneratedDocuments.sourceOf(n);
            if (n == 17) {
                return doc.replace("{", "{\"oops\":true,");
            }
            if (n == 2_500) {
                return doc.replaceFirst("\"value\":\\d+", "\"value\":\"many\"");
            }
            if (n == 4_999) {
                return doc.replaceFirst("\"ts\":\"[^\"]+\"", "\"ts\":\"yesterday\"");
            }
            return doc;
        }
    }

    @Test
    void shouldDeadLetterDocumentsThatViolateTheMappingAndIndexAllOthers() throws Exception {
        try (LocalKafka kafka = LocalKafka.launch(); LocalElasticsearch es = LocalElasticsearch.launch()) {
            kafka.createTopics(Map.of(TOPIC, 1));
            GeneratedDocuments.createTemplate(es.httpUrl(), "rejected-it");

            // 1. The job's own wiring: connection, bulk settings and dead-letter topic from the configuration.
            Configuration settings = new Configuration();
            settings.set(JobOptions.KAFKA_BOOTSTRAP, kafka.bootstrapServers());
            settings.set(JobOptions.ES_URLS, List.of(es.httpUrl()));
            settings.set(JobOptions.ES_DEAD_LETTER_TOPIC, TOPIC);
            settings.set(JobOptions.ES_BULK_MAX_ACTIONS, 200);
            Configuration flink = new Configuration();
            flink.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
            StreamExecutionEnvironment env = GeneratedDocuments.environment(flink);
            GeneratedDocuments.pipeline(env, DOCUMENTS, "rejected",
                    new Connectors(settings).elasticsearchSink(new WithBadDocuments()));
            env.execute("rejected-document-it");

            // 2. Every good document is indexed, exactly.
            GeneratedDocuments.assertIndexHoldsExactly(es.httpUrl(), "rejected-it", DOCUMENTS,
                    BAD.keySet().stream().mapToLong(Long::longValue).toArray());

            // 3. The bad ones are on the topic, each once, with the reason naming the field, and their bytes.
            Map<Long, JsonNode> letters = readDeadLetters(kafka.bootstrapServers(), BAD.size());
            assertThat(letters.keySet()).containsExactlyInAnyOrderElementsOf(BAD.keySet());
            GeneratedDocuments good = new GeneratedDocuments("rejected-it");
            letters.forEach((n, letter) -> {
                assertThat(SCHEMA.validate(letter)).as("record for %s", n).isEmpty();
                assertThat(letter.get("index").asText()).isEqualTo(good.indexOf(n));
                assertThat(letter.get("id").asText()).isEqualTo(GeneratedDocuments.idOf(n));
                assertThat(letter.get("status").asInt()).isEqualTo(400);
                assertThat(letter.get("error_type").asText()).as(BAD.get(n)[0]).isEqualTo(BAD.get(n)[1]);
                assertThat(letter.get("reason").asText()).as(BAD.get(n)[0]).contains(BAD.get(n)[2]);
                assertThat(letter.get("document").asText()).isEqualTo(WithBadDocuments.bad(n));
                assertThat(Instant.parse(letter.get("rejected_at").asText())).isBefore(Instant.now());
            });
        }
    }

    /** Reads the topic until {@code expected} records arrived and 2 more seconds passed, keyed by document n. */
    private static Map<Long, JsonNode> readDeadLetters(String bootstrap, int expected) throws Exception {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "rejected-document-it");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        Map<Long, JsonNode> out = new TreeMap<>();
        List<String> keys = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                     new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(TOPIC));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            long quietUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, quietUntil)) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(300))) {
                    JsonNode letter = JSON.readTree(r.value());
                    keys.add(r.key());
                    assertThat(r.key()).isEqualTo(letter.get("index").asText() + "/" + letter.get("id").asText());
                    long n = Long.parseLong(letter.get("id").asText().substring("doc-".length()));
                    assertThat(out.put(n, letter)).as("a second record for %s", n).isNull();
                }
                if (out.size() >= expected && quietUntil == Long.MAX_VALUE) {
                    quietUntil = System.nanoTime() + Duration.ofSeconds(2).toNanos();
                }
            }
        }
        assertThat(keys).hasSize(expected);
        return out;
    }
}

package io.discoursetrends.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;

/** What the sink puts in the job graph and in checkpoints. */
class ElasticsearchSinkTest {

    @Test
    void shouldKeepNoWriterStateAndNoCommitterSoNothingOfItIsCheckpointed() {
        ElasticsearchSink<Integer> sink = new ElasticsearchSink<>(ElasticsearchConnection.of("http://es:9200"),
                ElasticsearchWriterTest.DOCS, BulkSettings.DEFAULTS);
        assertThat(sink).isNotInstanceOf(SupportsWriterState.class).isNotInstanceOf(SupportsCommitter.class);
    }

    @Test
    void shouldTravelInTheJobGraphWithItsMonthlyIndicesAndDeadLetterHandler() throws Exception {
        Properties kafka = new Properties();
        kafka.put("security.protocol", "SASL_SSL");
        ElasticsearchSink<Integer> sink = new ElasticsearchSink<>(ElasticsearchConnection.of("https://es:9200"),
                TimeBasedIndex.monthly(ElasticsearchWriterTest.DOCS, n -> n * 86_400_000L), BulkSettings.DEFAULTS,
                KafkaRejectedDocuments.factory("kafka:9092", "discourse.dead-letters.elasticsearch", kafka));
        byte[] bytes = InstantiationUtil.serializeObject(sink);
        ElasticsearchSink<Integer> copy = InstantiationUtil.deserializeObject(bytes, getClass().getClassLoader());
        assertThat(copy).isNotNull();
    }
}

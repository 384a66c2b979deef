package io.discoursetrends.local;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import io.discoursetrends.elasticsearch.ElasticsearchClients;
import io.discoursetrends.elasticsearch.ElasticsearchConnection;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Kafka broker and a real Elasticsearch node for the integration tests of one class, with a client for the
 * node: {@code @RegisterExtension static final KafkaAndElasticsearch servers = new KafkaAndElasticsearch();}.
 * Started before the class's first test and stopped after its last, client first, so a test class neither repeats
 * the lifecycle nor leaves a process behind when one of the two fails to start.
 */
public final class KafkaAndElasticsearch implements BeforeAllCallback, AfterAllCallback {
    private LocalKafka kafka;
    private LocalElasticsearch elasticsearch;
    private ElasticsearchClient client;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        kafka = LocalKafka.launch();
        elasticsearch = LocalElasticsearch.launch();
        client = ElasticsearchClients.create(ElasticsearchConnection.of(elasticsearch.httpUrl()));
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            if (client != null) {
                client._transport().close();
            }
        } finally {
            try {
                if (elasticsearch != null) {
                    elasticsearch.close();
                }
            } finally {
                if (kafka != null) {
                    kafka.close();
                }
            }
        }
    }

    public LocalKafka kafka() {
        return kafka;
    }

    public LocalElasticsearch elasticsearch() {
        return elasticsearch;
    }

    public ElasticsearchClient client() {
        return client;
    }
}

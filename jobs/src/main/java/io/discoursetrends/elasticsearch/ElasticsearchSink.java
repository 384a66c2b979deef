package io.discoursetrends.elasticsearch;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * A Flink Sink V2 writing documents to Elasticsearch with the elasticsearch-java client.
 *
 * <p>At-least-once: every checkpoint flushes what is buffered before it completes, and since documents have
 * deterministic ids, a replay after a restart overwrites rather than duplicates, which makes the result
 * exactly-once in effect. The official Flink connector has no Flink 2.x release, hence this one.
 */
public final class ElasticsearchSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;

    private final ElasticsearchConnection connection;
    private final DocumentMapper<T> documents;
    private final BulkSettings bulk;

    public ElasticsearchSink(ElasticsearchConnection connection, DocumentMapper<T> documents, BulkSettings bulk) {
        this.connection = connection;
        this.documents = documents;
        this.bulk = bulk;
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
        return new ElasticsearchWriter<>(ElasticsearchClients.create(connection), documents, bulk,
                context.getProcessingTimeService(), context.metricGroup());
    }
}

package io.discoursetrends.elasticsearch;

import java.util.Map;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * A Flink Sink V2 writing documents to Elasticsearch with the elasticsearch-java client.
 *
 * <p>At-least-once: every checkpoint flushes what is buffered (and the documents handed to the rejected-documents
 * handler) before it completes, and since documents have deterministic ids, a replay after a restart overwrites
 * rather than duplicates, which makes the result exactly-once in effect. The writers keep no state of their own, so
 * nothing of the sink is in a checkpoint and nothing is Kryo-serialized. The official Flink connector has no Flink
 * 2.x release, hence this one. See {@link ElasticsearchWriter} for batching, backpressure and failure handling.
 *
 * <p>Jobs build it through {@code Connectors.elasticsearchSink(DocumentMapper)}, which takes the connection, the
 * bulk settings and the Kafka dead-letter handler from the configuration.
 */
public final class ElasticsearchSink<T> implements Sink<T> {
    private static final long serialVersionUID = 2L;

    private final ElasticsearchConnection connection;
    private final DocumentMapper<T> documents;
    private final BulkSettings bulk;
    private final RejectedDocuments.Factory rejected;

    /** A sink that fails the job on a document Elasticsearch will never accept. */
    public ElasticsearchSink(ElasticsearchConnection connection, DocumentMapper<T> documents, BulkSettings bulk) {
        this(connection, documents, bulk, null);
    }

    /**
     * A sink that hands documents Elasticsearch will never accept to {@code rejected} and goes on; with
     * {@code rejected} null it fails the job on the first one instead.
     */
    public ElasticsearchSink(ElasticsearchConnection connection, DocumentMapper<T> documents, BulkSettings bulk,
                             RejectedDocuments.Factory rejected) {
        this.connection = connection;
        this.documents = documents;
        this.bulk = bulk;
        this.rejected = rejected;
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
        Map<String, String> env = connection.environment();
        String credentials = connection.credentials(env).toString();
        RejectedDocuments handler = rejected == null ? null
                : rejected.create(context.getTaskInfo().getIndexOfThisSubtask());
        return new ElasticsearchWriter<>(ElasticsearchClients.create(connection, env), documents, bulk,
                context.getProcessingTimeService(), context.metricGroup(), handler, credentials);
    }
}

package io.discoursetrends.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch.core.BulkRequest;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.elasticsearch.core.bulk.BulkOperation;
import co.elastic.clients.elasticsearch.core.bulk.BulkResponseItem;
import co.elastic.clients.transport.TransportException;
import co.elastic.clients.util.BinaryData;
import co.elastic.clients.util.ContentType;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;

/**
 * Buffers documents and sends them as bulk requests when the buffer reaches its action or byte limit, when
 * the flush interval passes, and on every checkpoint and at end of input.
 *
 * <p>Sending is synchronous on the task thread: while Elasticsearch is slow or down, the writer waits and
 * retries, so the job backpressures instead of buffering without bound. Failures are classified:
 * <ul>
 *   <li>unreachable, timed out, 429 or 5xx (whole request or single items): retried with capped exponential
 *       backoff and jitter, only the failed items, until {@code maxRetryTime}, then the job fails and its
 *       restart strategy takes over;</li>
 *   <li>401/403: the job fails at once, saying which credentials to fix;</li>
 *   <li>any other item failure (e.g. a mapping error): the job fails with the index, id and reason, since the
 *       documents are the job's own output and such a failure means the index template and the job disagree.</li>
 * </ul>
 */
final class ElasticsearchWriter<T> implements SinkWriter<T> {
    private static final int PER_DOCUMENT_OVERHEAD_BYTES = 64;

    private final ElasticsearchClient client;
    private final DocumentMapper<T> documents;
    private final BulkSettings bulk;
    private final ProcessingTimeService time;

    private final Counter documentsSent;
    private final Counter bytesSent;
    private final Counter bulkRequests;
    private final Counter retries;
    private volatile long lastBulkLatencyMillis;

    private List<BulkOperation> buffer = new ArrayList<>();
    private long bufferedBytes;
    private long lastSendMillis;

    ElasticsearchWriter(ElasticsearchClient client, DocumentMapper<T> documents, BulkSettings bulk,
                        ProcessingTimeService time, SinkWriterMetricGroup metrics) {
        this.client = client;
        this.documents = documents;
        this.bulk = bulk;
        this.time = time;
        this.documentsSent = metrics.getNumRecordsSendCounter();
        this.bytesSent = metrics.getNumBytesSendCounter();
        this.bulkRequests = metrics.counter("bulkRequests");
        this.retries = metrics.counter("bulkRetries");
        metrics.gauge("lastBulkLatencyMillis", () -> lastBulkLatencyMillis);
        this.lastSendMillis = time.getCurrentProcessingTime();
        scheduleIntervalFlush();
    }

    @Override
    public void write(T element, Context context) throws IOException, InterruptedException {
        byte[] source = documents.source(element);
        String index = documents.index(element);
        String id = documents.id(element);
        buffer.add(BulkOperation.of(op -> op.index(i -> i
                .index(index)
                .id(id)
                .document(BinaryData.of(source, ContentType.APPLICATION_JSON)))));
        bufferedBytes += source.length + index.length() + id.length() + PER_DOCUMENT_OVERHEAD_BYTES;
        if (buffer.size() >= bulk.maxActions() || bufferedBytes >= bulk.maxBytes()) {
            send();
        }
    }

    @Override
    public void flush(boolean endOfInput) throws IOException, InterruptedException {
        send();
    }

    // Processing-time callbacks of a sink writer run on the task's mailbox thread, like write() and flush(),
    // so the buffer needs no locking.
    private void scheduleIntervalFlush() {
        time.registerTimer(time.getCurrentProcessingTime() + bulk.flushInterval().toMillis(), now -> {
            if (!buffer.isEmpty() && now - lastSendMillis >= bulk.flushInterval().toMillis()) {
                send();
            }
            scheduleIntervalFlush();
        });
    }

    private void send() throws IOException, InterruptedException {
        lastSendMillis = time.getCurrentProcessingTime();
        if (buffer.isEmpty()) {
            return;
        }
        List<BulkOperation> pending = buffer;
        long bytes = bufferedBytes;
        buffer = new ArrayList<>();
        bufferedBytes = 0;

        long deadline = System.nanoTime() + bulk.maxRetryTime().toNanos();
        long backoffMillis = bulk.initialBackoff().toMillis();
        String lastFailure = null;
        while (true) {
            if (lastFailure != null) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("Elasticsearch did not accept " + pending.size() + " documents within "
                            + bulk.maxRetryTime() + " of retries; last failure: " + lastFailure);
                }
                retries.inc();
                // Full jitter in [backoff/2, backoff]: writers of all subtasks do not retry in lockstep.
                Thread.sleep(backoffMillis / 2 + ThreadLocalRandom.current().nextLong(backoffMillis / 2 + 1));
                backoffMillis = Math.min(backoffMillis * 2, bulk.maxBackoff().toMillis());
            }
            BulkResponse response;
            try {
                long started = System.nanoTime();
                List<BulkOperation> ops = pending;
                response = client.bulk(BulkRequest.of(b -> b.operations(ops)));
                lastBulkLatencyMillis = (System.nanoTime() - started) / 1_000_000;
                bulkRequests.inc();
            } catch (ElasticsearchException e) {
                lastFailure = classifyRequestFailure(e.status(), e.getMessage());
                continue;
            } catch (TransportException e) {
                lastFailure = classifyRequestFailure(e.statusCode(), e.getMessage());
                continue;
            } catch (IOException e) {
                // Connection refused, reset or timed out: the cluster may come back.
                lastFailure = e.toString();
                continue;
            }
            List<BulkOperation> retry = new ArrayList<>();
            List<BulkResponseItem> items = response.items();
            for (int i = 0; i < items.size(); i++) {
                BulkResponseItem item = items.get(i);
                if (item.error() == null) {
                    continue;
                }
                if (isRetryable(item.status())) {
                    retry.add(pending.get(i));
                    lastFailure = item.status() + " " + item.error().type() + ": " + item.error().reason();
                } else {
                    throw new IOException("Elasticsearch rejected document " + item.id() + " in index "
                            + item.index() + " (" + item.status() + " " + item.error().type() + ": "
                            + item.error().reason() + "). The job's documents and the index template disagree: "
                            + "let the job install the templates of this release (es.install-templates=true) and check the "
                            + "index is not managed by another template.");
                }
            }
            // Bytes are apportioned by document count: exact per document would cost a size per operation.
            long acceptedBytes = bytes * (pending.size() - retry.size()) / pending.size();
            documentsSent.inc(pending.size() - retry.size());
            bytesSent.inc(acceptedBytes);
            if (retry.isEmpty()) {
                return;
            }
            bytes -= acceptedBytes;
            pending = retry;
        }
    }

    private static String classifyRequestFailure(int status, String message) throws IOException {
        if (status == 401) {
            throw new IOException("Elasticsearch refused the credentials (401). Set "
                    + ElasticsearchConnection.API_KEY_ENV + ", or " + ElasticsearchConnection.USERNAME_ENV + " and "
                    + ElasticsearchConnection.PASSWORD_ENV + " (or their _FILE variants), to valid credentials.");
        }
        if (status == 403) {
            throw new IOException("Elasticsearch denied the request (403): the user or API key needs the "
                    + "'index' and 'create_index' privileges on the discourse-* indices. " + message);
        }
        if (!isRetryable(status)) {
            throw new IOException("Elasticsearch rejected the bulk request (" + status + "): " + message);
        }
        return status + ": " + message;
    }

    private static boolean isRetryable(int status) {
        return status == 429 || status >= 500;
    }

    @Override
    public void close() throws Exception {
        client._transport().close();
    }
}

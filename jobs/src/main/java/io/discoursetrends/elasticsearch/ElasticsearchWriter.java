package io.discoursetrends.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch._types.ErrorCause;
import co.elastic.clients.elasticsearch.core.BulkRequest;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.elasticsearch.core.bulk.BulkOperation;
import co.elastic.clients.elasticsearch.core.bulk.BulkResponseItem;
import co.elastic.clients.transport.TransportException;
import co.elastic.clients.util.BinaryData;
import co.elastic.clients.util.ContentType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.elasticsearch.client.ResponseException;

/**
 * Buffers documents and sends them as bulk requests when the buffer reaches its action or byte limit, when
 * the flush interval passes, and on every checkpoint and at end of input.
 *
 * <p><b>Bounded in flight, on purpose.</b> Sending is synchronous on the task thread: each writer has at most one
 * bulk request in flight and at most one buffer of documents ({@code es.bulk.max-actions} / {@code es.bulk.max-mb})
 * waiting. While Elasticsearch is slow or down the writer waits and retries, its input stops being consumed, and
 * the job backpressures up to its sources instead of filling memory. Throughput comes from parallelism, not from
 * concurrent requests per writer. The writer keeps no checkpointed state: it flushes everything (and the
 * rejected-documents handler) before a checkpoint completes, so a restore replays only what the checkpoint had not
 * yet seen, and deterministic ids turn that replay into overwrites.
 *
 * <p>Failures are classified:
 * <ul>
 *   <li>unreachable, timed out, 408, 429 or 5xx (whole request or single items): retried with capped exponential
 *       backoff and jitter, only the failed items, until {@code maxRetryTime}; then the job fails and its restart
 *       strategy takes over;</li>
 *   <li>401/403: the job fails at once, naming the credentials variables to fix (never their values);</li>
 *   <li>index-level errors no retry can fix (index missing and not auto-created, closed, blocked, an alias in the
 *       way): the job fails at once with Elasticsearch's reason;</li>
 *   <li>a partial update ({@link DocumentMapper#partial}) of a document that is not there (404
 *       {@code document_missing_exception}): retried if an earlier item of the same request for that document is
 *       (its whole write was refused with 429 and goes again first, in order); otherwise dead-lettered as below,
 *       with a reason saying the whole write was dead-lettered before or the index deleted, and counted in
 *       {@code updatesOfMissingDocuments} too;</li>
 *   <li>any other 4xx of a single document (400 mapping, parsing or validation errors, 409, 413): the document
 *       goes to the {@link RejectedDocuments} handler with the reason, is counted in {@code documentsDeadLettered},
 *       and the job goes on. Without a handler, the job fails with the index, id and reason.</li>
 * </ul>
 */
final class ElasticsearchWriter<T> implements SinkWriter<T> {
    private static final int PER_DOCUMENT_OVERHEAD_BYTES = 64;
    private static final int LATENCY_WINDOW = 500;
    private static final byte[] UPDATE_PREFIX = "{\"doc\":".getBytes(StandardCharsets.UTF_8);
    /** What a partial update of a document that is not there gets. */
    static final String DOCUMENT_MISSING = "document_missing_exception";

    /** Index-level failures reported per item: every document of that index would fail the same way. */
    private static final Set<String> INDEX_LEVEL_ERRORS = Set.of("index_not_found_exception",
            "index_closed_exception", "invalid_index_name_exception", "invalid_alias_name_exception",
            "cluster_block_exception", "security_exception");

    private final ElasticsearchClient client;
    private final DocumentMapper<T> documents;
    private final BulkSettings bulk;
    private final ProcessingTimeService time;
    private final RejectedDocuments rejected;
    private final String credentialsInUse;

    private final Counter documentsSent;
    private final Counter bytesSent;
    private final Counter bulkRequests;
    private final Counter retries;
    private final Counter deadLettered;
    private final Counter missingForUpdate;
    private final Histogram bulkLatency;
    private volatile long lastBulkLatencyMillis;

    private List<Pending> buffer = new ArrayList<>();
    private long bufferedBytes;
    private long lastSendMillis;

    /** One buffered document: its operation, and what the rejected-documents handler would need. */
    private record Pending(BulkOperation operation, String index, String id, byte[] source) {
        /** The document this operation writes or updates. */
        String document() {
            return index + "/" + id;
        }
    }

    /**
     * @param rejected where documents Elasticsearch will never accept go; null fails the job on the first one
     * @param credentialsInUse what the client authenticates with, without secrets ("api key", "basic auth as X",
     *     "no credentials"), for the 401/403 message
     */
    ElasticsearchWriter(ElasticsearchClient client, DocumentMapper<T> documents, BulkSettings bulk,
                        ProcessingTimeService time, SinkWriterMetricGroup metrics, RejectedDocuments rejected,
                        String credentialsInUse) {
        this.client = client;
        this.documents = documents;
        this.bulk = bulk;
        this.time = time;
        this.rejected = rejected;
        this.credentialsInUse = credentialsInUse;
        this.documentsSent = metrics.getNumRecordsSendCounter();
        this.bytesSent = metrics.getNumBytesSendCounter();
        this.bulkRequests = metrics.counter("bulkRequests");
        this.retries = metrics.counter("bulkRetries");
        this.deadLettered = metrics.counter("documentsDeadLettered");
        this.missingForUpdate = metrics.counter("updatesOfMissingDocuments");
        this.bulkLatency = metrics.histogram("bulkLatencyMillis", new DescriptiveStatisticsHistogram(LATENCY_WINDOW));
        metrics.gauge("lastBulkLatencyMillis", () -> lastBulkLatencyMillis);
        this.lastSendMillis = time.getCurrentProcessingTime();
        scheduleIntervalFlush();
    }

    @Override
    public void write(T element, Context context) throws IOException, InterruptedException {
        byte[] source = documents.source(element);
        String index = documents.index(element);
        String id = documents.id(element);
        BulkOperation op = documents.partial(element)
                ? BulkOperation.of(o -> o.update(u -> u
                        .index(index)
                        .id(id)
                        .binaryAction(BinaryData.of(updateAction(source), ContentType.APPLICATION_JSON))))
                : BulkOperation.of(o -> o.index(i -> i
                        .index(index)
                        .id(id)
                        .document(BinaryData.of(source, ContentType.APPLICATION_JSON))));
        buffer.add(new Pending(op, index, id, source));
        bufferedBytes += source.length + index.length() + id.length() + PER_DOCUMENT_OVERHEAD_BYTES;
        if (buffer.size() >= bulk.maxActions() || bufferedBytes >= bulk.maxBytes()) {
            send();
        }
    }

    /** The body of a bulk {@code update} that sets the fields of {@code partialDocument}: {@code {"doc": ...}}. */
    static byte[] updateAction(byte[] partialDocument) {
        byte[] action = new byte[UPDATE_PREFIX.length + partialDocument.length + 1];
        System.arraycopy(UPDATE_PREFIX, 0, action, 0, UPDATE_PREFIX.length);
        System.arraycopy(partialDocument, 0, action, UPDATE_PREFIX.length, partialDocument.length);
        action[action.length - 1] = '}';
        return action;
    }

    /** Sends what is buffered and waits until the rejected documents are stored: called before each checkpoint. */
    @Override
    public void flush(boolean endOfInput) throws IOException, InterruptedException {
        send();
        if (rejected != null) {
            rejected.flush();
        }
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
        List<Pending> pending = buffer;
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
                List<BulkOperation> ops = new ArrayList<>(pending.size());
                for (Pending p : pending) {
                    ops.add(p.operation());
                }
                response = client.bulk(BulkRequest.of(b -> b.operations(ops)));
                lastBulkLatencyMillis = (System.nanoTime() - started) / 1_000_000;
                bulkLatency.update(lastBulkLatencyMillis);
                bulkRequests.inc();
            } catch (ElasticsearchException e) {
                lastFailure = classifyRequestFailure(e.status(), e.getMessage());
                continue;
            } catch (TransportException e) {
                if (e.statusCode() > 0) {
                    lastFailure = classifyRequestFailure(e.statusCode(), e.getMessage());
                    continue;
                }
                ResponseException refused = responseException(e);
                lastFailure = refused != null
                        ? classifyRequestFailure(refused.getResponse().getStatusLine().getStatusCode(),
                                refused.getResponse().getStatusLine().toString())
                        : e.toString(); // no HTTP answer: the cluster may come back
                continue;
            } catch (IOException e) {
                ResponseException refused = responseException(e);
                if (refused != null) {
                    // An HTTP error the client did not turn into an ElasticsearchException (e.g. a 503 from a proxy).
                    int status = refused.getResponse().getStatusLine().getStatusCode();
                    lastFailure = classifyRequestFailure(status, refused.getResponse().getStatusLine().toString());
                    continue;
                }
                // Connection refused, reset or timed out: the cluster may come back.
                lastFailure = e.toString();
                continue;
            }
            List<Pending> retry = new ArrayList<>();
            Set<String> retried = new HashSet<>(); // the documents of the items in retry
            List<BulkResponseItem> items = response.items();
            int accepted = 0;
            for (int i = 0; i < items.size(); i++) {
                BulkResponseItem item = items.get(i);
                ErrorCause error = item.error();
                if (error == null) {
                    accepted++;
                    continue;
                }
                Pending doc = pending.get(i);
                boolean earlierRetried = !retried.isEmpty() && retried.contains(doc.document());
                switch (classifyItem(item.status(), error.type(), error.reason(), earlierRetried)) {
                    case RETRY -> {
                        retry.add(doc);
                        retried.add(doc.document());
                        lastFailure = item.status() + " " + error.type() + ": " + error.reason();
                    }
                    case DEAD_LETTER -> deadLetter(doc, item.status(), error.type(), error.reason());
                    case DEAD_LETTER_MISSING -> {
                        deadLetter(doc, item.status(), error.type(), "the partial update of the document's engagement "
                                + "found no document to update: its whole write was dead-lettered before (look for "
                                + "the same index and id among the dead letters), or its index was deleted. "
                                + "Elasticsearch: " + error.reason());
                        missingForUpdate.inc();
                    }
                    case FAIL_CREDENTIALS -> throw credentialsFailure(item.status(),
                            "writing to index " + item.index() + ": " + error.type() + ": " + error.reason());
                    default -> throw new IOException("Elasticsearch cannot write to index " + item.index()
                            + " (" + item.status() + " " + error.type() + ": " + error.reason() + "). Retrying would "
                            + "not help: create the index templates (discourse-trends es-setup, or "
                            + "es.install-templates=true) and check the index is open and writable.");
                }
            }
            // Bytes are apportioned by document count: exact per document would cost a size per operation.
            long acceptedBytes = bytes * accepted / pending.size();
            documentsSent.inc(accepted);
            bytesSent.inc(acceptedBytes);
            if (retry.isEmpty()) {
                return;
            }
            bytes = bytes * retry.size() / pending.size();
            pending = retry;
        }
    }

    private void deadLetter(Pending doc, int status, String type, String reason) throws IOException {
        if (rejected == null) {
            throw new IOException("Elasticsearch rejected document " + doc.id() + " in index " + doc.index()
                    + " (" + status + " " + type + ": " + reason + "). The job's documents and the "
                    + "index template disagree: let the job install the templates of this release "
                    + "(es.install-templates=true) and check the index is not managed by another template.");
        }
        rejected.reject(new RejectedDocument(doc.index(), doc.id(), doc.source(), status, type, reason,
                Instant.ofEpochMilli(System.currentTimeMillis())));
        deadLettered.inc();
    }

    /**
     * {@code DEAD_LETTER_MISSING}: a partial update of a document that is not there, dead-lettered with a reason
     * that says why that happens, and counted in {@code updatesOfMissingDocuments} too.
     */
    enum ItemOutcome { RETRY, DEAD_LETTER, DEAD_LETTER_MISSING, FAIL_CREDENTIALS, FAIL }

    /** {@link #classifyItem(int, String, String, boolean)} of an item with no earlier item retried for its document. */
    static ItemOutcome classifyItem(int status, String errorType, String reason) {
        return classifyItem(status, errorType, reason, false);
    }

    /**
     * What to do with one failed bulk item, from its status and Elasticsearch's error type and reason, and whether
     * an earlier item of the same request for the same document is being retried.
     */
    static ItemOutcome classifyItem(int status, String errorType, String reason, boolean earlierRetried) {
        if (isRetryable(status)) {
            return ItemOutcome.RETRY;
        }
        if (status == 404 && DOCUMENT_MISSING.equals(errorType)) {
            // A partial update sent with its document's whole write: that write was refused for now (429) and is
            // retried, this update after it, in order. Else the document is not coming: no retry brings it.
            return earlierRetried ? ItemOutcome.RETRY : ItemOutcome.DEAD_LETTER_MISSING;
        }
        if (status == 401 || status == 403 && "security_exception".equals(errorType)) {
            return ItemOutcome.FAIL_CREDENTIALS;
        }
        if (INDEX_LEVEL_ERRORS.contains(errorType) || status == 404
                // An alias without a write index: true of every document sent to it, not of this one.
                || "illegal_argument_exception".equals(errorType) && reason != null && reason.contains("write index")) {
            return ItemOutcome.FAIL;
        }
        if (status == 400 || status == 409 || status == 413 || status == 422) {
            return ItemOutcome.DEAD_LETTER;
        }
        return ItemOutcome.FAIL;
    }

    private String classifyRequestFailure(int status, String message) throws IOException {
        if (status == 401 || status == 403) {
            // The message of a 401 is not quoted: a proxy may echo the request's headers.
            throw credentialsFailure(status, status == 403 ? message : null);
        }
        if (status == 413) {
            throw new IOException("Elasticsearch refused a bulk request as too large (413): lower es.bulk.max-mb "
                    + "below the cluster's http.max_content_length. " + message);
        }
        if (!isRetryable(status)) {
            throw new IOException("Elasticsearch rejected the bulk request (" + status + "): " + message);
        }
        return status + ": " + message;
    }

    private static ResponseException responseException(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ResponseException r) {
                return r;
            }
        }
        return null;
    }

    private IOException credentialsFailure(int status, String detail) {
        String variables = ElasticsearchConnection.API_KEY_ENV + ", or " + ElasticsearchConnection.USERNAME_ENV
                + " and " + ElasticsearchConnection.PASSWORD_ENV + " (or the same names with _FILE naming a file "
                + "that holds the value)";
        if (status == 401) {
            return new IOException("Elasticsearch refused the credentials (401; the sink used " + credentialsInUse
                    + "). Set " + variables + " to valid credentials on every task manager.");
        }
        return new IOException("Elasticsearch denied the request (403; the sink used " + credentialsInUse
                + "): the user or API key needs the 'index' and 'create_index' privileges on the discourse-* indices, "
                + "or set " + variables + " to credentials that have them." + (detail == null ? "" : " " + detail));
    }

    private static boolean isRetryable(int status) {
        return status == 408 || status == 429 || status >= 500;
    }

    long documentsDeadLettered() {
        return deadLettered.getCount();
    }

    long updatesOfMissingDocuments() {
        return missingForUpdate.getCount();
    }

    long bulkRetries() {
        return retries.getCount();
    }

    long bulkRequestCount() {
        return bulkRequests.getCount();
    }

    long documentsSentCount() {
        return documentsSent.getCount();
    }

    @Override
    public void close() throws Exception {
        try {
            if (rejected != null) {
                rejected.close();
            }
        } finally {
            client._transport().close();
        }
    }
}

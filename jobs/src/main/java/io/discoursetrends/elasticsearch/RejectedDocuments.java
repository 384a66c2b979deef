package io.discoursetrends.elasticsearch;

import java.io.IOException;
import java.io.Serializable;

/**
 * Where the Elasticsearch sink puts documents Elasticsearch will never accept (mapping, parsing or validation
 * errors), so that one bad document does not stop the job. Production writes them to a Kafka topic
 * ({@link KafkaRejectedDocuments}).
 *
 * <p>Contract with the writer, which is what makes the sink at-least-once for rejected documents too:
 * {@link #reject} may return before the document is stored; {@link #flush} returns only once every document
 * handed over before it is stored, or throws. The writer calls {@code flush} in its own flush, that is before
 * every checkpoint completes and at end of input. All calls come from the task thread.
 */
public interface RejectedDocuments extends AutoCloseable {

    /** Hands over one rejected document; throws if an earlier one could not be stored. */
    void reject(RejectedDocument document) throws IOException;

    /** Returns once every document handed over so far is stored; throws if one could not be. */
    void flush() throws IOException, InterruptedException;

    @Override
    void close() throws IOException;

    /** Shipped with the sink to the task managers; creates one handler per writer (subtask). */
    @FunctionalInterface
    interface Factory extends Serializable {
        RejectedDocuments create(int subtaskIndex);
    }
}

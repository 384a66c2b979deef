package io.discoursetrends.elasticsearch;

import java.io.Serializable;

/**
 * How an element becomes an Elasticsearch document: its index (or alias), its deterministic id, and its JSON.
 * Deterministic ids make every write an idempotent whole-document upsert, or an idempotent partial update of
 * one: replays after a failure overwrite what was written before instead of adding to it.
 */
public interface DocumentMapper<T> extends Serializable {
    String index(T element);

    String id(T element);

    /** The document, or for a {@link #partial} one the fields to set in the document already there. */
    byte[] source(T element);

    /**
     * Whether {@code element} is a partial update ({@code update} with {@code doc}: its {@link #source} fields set
     * in the document written before, the rest left as they are) rather than a whole document ({@code index}).
     * Updates too must be idempotent: they set values, never add to them.
     */
    default boolean partial(T element) {
        return false;
    }
}

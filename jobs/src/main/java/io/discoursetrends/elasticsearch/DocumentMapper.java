package io.discoursetrends.elasticsearch;

import java.io.Serializable;

/**
 * How an element becomes an Elasticsearch document: its index (or alias), its deterministic id, and its JSON.
 * Deterministic ids make every write an idempotent whole-document upsert: replays after a failure overwrite
 * what was written before instead of adding to it.
 */
public interface DocumentMapper<T> extends Serializable {
    String index(T element);

    String id(T element);

    byte[] source(T element);
}

package io.discoursetrends.elasticsearch;

import java.io.Serializable;
import java.time.LocalDate;

/**
 * Names the concrete monthly index a document is written to: {@code base-yyyy.MM} (UTC), read back through the
 * alias {@code base} that the index template attaches to every {@code base-*} index.
 *
 * <p>Why monthly indices named from the document's own time, and not rollover behind a write alias: a document
 * with a deterministic id must land in the same concrete index however often it is written. A replay after a
 * restart (at-least-once) rewrites documents; with rollover the rewrite could go to a newer index than the
 * first write and the document would then exist twice, once per index, under the same id. Naming the index from
 * the document's event time makes every rewrite an overwrite, so the index stays exactly-once in effect.
 * Retention then deletes whole months (ILM delete phase, or by hand where there is no ILM).
 */
public final class TimeBasedIndex {
    private TimeBasedIndex() {}

    /** {@code base-yyyy.MM} of the UTC month that {@code epochMillis} falls in. */
    public static String name(String base, long epochMillis) {
        LocalDate day = LocalDate.ofEpochDay(Math.floorDiv(epochMillis, 86_400_000L));
        int month = day.getMonthValue();
        return base + "-" + day.getYear() + (month < 10 ? ".0" : ".") + month;
    }

    /** The time a document is filed under (for buckets, the bucket's start). */
    @FunctionalInterface
    public interface Timestamp<T> extends Serializable {
        long epochMillis(T element);
    }

    /**
     * {@code documents} with its index taken as the base name and replaced by the monthly index of
     * {@code timestamp}: e.g. with a mapper whose index is {@code discourse-trends},
     * {@code monthly(mapper, TrendBucket::bucketStartMillis)} files a bucket of May 2026 under
     * {@code discourse-trends-2026.05}. (Mappers that know their document's time, like
     * {@link TrendBucketDocuments}, call {@link #name} themselves.)
     */
    public static <T> DocumentMapper<T> monthly(DocumentMapper<T> documents, Timestamp<T> timestamp) {
        return new Monthly<>(documents, timestamp);
    }

    private record Monthly<T>(DocumentMapper<T> documents, Timestamp<T> timestamp) implements DocumentMapper<T> {
        @Override
        public String index(T element) {
            return name(documents.index(element), timestamp.epochMillis(element));
        }

        @Override
        public String id(T element) {
            return documents.id(element);
        }

        @Override
        public byte[] source(T element) {
            return documents.source(element);
        }
    }
}

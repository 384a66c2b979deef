package io.discoursetrends.buckets;

import io.discoursetrends.model.CanonicalEvent;
import io.discoursetrends.model.Engagement;
import org.apache.flink.api.common.functions.AggregateFunction;

/**
 * Counts the events of one platform in one bucket. The accumulator is a fixed-size array of longs (posts,
 * then one slot per engagement type), so window state stays a handful of bytes per key and window whatever
 * the volume, and Flink serializes it natively.
 */
public final class PlatformCounter implements AggregateFunction<CanonicalEvent, long[], long[]> {
    private static final long serialVersionUID = 1L;

    static final int POSTS = 0;
    static final int SLOTS = 1 + Engagement.Type.values().length;

    @Override
    public long[] createAccumulator() {
        return new long[SLOTS];
    }

    @Override
    public long[] add(CanonicalEvent e, long[] acc) {
        if (e.isPost()) {
            acc[POSTS]++;
        } else {
            acc[1 + e.engagement().type().ordinal()] += e.engagement().delta();
        }
        return acc;
    }

    @Override
    public long[] getResult(long[] acc) {
        return acc;
    }

    @Override
    public long[] merge(long[] a, long[] b) {
        for (int i = 0; i < a.length; i++) {
            a[i] += b[i];
        }
        return a;
    }

    static long of(long[] acc, Engagement.Type type) {
        return acc[1 + type.ordinal()];
    }
}

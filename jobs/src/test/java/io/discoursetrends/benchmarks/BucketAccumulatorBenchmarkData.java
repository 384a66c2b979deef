package io.discoursetrends.benchmarks;

import io.discoursetrends.engagement.AttributedEvent;

/** {@link BucketAccumulatorBenchmark}'s attributed events, for the benchmarks of other packages. */
public final class BucketAccumulatorBenchmarkData {
    private BucketAccumulatorBenchmarkData() {}

    public static AttributedEvent[] attributedEvents() {
        return BucketAccumulatorBenchmark.attributedEvents(BenchmarkData.SEED);
    }
}

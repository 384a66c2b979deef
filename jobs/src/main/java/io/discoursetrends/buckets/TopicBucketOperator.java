package io.discoursetrends.buckets;

import org.apache.flink.streaming.api.operators.KeyedProcessOperator;

/**
 * Runs {@link TopicBucketFunction} as Flink's {@link KeyedProcessOperator} does (same timers, {@code user-timers},
 * same state), and on a state backend that serializes its values lets the function keep the accumulators it
 * works on decoded between calls, written back before each checkpoint barrier ({@link #prepareSnapshotPreBarrier})
 * and at the end of the input. Only an operator can do that: writing back a key needs the current key set to it,
 * outside any call for that key.
 *
 * <p>Not on the heap backend, where state holds the objects themselves (a read returns the object, a write keeps
 * the reference; a copy-on-write snapshot copies what changes later), so there is nothing to save and a cached
 * reference could outlive a snapshot; and not in batch execution mode, where keyed state lives for one key at a
 * time and switching keys would end the current one's. There the function writes through, as before.
 *
 * <p>Savepoints are unchanged: the state ({@code platform-buckets}, its serializers) and the timers are those of
 * the {@code KeyedProcessOperator} this replaces, under the same uid.
 */
public final class TopicBucketOperator extends KeyedProcessOperator<String, TopicBatch, TrendBucket> {
    private static final long serialVersionUID = 1L;

    private final boolean batch;

    public TopicBucketOperator(TopicBucketFunction function, boolean batchExecution) {
        super(function);
        this.batch = batchExecution;
    }

    @Override
    public void open() throws Exception {
        super.open();
        if (!batch && getKeyedStateBackend().isSafeToReuseKVState()) {
            function().cacheWith(this);
        }
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        function().writeBack();
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void finish() throws Exception {
        function().writeBack();
        super.finish();
    }

    private TopicBucketFunction function() {
        return (TopicBucketFunction) userFunction;
    }
}

package io.discoursetrends.buckets;

import io.discoursetrends.engagement.AttributedEvent;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.tasks.ProcessingTimeService;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Fans attributed events out to their bucket keys, {@link TrendBucket#ALL_TOPICS} and each of their topics, in
 * batches: one {@link TopicBatch} per key instead of one record per event and key. Sending a record between
 * tasks costs about as much as counting it, whatever its size (docs/benchmarks.md), and this edge carries
 * every event once per topic plus once more, so batching it is the cheapest way to keep the job fast.
 *
 * <p>The batches change what arrives when, not what the buckets count:
 * <ul>
 *   <li>Before each watermark is passed on, everything gathered is flushed, so the bucket operator sees every
 *       event before the watermark that follows it, as without batching: lateness is decided the same way.</li>
 *   <li>Before each checkpoint barrier (prepareSnapshotPreBarrier), everything is flushed, so the operator
 *       holds nothing in a checkpoint and needs no state: exactly-once as before.</li>
 *   <li>At the end of a bounded input, everything is flushed.</li>
 *   <li>Each key's events keep their arrival order, so the per-author cap counts the same posts.</li>
 * </ul>
 *
 * <p>Each event is encoded once, as it arrives, into the flush's buffer, and every batch it is in copies those
 * bytes when Flink serializes the batch ({@link TopicBatch.Encoded}): encoding was the largest cost of sending
 * the batches, and an event is in 1 + (its topics) of them. The bytes are those the serializer would write.
 *
 * <p>Between watermarks (every 200 ms by default) at most {@value #MAX_BUFFERED_EVENTS} events wait; more are
 * flushed at once. That bounds memory (the events and their encoded bytes) and the size of a batch (about 350
 * bytes per event, so a few hundred KB: far below the 5 MB above which Flink's network stack spills a record
 * to disk to reassemble it). No event waits longer than {@value #MAX_WAIT_MILLIS} ms of processing time
 * either, for the moments no watermark comes (events that do not move event time, idle inputs), so early
 * results stay live.
 */
public final class TopicBatcher extends AbstractStreamOperator<TopicBatch>
        implements OneInputStreamOperator<AttributedEvent, TopicBatch> {
    private static final long serialVersionUID = 1L;

    static final int MAX_BUFFERED_EVENTS = 1_000;
    static final long MAX_WAIT_MILLIS = 1_000;

    /** Per key, in the order keys first appeared since the last flush (a deterministic output order). */
    private transient Map<String, Pending> pending;
    /** Emptied {@link Pending}s for the next flush's keys: the lists keep their capacity. */
    private transient ArrayDeque<Pending> spare;
    /**
     * Each event of this flush encoded once, as the serializer writes it in a batch; the batches it goes to
     * copy its bytes (docs/benchmarks.md: encoding was the largest cost of the task).
     */
    private transient DataOutputSerializer encoded;
    private transient int[] starts;
    private transient TopicBatchSerializer encoder;
    private transient int buffered;
    private transient boolean flushScheduled;

    /** One key's events since the last flush, with their numbers in the flush. */
    private static final class Pending {
        AttributedEvent[] events = new AttributedEvent[16];
        int[] indexes = new int[16];
        int size;

        void add(AttributedEvent e, int index) {
            if (size == events.length) {
                events = Arrays.copyOf(events, size * 2);
                indexes = Arrays.copyOf(indexes, size * 2);
            }
            events[size] = e;
            indexes[size++] = index;
        }

        void clear() {
            Arrays.fill(events, 0, size, null);
            size = 0;
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        pending = new LinkedHashMap<>();
        spare = new ArrayDeque<>();
        encoded = new DataOutputSerializer(64 * 1024);
        starts = new int[MAX_BUFFERED_EVENTS + 1];
        encoder = new TopicBatchSerializer();
    }

    @Override
    public void processElement(StreamRecord<AttributedEvent> record) throws Exception {
        AttributedEvent e = record.getValue();
        if (!flushScheduled) {
            flushScheduled = true;
            ProcessingTimeService time = getProcessingTimeService();
            time.registerTimer(time.getCurrentProcessingTime() + MAX_WAIT_MILLIS, t -> {
                flushScheduled = false;
                flush();
            });
        }
        int index = buffered;
        starts[index] = encoded.length();
        encoder.encode(encoded, e);
        add(TrendBucket.ALL_TOPICS, e, index);
        for (String topic : e.topics()) {
            add(topic, e, index);
        }
        if (++buffered >= MAX_BUFFERED_EVENTS) {
            flush();
        }
    }

    private void add(String topic, AttributedEvent e, int index) {
        Pending p = pending.get(topic);
        if (p == null) {
            p = spare.isEmpty() ? new Pending() : spare.poll();
            pending.put(topic, p);
        }
        p.add(e, index);
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        flush();
        super.processWatermark(mark);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        flush();
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void finish() throws Exception {
        flush();
        super.finish();
    }

    private void flush() {
        if (buffered == 0) {
            return;
        }
        starts[buffered] = encoded.length();
        TopicBatch.Flush flush = new TopicBatch.Flush(encoded.getSharedBuffer(), starts);
        for (Map.Entry<String, Pending> en : pending.entrySet()) {
            Pending p = en.getValue();
            output.collect(new StreamRecord<>(new TopicBatch(en.getKey(), Arrays.copyOf(p.events, p.size),
                    new TopicBatch.Encoded(flush, Arrays.copyOf(p.indexes, p.size)))));
            p.clear();
            spare.add(p);
        }
        // Flink has serialized every batch inside collect; whoever still holds one gets it encoded afresh.
        flush.open = false;
        pending.clear();
        encoded.clear();
        buffered = 0;
    }
}

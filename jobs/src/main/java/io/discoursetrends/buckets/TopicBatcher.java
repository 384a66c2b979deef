package io.discoursetrends.buckets;

import io.discoursetrends.engagement.AttributedEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * Between watermarks (every 200 ms by default) at most {@value #MAX_BUFFERED_EVENTS} events wait; more are
 * flushed at once. That bounds memory and the size of a batch (about 350 bytes per event, so a few hundred
 * KB: far below the 5 MB above which Flink's network stack spills a record to disk to reassemble it). No event
 * waits longer than {@value #MAX_WAIT_MILLIS} ms of processing time either, for the moments no watermark
 * comes (events that do not move event time, idle inputs), so early results stay live.
 */
public final class TopicBatcher extends AbstractStreamOperator<TopicBatch>
        implements OneInputStreamOperator<AttributedEvent, TopicBatch> {
    private static final long serialVersionUID = 1L;

    static final int MAX_BUFFERED_EVENTS = 1_000;
    static final long MAX_WAIT_MILLIS = 1_000;
    private static final AttributedEvent[] NONE = new AttributedEvent[0];

    /** Per key, in the order keys first appeared since the last flush (a deterministic output order). */
    private transient Map<String, List<AttributedEvent>> pending;
    private transient int buffered;
    private transient boolean flushScheduled;

    @Override
    public void open() throws Exception {
        super.open();
        pending = new LinkedHashMap<>();
    }

    @Override
    public void processElement(StreamRecord<AttributedEvent> record) {
        AttributedEvent e = record.getValue();
        if (!flushScheduled) {
            flushScheduled = true;
            ProcessingTimeService time = getProcessingTimeService();
            time.registerTimer(time.getCurrentProcessingTime() + MAX_WAIT_MILLIS, t -> {
                flushScheduled = false;
                flush();
            });
        }
        add(TrendBucket.ALL_TOPICS, e);
        for (String topic : e.topics()) {
            add(topic, e);
        }
        if (++buffered >= MAX_BUFFERED_EVENTS) {
            flush();
        }
    }

    private void add(String topic, AttributedEvent e) {
        pending.computeIfAbsent(topic, t -> new ArrayList<>()).add(e);
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
        for (Map.Entry<String, List<AttributedEvent>> en : pending.entrySet()) {
            output.collect(new StreamRecord<>(new TopicBatch(en.getKey(), en.getValue().toArray(NONE))));
        }
        pending.clear();
        buffered = 0;
    }
}

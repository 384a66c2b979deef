package io.discoursetrends.buckets;

import static org.assertj.core.api.Assertions.assertThat;

import io.discoursetrends.engagement.AttributedEvent;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Harness tests of the fan-out batches: every event reaches _all and each of its topics once, in arrival order,
 * and nothing is held across a watermark, a checkpoint barrier, the end of the input, the size bound or the
 * longest wait.
 */
class TopicBatcherTest {
    private OneInputStreamOperatorTestHarness<AttributedEvent, TopicBatch> h;

    @BeforeEach
    void open() throws Exception {
        h = new OneInputStreamOperatorTestHarness<>(new TopicBatcher());
        h.open();
    }

    @AfterEach
    void close() throws Exception {
        h.close();
    }

    @Test
    void shouldSendEachKeyItsEventsInArrivalOrderBeforePassingTheWatermarkOn() throws Exception {
        AttributedEvent p1 = TopicBucketFunctionTest.post("p1", 1, "alice", "x", "en"); // topic ai-art
        AttributedEvent bot = TopicBucketFunctionTest.botPost("b1", 2); // no topics
        AttributedEvent like = TopicBucketFunctionTest.like("p1", 3, "bob", 1); // ai-art
        for (AttributedEvent e : List.of(p1, bot, like)) {
            h.processElement(new StreamRecord<>(e));
        }
        assertThat(h.getOutput()).isEmpty();

        h.processWatermark(new Watermark(1_000));
        List<Object> out = new ArrayList<>(h.getOutput());
        assertThat(out).hasSize(3);
        assertThat(((StreamRecord<?>) out.get(0)).getValue())
                .isEqualTo(new TopicBatch("_all", new AttributedEvent[] {p1, bot, like}));
        assertThat(((StreamRecord<?>) out.get(1)).getValue())
                .isEqualTo(new TopicBatch("ai-art", new AttributedEvent[] {p1, like}));
        assertThat(out.get(2)).isEqualTo(new Watermark(1_000));

        h.processWatermark(new Watermark(2_000)); // nothing gathered since: only the watermark
        assertThat(h.getOutput()).hasSize(4);
    }

    @Test
    void shouldFlushBeforeACheckpointBarrierAndKeepNoState() throws Exception {
        h.processElement(new StreamRecord<>(TopicBucketFunctionTest.like("p1", 3, "bob", 1)));
        h.prepareSnapshotPreBarrier(1);
        assertThat(h.extractOutputValues()).extracting(TopicBatch::topic).containsExactly("_all", "ai-art");

        OperatorSubtaskState snapshot = h.snapshot(1, 0);
        assertThat(snapshot.getManagedOperatorState()).isEmpty();
        assertThat(snapshot.getManagedKeyedState()).isEmpty();
    }

    @Test
    void shouldFlushWhatWaitedTooLongWhenNoWatermarkComes() throws Exception {
        h.setProcessingTime(0);
        h.processElement(new StreamRecord<>(TopicBucketFunctionTest.like("p1", 3, "bob", 1)));
        h.setProcessingTime(TopicBatcher.MAX_WAIT_MILLIS - 1);
        assertThat(h.getOutput()).isEmpty();
        h.setProcessingTime(TopicBatcher.MAX_WAIT_MILLIS);
        assertThat(h.extractOutputValues()).extracting(TopicBatch::topic).containsExactly("_all", "ai-art");

        h.processElement(new StreamRecord<>(TopicBucketFunctionTest.like("p1", 4, "carol", 1)));
        h.setProcessingTime(2 * TopicBatcher.MAX_WAIT_MILLIS); // the next event is held at most as long again
        assertThat(h.extractOutputValues()).hasSize(4);
    }

    @Test
    void shouldFlushAtTheEndOfTheInput() throws Exception {
        h.processElement(new StreamRecord<>(TopicBucketFunctionTest.like("p1", 3, "bob", 1)));
        h.getOneInputOperator().finish();
        assertThat(h.extractOutputValues()).hasSize(2);
    }

    @Test
    void shouldFlushWhenTheBoundIsReachedBetweenWatermarks() throws Exception {
        AttributedEvent bot = TopicBucketFunctionTest.botPost("b1", 2);
        for (int i = 0; i < TopicBatcher.MAX_BUFFERED_EVENTS + 1; i++) {
            h.processElement(new StreamRecord<>(bot));
        }
        List<TopicBatch> out = h.extractOutputValues();
        assertThat(out).hasSize(1);
        assertThat(out.get(0).events()).hasSize(TopicBatcher.MAX_BUFFERED_EVENTS);
        h.processWatermark(new Watermark(1));
        assertThat(h.extractOutputValues()).hasSize(2).last()
                .satisfies(b -> assertThat(b.events()).hasSize(1));
    }
}

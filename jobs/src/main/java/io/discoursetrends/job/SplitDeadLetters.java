package io.discoursetrends.job;

import io.discoursetrends.model.CanonicalEvent;
import io.discoursetrends.model.DeadLetter;
import io.discoursetrends.model.SourceEnvelope;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/** Events go on; dead letters, already counted by the source, leave through a side output. */
final class SplitDeadLetters extends ProcessFunction<SourceEnvelope, CanonicalEvent> {
    private static final long serialVersionUID = 1L;

    static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") {};

    @Override
    public void processElement(SourceEnvelope in, Context ctx, Collector<CanonicalEvent> out) {
        if (in.isDeadLetter()) {
            ctx.output(DEAD_LETTERS, in.deadLetter());
        } else {
            out.collect(in.event());
        }
    }
}

package io.discoursetrends.buckets;

import io.discoursetrends.model.Engagement.Type;
import io.discoursetrends.model.Platform;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/** Stamps a finished {@link PlatformCounter} result with its platform and bucket bounds. */
public final class PlatformCountWindow extends ProcessWindowFunction<long[], PlatformCount, String, TimeWindow> {
    private static final long serialVersionUID = 1L;

    @Override
    public void process(String platform, Context ctx, Iterable<long[]> results, Collector<PlatformCount> out) {
        long[] acc = results.iterator().next();
        TimeWindow w = ctx.window();
        out.collect(new PlatformCount(Platform.of(platform), w.getStart(), w.getEnd(), acc[PlatformCounter.POSTS],
                PlatformCounter.of(acc, Type.REPLY), PlatformCounter.of(acc, Type.QUOTE),
                PlatformCounter.of(acc, Type.LIKE), PlatformCounter.of(acc, Type.REPOST),
                PlatformCounter.of(acc, Type.VOTE)));
    }
}

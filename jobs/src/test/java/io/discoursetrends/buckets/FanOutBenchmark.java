package io.discoursetrends.buckets;

import io.discoursetrends.engagement.AttributedEvent;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the fan-out edge's encoding costs per event (JMH): one flush of {@value #FLUSH} events of the realistic
 * mix ({@code BucketAccumulatorBenchmark}'s attributed events), grouped by key ({@code _all} and each topic, as
 * {@link TopicBatcher} does) and every batch serialized into one buffer, as Flink's record writer does.
 *
 * <ul>
 *   <li>{@code eachBatchEncodesItsEvents}: every batch encodes its events ({@link TopicBatch} without its
 *       encoded form: the serializer before each event was encoded once);</li>
 *   <li>{@code eventsEncodedOnce}: each event encoded once into the flush's buffer, the batches copy its bytes
 *       (what {@link TopicBatcher} does now).</li>
 * </ul>
 * Both write the same bytes ({@link TopicBatchSerializerTest}). Keyed-state and network costs are not included.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class FanOutBenchmark {
    static final int FLUSH = TopicBatcher.MAX_BUFFERED_EVENTS;
    private static final int FLUSHES = 50;

    /** Per flush: its events in arrival order, and its batches (without and with the encoded form). */
    private AttributedEvent[][] flushEvents;
    private TopicBatch[][] plainBatches;
    private TopicBatch[][] encodedBatches;
    private int next;
    private final TopicBatchSerializer serializer = new TopicBatchSerializer();
    private final TopicBatchSerializer encoder = new TopicBatchSerializer();
    private final DataOutputSerializer network = new DataOutputSerializer(1 << 22);
    /** Large enough never to grow, so the flushes made in setUp point at the buffer the benchmark fills. */
    private final DataOutputSerializer ahead = new DataOutputSerializer(1 << 22);

    @Setup
    public void setUp() throws IOException {
        AttributedEvent[] events = io.discoursetrends.benchmarks.BucketAccumulatorBenchmarkData.attributedEvents();
        flushEvents = new AttributedEvent[FLUSHES][];
        plainBatches = new TopicBatch[FLUSHES][];
        encodedBatches = new TopicBatch[FLUSHES][];
        int e = 0;
        for (int f = 0; f < FLUSHES; f++) {
            AttributedEvent[] flushed = new AttributedEvent[FLUSH];
            Map<String, List<Integer>> keys = new LinkedHashMap<>();
            int[] starts = new int[FLUSH + 1];
            ahead.clear();
            for (int k = 0; k < FLUSH; k++) {
                flushed[k] = events[e++ % events.length];
                starts[k] = ahead.length();
                encoder.encode(ahead, flushed[k]);
                keys.computeIfAbsent(TrendBucket.ALL_TOPICS, t -> new ArrayList<>()).add(k);
                for (String topic : flushed[k].topics()) {
                    keys.computeIfAbsent(topic, t -> new ArrayList<>()).add(k);
                }
            }
            starts[FLUSH] = ahead.length();
            TopicBatch.Flush flush = new TopicBatch.Flush(ahead.getSharedBuffer(), starts);
            List<TopicBatch> plain = new ArrayList<>();
            List<TopicBatch> encoded = new ArrayList<>();
            for (Map.Entry<String, List<Integer>> en : keys.entrySet()) {
                int[] indexes = en.getValue().stream().mapToInt(Integer::intValue).toArray();
                AttributedEvent[] batch = new AttributedEvent[indexes.length];
                for (int i = 0; i < indexes.length; i++) {
                    batch[i] = flushed[indexes[i]];
                }
                plain.add(new TopicBatch(en.getKey(), batch));
                encoded.add(new TopicBatch(en.getKey(), batch, new TopicBatch.Encoded(flush, indexes)));
            }
            flushEvents[f] = flushed;
            plainBatches[f] = plain.toArray(new TopicBatch[0]);
            encodedBatches[f] = encoded.toArray(new TopicBatch[0]);
        }
    }

    /** Every batch encodes its events, as before. */
    @Benchmark
    @OperationsPerInvocation(FLUSH)
    public int eachBatchEncodesItsEvents() throws IOException {
        int f = nextFlush();
        network.clear();
        for (TopicBatch b : plainBatches[f]) {
            serializer.serialize(b, network);
        }
        return network.length();
    }

    /** Each event encoded once into the flush's buffer, then the batches copy its bytes. */
    @Benchmark
    @OperationsPerInvocation(FLUSH)
    public int eventsEncodedOnce() throws IOException {
        int f = nextFlush();
        ahead.clear();
        for (AttributedEvent e : flushEvents[f]) {
            encoder.encode(ahead, e);
        }
        network.clear();
        for (TopicBatch b : encodedBatches[f]) {
            serializer.serialize(b, network);
        }
        return network.length();
    }

    /**
     * The two ways in alternating slices of one JVM, by the thread's CPU time per slice: on a shared machine JMH's
     * iterations of one way and then the other see different loads. Arguments: slices (100), flushes per slice
     * (20); the first fifth of the slices is warm-up.
     */
    public static void main(String[] args) throws IOException {
        int slices = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int flushes = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        FanOutBenchmark b = new FanOutBenchmark();
        b.setUp();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double[] before = new double[slices];
        double[] after = new double[slices];
        double[] ratio = new double[slices];
        long written = 0;
        for (int s = -slices / 5; s < slices; s++) {
            long c0 = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < flushes; i++) {
                written += b.eachBatchEncodesItsEvents();
            }
            long c1 = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < flushes; i++) {
                written += b.eventsEncodedOnce();
            }
            long c2 = threads.getCurrentThreadCpuTime();
            if (s >= 0) {
                before[s] = (c1 - c0) / (double) (flushes * FLUSH);
                after[s] = (c2 - c1) / (double) (flushes * FLUSH);
                ratio[s] = after[s] / before[s];
            }
        }
        Arrays.sort(before);
        Arrays.sort(after);
        Arrays.sort(ratio);
        System.out.printf(Locale.ROOT, "%d slices of %d flushes (%d bytes written); ns of CPU per event, median: "
                + "eachBatchEncodesItsEvents %.0f, eventsEncodedOnce %.0f; ratio %.3f (quartiles %.3f to %.3f)%n",
                slices, flushes, written, before[slices / 2], after[slices / 2], ratio[slices / 2],
                ratio[slices / 4], ratio[3 * slices / 4]);
    }

    private int nextFlush() {
        int f = next;
        next = (next + 1) % FLUSHES;
        return f;
    }
}

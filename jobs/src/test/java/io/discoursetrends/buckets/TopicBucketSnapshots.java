package io.discoursetrends.buckets;

import io.discoursetrends.engagement.AttributedEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;

/**
 * A fixed story for the bucket stage ({@code topic-buckets-per-topic}), and its state in the middle of it written
 * as a snapshot file by the code of an earlier commit, so that a later one proves it restores what that one
 * wrote ({@code TopicBucketRestoreTest}). Only API of that commit is used (the function's public constructor
 * run by a plain {@link KeyedProcessOperator}, as the job ran it before {@link TopicBucketOperator}), so this
 * very file compiles against it:
 *
 * <pre>
 * javac -d /tmp/snap -cp OLD/jobs/target/classes:$(cat /tmp/cp.txt) TopicBucketSnapshots.java
 * java -cp /tmp/snap:OLD/jobs/target/classes:$(cat /tmp/cp.txt) io.discoursetrends.buckets.TopicBucketSnapshots \
 *     /tmp/topic-buckets-COMMIT-BACKEND.snapshot heap|rocksdb
 * gzip -9 /tmp/topic-buckets-COMMIT-BACKEND.snapshot   # then into jobs/src/test/resources/savepoints/
 * </pre>
 *
 * <p>The story: eleven keys, four platforms; event time moves 3 s every 10 steps, the watermark 30 s behind it;
 * events up to 100 s behind the front (late updates once their bucket fired) and 2% of them 12 minutes behind
 * (too late, past the 10-minute lateness); processing time moves 4 s every 25 steps (early results every 10 s).
 * The snapshot is taken after step {@value #SNAPSHOT_AFTER} of {@value #STEPS}: open and fired buckets, both
 * kinds of timers in state.
 */
final class TopicBucketSnapshots {
    static final long T0 = Instant.parse("2026-05-25T14:00:00Z").toEpochMilli();
    static final Duration LATENESS = Duration.ofMinutes(10);
    static final int STEPS = 1_500;
    static final int SNAPSHOT_AFTER = 700;
    private static final String[] KEYS = {"_all", "t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "t9"};
    private static final String[] PLATFORMS = {"bluesky", "mastodon", "reddit", "hackernews"};

    private TopicBucketSnapshots() {}

    /** One step of the story: a batch for a key, then maybe a watermark (else null) and a processing time. */
    record Step(TopicBatch batch, Long watermark, Long processingTime) {}

    public static void main(String[] args) throws Exception {
        String out = args[0];
        String backend = args[1];
        KeyedOneInputStreamOperatorTestHarness<String, TopicBatch, TrendBucket> h =
                new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(function()),
                        TopicBatch::topic, Types.STRING);
        if (backend.equals("rocksdb")) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
        }
        h.open();
        List<Step> story = story();
        for (int i = 0; i <= SNAPSHOT_AFTER; i++) {
            play(h, story.get(i));
        }
        OperatorSubtaskState snapshot = h.snapshot(1, 1);
        Files.createDirectories(Path.of(out).toAbsolutePath().getParent());
        OperatorSnapshotUtil.writeStateHandle(snapshot, out);
        System.out.println("wrote " + out + " (" + backend + "): " + h.extractOutputValues().size()
                + " documents, " + h.numEventTimeTimers() + " event-time timers, " + h.numProcessingTimeTimers()
                + " processing-time timers");
        h.close();
    }

    /** The stage as the job configures it by default, with a cap of 2 posts per author. */
    static TopicBucketFunction function() {
        return new TopicBucketFunction(Duration.ofMinutes(1), LATENESS, Duration.ofSeconds(10), 2);
    }

    static void play(KeyedOneInputStreamOperatorTestHarness<String, TopicBatch, TrendBucket> h, Step step)
            throws Exception {
        h.processElement(new StreamRecord<>(step.batch()));
        if (step.watermark() != null) {
            h.processWatermark(step.watermark());
        }
        if (step.processingTime() != null) {
            h.setProcessingTime(step.processingTime());
        }
    }

    static List<Step> story() {
        Random random = new Random(20261207);
        List<Step> steps = new ArrayList<>();
        long front = T0;
        long processingTime = 0;
        for (int i = 0; i < STEPS; i++) {
            String key = KEYS[random.nextInt(KEYS.length)];
            AttributedEvent[] events = new AttributedEvent[1 + random.nextInt(6)];
            for (int j = 0; j < events.length; j++) {
                long time = random.nextInt(50) == 0 ? front - Duration.ofMinutes(12).toMillis()
                        : front - random.nextInt(100_000) + random.nextInt(20_000);
                events[j] = event(random, PLATFORMS[random.nextInt(PLATFORMS.length)], time);
            }
            Long watermark = null;
            if (i % 10 == 9) {
                front += 3_000;
                watermark = front - 30_000;
            }
            Long processing = null;
            if (i % 25 == 24) {
                processingTime += 4_000;
                processing = processingTime;
            }
            steps.add(new Step(new TopicBatch(key, events), watermark, processing));
        }
        return steps;
    }

    /** The watermark in force after step {@code i} (Long.MIN_VALUE before the first). */
    static long watermarkAfter(List<Step> story, int i) {
        for (int j = i; j >= 0; j--) {
            if (story.get(j).watermark() != null) {
                return story.get(j).watermark();
            }
        }
        return Long.MIN_VALUE;
    }

    /** The processing time after step {@code i}. */
    static long processingTimeAfter(List<Step> story, int i) {
        for (int j = i; j >= 0; j--) {
            if (story.get(j).processingTime() != null) {
                return story.get(j).processingTime();
            }
        }
        return 0;
    }

    private static AttributedEvent event(Random random, String platform, long time) {
        String post = "p" + random.nextInt(40);
        String author = platform + "|a" + random.nextInt(12);
        if (random.nextBoolean()) {
            return new AttributedEvent(AttributedEvent.Kind.POST, platform, time, new String[] {"t"}, "v1", post,
                    "https://example.org/" + post, "text of " + post, author, false, false, random.nextInt(20) == 0,
                    false, random.nextBoolean() ? "en" : "de", random.nextBoolean() ? "c1" : null,
                    new String[] {"w" + random.nextInt(30), "w" + random.nextInt(30)}, 0, 0, 0, 0, 0);
        }
        return new AttributedEvent(AttributedEvent.Kind.ENGAGEMENT, platform, time, new String[] {"t"}, "v1", post,
                "https://example.org/" + post, "text of " + post, platform + "|e" + random.nextInt(30), false, false,
                false, random.nextInt(20) == 0, null, null, AttributedEvent.NO_TOPICS, 1 + random.nextInt(3),
                random.nextInt(2), 0, 0, 0);
    }
}

package io.discoursetrends.spikes;

import io.discoursetrends.buckets.BucketAccumulator;
import io.discoursetrends.buckets.TrendBucket;
import io.discoursetrends.engagement.AttributedEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The state of the spike stage ({@code detect-spikes}) at a fixed point of a fixed story, written as a snapshot
 * file, so that a later release can prove it restores what an earlier one wrote ({@code SpikeStateRestoreTest}).
 * Only API that every release since 0.1 has (posts counted by {@link BucketAccumulator}, the operator's
 * constructor), so this very file compiles against the commit whose layout it records:
 *
 * <pre>
 * git clone . /work/cc-x &amp;&amp; cd /work/cc-x &amp;&amp; git checkout COMMIT
 * cp .../SpikeStateSnapshots.java jobs/src/test/java/io/discoursetrends/spikes/
 * mvn -q -B -pl jobs -am test -Dtest=SpikeStateSnapshots -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dspikes.snapshot.out=/tmp/detect-spikes-COMMIT-BACKEND.snapshot -Dspikes.snapshot.backend=heap|rocksdb
 * gzip -9 /tmp/detect-spikes-COMMIT-BACKEND.snapshot   # then into jobs/src/test/resources/savepoints/
 * </pre>
 *
 * <p>Without {@code spikes.snapshot.out} it does nothing (it is not a test, only run by one).
 *
 * <p>The story: two topics on Reddit, 180 quiet minutes each (ten common words, six middling ones), a calendar
 * event of both topics at minute 178, and a burst on open-weight-models from minute 180 with a word never seen
 * before ("zephyr", not among the minute's top ten). The snapshot is taken after minute 181: a spike open, its
 * explanation, the event's impact being measured, the recent buckets and each key's history all in state.
 */
final class SpikeStateSnapshots {
    static final long T0 = Instant.parse("2026-05-25T00:00:00Z").toEpochMilli();
    static final long MIN = 60_000;
    static final Duration IDLE = Duration.ofDays(2);
    static final String MODELS = "open-weight-models";
    static final String LAW = "ai-law-policy";
    /** Minutes the snapshot holds: 0 to this one excluded. */
    static final int SNAPSHOT_AFTER = 182;
    static final CalendarEvent RULING = new CalendarEvent("weights-ruling", "Court rules on open weights",
            T0 + 178 * MIN, new String[] {MODELS, LAW}, null);

    private static final String[] COMMON = {"agent", "bench", "cuda", "eval", "gguf", "infer", "llama", "quant",
        "tokens", "weights"};
    private static final String[] MIDDLING = {"apache", "context", "license", "mistral", "ollama", "vram"};

    @Test
    @EnabledIfSystemProperty(named = "spikes.snapshot.out", matches = ".+")
    void write() throws Exception {
        write(System.getProperty("spikes.snapshot.out"), System.getProperty("spikes.snapshot.backend", "heap"));
    }

    static void write(String out, String backend) throws Exception {
        KeyedBroadcastOperatorTestHarness<String, TrendBucket, CalendarEvent, SpikeDocument> h = harness();
        if (backend.equals("rocksdb")) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
        }
        h.open();
        h.processBroadcastElement(RULING, T0);
        for (int minute = 0; minute < SNAPSHOT_AFTER; minute++) {
            add(h, bucket(MODELS, minute));
            add(h, bucket(LAW, minute));
        }
        OperatorSubtaskState snapshot = h.snapshot(1, T0 + SNAPSHOT_AFTER * MIN);
        Files.createDirectories(Path.of(out).toAbsolutePath().getParent());
        OperatorSnapshotUtil.writeStateHandle(snapshot, out);
        System.out.println("wrote " + out + " (" + backend + "): " + h.extractOutputValues().size()
                + " spike documents, " + h.numEventTimeTimers() + " timers");
        h.close();
    }

    static KeyedBroadcastOperatorTestHarness<String, TrendBucket, CalendarEvent, SpikeDocument> harness()
            throws Exception {
        return new KeyedBroadcastOperatorTestHarness<>(new CoBroadcastWithKeyedOperator<>(
                new SpikeDetectionFunction(DetectorSettings.DEFAULTS, Duration.ofMinutes(1), List.of(),
                        Duration.ofHours(1), Duration.ofHours(12), IDLE),
                List.of(SpikeDetectionFunction.CALENDAR)), b -> b.topic() + "|" + b.platform(), Types.STRING, 1, 1, 0);
    }

    static void add(KeyedBroadcastOperatorTestHarness<String, TrendBucket, CalendarEvent, SpikeDocument> h,
            TrendBucket b) throws Exception {
        h.processElement(new StreamRecord<>(b, b.bucketEndMillis() - 1));
        h.watermark(b.bucketEndMillis() - 1);
    }

    /**
     * Minute {@code minute} of the story on {@code topic}: 20 posts a quiet minute, 120 a burst minute (minutes
     * 180 to 184 of open-weight-models; 240 in minutes 300 to 304), each post with two common words, three in
     * five with a middling one, and in a burst one in six with its new word ("zephyr", then "yarrow"). The
     * snapshots hold minutes 0 to 181 only: what follows may change without new snapshots.
     */
    static TrendBucket bucket(String topic, int minute) {
        boolean burst = topic.equals(MODELS) && (minute >= 180 && minute < 185 || minute >= 300 && minute < 305);
        BucketAccumulator acc = new BucketAccumulator();
        int posts = !burst ? 20 : minute < 300 ? 120 : 240;
        for (int i = 0; i < posts; i++) {
            List<String> terms = new ArrayList<>(List.of(COMMON[i % 10], COMMON[(i + 3) % 10]));
            if (i < posts * 6 / 10) {
                terms.add(MIDDLING[i % 6]);
            }
            if (burst && i % 6 == 0) {
                terms.add(minute < 300 ? "zephyr" : "yarrow");
            }
            acc.add(new AttributedEvent(AttributedEvent.Kind.POST, "reddit", T0 + minute * MIN + i * 100L,
                    new String[] {topic}, "v1", topic + "-" + minute + "-" + i, null, "post " + i, "reddit|u-"
                    + minute + "-" + i, false, false, false, false, "en", null, terms.toArray(new String[0]), 0, 0,
                    0, 0, 0), 3);
        }
        long start = T0 + minute * MIN;
        return acc.result(topic, "reddit", start, start + MIN, true);
    }
}

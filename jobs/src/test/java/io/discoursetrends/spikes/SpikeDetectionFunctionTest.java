package io.discoursetrends.spikes;

import static org.assertj.core.api.Assertions.assertThat;

import io.discoursetrends.buckets.TrendBucket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Harness tests of the spike stage around the detector: the lifecycle of a spike's documents (open, update,
 * close, no flapping), its explanation, the calendar link, event impact, closing when a topic falls silent,
 * ignoring rewritten buckets, and idle keys leaving no state or timers behind.
 */
class SpikeDetectionFunctionTest {
    static final long T0 = Instant.parse("2026-05-25T00:00:00Z").toEpochMilli();
    static final long MIN = 60_000;
    static final Duration IDLE = Duration.ofDays(2);

    private KeyedBroadcastOperatorTestHarness<String, TrendBucket, CalendarEvent, SpikeDocument> h;

    @BeforeEach
    void open() throws Exception {
        h = new KeyedBroadcastOperatorTestHarness<>(new CoBroadcastWithKeyedOperator<>(
                new SpikeDetectionFunction(DetectorSettings.DEFAULTS, Duration.ofMinutes(1), List.of(),
                        Duration.ofHours(1), Duration.ofHours(12), IDLE),
                List.of(SpikeDetectionFunction.CALENDAR)), b -> b.topic() + "|" + b.platform(), Types.STRING, 1, 1, 0);
        h.open();
    }

    @AfterEach
    void close() throws Exception {
        h.close();
    }

    @Test
    void shouldOpenUpdateAndCloseASpikeOnASustainedBurstWithItsExplanation() throws Exception {
        CalendarEvent release = new CalendarEvent("qwen-release", "Qwen released", T0 + 178 * MIN,
                new String[] {"open-weight-models"}, "https://example.org/qwen");
        h.processBroadcastElement(release, T0);
        int minute = 0;
        for (; minute < 180; minute++) {
            add(bucket(minute, 5, "chatter"));
        }
        for (; minute < 186; minute++) {
            add(bucket(minute, 60, "qwen"));
        }
        for (; minute < 200; minute++) {
            add(bucket(minute, 5, "chatter"));
        }

        List<SpikeDocument> docs = h.extractOutputValues();
        assertThat(docs).isNotEmpty();
        assertThat(docs.stream().map(SpikeDocument::spikeId).distinct()).hasSize(1); // one spike, no flapping
        SpikeDocument first = docs.get(0);
        assertThat(first.open()).isTrue();
        assertThat(first.updatedAtMillis()).isBetween(T0 + 180 * MIN, T0 + 182 * MIN); // within 3 buckets
        SpikeDocument last = docs.get(docs.size() - 1);
        assertThat(last.open()).isFalse();
        assertThat(last.endedAtMillis()).isGreaterThanOrEqualTo(T0 + 186 * MIN);
        assertThat(last.peakValue()).isEqualTo(60);
        assertThat(last.ratio()).isGreaterThan(5);
        // The six burst buckets, and the quiet ones before the detector was sure it was over.
        assertThat(last.posts()).isBetween(6 * 60L, 6 * 60L + 3 * 5);
        assertThat(last.distinctiveTerms()).extracting(SpikeDocument.Term::term).contains("qwen")
                .doesNotContain("chatter");
        assertThat(last.topPosts()).extracting(TrendBucket.TopPost::id).first().isEqualTo("post-qwen");
        assertThat(last.event()).isEqualTo(release);
        assertThat(docs).filteredOn(SpikeDocument::open).hasSize(docs.size() - 1);

        List<EventImpact> impacts = sideOutput(SpikeDetectionFunction.IMPACTS);
        assertThat(impacts).isNotEmpty().allSatisfy(i -> assertThat(i.event()).isEqualTo(release));
        EventImpact latest = impacts.get(impacts.size() - 1);
        assertThat(latest.peakPosts()).isEqualTo(60);
        assertThat(latest.peakAtMillis()).isEqualTo(T0 + 180 * MIN);
        assertThat(latest.baselinePosts()).isBetween(3.0, 7.0);
        assertThat(latest.excessPosts()).isGreaterThan(6 * 50);
        assertThat(latest.complete()).isFalse();
        assertThat(latest.halfLifeMinutes()).isEqualTo(6.0); // back to the baseline after six minutes

        h.watermark(T0 + 178 * MIN + SpikeDetectionFunction.IMPACT_WINDOW_MILLIS);
        List<EventImpact> after = sideOutput(SpikeDetectionFunction.IMPACTS);
        assertThat(after.get(after.size() - 1).complete()).isTrue();
    }

    @Test
    void shouldNotFireOnNoiseAtLowCountsOrOnAOneBucketBlip() throws Exception {
        for (int minute = 0; minute < 300; minute++) {
            add(bucket(minute, minute == 200 ? 14 : (minute % 7 == 0 ? 3 : 1), "chatter"));
        }
        assertThat(h.extractOutputValues()).isEmpty();
        assertThat(sideOutput(SpikeDetectionFunction.PULSES)).hasSize(300);
    }

    @Test
    void shouldCloseASpikeWhenItsTopicFallsSilentAndIgnoreRewrittenBuckets() throws Exception {
        int minute = 0;
        for (; minute < 120; minute++) {
            add(bucket(minute, 8, "chatter"));
        }
        for (; minute < 124; minute++) {
            add(bucket(minute, 80, "burst"));
        }
        add(bucket(121, 500, "burst")); // a late rewrite of a bucket the detector has seen: ignored
        assertThat(h.extractOutputValues()).last().satisfies(s -> assertThat(s.open()).isTrue());

        h.watermark(T0 + 160 * MIN); // no buckets any more: the spike still ends
        SpikeDocument last = h.extractOutputValues().get(h.extractOutputValues().size() - 1);
        assertThat(last.open()).isFalse();
        assertThat(last.peakValue()).isEqualTo(80);
    }

    @Test
    void shouldForgetAnIdleKeyAndLeaveNoStateOrTimers() throws Exception {
        for (int minute = 0; minute < 60; minute++) {
            add(bucket(minute, 5, "chatter"));
        }
        assertThat(keyedStateEntries()).isPositive();
        h.watermark(T0 + 60 * MIN + IDLE.toMillis() + Duration.ofDays(1).toMillis());
        assertThat(keyedStateEntries()).isZero();
        assertThat(h.numEventTimeTimers()).isZero();
    }

    /** The broadcast harness does not count keyed state itself; the heap backend does. */
    private int keyedStateEntries() {
        AbstractStreamOperator<?> operator = (AbstractStreamOperator<?>) h.getOperator();
        return ((HeapKeyedStateBackend<?>) operator.getKeyedStateBackend()).numKeyValueStateEntries();
    }

    private void add(TrendBucket b) throws Exception {
        h.processElement(new StreamRecord<>(b, b.bucketEndMillis() - 1));
        h.watermark(b.bucketEndMillis() - 1);
    }

    @SuppressWarnings("unchecked")
    private <T> List<T> sideOutput(org.apache.flink.util.OutputTag<T> tag) {
        var records = h.getSideOutput(tag);
        return records == null ? List.of() : records.stream().map(r -> (T) r.getValue()).collect(Collectors.toList());
    }

    static TrendBucket bucket(int minute, long posts, String term) {
        long start = T0 + minute * MIN;
        return new TrendBucket("open-weight-models", "reddit", start, start + MIN, true, new String[] {"v1"}, posts, 0,
                0, posts * 2, 0, 0, 0, 0, posts * 2, 0, posts, posts,
                new TrendBucket.TopPost[] {new TrendBucket.TopPost("post-" + term, "https://example.org/" + term,
                        "about " + term, posts * 2)},
                new TrendBucket.Count[] {new TrendBucket.Count(term, posts), new TrendBucket.Count("model", posts)},
                new TrendBucket.Count[0], new TrendBucket.Count[0],
                new TrendBucket.Count[] {new TrendBucket.Count(term, posts), new TrendBucket.Count("model", posts)});
    }
}

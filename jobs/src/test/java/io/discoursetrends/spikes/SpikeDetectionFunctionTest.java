package io.discoursetrends.spikes;

import static org.assertj.core.api.Assertions.assertThat;

import io.discoursetrends.buckets.BucketAccumulator;
import io.discoursetrends.buckets.TrendBucket;
import io.discoursetrends.engagement.AttributedEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

    /**
     * A word nobody used before (absent from every earlier bucket) that is not among the ten most frequent terms
     * of its spike minute either, only the most over-represented one: ten common words each outnumber it in every
     * minute. Buckets are counted by {@link BucketAccumulator} from posts, as the job counts them. Six middling
     * words, never in a bucket's top ten, keep their usual share in the spike: they are not distinctive.
     */
    @Test
    void shouldNameATermThatRisesFromNothingThoughNeverAmongAMinutesTopTen() throws Exception {
        String[] common = {"agent", "bench", "cuda", "eval", "gguf", "infer", "llama", "quant", "tokens", "weights"};
        String[] middling = {"apache", "context", "license", "mistral", "ollama", "vram"};
        List<TrendBucket> buckets = new ArrayList<>();
        for (int minute = 0; minute < 200; minute++) {
            boolean spike = minute >= 180 && minute < 183;
            BucketAccumulator acc = new BucketAccumulator();
            int posts = spike ? 120 : 20;
            for (int i = 0; i < posts; i++) {
                List<String> terms = new ArrayList<>(List.of(common[i % 10], common[(i + 3) % 10]));
                if (i < posts * 6 / 10) {
                    terms.add(middling[i % 6]); // 2 of each a quiet minute, 12 in a spike minute
                }
                if (spike && i % 6 == 0) {
                    terms.add("zephyr"); // 20 a spike minute, against 24 of each common word
                }
                acc.add(post(minute, i, terms), 3);
            }
            long start = T0 + minute * MIN;
            buckets.add(acc.result("open-weight-models", "reddit", start, start + MIN, true));
        }
        // The premise: the word is in no bucket's top ten, the spike minutes' included; the middling words neither.
        assertThat(buckets).allSatisfy(b -> assertThat(b.topTerms()).extracting(TrendBucket.Count::value)
                .hasSize(10).containsOnly(common));
        assertThat(buckets.get(180).sketchTerms()).contains(new TrendBucket.Count("zephyr", 20));

        for (TrendBucket b : buckets) {
            add(b);
        }
        List<SpikeDocument> docs = h.extractOutputValues();
        assertThat(docs.stream().map(SpikeDocument::spikeId).distinct()).hasSize(1);
        SpikeDocument first = docs.get(0);
        assertThat(first.updatedAtMillis()).isEqualTo(T0 + 180 * MIN); // found in the minute it rose
        assertThat(first.distinctiveTerms()).extracting(SpikeDocument.Term::term).first().isEqualTo("zephyr");
        SpikeDocument last = docs.get(docs.size() - 1);
        assertThat(last.open()).isFalse();
        assertThat(last.distinctiveTerms()).extracting(SpikeDocument.Term::term).containsExactly("zephyr");
        assertThat(last.distinctiveTerms()[0].count()).isEqualTo(60);
    }

    /**
     * An event of two topics moves each: one impact per event x topic x platform, each measured on its own
     * topic's series against its own baseline, with distinct document ids. A topic not on the event has none.
     */
    @Test
    void shouldMeasureAnEventsImpactOnEachOfItsTopics() throws Exception {
        CalendarEvent ruling = new CalendarEvent("weights-ruling", "Court rules on open weights", T0 + 178 * MIN,
                new String[] {"open-weight-models", "ai-law-policy"}, null);
        h.processBroadcastElement(ruling, T0);
        for (int minute = 0; minute < 200; minute++) {
            boolean models = minute >= 180 && minute < 186;
            boolean law = minute >= 181 && minute < 184;
            add(bucket("open-weight-models", minute, models ? 60 : 5, models ? "ruling" : "chatter"));
            add(bucket("ai-law-policy", minute, law ? 30 : 2, law ? "court" : "chatter"));
            add(bucket("ai-healthcare", minute, 4, "chatter"));
        }
        List<EventImpact> impacts = sideOutput(SpikeDetectionFunction.IMPACTS);
        assertThat(impacts).allSatisfy(i -> assertThat(i.event()).isEqualTo(ruling));
        assertThat(impacts).extracting(EventImpact::topic).containsOnly("open-weight-models", "ai-law-policy");
        Map<String, EventImpact> latest = new HashMap<>();
        impacts.forEach(i -> latest.put(i.documentId(), i));
        assertThat(latest).containsOnlyKeys("weights-ruling|open-weight-models|reddit",
                "weights-ruling|ai-law-policy|reddit");
        EventImpact models = latest.get("weights-ruling|open-weight-models|reddit");
        assertThat(models.peakPosts()).isEqualTo(60);
        assertThat(models.peakAtMillis()).isEqualTo(T0 + 180 * MIN);
        assertThat(models.baselinePosts()).isBetween(3.0, 7.0);
        assertThat(models.excessPosts()).isGreaterThan(6 * 50);
        EventImpact law = latest.get("weights-ruling|ai-law-policy|reddit");
        assertThat(law.peakPosts()).isEqualTo(30);
        assertThat(law.peakAtMillis()).isEqualTo(T0 + 181 * MIN);
        assertThat(law.baselinePosts()).isBetween(1.0, 3.0);
        assertThat(law.excessPosts()).isBetween(3 * 25.0, 3 * 30.0);
        assertThat(law.halfLifeMinutes()).isEqualTo(3.0);

        h.watermark(T0 + 178 * MIN + SpikeDetectionFunction.IMPACT_WINDOW_MILLIS);
        Map<String, EventImpact> done = new HashMap<>();
        sideOutput(SpikeDetectionFunction.IMPACTS).forEach(i -> done.put(i.documentId(), i));
        assertThat(done.values()).hasSize(2).allSatisfy(i -> assertThat(i.complete()).isTrue());
        // The rest of the 48 hours were silent minutes on both topics: below each one's own baseline.
        assertThat(done.get("weights-ruling|ai-law-policy|reddit").excessPosts()).isLessThan(law.excessPosts());
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
        return bucket("open-weight-models", minute, posts, term);
    }

    static TrendBucket bucket(String topic, int minute, long posts, String term) {
        long start = T0 + minute * MIN;
        return new TrendBucket(topic, "reddit", start, start + MIN, true, new String[] {"v1"}, posts, 0,
                0, posts * 2, 0, 0, 0, 0, posts * 2, 0, posts, posts,
                new TrendBucket.TopPost[] {new TrendBucket.TopPost("post-" + term, "https://example.org/" + term,
                        "about " + term, posts * 2)},
                new TrendBucket.Count[] {new TrendBucket.Count(term, posts), new TrendBucket.Count("model", posts)},
                new TrendBucket.Count[0], new TrendBucket.Count[0],
                new TrendBucket.Count[] {new TrendBucket.Count(term, posts), new TrendBucket.Count("model", posts)});
    }

    /** Post {@code i} of a minute, by an author of its own, with these terms. */
    private static AttributedEvent post(int minute, int i, List<String> terms) {
        return new AttributedEvent(AttributedEvent.Kind.POST, "reddit", T0 + minute * MIN + i * 100L,
                new String[] {"open-weight-models"}, "v1", "p-" + minute + "-" + i, null, null,
                "reddit|u-" + minute + "-" + i, false, false, false, false, "en", "r/LocalLLaMA",
                terms.toArray(new String[0]), 0, 0, 0, 0, 0);
    }
}

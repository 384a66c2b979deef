package io.discoursetrends.classify;

import static org.assertj.core.api.Assertions.assertThat;

import io.discoursetrends.model.CanonicalEvent;
import io.discoursetrends.model.Engagement;
import io.discoursetrends.model.Metrics;
import io.discoursetrends.model.Platform;
import io.discoursetrends.model.Post;
import java.time.Instant;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Harness tests of live taxonomy switches: by arrival, by event time, invalid updates, and across a restore. */
class ClassifyPostsTest {
    static final long T0 = Instant.parse("2026-05-25T14:00:00Z").toEpochMilli();

    static final TaxonomyUpdate V1 = update("v1", "art", "ai art", null);

    private KeyedBroadcastOperatorTestHarness<String, CanonicalEvent, TaxonomyUpdate, ClassifiedEvent> h;

    @BeforeEach
    void open() throws Exception {
        h = harness();
        h.open();
    }

    @AfterEach
    void close() throws Exception {
        h.close();
    }

    static KeyedBroadcastOperatorTestHarness<String, CanonicalEvent, TaxonomyUpdate, ClassifiedEvent> harness()
            throws Exception {
        return new KeyedBroadcastOperatorTestHarness<>(new CoBroadcastWithKeyedOperator<>(new ClassifyPosts(V1),
                List.of(ClassifyPosts.TAXONOMIES)), CanonicalEvent::postKey, Types.STRING, 1, 1, 0);
    }

    @Test
    void shouldClassifyWithTheConfiguredTaxonomyUntilAnUpdateArrivesAndAnnounceIt() throws Exception {
        h.processElement(post("p1", 0, "I love AI art"), T0);
        h.processElement(like(), T0);

        List<ClassifiedEvent> out = h.extractOutputValues();
        assertThat(out.get(0).topics()).containsExactly("art");
        assertThat(out.get(0).taxonomyVersion()).isEqualTo("v1");
        assertThat(out.get(0).terms()).contains("love", "art");
        assertThat(out.get(1).topics()).isEmpty();
        assertThat(out.get(1).taxonomyVersion()).isNull();
        assertThat(h.getSideOutput(ClassifyPosts.APPLIED)).extracting(StreamRecord::getValue).containsExactly(V1);
    }

    @Test
    void shouldSwitchEveryLaterPostToAnUpdateWithoutAnEffectiveTime() throws Exception {
        h.processElement(post("p1", 0, "a court ruling on ai art"), T0);
        h.processBroadcastElement(update("v2", "courts", "court ruling", null), T0);
        h.processElement(post("p2", -60, "a court ruling on ai art"), T0); // older, but processed after the switch

        List<ClassifiedEvent> out = h.extractOutputValues();
        assertThat(out.get(0).topics()).containsExactly("art");
        assertThat(out.get(1).topics()).containsExactly("courts");
        assertThat(out.get(1).taxonomyVersion()).isEqualTo("v2");
    }

    @Test
    void shouldSwitchByEventTimeForAnUpdateWithAnEffectiveTime() throws Exception {
        h.processBroadcastElement(update("v2", "courts", "court ruling", T0 + 60_000), T0);
        h.processElement(post("before", 59, "a court ruling on ai art"), T0);
        h.processElement(post("after", 60, "a court ruling on ai art"), T0);

        List<ClassifiedEvent> out = h.extractOutputValues();
        assertThat(out.get(0).taxonomyVersion()).isEqualTo("v1");
        assertThat(out.get(0).topics()).containsExactly("art");
        assertThat(out.get(1).taxonomyVersion()).isEqualTo("v2");
        assertThat(out.get(1).topics()).containsExactly("courts");
    }

    @Test
    void shouldIgnoreAnUpdateThatDoesNotParse() throws Exception {
        h.processBroadcastElement(new TaxonomyUpdate("broken", "version: x\ntopics: [{id: ''}]", null, T0), T0);
        h.processElement(post("p1", 0, "ai art"), T0);
        assertThat(h.extractOutputValues().get(0).taxonomyVersion()).isEqualTo("v1");
    }

    @Test
    void shouldKeepTheTaxonomyHistoryAcrossARestore() throws Exception {
        h.processBroadcastElement(update("v2", "courts", "court ruling", T0 + 60_000), T0);
        OperatorSubtaskState snapshot = h.snapshot(1, T0);
        h.close();

        h = harness();
        h.initializeState(snapshot);
        h.open();
        h.processElement(post("before", 0, "a court ruling on ai art"), T0);
        h.processElement(post("after", 120, "a court ruling on ai art"), T0);
        List<ClassifiedEvent> out = h.extractOutputValues();
        assertThat(out).extracting(ClassifiedEvent::taxonomyVersion).containsExactly("v1", "v2");
    }

    @Test
    void shouldKeepAtMostTheLastVersionsAndDropHistoryBeforeAnImmediateSwitch() {
        TaxonomyUpdate[] history = {V1};
        for (int i = 0; i < 20; i++) {
            history = ClassifyPosts.append(history, update("e" + i, "t", "x", T0 + i));
        }
        assertThat(history).hasSize(ClassifyPosts.KEPT_VERSIONS);
        assertThat(ClassifyPosts.select(history, T0 + 100).version()).isEqualTo("e19");
        assertThat(ClassifyPosts.select(history, 0).version()).isEqualTo("e12"); // the oldest kept
        assertThat(ClassifyPosts.append(history, V1)).containsExactly(V1);
    }

    static TaxonomyUpdate update(String version, String topic, String phrase, Long effectiveFrom) {
        String yaml = "version: \"" + version + "\"\ntopics:\n  - id: " + topic + "\n    label: " + topic
                + "\n    phrases: [\"" + phrase + "\"]\n";
        return new TaxonomyUpdate(version, yaml, effectiveFrom, T0);
    }

    static CanonicalEvent post(String id, int second, String text) {
        return CanonicalEvent.of(new Post(Platform.BLUESKY, id, "https://example.org/" + id, "a", "a", false, null,
                text, "en", Instant.ofEpochMilli(T0 + second * 1000L), null, null, new String[0], Metrics.NONE));
    }

    static CanonicalEvent like() {
        return CanonicalEvent.of(new Engagement(Platform.BLUESKY, Engagement.Type.LIKE, "l1", "p1", "b",
                Instant.ofEpochMilli(T0), 1));
    }
}

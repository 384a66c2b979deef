package io.discoursetrends.classify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The control-topic record: its JSON both ways, and clear refusals of anything else. */
class TaxonomyUpdateTest {

    private static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void roundTripsWithAndWithoutEffectiveFrom() {
        Taxonomy t = Taxonomy.defaultTaxonomy();
        TaxonomyUpdate withTime = TaxonomyUpdate.of(t, Instant.parse("2026-11-22T12:00:00Z"),
                Instant.parse("2026-11-22T11:00:00Z"));
        assertThat(withTime.effectiveFromMillis()).isEqualTo(1795348800000L);
        assertThat(withTime.publishedAtMillis()).isEqualTo(1795345200000L);
        assertThat(TaxonomyUpdate.fromJson(withTime.toJson())).isEqualTo(withTime);
        assertThat(TaxonomyUpdate.fromJson(withTime.toJson()).taxonomy()).isEqualTo(t);

        TaxonomyUpdate now = TaxonomyUpdate.of(t, null, Instant.parse("2026-11-22T11:00:00Z"));
        assertThat(new String(now.toJson(), StandardCharsets.UTF_8)).doesNotContain("effective_from_millis")
                .startsWith("{\"version\":\"" + t.version() + "\",\"yaml\":\"");
        assertThat(TaxonomyUpdate.fromJson(now.toJson())).isEqualTo(now);
    }

    @Test
    void readsTheDocumentedFormAndIgnoresUnknownFields() {
        TaxonomyUpdate u = TaxonomyUpdate.fromJson(json("{\"version\":\"v1\",\"yaml\":\"version: v1\\ntopics: []\","
                + "\"effective_from_millis\":null,\"published_at_millis\":5,\"publisher\":\"someone\"}"));
        assertThat(u).isEqualTo(new TaxonomyUpdate("v1", "version: v1\ntopics: []", null, 5));
    }

    @Test
    void garbageIsRefusedWithTheReason() {
        assertThatThrownBy(() -> TaxonomyUpdate.fromJson(json("not json")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("taxonomy update is not valid JSON: ");
        assertThatThrownBy(() -> TaxonomyUpdate.fromJson(new byte[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("taxonomy update is empty");
        assertThatThrownBy(() -> TaxonomyUpdate.fromJson(json("[1]")))
                .hasMessage("taxonomy update is not a JSON object but array");
        assertThatThrownBy(() -> TaxonomyUpdate.fromJson(json("{\"yaml\":\"x\",\"published_at_millis\":1}")))
                .hasMessage("taxonomy update has no version");
        assertThatThrownBy(() -> TaxonomyUpdate.fromJson(json("{\"version\":1,\"yaml\":\"x\",\"published_at_millis\":1}")))
                .hasMessage("taxonomy update version is number, expected a string");
        assertThatThrownBy(() -> TaxonomyUpdate.fromJson(json("{\"version\":\"v\",\"yaml\":\" \",\"published_at_millis\":1}")))
                .hasMessage("taxonomy update has an empty yaml");
        assertThatThrownBy(() -> TaxonomyUpdate.fromJson(json("{\"version\":\"v\",\"yaml\":\"x\"}")))
                .hasMessage("taxonomy update has no published_at_millis");
        assertThatThrownBy(() -> TaxonomyUpdate.fromJson(json(
                "{\"version\":\"v\",\"yaml\":\"x\",\"published_at_millis\":1,\"effective_from_millis\":\"soon\"}")))
                .hasMessage("taxonomy update effective_from_millis is string, expected epoch milliseconds (an integer)");
        assertThatThrownBy(() -> TaxonomyUpdate.fromJson(json("{\"version\":\"v\",\"yaml\":\"x\",\"published_at_millis\":1.5}")))
                .hasMessage("taxonomy update published_at_millis is 1.5, expected epoch milliseconds (an integer)");
    }

    @Test
    void theCarriedYamlIsParsedAndMustAgreeWithTheVersion() {
        TaxonomyUpdate bad = new TaxonomyUpdate("v1", "version: v1\ntopics: []\n", null, 1);
        assertThatThrownBy(bad::taxonomy).isInstanceOf(TaxonomyException.class)
                .hasMessage("taxonomy update v1:2:9: 'topics' is empty: a taxonomy needs at least one topic");
        TaxonomyUpdate other = new TaxonomyUpdate("v2", "version: v1\ntopics: [{id: a, label: A, phrases: [x]}]\n",
                null, 1);
        assertThatThrownBy(other::taxonomy).isInstanceOf(TaxonomyException.class)
                .hasMessage("taxonomy update v2:1:1: the update says version 'v2' but its YAML says 'v1'");
    }
}

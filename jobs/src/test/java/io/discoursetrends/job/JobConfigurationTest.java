package io.discoursetrends.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.discoursetrends.spikes.DetectorSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobConfigurationTest {

    @Test
    void shouldLayerDefaultsFileAndOverrides(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("job.properties");
        Files.writeString(file, "buckets.size=5 min\nkafka.group-id=from-file\nparallelism.default=3\n");
        Configuration c = JobConfiguration.load(file, Map.of("kafka.group-id", "from-flag"));
        assertThat(c.get(JobOptions.BUCKET_SIZE)).isEqualTo(Duration.ofMinutes(5));
        assertThat(c.get(JobOptions.KAFKA_GROUP_ID)).isEqualTo("from-flag");
        assertThat(c.get(JobOptions.TOPIC_BLUESKY)).isEqualTo("discourse.raw.bluesky");
        assertThat(c.getString("parallelism.default", null)).isEqualTo("3");
    }

    @Test
    void shouldRejectAMistypedKeyInTheJobsNamespaceWithTheNearestKnownOne() {
        assertThatThrownBy(() -> JobConfiguration.load(null, Map.of("es.url", "http://x:9200")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown setting 'es.url': did you mean 'es.urls'? (`discourse-trends options` lists"
                        + " every setting)");
        // Every namespace of JobOptions counts, not only a hand-kept list of them (spikes.* was missing).
        assertThatThrownBy(() -> JobConfiguration.load(null, Map.of("spikes.link-befor", "PT1H")))
                .hasMessageContaining("did you mean 'spikes.link-before'?");
        assertThatThrownBy(() -> JobConfiguration.load(null, Map.of("dedup.ttll", "PT1H")))
                .hasMessageContaining("did you mean 'dedup.ttl'?");
        // Outside the namespaces: a typo of a job key is still caught; a Flink setting goes to Flink.
        assertThatThrownBy(() -> JobConfiguration.load(null, Map.of("es_urls", "http://x:9200")))
                .hasMessageContaining("did you mean 'es.urls'?");
        assertThat(JobConfiguration.load(null, Map.of("state.backend.type", "rocksdb"))
                .getString("state.backend.type", null)).isEqualTo("rocksdb");
    }

    @Test
    void theKnownKeysAreThoseOfJobOptions() {
        assertThat(KnownOptions.keys()).containsExactlyElementsOf(
                JobOptions.ALL.stream().map(org.apache.flink.configuration.ConfigOption::key).toList());
        assertThat(KnownOptions.describe(true)).isEqualTo(JobOptions.describe(true));
    }

    @Test
    void shouldRefuseAnElasticsearchUrlWithCredentialsWithoutQuotingThem() {
        assertThatThrownBy(() -> JobConfiguration.load(null, Map.of("es.urls", "https://u:pw-123@es:9200")))
                .hasMessageStartingWith("Elasticsearch URL 'https://***@es:9200' carries credentials")
                .message().doesNotContain("pw-123");
    }

    @Test
    void shouldNameTheOptionWhoseValueCannotBeParsed() {
        assertThatThrownBy(() -> JobConfiguration.load(null, Map.of("watermark.idleness", "soon")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("option watermark.idleness has an invalid value 'soon'");
    }

    @Test
    void shouldBuildTheDetectorSettingsFromOptionsAndNameTheOneOutOfRange() {
        Configuration c = JobConfiguration.load(null, Map.of("spikes.detector.burst-threshold", "7.5",
                "spikes.detector.cooldown", "2 h"));
        DetectorSettings d = JobOptions.detectorSettings(c);
        assertThat(d.burstThreshold()).isEqualTo(7.5);
        assertThat(d.cooldown()).isEqualTo(Duration.ofHours(2));
        assertThat(d.withTuned(DetectorSettings.DEFAULTS.burstThreshold()).withCooldown(DetectorSettings.DEFAULTS
                .cooldown())).isEqualTo(DetectorSettings.DEFAULTS);
        assertThat(JobOptions.detectorSettings(JobConfiguration.load(null, Map.of())))
                .isEqualTo(DetectorSettings.DEFAULTS);
        assertThatThrownBy(() -> JobConfiguration.load(null, Map.of("spikes.detector.min-ratio", "0.5")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("option spikes.detector.min-ratio: minRatio must be a finite number >= 1, got 0.5");
        assertThatThrownBy(() -> JobConfiguration.load(null, Map.of("spikes.detector.burst-treshold", "7")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("unknown setting 'spikes.detector.burst-treshold': did you mean "
                        + "'spikes.detector.burst-threshold'?");
    }

    @Test
    void readmeShouldDocumentEveryOptionWithItsDefault() throws Exception {
        Path readme = Path.of(System.getProperty("discourse.root.dir", ".."), "README.md");
        String text = Files.readString(readme);
        for (String row : JobOptions.describe(true).split("\n")) {
            if (row.startsWith("| `")) {
                assertThat(text).as("README.md configuration reference (regenerate with "
                        + "`bin/discourse-trends options --markdown`)").contains(row);
            }
        }
    }
}

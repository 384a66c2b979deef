package io.discoursetrends.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.discoursetrends.job.JobConfiguration;
import io.discoursetrends.job.JobOptions;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.Test;

/** es-setup reads its settings without Flink: the same keys, defaults and parsing as the job's options. */
class IndexSettingsTest {

    @Test
    void keysAndDefaultsAgreeWithJobOptions() {
        List<ConfigOption<?>> options = List.of(JobOptions.ES_INDEX_SHARDS, JobOptions.ES_INDEX_REPLICAS,
                JobOptions.ES_INDEX_REFRESH_INTERVAL, JobOptions.ES_ILM_RETENTION_DAYS,
                JobOptions.ES_ILM_RETENTION_DAYS_BY_KIND);
        assertThat(options).extracting(ConfigOption::key).containsExactlyElementsOf(IndexSettings.KEYS);
        assertThat(JobOptions.ES_INDEX_SHARDS.defaultValue()).isEqualTo(IndexSettings.DEFAULTS.shards());
        assertThat(JobOptions.ES_INDEX_REPLICAS.hasDefaultValue()).isFalse();
        assertThat(JobOptions.ES_INDEX_REFRESH_INTERVAL.defaultValue()).isEqualTo(IndexSettings.DEFAULTS.refreshInterval());
        assertThat(JobOptions.ES_ILM_RETENTION_DAYS.defaultValue()).isEqualTo(IndexSettings.DEFAULTS.retentionDays());
        assertThat(JobOptions.ES_URLS.key()).isEqualTo(EsSetup.URLS_KEY);
        assertThat(String.join(";", JobOptions.ES_URLS.defaultValue())).isEqualTo(EsSetup.DEFAULT_URLS);
        assertThat(JobOptions.ES_CA_FILE.key()).isEqualTo(EsSetup.CA_FILE_KEY);
        assertThat(JobOptions.ES_VERIFY_TLS.key()).isEqualTo(EsSetup.VERIFY_TLS_KEY);
        assertThat(IndexSettings.from(Map.of())).isEqualTo(IndexSettings.DEFAULTS);
    }

    @Test
    void readsTheJobsConfigurationAsKeyValuePairs() {
        Map<String, String> values = Map.of("es.index.shards", "3", "es.index.replicas", "2",
                "es.index.refresh-interval", "30s", "es.ilm.retention-days", "90",
                "es.ilm.retention-days-by-kind", "discourse-spikes:365,discourse-trends:30");
        // The same text through Flink's parser (what the job does) and through IndexSettings (what es-setup does).
        var config = JobConfiguration.load(null, values);
        IndexSettings fromFlink = IndexSettings.from(config.toMap());
        IndexSettings plain = IndexSettings.from(values);
        assertThat(fromFlink).isEqualTo(plain);
        assertThat(plain.shards()).isEqualTo(3);
        assertThat(plain.replicas()).isEqualTo(2);
        assertThat(plain.refreshInterval()).isEqualTo("30s");
        assertThat(plain.retentionDays("discourse-spikes")).isEqualTo(365);
        assertThat(plain.retentionDays("discourse-trends")).isEqualTo(30);
        assertThat(plain.retentionDays("discourse-posts")).isEqualTo(90);
        assertThat(config.get(JobOptions.ES_ILM_RETENTION_DAYS_BY_KIND))
                .containsExactlyInAnyOrderEntriesOf(Map.of("discourse-spikes", "365", "discourse-trends", "30"));
    }

    @Test
    void rejectsMalformedValuesByName() {
        assertThatThrownBy(() -> IndexSettings.from(Map.of("es.index.shards", "two")))
                .hasMessage("option es.index.shards has an invalid value 'two': expected a whole number");
        assertThatThrownBy(() -> IndexSettings.from(Map.of("es.index.refresh-interval", "5 s")))
                .hasMessageStartingWith("es.index.refresh-interval is '5 s': expected an Elasticsearch time value");
        assertThatThrownBy(() -> IndexSettings.from(Map.of("es.ilm.retention-days-by-kind", "discourse-spikes")))
                .hasMessageStartingWith("es.ilm.retention-days-by-kind is 'discourse-spikes': expected kind:days");
        assertThatThrownBy(() -> IndexSettings.from(Map.of("es.ilm.retention-days", "0")))
                .hasMessage("es.ilm.retention-days must be at least 1, not 0");
    }

    @Test
    void esSetupReadsTheConnectionSettings() {
        ElasticsearchConnection c = EsSetup.connection(Map.of("es.urls", "https://a:9200; https://b:9200",
                "es.ca-file", "/etc/ca.pem", "es.verify-tls", "false"));
        assertThat(c.urls()).containsExactly("https://a:9200", "https://b:9200");
        assertThat(c.caCertificateFile()).isEqualTo("/etc/ca.pem");
        assertThat(c.verifyTls()).isFalse();
        assertThat(EsSetup.connection(Map.of()).urls()).containsExactly("http://localhost:9200");
        assertThatThrownBy(() -> EsSetup.connection(Map.of("es.verify-tls", "yes")))
                .hasMessageContaining("es.verify-tls");
    }
}

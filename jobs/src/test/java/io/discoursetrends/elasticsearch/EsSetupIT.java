package io.discoursetrends.elasticsearch;

import static io.discoursetrends.cli.ShadedJar.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.discoursetrends.buckets.TrendBucket;
import io.discoursetrends.cli.ShadedJar.Result;
import io.discoursetrends.local.LocalElasticsearch;
import io.discoursetrends.local.Ports;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code discourse-trends es-setup} as an operator runs it, {@code java -jar} on the shaded jar (so without Flink),
 * against a real node (which has no ILM): it installs the component templates, the index template and the alias,
 * says so line by line, is idempotent, and a document written to a monthly index is found through the alias.
 */
class EsSetupIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KIND = "discourse-trends";

    @Test
    void shouldInstallIdempotentlyAndMakeMonthlyIndicesReadableThroughTheAlias() throws Exception {
        try (LocalElasticsearch es = LocalElasticsearch.launch()) {
            String url = "-Des.urls=" + es.httpUrl();

            // 1. First run: everything created; no ILM on this node, said once.
            Result first = run("es-setup", url);
            assertThat(first.exit()).as(first.stderr()).isZero();
            List<String> lines = first.stdout().lines().toList();
            assertThat(lines.get(0)).startsWith("es-setup on [" + es.httpUrl() + "]: shards=1 replicas=auto(0-1)");
            assertThat(lines).contains(IndexManagement.NO_ILM_MESSAGE,
                    "component template discourse-trends-settings: created (" + IndexSettings.DEFAULTS + ")",
                    "component template " + KIND + "-mappings: created",
                    "index template " + KIND + ": created (indices " + KIND + "-*, alias " + KIND + ")");
            assertThat(lines).filteredOn(l -> l.contains(": ")).noneMatch(l -> l.contains("updated"));

            // 2. Second run: nothing to do.
            Result second = run("es-setup", url);
            assertThat(second.exit()).isZero();
            assertThat(second.stdout().lines().filter(l -> l.contains("template ")))
                    .isNotEmpty().allMatch(l -> l.contains(": unchanged"));

            // 3. A changed setting updates only the shared settings.
            Result third = run("es-setup", url, "-Des.index.refresh-interval=10s");
            assertThat(third.exit()).isZero();
            assertThat(third.stdout()).contains("component template discourse-trends-settings: updated")
                    .contains("component template " + KIND + "-mappings: unchanged")
                    .contains("index template " + KIND + ": unchanged");

            // 4. What exists afterwards.
            JsonNode template = get(es, "/_index_template/" + KIND).at("/index_templates/0/index_template");
            assertThat(template.get("index_patterns").get(0).asText()).isEqualTo(KIND + "-*");
            assertThat(template.get("composed_of").toString())
                    .isEqualTo("[\"discourse-trends-settings\",\"" + KIND + "-mappings\"]");
            assertThat(get(es, "/_component_template/" + KIND + "-mappings")
                    .at("/component_templates/0/component_template/template/mappings/dynamic").asText())
                    .isEqualTo("strict");

            // 5. A bucket document as the job writes it, in its monthly index, is accepted by the strict mapping and
            //    found through the alias, with the template's settings.
            TrendBucket bucket = DocumentSchemaTest.allTopicBucket(Instant.parse("2026-11-03T10:00:00Z").toEpochMilli());
            TrendBucketDocuments docs = new TrendBucketDocuments(KIND);
            assertThat(docs.index(bucket)).isEqualTo(KIND + "-2026.11");
            String doc = new String(docs.source(bucket), StandardCharsets.UTF_8);
            var put = GeneratedDocuments.send(es.httpUrl(), "PUT", "/" + docs.index(bucket) + "/_doc/"
                    + URLEncoder.encode(docs.id(bucket), StandardCharsets.UTF_8) + "?refresh=true", doc);
            assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
            JsonNode hits = get(es, "/" + KIND + "/_search").at("/hits/hits");
            assertThat(hits).hasSize(1);
            assertThat(hits.get(0).get("_index").asText()).isEqualTo(KIND + "-2026.11");
            assertThat(hits.get(0).get("_id").asText()).isEqualTo("_all|bluesky|2026-11-03T10:00:00Z");
            assertThat(hits.get(0).get("_source")).isEqualTo(JSON.readTree(doc));
            assertThat(get(es, "/" + KIND + "-2026.11/_settings").at("/" + KIND + "-2026.11/settings/index/refresh_interval")
                    .asText()).isEqualTo("10s");
            var strict = GeneratedDocuments.send(es.httpUrl(), "PUT", "/" + KIND + "-2026.11/_doc/x",
                    "{\"kind\":\"trend_bucket\",\"surprise\":1}");
            assertThat(strict.statusCode()).isEqualTo(400);
            assertThat(strict.body()).contains("strict_dynamic_mapping_exception");
        }
    }

    @Test
    void shouldExitNonZeroWithOneLineWhenTheClusterIsUnreachable() throws Exception {
        Result r = run("es-setup", "-Des.urls=http://127.0.0.1:" + Ports.freeLoopbackPort());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.stderr().strip()).isEqualTo("discourse-trends: cannot reach Elasticsearch (connection refused): "
                + "check es.urls and that the cluster is up");
    }

    private static JsonNode get(LocalElasticsearch es, String path) throws Exception {
        var r = GeneratedDocuments.send(es.httpUrl(), "GET", path, null);
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }
}

package io.discoursetrends.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.http.HttpHost;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What index management puts, on a fake of Elasticsearch's template and ILM APIs. The local test node has no ILM,
 * so the ILM half is proved here (and against the real node, in EsSetupIT, the half without it).
 */
class IndexManagementTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One kind, so the expected lines do not change as kinds are added. */
    private static final List<String> KIND = List.of("discourse-trends");

    private final FakeTemplateApi fake = new FakeTemplateApi();
    private final RestClient rest = RestClient.builder(HttpHost.create(fake.url())).build();
    private final List<String> lines = new ArrayList<>();

    IndexManagementTest() throws IOException {}

    @AfterEach
    void stop() throws IOException {
        rest.close();
        fake.close();
    }

    @Test
    void shouldInstallRetentionPoliciesAndLinkThemWhereTheClusterHasIlm() {
        fake.ilm = true;
        IndexSettings settings = IndexSettings.from(Map.of("es.ilm.retention-days", "90",
                "es.index.shards", "2", "es.index.replicas", "1", "es.index.refresh-interval", "10s"));
        IndexManagement.install(rest, settings, KIND, lines::add);

        assertThat(lines).containsExactly(
                "ILM policy discourse-trends-retention: created (delete 90 days after creation)",
                "component template discourse-trends-settings: created (" + settings + ")",
                "component template discourse-trends-mappings: created",
                "index template discourse-trends: created (indices discourse-trends-*, alias "
                        + "discourse-trends)");
        JsonNode policy = fake.stored.get("/_ilm/policy/discourse-trends-retention").get("policy");
        assertThat(policy.at("/phases/delete/min_age").asText()).isEqualTo("90d");
        assertThat(policy.at("/phases/delete/actions").has("delete")).isTrue();
        assertThat(policy.at("/phases/hot/actions").isEmpty()).as("no rollover").isTrue();

        JsonNode shared = fake.stored.get("/_component_template/discourse-trends-settings").at("/template/settings/index");
        assertThat(shared.get("number_of_shards").asInt()).isEqualTo(2);
        assertThat(shared.get("number_of_replicas").asInt()).isEqualTo(1);
        assertThat(shared.get("refresh_interval").asText()).isEqualTo("10s");

        JsonNode template = fake.stored.get("/_index_template/discourse-trends");
        assertThat(template.get("index_patterns")).containsExactly(JSON.getNodeFactory().textNode("discourse-trends-*"));
        assertThat(template.get("composed_of").toString())
                .isEqualTo("[\"discourse-trends-settings\",\"discourse-trends-mappings\"]");
        assertThat(template.at("/template/aliases").has("discourse-trends")).isTrue();
        assertThat(template.at("/template/settings/index.lifecycle.name").asText())
                .isEqualTo("discourse-trends-retention");

        // The mappings component is the file's mappings, unchanged.
        JsonNode mappings = fake.stored.get("/_component_template/discourse-trends-mappings");
        assertThat(mappings.at("/template/mappings/dynamic").asText()).isEqualTo("strict");
        assertThat(mappings.at("/_meta/schema").asText()).isEqualTo("schemas/json/trend-bucket.schema.json");
    }

    @Test
    void shouldSayTheClusterHasNoIlmAndLeaveTheLifecycleSettingOut() {
        IndexManagement.install(rest, IndexSettings.DEFAULTS, KIND, lines::add);

        assertThat(lines.get(0)).isEqualTo(IndexManagement.NO_ILM_MESSAGE);
        assertThat(fake.stored.keySet()).noneMatch(k -> k.startsWith("/_ilm"));
        assertThat(fake.stored.get("/_index_template/discourse-trends").at("/template").has("settings")).isFalse();
        assertThat(fake.stored.get("/_component_template/discourse-trends-settings")
                .at("/template/settings/index/auto_expand_replicas").asText()).isEqualTo("0-1");
    }

    @Test
    void shouldReportUnchangedOnASecondRunAndUpdatedForWhatChanged() {
        fake.ilm = true;
        IndexManagement.install(rest, IndexSettings.DEFAULTS, KIND, line -> {});
        int puts = fake.puts;

        IndexManagement.install(rest, IndexSettings.DEFAULTS, KIND, lines::add);
        assertThat(lines).allMatch(l -> l.contains(": unchanged"), "every line unchanged");
        assertThat(fake.puts).isEqualTo(puts);

        lines.clear();
        IndexManagement.install(rest, IndexSettings.from(Map.of("es.ilm.retention-days-by-kind",
                "discourse-trends:30")), KIND, lines::add);
        assertThat(lines).containsExactly(
                "ILM policy discourse-trends-retention: updated (delete 30 days after creation)",
                "component template discourse-trends-settings: unchanged (" + IndexSettings.from(Map.of(
                        "es.ilm.retention-days-by-kind", "discourse-trends:30")) + ")",
                "component template discourse-trends-mappings: unchanged",
                "index template discourse-trends: unchanged (indices discourse-trends-*, alias "
                        + "discourse-trends)");
    }

    @Test
    void shouldRefuseToGoOnWhenAnIndexHasTheAliasName() {
        fake.concreteIndices.add("discourse-trends");
        assertThatThrownBy(() -> IndexManagement.install(rest, IndexSettings.DEFAULTS, KIND, lines::add))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("an index named discourse-trends exists (an earlier release wrote to "
                        + "it): the alias discourse-trends of the monthly indices");
    }

    @Test
    void shouldPutChangedMappingsOnTheExistingIndicesOfTheKind() throws Exception {
        fake.concreteIndices.add("discourse-trends-2026.05");
        IndexManagement.install(rest, IndexSettings.DEFAULTS, KIND, lines::add);
        assertThat(lines).contains("mappings of existing indices discourse-trends-*: updated (1 indices)");
        assertThat(fake.stored.get("/discourse-trends-*/_mapping"))
                .isEqualTo(IndexManagement.templateFile("discourse-trends").at("/template/mappings"));
    }

    @Test
    void shouldSayWhatToFixWhenTheCredentialsAreRefused() {
        fake.status = 401;
        assertThatThrownBy(() -> IndexManagement.install(rest, IndexSettings.DEFAULTS, KIND, lines::add))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("Elasticsearch refused the credentials (401). Set DISCOURSE_ES_API_KEY, or "
                        + "DISCOURSE_ES_USERNAME and DISCOURSE_ES_PASSWORD");
    }

    /** The template, ILM and mapping APIs of Elasticsearch, as far as IndexManagement uses them. */
    static final class FakeTemplateApi implements AutoCloseable {
        final Map<String, JsonNode> stored = new ConcurrentHashMap<>();
        final List<String> concreteIndices = new ArrayList<>();
        volatile boolean ilm;
        volatile int status;
        volatile int puts;
        private final HttpServer server;

        FakeTemplateApi() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/", this::handle);
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        private void handle(HttpExchange ex) throws IOException {
            try (ex) {
                String path = ex.getRequestURI().getPath();
                String method = ex.getRequestMethod();
                if (status != 0) {
                    send(ex, status, "{\"error\":{\"type\":\"security_exception\",\"reason\":\"no\"},\"status\":" + status + "}");
                    return;
                }
                if (method.equals("PUT")) {
                    puts++;
                    stored.put(path, JSON.readTree(ex.getRequestBody().readAllBytes()));
                    send(ex, 200, "{\"acknowledged\":true}");
                    return;
                }
                if (path.equals("/_ilm/status")) {
                    send(ex, ilm ? 200 : 400, ilm ? "{\"operation_mode\":\"RUNNING\"}"
                            : "{\"error\":\"no handler found for uri [/_ilm/status] and method [GET]\"}");
                    return;
                }
                if (path.endsWith("/_mapping")) {
                    ObjectNode out = JSON.createObjectNode();
                    concreteIndices.stream().filter(i -> i.startsWith(path.substring(1, path.indexOf('*'))))
                            .forEach(i -> out.putObject(i).putObject("mappings"));
                    send(ex, 200, out.toString());
                    return;
                }
                JsonNode body = stored.get(path);
                ObjectNode out = JSON.createObjectNode();
                String name = path.substring(path.lastIndexOf('/') + 1);
                if (path.startsWith("/_component_template/") && body != null) {
                    out.putArray("component_templates").addObject().put("name", name).set("component_template", body);
                } else if (path.startsWith("/_index_template/") && body != null) {
                    out.putArray("index_templates").addObject().put("name", name).set("index_template", body);
                } else if (path.startsWith("/_ilm/policy/") && body != null) {
                    out.putObject(name).put("version", 1).set("policy", body.get("policy"));
                } else if (!path.startsWith("/_")) {
                    concreteIndices.stream().filter(name::equals).forEach(i -> out.putObject(i));
                    send(ex, 200, out.toString());
                    return;
                } else {
                    send(ex, 404, "{\"error\":{\"type\":\"resource_not_found_exception\",\"reason\":\"x\"},\"status\":404}");
                    return;
                }
                send(ex, 200, out.toString());
            }
        }

        private static void send(HttpExchange ex, int status, String body) throws IOException {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.getResponseHeaders().add("X-Elastic-Product", "Elasticsearch");
            ex.sendResponseHeaders(status, bytes.length);
            ex.getResponseBody().write(bytes);
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}

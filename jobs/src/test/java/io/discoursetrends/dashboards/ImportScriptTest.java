package io.discoursetrends.dashboards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * deploy/kibana/import.sh against a stand-in for Kibana's saved objects import API (the JDK's HTTP server): what
 * it sends (method, path, kbn-xsrf, credentials, the NDJSON as a multipart file), and what it says and returns
 * for success, refused credentials, objects Kibana would not import, and an unreachable Kibana, never showing a
 * secret.
 */
class ImportScriptTest {
    private static final String API_KEY = "c2VjcmV0LWlkOnNlY3JldC1rZXk=";
    private static final String PASSWORD = "pa$$ \"word\"";
    private static final Path SCRIPT = KibanaSavedObjects.repositoryRoot().resolve("deploy/kibana/import.sh");

    /** One request the stand-in received. */
    record Received(String method, String path, String query, String xsrf, String authorization, String body) {}

    private HttpServer server;
    private final List<Received> received = new ArrayList<>();
    private volatile int status = 200;
    private volatile String answer = "{\"success\":true,\"successCount\":6,\"successResults\":[],\"warnings\":[]}";

    @BeforeEach
    void startKibanaStandIn() throws IOException {
        assumeTrue(onPath("bash") && onPath("curl"), "import.sh needs bash and curl");
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private void handle(HttpExchange x) throws IOException {
        String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        received.add(new Received(x.getRequestMethod(), x.getRequestURI().getPath(), x.getRequestURI().getQuery(),
                x.getRequestHeaders().getFirst("kbn-xsrf"), x.getRequestHeaders().getFirst("Authorization"), body));
        byte[] out = answer.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().add("Content-Type", "application/json");
        x.sendResponseHeaders(status, out.length);
        x.getResponseBody().write(out);
        x.close();
    }

    private String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Test
    void shouldPostTheNdjsonWithTheApiKeyAndReportTheImport() throws Exception {
        Run run = run(Map.of("KIBANA_API_KEY", API_KEY), url());

        assertThat(run.exit).as(run.output).isZero();
        assertThat(run.output).contains("imported 6 saved objects")
                .contains(url() + "/app/dashboards#/view/discourse-trends").doesNotContain(API_KEY);
        assertThat(received).hasSize(1);
        Received r = received.get(0);
        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.path()).isEqualTo("/api/saved_objects/_import");
        assertThat(r.query()).isEqualTo("overwrite=true");
        assertThat(r.xsrf()).isEqualTo("true");
        assertThat(r.authorization()).isEqualTo("ApiKey " + API_KEY);
        String ndjson = Files.readString(KibanaSavedObjects.repositoryRoot().resolve(KibanaSavedObjects.FILE));
        assertThat(r.body()).contains("name=\"file\"; filename=\"discourse-trends.ndjson\"").contains(ndjson.strip());
    }

    @Test
    void shouldUseBasicAuthenticationIntoTheGivenSpace() throws Exception {
        Run run = run(Map.of("KIBANA_USERNAME", "analyst", "KIBANA_PASSWORD", PASSWORD), "--space", "trends",
                url() + "/");

        assertThat(run.exit).as(run.output).isZero();
        assertThat(run.output).doesNotContain(PASSWORD);
        assertThat(received.get(0).path()).isEqualTo("/s/trends/api/saved_objects/_import");
        assertThat(received.get(0).authorization()).isEqualTo("Basic " + Base64.getEncoder()
                .encodeToString(("analyst:" + PASSWORD).getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void shouldSayWhichCredentialsToSetWhenKibanaRefusesThem() throws Exception {
        status = 401;
        answer = "{\"statusCode\":401,\"error\":\"Unauthorized\",\"message\":\"[security_exception] unable to authenticate\"}";
        Run run = run(Map.of("KIBANA_API_KEY", API_KEY), url());

        assertThat(run.exit).isEqualTo(1);
        assertThat(run.output).contains("refused the credentials (401").contains("KIBANA_API_KEY")
                .doesNotContain(API_KEY);
    }

    @Test
    void shouldPrintEachObjectKibanaDidNotImportAndFail() throws Exception {
        answer = """
                {"success":false,"successCount":5,"errors":[{"id":"discourse-trends","type":"dashboard",
                 "title":"Discourse trends","meta":{"title":"Discourse trends","icon":"dashboardApp"},
                 "error":{"type":"missing_references","references":[{"type":"index-pattern","id":"discourse-spikes"}]}},
                 {"id":"x","type":"search","meta":{"title":"Top posts behind spikes"},
                 "error":{"type":"unknown","message":"bad request","statusCode":400}}],"warnings":[]}""";
        Run run = run(Map.of(), url());

        assertThat(run.exit).isEqualTo(1);
        assertThat(run.output).contains("5 objects imported")
                .contains("dashboard discourse-trends (Discourse trends): missing_references: index-pattern "
                        + "discourse-spikes")
                .contains("search x (Top posts behind spikes): unknown: bad request");
        assertThat(received.get(0).authorization()).isNull();
    }

    @Test
    void shouldSayKibanaCannotBeReachedWithItsOwnExitStatus() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Run run = run(Map.of(), "http://127.0.0.1:" + closed);

        assertThat(run.exit).isEqualTo(3);
        assertThat(run.output).contains("cannot connect to http://127.0.0.1:" + closed);
    }

    @Test
    void shouldExplainItselfAndRefuseBadArguments() throws Exception {
        Run help = run(Map.of(), "--help");
        assertThat(help.exit).isZero();
        assertThat(help.output).contains("Usage: deploy/kibana/import.sh").contains("KIBANA_API_KEY")
                .contains("KIBANA_USERNAME and KIBANA_PASSWORD");
        assertThat(run(Map.of()).exit).isEqualTo(2);
        assertThat(run(Map.of(), "kibana:5601").exit).isEqualTo(2);
        assertThat(run(Map.of("KIBANA_USERNAME", "only-me"), url()).exit).isEqualTo(2);
        assertThat(received).isEmpty();
    }

    private record Run(int exit, String output) {}

    private static Run run(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        for (String k : List.of("KIBANA_API_KEY", "KIBANA_USERNAME", "KIBANA_PASSWORD", "KIBANA_CA_CERT")) {
            pb.environment().remove(k);
        }
        pb.environment().putAll(env);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), output);
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}

package io.discoursetrends.elasticsearch;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Stands in for Elasticsearch's security layer in front of a node that has none: checks the Authorization header
 * (basic auth against {@code users}, or an API key against {@code apiKeys}) and forwards what passes to the node.
 * Like Elasticsearch it answers 401 with a Basic challenge (which the HTTP client needs before it sends basic
 * credentials), and 403 to a known user that may only read when it writes.
 */
final class AuthenticatingProxy implements AutoCloseable {
    private static final List<String> FORWARDED_HEADERS = List.of("Content-Type", "Accept");

    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(4);
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final String target;
    private final Map<String, String> users;
    private final List<String> apiKeys;
    private final List<String> readOnlyUsers;

    AuthenticatingProxy(String target, Map<String, String> users, List<String> apiKeys, List<String> readOnlyUsers)
            throws IOException {
        this.target = target;
        this.users = users;
        this.apiKeys = apiKeys;
        this.readOnlyUsers = readOnlyUsers;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String user = authenticate(ex.getRequestHeaders().getFirst("Authorization"));
            if (user == null) {
                ex.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"proxy\" charset=\"UTF-8\"");
                ex.getResponseHeaders().add("WWW-Authenticate", "ApiKey");
                error(ex, 401, "security_exception", "unable to authenticate user for REST request ["
                        + ex.getRequestURI().getPath() + "]");
                return;
            }
            boolean write = !ex.getRequestMethod().equals("GET") && !ex.getRequestMethod().equals("HEAD");
            if (write && readOnlyUsers.contains(user)) {
                error(ex, 403, "security_exception", "action [" + ex.getRequestMethod() + " "
                        + ex.getRequestURI().getPath() + "] is unauthorized for user [" + user + "]");
                return;
            }
            forward(ex);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The user (or "api key") the header authenticates, or null. */
    private String authenticate(String header) {
        if (header == null) {
            return null;
        }
        if (header.startsWith("ApiKey ")) {
            return apiKeys.contains(header.substring("ApiKey ".length())) ? "api key" : null;
        }
        if (header.startsWith("Basic ")) {
            String[] userPassword = new String(Base64.getDecoder().decode(header.substring("Basic ".length())),
                    StandardCharsets.UTF_8).split(":", 2);
            return userPassword.length == 2 && userPassword[1].equals(users.get(userPassword[0])) ? userPassword[0] : null;
        }
        return null;
    }

    private void forward(HttpExchange ex) throws IOException, InterruptedException {
        byte[] body = ex.getRequestBody().readAllBytes();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target + ex.getRequestURI()))
                .timeout(Duration.ofSeconds(60))
                .method(ex.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        for (String h : FORWARDED_HEADERS) {
            String v = ex.getRequestHeaders().getFirst(h);
            if (v != null) {
                request.header(h, v);
            }
        }
        HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        response.headers().firstValue("Content-Type").ifPresent(v -> ex.getResponseHeaders().add("Content-Type", v));
        response.headers().firstValue("X-Elastic-Product").ifPresent(v -> ex.getResponseHeaders().add("X-Elastic-Product", v));
        byte[] out = response.body();
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(response.statusCode(), head || out.length == 0 ? -1 : out.length);
        if (!head && out.length > 0) {
            ex.getResponseBody().write(out);
        }
    }

    private static void error(HttpExchange ex, int status, String type, String reason) throws IOException {
        byte[] out = ("{\"error\":{\"type\":\"" + type + "\",\"reason\":\"" + reason + "\"},\"status\":" + status + "}")
                .getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.getResponseHeaders().add("X-Elastic-Product", "Elasticsearch");
        ex.sendResponseHeaders(status, out.length);
        ex.getResponseBody().write(out);
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}

package io.discoursetrends.elasticsearch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * An HTTP server that answers {@code _bulk} the way Elasticsearch does, with per-item outcomes a test scripts:
 * for unit tests of the writer's failure handling, which a real node cannot be made to produce on demand
 * (a 429 for one item, a 503 for a whole request). Requests it receives are recorded.
 */
final class StubElasticsearch implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One document of a received bulk request: its action ({@code index}, {@code update}) and its body. */
    record Item(String index, String id, String source, String action) {}

    /** The answer to one bulk request: a whole-request status, or one status (and error) per item. */
    interface Answer {
        String respond(List<Item> items, HttpExchange exchange) throws IOException;
    }

    private final HttpServer server;
    private final ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
    final List<List<Item>> requests = Collections.synchronizedList(new ArrayList<>());
    final List<String> authorizationHeaders = Collections.synchronizedList(new ArrayList<>());

    StubElasticsearch() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Queues answers for the next bulk requests; once they run out, every item succeeds. */
    StubElasticsearch then(Answer... next) {
        answers.addAll(List.of(next));
        return this;
    }

    /** Every item gets {@code statuses[i]}; errors get type and reason from {@code errors[i]} ("type: reason"). */
    static Answer items(int[] statuses, String... errors) {
        return (items, exchange) -> {
            ObjectNode body = JSON.createObjectNode();
            body.put("took", 1);
            ArrayNode out = body.putArray("items");
            boolean anyError = false;
            for (int i = 0; i < items.size(); i++) {
                int status = i < statuses.length ? statuses[i] : 201;
                ObjectNode item = out.addObject().putObject(items.get(i).action());
                item.put("_index", items.get(i).index()).put("_id", items.get(i).id()).put("status", status);
                if (status >= 300) {
                    anyError = true;
                    String[] e = (i < errors.length && errors[i] != null ? errors[i] : "error: failed").split(": ", 2);
                    item.putObject("error").put("type", e[0]).put("reason", e[1]);
                } else {
                    item.put("result", "created").put("_version", 1);
                }
            }
            body.put("errors", anyError);
            return send(exchange, 200, body.toString());
        };
    }

    /** The whole request fails with {@code status} and an Elasticsearch error body. */
    static Answer request(int status, String type) {
        return (items, exchange) -> send(exchange, status, "{\"error\":{\"type\":\"" + type + "\",\"reason\":\"stub "
                + type + "\"},\"status\":" + status + "}");
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            authorizationHeaders.add(auth == null ? "" : auth);
            String path = exchange.getRequestURI().getPath();
            if (!path.endsWith("/_bulk")) {
                send(exchange, 404, "{\"error\":{\"type\":\"stub\",\"reason\":\"only _bulk\"},\"status\":404}");
                return;
            }
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            List<Item> items = new ArrayList<>();
            String[] lines = body.split("\n");
            for (int i = 0; i + 1 < lines.length; i += 2) {
                JsonNode line = JSON.readTree(lines[i]);
                String kind = line.fieldNames().next();
                JsonNode action = line.get(kind);
                items.add(new Item(action.get("_index").asText(), action.get("_id").asText(), lines[i + 1], kind));
            }
            requests.add(items);
            Answer answer = answers.poll();
            (answer != null ? answer : items(new int[0])).respond(items, exchange);
        }
    }

    private static String send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("X-Elastic-Product", "Elasticsearch");
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        return body;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

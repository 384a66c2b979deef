package io.discoursetrends.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.discoursetrends.dashboards.KibanaSavedObjects.Signature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * One file of {@code deploy/kibana/panels/}: the Elasticsearch request equivalent to one dashboard panel (or one
 * layer of it), with {@code {{from}}}, {@code {{to}}} (the dashboard's time range) and {@code {{interval}}} (the
 * date histogram's interval) to fill in. The integration test and the image renderer run these very requests;
 * {@link DashboardFieldsTest} checks that each has the shape of its panel ({@link #signatures()}).
 */
record PanelQuery(String file, String panel, String layer, String title, String index, String answers,
        JsonNode request) {
    static final String DIR = "deploy/kibana/panels";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> METRICS = Set.of("sum", "max", "min", "avg");
    private static final Set<String> FILTERS = Set.of("term", "terms", "range", "exists", "match", "match_phrase",
            "prefix", "wildcard");

    static List<PanelQuery> all() {
        Path dir = KibanaSavedObjects.repositoryRoot().resolve(DIR);
        try (Stream<Path> files = Files.list(dir)) {
            List<PanelQuery> out = new ArrayList<>();
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                JsonNode n = JSON.readTree(f.toFile());
                out.add(new PanelQuery(f.getFileName().toString(), n.path("panel").asText(), n.path("layer").asText(),
                        n.path("title").asText(), n.path("index").asText(), n.path("answers").asText(),
                        n.path("request")));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static PanelQuery named(String file) {
        return all().stream().filter(q -> q.file().equals(file)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no " + DIR + "/" + file));
    }

    /** The request body for a time range and histogram interval (e.g. "5m"). */
    String body(Instant from, Instant to, String interval) {
        return request.toString().replace("{{from}}", from.toString()).replace("{{to}}", to.toString())
                .replace("{{interval}}", interval);
    }

    /**
     * The request's shape: terms/date_histogram/sum/max/min/avg per field, top_hits per returned field, sort per
     * sort key, source per returned field of a plain search, filter per filtered field. The saved objects side is
     * {@link KibanaSavedObjects#layers()}.
     */
    Set<Signature> signatures() {
        Set<Signature> out = new LinkedHashSet<>();
        filters(request.path("query"), out);
        aggs(request.path("aggs"), out);
        sorts(request.path("sort"), out);
        for (String f : sources(request.path("_source"))) {
            out.add(new Signature("source", f));
        }
        return out;
    }

    private static void filters(JsonNode node, Set<Signature> out) {
        if (node.isArray()) {
            node.forEach(n -> filters(n, out));
            return;
        }
        if (!node.isObject()) {
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (FILTERS.contains(e.getKey())) {
                if (e.getKey().equals("exists")) {
                    out.add(new Signature("filter", e.getValue().path("field").asText()));
                } else {
                    e.getValue().fieldNames().forEachRemaining(f -> out.add(new Signature("filter", f)));
                }
            } else {
                filters(e.getValue(), out);
            }
        }
    }

    private static void aggs(JsonNode aggs, Set<Signature> out) {
        aggs.fields().forEachRemaining(named -> {
            named.getValue().fields().forEachRemaining(e -> {
                String type = e.getKey();
                JsonNode body = e.getValue();
                if (type.equals("aggs") || type.equals("aggregations")) {
                    aggs(body, out);
                } else if (type.equals("terms") || type.equals("date_histogram") || METRICS.contains(type)) {
                    out.add(new Signature(type, body.path("field").asText()));
                } else if (type.equals("top_hits")) {
                    sorts(body.path("sort"), out);
                    for (String f : sources(body.path("_source"))) {
                        out.add(new Signature("top_hits", f));
                    }
                } else {
                    throw new IllegalStateException("aggregation " + type + " is not checked yet; add it here");
                }
            });
        });
    }

    private static void sorts(JsonNode sort, Set<Signature> out) {
        for (JsonNode s : sort) {
            if (s.isTextual()) {
                out.add(new Signature("sort", s.asText()));
            } else {
                s.fieldNames().forEachRemaining(f -> out.add(new Signature("sort", f)));
            }
        }
    }

    private static List<String> sources(JsonNode source) {
        JsonNode list = source.isObject() ? source.path("includes") : source;
        List<String> out = new ArrayList<>();
        list.forEach(f -> out.add(f.asText()));
        return out;
    }
}

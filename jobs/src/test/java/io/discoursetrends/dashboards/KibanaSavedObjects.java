package io.discoursetrends.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code deploy/kibana/discourse-trends.ndjson} the way Kibana resolves it: data views by id, the dashboard's
 * panels (Lens by value, saved searches by reference), the controls, and every reference by its name. From that it
 * lists each field a panel uses and how ({@link Use}), and each panel layer's query shape ({@link Layer}), for
 * {@link DashboardFieldsTest} to check against the index templates and the panel query files.
 */
final class KibanaSavedObjects {
    static final String FILE = "deploy/kibana/discourse-trends.ndjson";
    static final String DASHBOARD_ID = "discourse-trends";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How a panel uses a field, which decides the mapping types that work. */
    enum Use {
        TIME_FIELD("the data view's time field"),
        DATE_HISTOGRAM("a date histogram (time axis)"),
        TERMS("a top-values bucket or breakdown"),
        METRIC("a sum, max, min or average"),
        LAST_VALUE("a last-value column"),
        SORT("a sort"),
        FILTER("a filter or query"),
        COLUMN_FILTER("a column's own filter"),
        SHOWN("a column shown as it is"),
        CONTROL("an options-list control");

        final String description;

        Use(String description) {
            this.description = description;
        }
    }

    /**
     * One field one panel uses, in the index behind the panel's data view; {@code metric} names the aggregation
     * of a {@link Use#METRIC} (sum, max, min, avg) and is null otherwise.
     */
    record FieldUse(String panel, String layer, String index, String field, Use use, String metric) {
        FieldUse(String panel, String layer, String index, String field, Use use) {
            this(panel, layer, index, field, use, null);
        }

        @Override
        public String toString() {
            return panel + "/" + layer + ": " + index + "." + field + " as " + use.description;
        }
    }

    /** The shape of the request a panel layer makes: an operation (terms, sum, filter, source ...) per field. */
    record Signature(String op, String field) {
        @Override
        public String toString() {
            return op + "(" + field + ")";
        }
    }

    /** One part of a panel that queries one index: a Lens layer, a saved search, the controls. */
    record Layer(String panel, String layer, String index, Set<Signature> signatures) {}

    final List<JsonNode> objects = new ArrayList<>();
    private final Map<String, JsonNode> byTypeAndId = new LinkedHashMap<>();

    private KibanaSavedObjects(List<String> lines) throws IOException {
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode o = JSON.readTree(line);
            objects.add(o);
            byTypeAndId.put(o.path("type").asText() + ":" + o.path("id").asText(), o);
        }
    }

    static Path repositoryRoot() {
        String root = System.getProperty("discourse.root.dir");
        Path p = root != null ? Path.of(root) : Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("deploy/kibana"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("cannot find deploy/kibana above " + Path.of("").toAbsolutePath());
        }
        return p;
    }

    static KibanaSavedObjects load() {
        try {
            return new KibanaSavedObjects(Files.readAllLines(repositoryRoot().resolve(FILE)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    JsonNode object(String type, String id) {
        JsonNode o = byTypeAndId.get(type + ":" + id);
        if (o == null) {
            throw new IllegalStateException("no " + type + " saved object with id " + id + " in " + FILE);
        }
        return o;
    }

    boolean has(String type, String id) {
        return byTypeAndId.containsKey(type + ":" + id);
    }

    JsonNode dashboard() {
        return object("dashboard", DASHBOARD_ID);
    }

    List<JsonNode> panels() {
        List<JsonNode> out = new ArrayList<>();
        parse(dashboard().at("/attributes/panelsJSON").asText()).forEach(out::add);
        return out;
    }

    /** The dashboard's controls, id to its definition (explicitInput.fieldName ...). */
    Map<String, JsonNode> controls() {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        JsonNode panels = parse(dashboard().at("/attributes/controlGroupInput/panelsJSON").asText());
        panels.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    /** The id a reference of {@code object} names, as Kibana injects it on load. */
    String reference(JsonNode object, String name) {
        for (JsonNode r : object.path("references")) {
            if (r.path("name").asText().equals(name)) {
                return r.path("id").asText();
            }
        }
        throw new IllegalStateException(object.path("type").asText() + " " + object.path("id").asText()
                + " has no reference named " + name);
    }

    /** The index pattern (an alias) of a data view, by data view id. */
    String dataViewTitle(String id) {
        return object("index-pattern", id).at("/attributes/title").asText();
    }

    String timeField(String dataViewId) {
        return object("index-pattern", dataViewId).at("/attributes/timeFieldName").asText();
    }

    /** Every field every panel, control and data view uses, with how it uses it. */
    List<FieldUse> fieldUses() {
        List<FieldUse> out = new ArrayList<>();
        for (JsonNode o : objects) {
            if (o.path("type").asText().equals("index-pattern")) {
                out.add(new FieldUse("data view " + o.path("id").asText(), "-", o.at("/attributes/title").asText(),
                        o.at("/attributes/timeFieldName").asText(), Use.TIME_FIELD));
            }
        }
        JsonNode dashboard = dashboard();
        for (JsonNode panel : panels()) {
            String id = panel.path("panelIndex").asText();
            switch (panel.path("type").asText()) {
                case "lens" -> lensUses(dashboard, panel, id, out);
                case "search" -> searchUses(savedSearch(dashboard, panel), id, out);
                default -> throw new IllegalStateException("panel " + id + ": unexpected type " + panel.path("type"));
            }
        }
        controls().forEach((id, control) -> {
            String index = dataViewTitle(reference(dashboard, "controlGroup_" + id + ":optionsListDataView"));
            out.add(new FieldUse("controls", id, index, control.at("/explicitInput/fieldName").asText(), Use.CONTROL));
        });
        return out;
    }

    /** Each queried part of each panel, with the request shape it implies (see {@link PanelQuery#signatures()}). */
    List<Layer> layers() {
        Map<String, Layer> layers = new LinkedHashMap<>();
        JsonNode dashboard = dashboard();
        for (JsonNode panel : panels()) {
            String id = panel.path("panelIndex").asText();
            List<FieldUse> uses = new ArrayList<>();
            if (panel.path("type").asText().equals("lens")) {
                lensUses(dashboard, panel, id, uses);
            } else {
                searchUses(savedSearch(dashboard, panel), id, uses);
            }
            collect(layers, uses);
        }
        List<FieldUse> controlUses = new ArrayList<>();
        for (FieldUse u : fieldUses()) {
            if (u.use() == Use.CONTROL) {
                controlUses.add(new FieldUse("controls", "controls", u.index(), u.field(), Use.CONTROL));
            }
        }
        collect(layers, controlUses);
        return new ArrayList<>(layers.values());
    }

    private void collect(Map<String, Layer> layers, List<FieldUse> uses) {
        for (FieldUse u : uses) {
            Layer layer = layers.computeIfAbsent(u.panel() + "/" + u.layer(),
                    k -> new Layer(u.panel(), u.layer(), u.index(), new LinkedHashSet<>()));
            if (!layer.index().equals(u.index())) {
                throw new IllegalStateException(u + ": a layer reads one index, not " + layer.index() + " too");
            }
            signature(u).ifPresent(layer.signatures()::add);
            if (u.use() == Use.SORT && u.layer().equals("annotations")) {
                layer.signatures().add(new Signature("source", u.field())); // an annotation shows its time
            }
        }
        // Every layer is limited to the dashboard's time range on its data view's time field.
        for (Layer layer : layers.values()) {
            String timeField = timeFieldOfIndex(layer.index());
            layer.signatures().add(new Signature("filter", timeField));
        }
    }

    private String timeFieldOfIndex(String index) {
        for (JsonNode o : objects) {
            if (o.path("type").asText().equals("index-pattern") && o.at("/attributes/title").asText().equals(index)) {
                return o.at("/attributes/timeFieldName").asText();
            }
        }
        throw new IllegalStateException("no data view for " + index);
    }

    /** The request operation a use stands for; column filters (Lens's exists filters) are not compared. */
    private static Optional<Signature> signature(FieldUse u) {
        String op = switch (u.use()) {
            case DATE_HISTOGRAM -> "date_histogram";
            case TERMS, CONTROL -> "terms";
            case LAST_VALUE -> "top_hits";
            case SORT -> "sort";
            case FILTER -> "filter";
            case SHOWN -> "source";
            case METRIC -> u.metric();
            case TIME_FIELD, COLUMN_FILTER -> null;
        };
        return op == null ? Optional.empty() : Optional.of(new Signature(op, u.field()));
    }

    private JsonNode savedSearch(JsonNode dashboard, JsonNode panel) {
        String id = reference(dashboard, panel.path("panelIndex").asText() + ":" + panel.path("panelRefName").asText());
        return object("search", id);
    }

    private void searchUses(JsonNode search, String panel, List<FieldUse> out) {
        String index = dataViewTitle(reference(search, "kibanaSavedObjectMeta.searchSourceJSON.index"));
        for (JsonNode c : search.at("/attributes/columns")) {
            out.add(new FieldUse(panel, "search", index, c.asText(), Use.SHOWN));
        }
        for (JsonNode s : search.at("/attributes/sort")) {
            out.add(new FieldUse(panel, "search", index, s.get(0).asText(), Use.SORT));
        }
        JsonNode source = parse(search.at("/attributes/kibanaSavedObjectMeta/searchSourceJSON").asText());
        for (String f : kqlFields(source.at("/query/query").asText())) {
            out.add(new FieldUse(panel, "search", index, f, Use.FILTER));
        }
    }

    private void lensUses(JsonNode dashboard, JsonNode panel, String panelId, List<FieldUse> out) {
        JsonNode attributes = panel.at("/embeddableConfig/attributes");
        JsonNode state = attributes.path("state");
        Set<String> panelQueryFields = kqlFields(state.at("/query/query").asText());
        state.at("/datasourceStates/formBased/layers").fields().forEachRemaining(layer -> {
            String index = dataViewTitle(reference(dashboard,
                    panelId + ":indexpattern-datasource-layer-" + layer.getKey()));
            String name = layerName(state, layer.getKey());
            for (String f : panelQueryFields) {
                out.add(new FieldUse(panelId, name, index, f, Use.FILTER));
            }
            layer.getValue().path("columns").forEach(column -> {
                String field = column.path("sourceField").asText();
                switch (column.path("operationType").asText()) {
                    case "date_histogram" -> out.add(new FieldUse(panelId, name, index, field, Use.DATE_HISTOGRAM));
                    case "terms" -> out.add(new FieldUse(panelId, name, index, field, Use.TERMS));
                    case "sum", "max", "min" -> out.add(new FieldUse(panelId, name, index, field, Use.METRIC,
                            column.path("operationType").asText()));
                    case "average" -> out.add(new FieldUse(panelId, name, index, field, Use.METRIC, "avg"));
                    case "last_value" -> {
                        out.add(new FieldUse(panelId, name, index, field, Use.LAST_VALUE));
                        out.add(new FieldUse(panelId, name, index, column.at("/params/sortField").asText(),
                                Use.SORT));
                    }
                    case "count" -> { } // counts documents, no field
                    default -> throw new IllegalStateException(panelId + ": operation "
                            + column.path("operationType") + " is not checked yet; add it here");
                }
                for (String f : kqlFields(column.at("/filter/query").asText())) {
                    out.add(new FieldUse(panelId, name, index, f, Use.COLUMN_FILTER));
                }
            });
        });
        for (JsonNode layer : state.at("/visualization/layers")) {
            if (!layer.path("layerType").asText().equals("annotations")) {
                continue;
            }
            String index = dataViewTitle(reference(dashboard,
                    panelId + ":xy-visualization-layer-" + layer.path("layerId").asText()));
            for (JsonNode a : layer.path("annotations")) {
                if (!a.path("type").asText().equals("query")) {
                    continue;
                }
                out.add(new FieldUse(panelId, "annotations", index, a.path("timeField").asText(), Use.SORT));
                out.add(new FieldUse(panelId, "annotations", index, a.path("timeField").asText(), Use.FILTER));
                if (a.hasNonNull("textField")) {
                    out.add(new FieldUse(panelId, "annotations", index, a.path("textField").asText(), Use.SHOWN));
                }
                for (JsonNode f : a.path("extraFields")) {
                    out.add(new FieldUse(panelId, "annotations", index, f.asText(), Use.SHOWN));
                }
                for (String f : kqlFields(a.at("/filter/query").asText())) {
                    out.add(new FieldUse(panelId, "annotations", index, f, Use.FILTER));
                }
            }
        }
    }

    /** "data" for a Lens panel's data layer (the panels here have one each); the layer id otherwise. */
    private static String layerName(JsonNode state, String layerId) {
        return state.at("/datasourceStates/formBased/layers").size() == 1 ? "data" : layerId;
    }

    private static final Pattern QUOTED = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
    private static final Pattern KQL_FIELD = Pattern.compile("([A-Za-z_@][A-Za-z0-9_.@-]*)\\s*(?::|<=|>=|<|>)");

    /** The fields a KQL query names ({@code not topic : "_all" and ratio >= 2} gives topic, ratio). */
    static Set<String> kqlFields(String kql) {
        Set<String> out = new LinkedHashSet<>();
        if (kql == null || kql.isBlank()) {
            return out;
        }
        Matcher m = KQL_FIELD.matcher(QUOTED.matcher(kql).replaceAll("\"\""));
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException("not JSON: " + json, e);
        }
    }
}

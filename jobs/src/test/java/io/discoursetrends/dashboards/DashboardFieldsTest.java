package io.discoursetrends.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.discoursetrends.dashboards.IndexMappings.Field;
import io.discoursetrends.dashboards.KibanaSavedObjects.FieldUse;
import io.discoursetrends.dashboards.KibanaSavedObjects.Layer;
import io.discoursetrends.dashboards.KibanaSavedObjects.Use;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The Kibana saved objects, checked without Kibana: the NDJSON is what the saved objects import API takes (one
 * object per line, every reference resolvable inside the file), every field a panel, control or data view uses
 * exists in the index template of the panel's data view with a type that use works with (dates for time axes,
 * keywords for top values and breakdowns, numbers for sums and maxima, never text for an aggregation), and each
 * panel query file under deploy/kibana/panels/ asks Elasticsearch for what its panel shows.
 */
class DashboardFieldsTest {
    private static final KibanaSavedObjects SAVED = KibanaSavedObjects.load();
    private static final Map<String, String> DATA_VIEWS = Map.of(
            "discourse-trends", "bucket_start",
            "discourse-spikes", "started_at",
            "discourse-event-impact", "event_time",
            "discourse-taxonomies", "published_at");
    private static final Set<String> IMPORTABLE_TYPES = Set.of("index-pattern", "search", "dashboard");

    @Test
    void shouldBeOneImportableSavedObjectPerLine() {
        assertThat(SAVED.objects).as("objects in " + KibanaSavedObjects.FILE).hasSize(DATA_VIEWS.size() + 2);
        for (JsonNode o : SAVED.objects) {
            String what = o.path("type").asText() + " " + o.path("id").asText();
            // Nothing else at the top: Kibana 8.8's saved objects index maps its root strictly (no "managed").
            Set<String> keys = new TreeSet<>();
            o.fieldNames().forEachRemaining(keys::add);
            assertThat(keys).as(what).containsExactlyInAnyOrder("id", "type", "attributes", "references",
                    "coreMigrationVersion", "typeMigrationVersion");
            assertThat(o.path("id").asText()).as(what).isNotBlank();
            assertThat(o.path("type").asText()).as(what).isIn(IMPORTABLE_TYPES);
            assertThat(o.path("attributes").isObject()).as(what + " attributes").isTrue();
            assertThat(o.path("references").isArray()).as(what + " references").isTrue();
            // Kibana migrates objects from these versions up on import (8.8 and later, 9.x); without them it
            // would take the objects for pre-8.0 ones.
            assertThat(o.path("coreMigrationVersion").asText()).as(what).isEqualTo("8.8.0");
            assertThat(o.path("typeMigrationVersion").asText()).as(what).matches("8\\.[0-8]\\.0");
            for (JsonNode r : o.path("references")) {
                assertThat(SAVED.has(r.path("type").asText(), r.path("id").asText()))
                        .as(what + " references " + r + ", which the file must hold (else: missing_references)")
                        .isTrue();
            }
        }
        // The attributes Kibana keeps as JSON strings must parse.
        JsonNode d = SAVED.dashboard().path("attributes");
        for (String path : List.of("/panelsJSON", "/optionsJSON", "/kibanaSavedObjectMeta/searchSourceJSON",
                "/controlGroupInput/panelsJSON", "/controlGroupInput/ignoreParentSettingsJSON")) {
            assertThat(d.at(path).isTextual()).as("dashboard " + path).isTrue();
            KibanaSavedObjects.parse(d.at(path).asText());
        }
        assertThat(d.path("title").asText()).isEqualTo("Discourse trends");
    }

    @Test
    void shouldHaveDataViewsWithFixedIdsOnTheAliasesAndTheirTimeFields() {
        DATA_VIEWS.forEach((id, timeField) -> {
            JsonNode view = SAVED.object("index-pattern", id);
            assertThat(view.at("/attributes/title").asText()).as("data view " + id + " reads the alias").isEqualTo(id);
            assertThat(view.at("/attributes/timeFieldName").asText()).as("data view " + id).isEqualTo(timeField);
        });
    }

    @Test
    void shouldHaveThePanelsAnalystsAskedFor() {
        Map<String, String> panels = new LinkedHashMap<>();
        for (JsonNode p : SAVED.panels()) {
            String type = p.path("type").asText().equals("lens")
                    ? p.at("/embeddableConfig/attributes/visualizationType").asText() : p.path("type").asText();
            panels.put(p.path("panelIndex").asText(), type);
        }
        assertThat(panels).containsExactlyInAnyOrderEntriesOf(Map.of(
                "engagement-by-topic", "lnsXY",
                "platform-split", "lnsXY",
                "topic-platform-heatmap", "lnsHeatmap",
                "active-spikes", "lnsDatatable",
                "event-impact", "lnsXY",
                "top-posts-behind-spikes", "search"));
        assertThat(SAVED.controls().values().stream().map(c -> c.at("/explicitInput/fieldName").asText()).toList())
                .containsExactly("topic", "platform", "languages.lang");
        // Every Lens layer's data view reference is on the dashboard, where Kibana looks for it on load.
        JsonNode dashboard = SAVED.dashboard();
        for (JsonNode p : SAVED.panels()) {
            for (JsonNode r : p.at("/embeddableConfig/attributes/references")) {
                assertThat(SAVED.reference(dashboard, p.path("panelIndex").asText() + ":" + r.path("name").asText()))
                        .as(p.path("panelIndex").asText() + " " + r.path("name").asText())
                        .isEqualTo(r.path("id").asText());
            }
        }
    }

    @Test
    void shouldUseOnlyFieldsTheTemplatesMapWithATypeThatWorksForTheirUse() {
        List<FieldUse> uses = SAVED.fieldUses();
        assertThat(uses).hasSizeGreaterThan(40);
        List<String> problems = new ArrayList<>();
        for (FieldUse u : uses) {
            problem(u).ifPresent(problems::add);
        }
        assertThat(problems).as("fields the dashboard uses that the index templates do not support").isEmpty();
        // Every data view and every kind of use is covered, so a new panel cannot slip past unchecked.
        assertThat(uses.stream().map(FieldUse::index).collect(Collectors.toSet()))
                .containsExactlyInAnyOrderElementsOf(DATA_VIEWS.keySet());
        assertThat(uses.stream().map(FieldUse::use).collect(Collectors.toSet())).containsExactlyInAnyOrder(Use.values());
    }

    @Test
    void shouldRefuseATextFieldInAnAggregationAndAFieldTheTemplateLacks() {
        // The check itself, on uses that must fail: top post texts are analyzed text, urls are not indexed.
        assertThat(problem(new FieldUse("p", "l", "discourse-spikes", "top_posts.text", Use.TERMS)))
                .hasValueSatisfying(m -> assertThat(m).contains("text"));
        assertThat(problem(new FieldUse("p", "l", "discourse-trends", "top_posts.text", Use.LAST_VALUE))).isPresent();
        assertThat(problem(new FieldUse("p", "l", "discourse-trends", "topic", Use.METRIC, "sum"))).isPresent();
        assertThat(problem(new FieldUse("p", "l", "discourse-trends", "posts", Use.DATE_HISTOGRAM))).isPresent();
        assertThat(problem(new FieldUse("p", "l", "discourse-trends", "top_posts.url", Use.FILTER))).isPresent();
        assertThat(problem(new FieldUse("p", "l", "discourse-trends", "language", Use.CONTROL)))
                .hasValueSatisfying(m -> assertThat(m).contains("not mapped"));
        assertThat(problem(new FieldUse("p", "l", "discourse-trends", "top_posts", Use.SHOWN))).isPresent();
        assertThat(problem(new FieldUse("p", "l", "discourse-trends", "languages.lang", Use.CONTROL))).isEmpty();
        assertThat(problem(new FieldUse("p", "l", "discourse-spikes", "top_posts.text", Use.SHOWN))).isEmpty();
    }

    @Test
    void shouldHaveAQueryFileWithTheShapeOfEachPanel() {
        Map<String, PanelQuery> queries = new HashMap<>();
        for (PanelQuery q : PanelQuery.all()) {
            assertThat(queries.put(q.panel() + "/" + q.layer(), q)).as("one file per panel layer: " + q.file())
                    .isNull();
            assertThat(q.title()).as(q.file()).isNotBlank();
            assertThat(q.answers()).as(q.file()).isNotBlank();
        }
        List<Layer> layers = SAVED.layers();
        assertThat(layers.stream().map(l -> l.panel() + "/" + l.layer()).toList())
                .as("panel layers with a query file").containsExactlyInAnyOrderElementsOf(queries.keySet());
        for (Layer layer : layers) {
            PanelQuery q = queries.get(layer.panel() + "/" + layer.layer());
            assertThat(q.index()).as(q.file() + " reads the panel's data view").isEqualTo(layer.index());
            assertThat(new TreeSet<>(q.signatures().stream().map(Object::toString).toList()))
                    .as(q.file() + " asks for what panel " + layer.panel() + " (" + layer.layer() + ") shows")
                    .isEqualTo(new TreeSet<>(layer.signatures().stream().map(Object::toString).toList()));
        }
    }

    @Test
    void shouldLeaveOutTheRollUpsWhereAPanelAddsBucketsUp() {
        // topic _all and platform all are sums of the other documents: a panel that adds documents up must
        // exclude them, or every post counts twice (or, with both, four times).
        for (JsonNode p : SAVED.panels()) {
            if (!p.path("type").asText().equals("lens")) {
                continue;
            }
            JsonNode state = p.at("/embeddableConfig/attributes/state");
            boolean sums = state.at("/datasourceStates/formBased/layers").findValues("operationType").stream()
                    .anyMatch(o -> o.asText().equals("sum"));
            Set<String> splits = new TreeSet<>();
            state.at("/datasourceStates/formBased/layers").findValues("columns").forEach(cols ->
                    cols.forEach(c -> {
                        if (c.path("operationType").asText().equals("terms")) {
                            splits.add(c.path("sourceField").asText());
                        }
                    }));
            String query = state.at("/query/query").asText();
            String panel = p.path("panelIndex").asText();
            if (sums || splits.contains("platform")) {
                assertThat(query).as(panel).contains("not platform : \"all\"");
            }
            if (sums) {
                assertThat(query).as(panel).contains("not topic : \"_all\"");
            }
        }
        for (PanelQuery q : PanelQuery.all()) {
            if (q.request().findValues("sum").isEmpty() && q.request().findValues("platforms").isEmpty()) {
                continue;
            }
            String mustNot = q.request().at("/query/bool/must_not").toString();
            assertThat(mustNot).as(q.file()).contains("{\"term\":{\"platform\":\"all\"}}");
            if (!q.request().findValues("sum").isEmpty()) {
                assertThat(mustNot).as(q.file()).contains("{\"term\":{\"topic\":\"_all\"}}");
            }
        }
    }

    /** What is wrong with a use, if anything. */
    static Optional<String> problem(FieldUse u) {
        Optional<Field> found = IndexMappings.forAlias(u.index()).field(u.field());
        if (found.isEmpty()) {
            return Optional.of(u + ": not mapped in schemas/elasticsearch/" + u.index() + ".index-template.json");
        }
        Field f = found.get();
        String wrong = switch (u.use()) {
            case TIME_FIELD, DATE_HISTOGRAM -> f.isDate() ? null : "needs a date";
            case TERMS, CONTROL -> f.isKeyword() && f.isAggregatable() ? null : "needs a keyword";
            case METRIC -> f.isNumeric() ? null : "needs a number";
            case LAST_VALUE -> f.isAggregatable() ? null : "needs an aggregatable field (keyword, number, date)";
            case SORT -> (f.isDate() || f.isKeyword() || f.isNumeric()) && f.isAggregatable() ? null
                    : "needs a date, keyword or number";
            case FILTER, COLUMN_FILTER -> f.indexed() ? null : "is not indexed (index: false), so it cannot be searched";
            case SHOWN -> null;
        };
        return wrong == null ? Optional.empty() : Optional.of(u + ": " + wrong + ", but the template maps "
                + u.field() + " as " + f.type() + (f.indexed() ? "" : " (index: false)"));
    }
}

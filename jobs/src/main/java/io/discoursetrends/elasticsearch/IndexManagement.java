package io.discoursetrends.elasticsearch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.http.util.EntityUtils;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.RestClient;

/**
 * Installs, idempotently, everything the discourse-trends indices need; what {@code discourse-trends es-setup}
 * and the job's start ({@code es.install-templates}) run. For each document kind listed in {@link #KINDS}:
 * <ol>
 *   <li>an ILM policy {@code <kind>-retention} (hot phase without rollover, delete phase after the kind's
 *       retention), only where the cluster has ILM;</li>
 *   <li>the component template {@value #SETTINGS_COMPONENT} (shared by all kinds: shards, replicas, refresh
 *       interval);</li>
 *   <li>the component template {@code <kind>-mappings}: the file {@code schemas/elasticsearch/<kind>.index-template.json},
 *       the single source of the kind's mappings ({@code dynamic: strict});</li>
 *   <li>the composable index template {@code <kind>} for {@code <kind>-*} composed of the two, adding the read
 *       alias {@code <kind>} (what Kibana data views use) and, with ILM, {@code index.lifecycle.name}: the policy is
 *       per kind since retention is, so the setting sits in the kind's template rather than the shared one.</li>
 * </ol>
 * Documents go to monthly indices {@code <kind>-yyyy.MM} ({@link TimeBasedIndex}), so no rollover is involved.
 *
 * <p>Each item carries a hash of its content in {@code _meta.content_hash}: an item whose hash matches is left
 * alone and reported unchanged, otherwise it is put and reported created or updated. Templates apply to indices
 * created afterwards; when a kind's mappings change, they are also put on its existing indices (additive changes
 * succeed; a conflicting change fails with Elasticsearch's reason). Where the cluster has no ILM, retention is
 * skipped with a message and the rest goes on.
 */
public final class IndexManagement {
    /** Document kinds: each has schemas/elasticsearch/{kind}.index-template.json. Add a kind here and a file there. */
    public static final List<String> KINDS = List.of("discourse-trends", "discourse-spikes",
            "discourse-event-impact", "discourse-posts", "discourse-taxonomies");

    public static final String SETTINGS_COMPONENT = "discourse-trends-settings";
    public static final String NO_ILM_MESSAGE = "this cluster has no index lifecycle management (ILM): retention "
            + "policies skipped; delete old monthly indices by hand or with a cron job";
    static final int PRIORITY = 200;

    private static final ObjectMapper JSON = new ObjectMapper();

    public enum Outcome { CREATED, UPDATED, UNCHANGED;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** One thing installed: e.g. {@code component template discourse-trends-settings: unchanged}. */
    public record Installed(String what, String name, Outcome outcome, String detail) {
        public String line() {
            return what + " " + name + ": " + outcome + (detail.isEmpty() ? "" : " (" + detail + ")");
        }
    }

    private final RestClient rest;
    private final IndexSettings settings;
    private final List<String> kinds;
    private final Consumer<String> out;

    private IndexManagement(RestClient rest, IndexSettings settings, List<String> kinds, Consumer<String> out) {
        this.rest = rest;
        this.settings = settings;
        this.kinds = kinds;
        this.out = out;
    }

    /**
     * Installs everything for {@link #KINDS}, reporting one line per item to {@code out} as it goes.
     *
     * @throws IllegalStateException when the cluster cannot be reached, refuses the credentials, or refuses an item,
     *     with a message saying what to fix
     */
    public static List<Installed> install(RestClient rest, IndexSettings settings, Consumer<String> out) {
        return install(rest, settings, KINDS, out);
    }

    static List<Installed> install(RestClient rest, IndexSettings settings, List<String> kinds, Consumer<String> out) {
        try {
            return new IndexManagement(rest, settings, kinds, out).run();
        } catch (IOException e) {
            throw new IllegalStateException(describe(e), e);
        }
    }

    private List<Installed> run() throws IOException {
        List<Installed> done = new ArrayList<>();
        boolean ilm = hasIlm();
        if (ilm) {
            for (String kind : kinds) {
                int days = settings.retentionDays(kind);
                done.add(report(put("ILM policy", "/_ilm/policy/", kind + "-retention", policy(days),
                        "/" + kind + "-retention/policy/_meta/content_hash", "delete " + days + " days after creation")));
            }
        } else {
            out.accept(NO_ILM_MESSAGE);
        }
        done.add(report(put("component template", "/_component_template/", SETTINGS_COMPONENT, settingsTemplate(),
                "/component_templates/0/component_template/_meta/content_hash", settings.toString())));
        for (String kind : kinds) {
            checkNoIndexNamed(kind);
            JsonNode file = templateFile(kind);
            Installed mappings = report(put("component template", "/_component_template/", kind + "-mappings",
                    mappingsTemplate(file), "/component_templates/0/component_template/_meta/content_hash", ""));
            done.add(mappings);
            done.add(report(put("index template", "/_index_template/", kind, indexTemplate(kind, file, ilm),
                    "/index_templates/0/index_template/_meta/content_hash",
                    "indices " + kind + "-*, alias " + kind)));
            if (mappings.outcome() != Outcome.UNCHANGED) {
                updateExistingIndices(kind, file).ifPresent(i -> done.add(report(i)));
            }
        }
        return done;
    }

    private Installed report(Installed i) {
        out.accept(i.line());
        return i;
    }

    // ---- the bodies

    private static ObjectNode policy(int days) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode phases = body.putObject("policy").putObject("phases");
        // Hot without rollover: documents go to monthly indices named from their own time (see TimeBasedIndex).
        phases.putObject("hot").put("min_age", "0ms").putObject("actions");
        phases.putObject("delete").put("min_age", days + "d").putObject("actions").putObject("delete");
        ObjectNode meta = ((ObjectNode) body.get("policy")).putObject("_meta");
        meta.put("description", "discourse-trends retention: monthly indices are deleted " + days
                + " days after their creation (es.ilm.retention-days)");
        return body;
    }

    private ObjectNode settingsTemplate() {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode index = body.putObject("template").putObject("settings").putObject("index");
        index.put("number_of_shards", settings.shards());
        if (settings.replicas() == null) {
            // One replica where there is a second node to hold it, none on a single-node cluster (stays green).
            index.put("auto_expand_replicas", "0-1");
        } else {
            index.put("number_of_replicas", settings.replicas());
            index.put("auto_expand_replicas", "false");
        }
        index.put("refresh_interval", settings.refreshInterval());
        body.putObject("_meta").put("description", "Settings shared by every discourse-trends index "
                + "(es.index.shards, es.index.replicas, es.index.refresh-interval).");
        return body;
    }

    private static ObjectNode mappingsTemplate(JsonNode file) {
        ObjectNode body = JSON.createObjectNode();
        body.putObject("template").set("mappings", file.at("/template/mappings").deepCopy());
        body.set("_meta", file.get("_meta").deepCopy());
        return body;
    }

    private ObjectNode indexTemplate(String kind, JsonNode file, boolean ilm) {
        ObjectNode body = JSON.createObjectNode();
        body.putArray("index_patterns").add(kind + "-*");
        body.putArray("composed_of").add(SETTINGS_COMPONENT).add(kind + "-mappings");
        body.put("priority", PRIORITY);
        ObjectNode template = body.putObject("template");
        template.putObject("aliases").putObject(kind);
        if (ilm) {
            template.putObject("settings").put("index.lifecycle.name", kind + "-retention");
        }
        ObjectNode meta = body.putObject("_meta");
        meta.put("description", "Monthly " + kind + " indices, read through the alias " + kind + ".");
        if (file.at("/_meta/schema").isTextual()) {
            meta.set("schema", file.at("/_meta/schema"));
        }
        return body;
    }

    static JsonNode templateFile(String kind) throws IOException {
        String resource = "schemas/elasticsearch/" + kind + ".index-template.json";
        try (InputStream in = IndexManagement.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the classpath: the jar was built "
                        + "without the schemas module, or IndexManagement.KINDS names a kind without a file");
            }
            JsonNode file = JSON.readTree(in);
            if (!file.at("/template/mappings").isObject() || !file.path("_meta").isObject()) {
                throw new IllegalStateException(resource + " needs template.mappings and _meta");
            }
            return file;
        }
    }

    // ---- the calls

    /**
     * Puts {@code body} under {@code path + name} unless the item there has the same content hash (read at
     * {@code hashPointer} of the GET response).
     */
    private Installed put(String what, String path, String name, ObjectNode body, String hashPointer, String detail)
            throws IOException {
        String hash = contentHash(body);
        ObjectNode meta = metaOf(body);
        meta.put("managed_by", "discourse-trends");
        meta.put("content_hash", hash);
        Outcome outcome;
        JsonNode existing = get(path + name);
        if (existing == null) {
            outcome = Outcome.CREATED;
        } else if (hash.equals(existing.at(hashPointer).asText())) {
            return new Installed(what, name, Outcome.UNCHANGED, detail);
        } else {
            outcome = Outcome.UPDATED;
        }
        Request put = new Request("PUT", path + name);
        put.setJsonEntity(JSON.writeValueAsString(body));
        perform(put);
        return new Installed(what, name, outcome, detail);
    }

    private static ObjectNode metaOf(ObjectNode body) {
        // An ILM policy keeps its _meta inside "policy"; templates at the top.
        ObjectNode holder = body.has("policy") ? (ObjectNode) body.get("policy") : body;
        return holder.has("_meta") ? (ObjectNode) holder.get("_meta") : holder.putObject("_meta");
    }

    static String contentHash(ObjectNode body) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(JSON.writeValueAsBytes(body));
            return HexFormat.of().formatHex(digest, 0, 12);
        } catch (NoSuchAlgorithmException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private Optional<Installed> updateExistingIndices(String kind, JsonNode file) throws IOException {
        Request get = new Request("GET", "/" + kind + "-*/_mapping");
        get.addParameter("allow_no_indices", "true");
        get.addParameter("ignore_unavailable", "true");
        JsonNode indices = JSON.readTree(EntityUtils.toString(perform(get).getEntity()));
        if (indices.isEmpty()) {
            return Optional.empty();
        }
        Request put = new Request("PUT", "/" + kind + "-*/_mapping");
        put.setJsonEntity(JSON.writeValueAsString(file.at("/template/mappings")));
        perform(put);
        return Optional.of(new Installed("mappings of existing indices", kind + "-*", Outcome.UPDATED,
                indices.size() + " indices"));
    }

    /**
     * An index named like the alias (left by a release that wrote to one fixed index) would make every new
     * monthly index fail to get its alias, and so fail every write: say so now, with what to do.
     */
    private void checkNoIndexNamed(String kind) throws IOException {
        Request get = new Request("GET", "/" + kind);
        get.addParameter("ignore_unavailable", "true");
        get.addParameter("allow_no_indices", "true");
        JsonNode found = getOrNull(get);
        if (found != null && found.has(kind)) {
            throw new IllegalStateException("an index named " + kind + " exists (an earlier release wrote to it): the "
                    + "alias " + kind + " of the monthly indices " + kind + "-yyyy.MM cannot coexist with it. Reindex it "
                    + "into " + kind + "-<yyyy.MM> indices (or delete it if its data can be rebuilt by a replay), then "
                    + "run es-setup again.");
        }
    }

    /** True where GET /_ilm/status answers; clusters without the ILM module answer 400/404/410. */
    private boolean hasIlm() throws IOException {
        try {
            perform(new Request("GET", "/_ilm/status"));
            return true;
        } catch (ResponseException e) {
            int status = e.getResponse().getStatusLine().getStatusCode();
            if (status == 400 || status == 404 || status == 405 || status == 410) {
                return false;
            }
            throw e;
        }
    }

    private JsonNode get(String path) throws IOException {
        return getOrNull(new Request("GET", path));
    }

    private JsonNode getOrNull(Request request) throws IOException {
        try {
            return JSON.readTree(EntityUtils.toString(perform(request).getEntity(), StandardCharsets.UTF_8));
        } catch (ResponseException e) {
            if (e.getResponse().getStatusLine().getStatusCode() == 404) {
                return null;
            }
            throw e;
        }
    }

    private Response perform(Request request) throws IOException {
        return rest.performRequest(request);
    }

    /** One sentence an operator can act on; never the request's headers (they hold the credentials). */
    static String describe(IOException e) {
        if (e instanceof ResponseException re) {
            int status = re.getResponse().getStatusLine().getStatusCode();
            String where = re.getResponse().getRequestLine().getMethod() + " " + re.getResponse().getRequestLine().getUri();
            if (status == 401) {
                return "Elasticsearch refused the credentials (401). Set " + ElasticsearchConnection.API_KEY_ENV
                        + ", or " + ElasticsearchConnection.USERNAME_ENV + " and " + ElasticsearchConnection.PASSWORD_ENV
                        + " (or the same names with _FILE naming a file that holds the value), to valid credentials.";
            }
            if (status == 403) {
                return "Elasticsearch denied " + where + " (403): the user or API key needs the cluster privileges "
                        + "manage_index_templates and manage_ilm, and 'manage' on the discourse-* indices. Set "
                        + ElasticsearchConnection.API_KEY_ENV + ", or " + ElasticsearchConnection.USERNAME_ENV + " and "
                        + ElasticsearchConnection.PASSWORD_ENV + " (or their _FILE forms), to such credentials.";
            }
            String body;
            try {
                body = EntityUtils.toString(re.getResponse().getEntity());
            } catch (IOException | RuntimeException ignored) {
                body = "";
            }
            return "Elasticsearch refused " + where + " (" + status + "): " + body;
        }
        if (e instanceof ConnectException || e.getCause() instanceof ConnectException) {
            return "cannot reach Elasticsearch (connection refused): check es.urls and that the cluster is up";
        }
        if (e instanceof SocketTimeoutException) {
            return "Elasticsearch did not answer in time: check es.urls and the cluster's health";
        }
        return "cannot talk to Elasticsearch: " + e;
    }
}

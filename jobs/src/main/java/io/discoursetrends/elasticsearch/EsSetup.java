package io.discoursetrends.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What {@code discourse-trends es-setup} does, without Flink on the classpath: reads the {@code es.*} settings it
 * needs from plain key/value pairs (the job's --conf file and -D overrides), connects with the credentials from
 * the environment, and runs {@link IndexManagement}, printing one line per item.
 */
public final class EsSetup {
    public static final String URLS_KEY = "es.urls";
    public static final String DEFAULT_URLS = "http://localhost:9200";
    public static final String CA_FILE_KEY = "es.ca-file";
    public static final String VERIFY_TLS_KEY = "es.verify-tls";

    private EsSetup() {}

    /** The connection es-setup uses: {@code es.urls} (';'-separated), {@code es.ca-file}, {@code es.verify-tls}. */
    public static ElasticsearchConnection connection(Map<String, String> settings) {
        List<String> urls = Arrays.stream(settings.getOrDefault(URLS_KEY, DEFAULT_URLS).split(";"))
                .map(String::strip).filter(s -> !s.isEmpty()).toList();
        String verify = settings.getOrDefault(VERIFY_TLS_KEY, "true").strip();
        if (!verify.equalsIgnoreCase("true") && !verify.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException("option " + VERIFY_TLS_KEY + " has an invalid value '" + verify
                    + "': expected true or false");
        }
        String ca = settings.get(CA_FILE_KEY);
        return new ElasticsearchConnection(urls, ca == null || ca.isBlank() ? null : ca.strip(),
                Boolean.parseBoolean(verify));
    }

    /**
     * Installs everything, printing the settings used and then one line per item to {@code out}.
     *
     * @throws IllegalStateException unreachable cluster, bad credentials, or a refused item, in one sentence
     * @throws IllegalArgumentException a malformed setting
     */
    public static List<IndexManagement.Installed> run(Map<String, String> settings, PrintWriter out) {
        return run(connection(settings), settings, out);
    }

    static List<IndexManagement.Installed> run(ElasticsearchConnection connection, Map<String, String> settings,
                                               PrintWriter out) {
        IndexSettings index = IndexSettings.from(settings);
        out.println("es-setup on " + connection.urls().stream().map(ElasticsearchConnection::redact).toList() + ": "
                + index);
        out.flush();
        ElasticsearchClient client = ElasticsearchClients.create(connection);
        try {
            return IndexTemplates.install(client, settings, line -> {
                out.println(line);
                out.flush();
            });
        } finally {
            try {
                client._transport().close();
            } catch (Exception ignored) {
                // closing a client that failed to connect has nothing left to release
            }
        }
    }
}

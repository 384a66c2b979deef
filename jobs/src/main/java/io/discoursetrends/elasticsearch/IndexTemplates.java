package io.discoursetrends.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.transport.rest_client.RestClientTransport;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The job's entry to {@link IndexManagement}: what {@code es.install-templates} runs at job start, the same
 * installer as {@code discourse-trends es-setup}.
 */
public final class IndexTemplates {
    /** Document kinds; each is {@code schemas/elasticsearch/<name>.index-template.json}. */
    public static final List<String> NAMES = IndexManagement.KINDS;

    private IndexTemplates() {}

    /**
     * Installs with the index settings read from {@code settings} (the job's configuration as key/value pairs,
     * e.g. {@code Configuration.toMap()}), reporting each item to {@code out}.
     */
    public static List<IndexManagement.Installed> install(ElasticsearchClient client, Map<String, String> settings,
                                                          Consumer<String> out) {
        return IndexManagement.install(restClient(client), IndexSettings.from(settings), out);
    }

    /**
     * Installs with the default index settings, printing what changed (and, once, that the cluster has no ILM) to
     * stdout. Prefer {@link #install(ElasticsearchClient, Map, Consumer)} with the job's configuration: this one
     * resets es.index.* and es.ilm.* settings that es-setup applied from a configuration to their defaults.
     */
    public static void install(ElasticsearchClient client) {
        install(client, Map.of(), IndexTemplates::printChanges);
    }

    /** Job-start output: what was created or updated, and the no-ILM notice; unchanged items stay quiet. */
    public static void printChanges(String line) {
        if (!line.endsWith(": unchanged") && !line.contains(": unchanged (")) {
            System.out.println("discourse-trends: " + line);
        }
    }

    static org.elasticsearch.client.RestClient restClient(ElasticsearchClient client) {
        if (client._transport() instanceof RestClientTransport transport) {
            return transport.restClient();
        }
        throw new IllegalArgumentException("index management needs a client over the low-level REST client, not "
                + client._transport().getClass().getName());
    }
}

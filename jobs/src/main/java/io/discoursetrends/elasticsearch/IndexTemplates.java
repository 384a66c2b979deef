package io.discoursetrends.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch.indices.PutIndexTemplateRequest;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * Installs the index templates shipped in schemas/elasticsearch (on the classpath under the same path).
 * PUT of a template is idempotent, so this runs at every job start; documents are never written to an
 * index whose mapping was guessed by dynamic mapping.
 */
public final class IndexTemplates {
    /** Template names; each is {@code schemas/elasticsearch/<name>.index-template.json}. */
    public static final List<String> NAMES = List.of("discourse-platform-counts");

    private IndexTemplates() {}

    public static void install(ElasticsearchClient client) throws IOException {
        for (String name : NAMES) {
            String resource = "schemas/elasticsearch/" + name + ".index-template.json";
            try (InputStream in = IndexTemplates.class.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException(resource + " is missing from the classpath: the jar was built "
                            + "without the schemas module");
                }
                client.indices().putIndexTemplate(PutIndexTemplateRequest.of(b -> b.name(name).withJson(in)));
            }
        }
    }
}

package io.discoursetrends.job;

import io.discoursetrends.classify.Taxonomy;
import io.discoursetrends.classify.TaxonomyException;
import io.discoursetrends.classify.TaxonomyParser;
import io.discoursetrends.classify.TaxonomyUpdate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.configuration.Configuration;

/**
 * The taxonomy a job starts with: {@code taxonomy.file}, else the bundled default. Read and validated where the
 * job is built (the client), so a broken file stops the submission with its problems instead of failing tasks,
 * and the task managers never need the file.
 */
public final class TaxonomyLoader {
    private TaxonomyLoader() {}

    public static TaxonomyUpdate initial(Configuration config) {
        String file = config.get(JobOptions.TAXONOMY_FILE);
        Taxonomy taxonomy;
        if (file == null) {
            taxonomy = Taxonomy.defaultTaxonomy();
        } else {
            String yaml;
            try {
                yaml = Files.readString(Path.of(file));
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read taxonomy.file " + file + ": " + e.getMessage(), e);
            }
            try {
                taxonomy = TaxonomyParser.parse(yaml, file);
            } catch (TaxonomyException e) {
                throw new IllegalArgumentException("taxonomy.file " + file + " is not valid (see `discourse-trends "
                        + "topics validate " + file + "`): " + e.getMessage(), e);
            }
        }
        return new TaxonomyUpdate(taxonomy.version(), taxonomy.source(), null, System.currentTimeMillis());
    }
}

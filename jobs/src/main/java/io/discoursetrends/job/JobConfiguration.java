package io.discoursetrends.job;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;

/**
 * Builds the job's {@link Configuration}: {@link JobOptions} defaults, then a properties file, then
 * command-line overrides. Keys in the job's own namespaces must be known (a typo fails with "did you mean"
 * instead of silently using a default, see {@link KnownOptions#check}); any other key, such as
 * {@code parallelism.default} or {@code state.backend.type}, is handed to Flink as it is.
 */
public final class JobConfiguration {
    private JobConfiguration() {}

    public static Configuration load(Path file, Map<String, String> overrides) {
        Map<String, String> values = new LinkedHashMap<>();
        if (file != null) {
            Properties p = new Properties();
            try (InputStream in = Files.newInputStream(file)) {
                p.load(in);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read configuration file " + file + ": " + e.getMessage());
            }
            p.stringPropertyNames().forEach(k -> values.put(k, p.getProperty(k).strip()));
        }
        values.putAll(overrides);
        KnownOptions.check(values.keySet());
        String urls = values.get(JobOptions.ES_URLS.key());
        if (urls != null) {
            // Before Flink sees (and may log) the configuration.
            for (String url : urls.split(";")) {
                io.discoursetrends.elasticsearch.ElasticsearchConnection.refuseCredentials(url.strip());
            }
        }
        Configuration config = Configuration.fromMap(values);
        // Read every option once so a malformed value (e.g. "buckets.size=1 minuet") fails here, by name.
        for (ConfigOption<?> option : JobOptions.ALL) {
            try {
                config.get(option);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("option " + option.key() + " has an invalid value '"
                        + io.discoursetrends.elasticsearch.ElasticsearchConnection.redact(
                                String.valueOf(values.get(option.key())))
                        + "': " + e.getMessage());
            }
        }
        JobOptions.detectorSettings(config); // the detector's settings in range, and consistent with each other
        return config;
    }
}

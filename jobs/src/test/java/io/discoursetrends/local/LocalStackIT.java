package io.discoursetrends.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local stack starts a real Kafka broker and a real Elasticsearch node as child JVMs, from the layouts Maven
 * builds under deploy/local, and they behave as the integration tests and the demo rely on.
 */
class LocalStackIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void kafkaBrokerCarriesARecordWithAnOldTimestampThroughACreatedTopic() throws Exception {
        try (LocalKafka kafka = LocalKafka.launch()) {
            // 1. Topics are created explicitly, with the requested partitions.
            kafka.createTopics(Map.of("local-stack-it", 3));

            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
                assertThat(admin.describeTopics(Set.of("local-stack-it")).allTopicNames().get()
                        .get("local-stack-it").partitions()).hasSize(3);
                // 2. The settings the tests depend on: nothing is deleted by age, nothing is created by accident.
                ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, "1");
                Config config = admin.describeConfigs(Set.of(broker)).all().get().get(broker);
                assertThat(config.get("log.retention.ms").value()).isEqualTo("-1");
                assertThat(config.get("auto.create.topics.enable").value()).isEqualTo("false");
            }

            // 3. A record stamped years ago goes in and comes back with its timestamp.
            long oldTimestamp = Instant.parse("2019-03-01T12:00:00Z").toEpochMilli();
            RecordMetadata written;
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProperties(kafka))) {
                written = producer.send(new ProducerRecord<>("local-stack-it", 1, oldTimestamp, "post-1", "{\"text\":\"hi\"}"))
                        .get();
            }
            assertThat(written.partition()).isEqualTo(1);
            assertThat(written.offset()).isZero();

            TopicPartition partition = new TopicPartition("local-stack-it", 1);
            List<ConsumerRecord<String, String>> received = new ArrayList<>();
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProperties(kafka))) {
                consumer.assign(List.of(partition));
                consumer.seekToBeginning(List.of(partition));
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (received.isEmpty() && System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(500)).forEach(received::add);
                }
            }
            assertThat(received).hasSize(1);
            assertThat(received.get(0).key()).isEqualTo("post-1");
            assertThat(received.get(0).value()).isEqualTo("{\"text\":\"hi\"}");
            assertThat(received.get(0).timestamp()).isEqualTo(oldTimestamp);
        }
    }

    @Test
    void elasticsearchNodeKeepsDocumentsAcrossACleanStopAndACrash() throws Exception {
        try (LocalElasticsearch es = LocalElasticsearch.launch()) {
            String url = es.httpUrl();
            assertThat(url).startsWith("http://127.0.0.1:");

            // 1. An index with one primary and no replica, and a document in it.
            assertThat(send("PUT", url + "/local-stack-it", "{\"settings\":{\"number_of_shards\":1,\"number_of_replicas\":0}}")
                    .statusCode()).isEqualTo(200);
            assertThat(send("PUT", url + "/local-stack-it/_doc/first", "{\"term\":\"flink\",\"count\":3}").statusCode())
                    .isEqualTo(201);
            assertThat(source(url, "first")).isEqualTo(JSON.readTree("{\"term\":\"flink\",\"count\":3}"));

            // 2. A clean stop: the port is closed, and after start() the same URL serves the same document.
            es.stop();
            assertThat(es.isRunning()).isFalse();
            assertThatThrownBy(() -> send("GET", url + "/_cluster/health", null)).isInstanceOf(IOException.class);
            es.start();
            assertThat(es.httpUrl()).isEqualTo(url);
            assertThat(source(url, "first")).isEqualTo(JSON.readTree("{\"term\":\"flink\",\"count\":3}"));

            // 3. A crash right after a write: the write was acknowledged, so the translog brings it back.
            assertThat(send("PUT", url + "/local-stack-it/_doc/second", "{\"term\":\"kafka\",\"count\":5}").statusCode())
                    .isEqualTo(201);
            es.kill();
            assertThat(es.isRunning()).isFalse();
            es.start();
            assertThat(source(url, "first")).isEqualTo(JSON.readTree("{\"term\":\"flink\",\"count\":3}"));
            assertThat(source(url, "second")).isEqualTo(JSON.readTree("{\"term\":\"kafka\",\"count\":5}"));
            assertThat(Files.readString(es.logFile())).contains("discourse-trends local Elasticsearch node started");
        }
    }

    @Test
    void javaSearchSaysWhatToInstallWhenNoJava21IsFound(@TempDir Path emptyRoot) {
        JavaRuntimes none = new JavaRuntimes(Map.of(),
                new JavaRuntimes.JavaRuntime(Path.of("/opt/jdk-17"), Runtime.Version.parse("17.0.15")),
                List.of(emptyRoot));

        assertThatThrownBy(none::forElasticsearch)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("Elasticsearch 9.5 needs Java 21 or newer to run; none found in ")
                .hasMessageContaining("ES_JAVA_HOME (not set)")
                .hasMessageContaining("Java 17.0.15 at /opt/jdk-17")
                .hasMessageContaining(emptyRoot + "/*")
                .hasMessageEndingWith("install e.g. temurin-21-jdk or openjdk-21-jdk, or set ES_JAVA_HOME to a JDK 21+");
    }

    @Test
    void javaSearchPicksTheNewestJdkOf21OrMoreAndHonoursEsJavaHome(@TempDir Path root) throws IOException {
        Path jdk17 = fakeJdk(root.resolve("java-17-openjdk"), "17.0.15");
        fakeJdk(root.resolve("jdk-21.0.4"), "21.0.4");
        Path jdk25 = fakeJdk(root.resolve("temurin-25").resolve("Contents").resolve("Home"), "25.0.1");
        JavaRuntimes.JavaRuntime running = new JavaRuntimes.JavaRuntime(jdk17, Runtime.Version.parse("17.0.15"));

        assertThat(new JavaRuntimes(Map.of("JAVA_HOME", jdk17.toString()), running, List.of(root))
                .forElasticsearch().home()).isEqualTo(jdk25);
        assertThat(new JavaRuntimes(Map.of("ES_JAVA_HOME", root.resolve("jdk-21.0.4").toString()), running, List.of(root))
                .forElasticsearch().version()).isEqualTo(Runtime.Version.parse("21.0.4"));
        assertThatThrownBy(() -> new JavaRuntimes(Map.of("ES_JAVA_HOME", jdk17.toString()), running, List.of(root))
                .forElasticsearch())
                .hasMessageContaining("ES_JAVA_HOME=" + jdk17 + " is Java 17.0.15");
    }

    private static Path fakeJdk(Path home, String version) throws IOException {
        Files.createDirectories(home.resolve("bin"));
        Path java = Files.writeString(home.resolve("bin").resolve("java"), "#!/bin/sh\nexit 1\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"test\"\nJAVA_VERSION=\"" + version + "\"\n");
        return home;
    }

    private JsonNode source(String url, String id) throws Exception {
        HttpResponse<String> response = send("GET", url + "/local-stack-it/_doc/" + id, null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body()).get("_source");
    }

    private HttpResponse<String> send(String method, String url, String json) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        if (json == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Properties producerProperties(LocalKafka kafka) {
        Properties properties = new Properties();
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        properties.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        properties.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        return properties;
    }

    private static Properties consumerProperties(LocalKafka kafka) {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return properties;
    }
}

package io.discoursetrends.classify;

import static org.assertj.core.api.Assertions.assertThat;

import io.discoursetrends.cli.Main;
import io.discoursetrends.local.LocalKafka;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code discourse-trends topics publish} against a real broker: the record lands on the control topic with
 * the key the job expects and reads back as the same taxonomy; a missing topic is a clear one-line error.
 */
class TopicsPublishIT {

    @TempDir
    Path tmp;

    record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        cl.getOut().flush();
        cl.getErr().flush();
        return new Run(exit, out.toString().strip(), err.toString().strip());
    }

    @Test
    void publishesATaxonomyUpdateThatReadsBackAsTheSameTaxonomy() throws Exception {
        Taxonomy taxonomy = Taxonomy.defaultTaxonomy();
        Path file = Files.writeString(tmp.resolve("topics.yaml"), taxonomy.source());
        try (LocalKafka kafka = LocalKafka.launch()) {
            kafka.createTopics(Map.of(TaxonomyUpdate.DEFAULT_TOPIC, 1));

            // 1. Two updates: now, then from a given event time.
            Instant before = Instant.now();
            Run first = run("topics", "publish", file.toString(), "--bootstrap-servers", kafka.bootstrapServers());
            assertThat(first.exit()).as(first.err()).isZero();
            assertThat(first.out()).isEqualTo("published taxonomy " + taxonomy.version() + " ("
                    + taxonomy.topics().size() + " topics) to discourse.control.taxonomy partition 0 offset 0");
            Run second = run("topics", "publish", file.toString(), "--bootstrap-servers", kafka.bootstrapServers(),
                    "--effective-from", "2026-11-22T12:00:00Z");
            assertThat(second.exit()).as(second.err()).isZero();
            assertThat(second.out()).endsWith("partition 0 offset 1");

            // 2. They read back in order, keyed "taxonomy", as the same taxonomy.
            List<ConsumerRecord<String, byte[]>> records = readAll(kafka, TaxonomyUpdate.DEFAULT_TOPIC, 2);
            assertThat(records).extracting(ConsumerRecord::key).containsExactly("taxonomy", "taxonomy");
            TaxonomyUpdate now = TaxonomyUpdate.fromJson(records.get(0).value());
            TaxonomyUpdate later = TaxonomyUpdate.fromJson(records.get(1).value());
            assertThat(now.version()).isEqualTo(taxonomy.version());
            assertThat(now.effectiveFromMillis()).isNull();
            assertThat(now.publishedAtMillis()).isBetween(before.toEpochMilli(), Instant.now().toEpochMilli());
            assertThat(records.get(0).timestamp()).isEqualTo(now.publishedAtMillis());
            assertThat(now.taxonomy()).isEqualTo(taxonomy);
            assertThat(later.effectiveFromMillis()).isEqualTo(Instant.parse("2026-11-22T12:00:00Z").toEpochMilli());

            // 3. A topic that does not exist is named, with how to create it, and nothing waits for the timeout.
            long start = System.nanoTime();
            Run missing = run("topics", "publish", file.toString(), "--bootstrap-servers", kafka.bootstrapServers(),
                    "--topic", "no.such.topic");
            assertThat(missing.exit()).isEqualTo(1);
            assertThat(missing.err()).startsWith("topic no.such.topic does not exist on " + kafka.bootstrapServers()
                    + ": start the job once (it creates it) or create it (one partition, cleanup.policy=compact)");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
        }
    }

    private static List<ConsumerRecord<String, byte[]>> readAll(LocalKafka kafka, String topic, int expected) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        TopicPartition tp = new TopicPartition(topic, 0);
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p)) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (out.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }
}

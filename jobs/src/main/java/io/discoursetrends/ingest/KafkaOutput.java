package io.discoursetrends.ingest;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Where a bridge writes: its platform topic and, in the same Kafka transaction, its cursor (a record keyed by the
 * bridge id on the compacted topic {@link IngestTopics#CURSORS}).
 *
 * <p>The guarantee: a record is in the committed part of the topic exactly when the cursor committed with it says
 * it was sent. A bridge killed at any point restarts from the last committed cursor; what it had sent after that is
 * in an open transaction that the new instance aborts when it starts ({@code initTransactions} with the same
 * transactional id, which also fences a second instance running under the same id). So a consumer that reads with
 * {@code isolation.level=read_committed} (the job does) sees every record exactly once; one that reads
 * uncommitted data may also see the aborted attempts. The producer is idempotent (implied by transactions): its own
 * retries after a lost acknowledgement add no copies.
 *
 * <p>Not thread-safe: one bridge loop owns it, and commits only where its state matches what it has sent.
 */
public final class KafkaOutput implements AutoCloseable {

    /** Where and how often to commit. */
    public record Settings(String bootstrapServers, Properties clientProperties, String topic, String bridgeId,
            Duration commitInterval, int commitRecords, Duration timeout) {}

    private final Settings settings;
    private final BridgeMetrics metrics;
    private final KafkaProducer<byte[], byte[]> producer;
    private final byte[] cursorKey;
    private final AtomicReference<Exception> sendFailure = new AtomicReference<>();
    private boolean inTransaction;
    private long transactionStartNanos;
    private int pending;

    private KafkaOutput(Settings settings, BridgeMetrics metrics, KafkaProducer<byte[], byte[]> producer) {
        this.settings = settings;
        this.metrics = metrics;
        this.producer = producer;
        this.cursorKey = settings.bridgeId().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * Checks the platform topic, creates the cursor topic if it is missing, and takes over the bridge's
     * transactional id (aborting what a killed predecessor left open). Fails with a sentence saying what to fix.
     */
    public static KafkaOutput open(Settings settings, BridgeMetrics metrics) {
        checkTopics(settings);
        Properties p = clientProperties(settings);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "discourse-trends-bridge-" + settings.bridgeId());
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(settings.timeout().toMillis()));
        // An open transaction must outlive the commit interval, or the coordinator aborts it under the bridge.
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
                String.valueOf(Math.max(60_000, 2 * settings.commitInterval().toMillis())));
        KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        try {
            producer.initTransactions();
        } catch (KafkaException e) {
            producer.close(Duration.ZERO);
            throw new IllegalStateException("cannot start a Kafka transaction for bridge " + settings.bridgeId()
                    + " at " + settings.bootstrapServers() + ": " + e.getMessage()
                    + " (the brokers must allow transactions: transaction.state.log.* settings)");
        }
        return new KafkaOutput(settings, metrics, producer);
    }

    private static Properties clientProperties(Settings settings) {
        Properties p = new Properties();
        if (settings.clientProperties() != null) {
            p.putAll(settings.clientProperties());
        }
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        return p;
    }

    private static void checkTopics(Settings settings) {
        Properties p = clientProperties(settings);
        int ms = (int) settings.timeout().toMillis();
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(ms));
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(ms));
        try (Admin admin = Admin.create(p)) {
            try {
                admin.describeTopics(List.of(settings.topic())).allTopicNames().get(ms, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                    throw new IllegalStateException("the topic " + settings.topic() + " does not exist at "
                            + settings.bootstrapServers() + ": create it (partitions as the job's parallelism wants)"
                            + " or name another with --topic");
                }
                throw new IllegalStateException("cannot reach Kafka at " + settings.bootstrapServers() + ": "
                        + e.getCause().getMessage());
            }
            NewTopic cursors = new NewTopic(IngestTopics.CURSORS, 1, (short) -1)
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
            try {
                admin.createTopics(List.of(cursors)).all().get(ms, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("cannot create the cursor topic " + IngestTopics.CURSORS
                            + ": " + e.getCause().getMessage() + " (create it, compacted, with one partition)");
                }
            }
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka at " + settings.bootstrapServers() + " did not answer within "
                    + settings.timeout().toSeconds() + " s: check --bootstrap-servers");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking the topics");
        }
    }

    /**
     * The cursor last committed by this bridge id, or null if it never committed one. Reads committed data only,
     * after {@link #open} aborted what a predecessor left open, so it matches the records in the topic.
     */
    public byte[] committedCursor() {
        Properties p = clientProperties(settings);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        byte[] last = null;
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(IngestTopics.CURSORS, settings.timeout());
            List<TopicPartition> partitions = infos.stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, settings.timeout());
            long deadline = System.nanoTime() + settings.timeout().toNanos();
            while (!caughtUp(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read the cursor topic " + IngestTopics.CURSORS
                            + " within " + settings.timeout().toSeconds() + " s");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (Arrays.equals(r.key(), cursorKey)) {
                        last = r.value();
                    }
                }
            }
        }
        return last;
    }

    private static boolean caughtUp(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** Sends a record in the current transaction; it becomes visible with the next {@link #commit}. */
    public void send(byte[] key, byte[] value, Long timestampMillis) {
        checkSendFailure();
        if (!inTransaction) {
            producer.beginTransaction();
            inTransaction = true;
            transactionStartNanos = System.nanoTime();
        }
        producer.send(new ProducerRecord<>(settings.topic(), null, timestampMillis, key, value), (m, e) -> {
            if (e != null) {
                sendFailure.compareAndSet(null, e);
            }
        });
        pending++;
    }

    /** Records sent since the last commit. */
    public int pending() {
        return pending;
    }

    /** Whether enough was sent, or long enough ago, that the bridge should commit now. */
    public boolean commitDue() {
        return pending > 0 && (pending >= settings.commitRecords()
                || System.nanoTime() - transactionStartNanos >= settings.commitInterval().toNanos());
    }

    /**
     * Commits what was sent together with {@code cursor}, the bridge's state after those records. Any failure is
     * fatal for this run (the records sent since the last commit are aborted, and a restart resumes from that
     * commit): carrying on would leave the in-memory cursor ahead of what Kafka holds.
     */
    public void commit(byte[] cursor, String cursorText) {
        checkSendFailure();
        try {
            if (!inTransaction) {
                producer.beginTransaction();
                inTransaction = true;
            }
            producer.send(new ProducerRecord<>(IngestTopics.CURSORS, cursorKey, cursor));
            producer.commitTransaction();
        } catch (ProducerFencedException e) {
            throw new IllegalStateException("another bridge with id '" + settings.bridgeId() + "' has started and"
                    + " taken over; only one may run per id (give each a different --bridge-id)");
        } catch (KafkaException e) {
            throw new IllegalStateException("Kafka refused a commit of bridge " + settings.bridgeId() + ": "
                    + e.getMessage() + "; restart the bridge (it resumes from its last commit)");
        }
        checkSendFailure();
        inTransaction = false;
        metrics.sent.addAndGet(pending);
        metrics.commits.incrementAndGet();
        metrics.cursor.set(cursorText);
        pending = 0;
    }

    private void checkSendFailure() {
        Exception e = sendFailure.get();
        if (e != null) {
            throw new IllegalStateException("Kafka refused a record of bridge " + settings.bridgeId() + ": "
                    + e.getMessage() + "; restart the bridge (it resumes from its last commit)");
        }
    }

    /** Closes the producer; an open transaction is left for the next instance (or the coordinator) to abort. */
    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}

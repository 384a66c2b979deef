package io.discoursetrends.local;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;

/**
 * A real single-node Kafka 4.2 cluster (KRaft, broker and controller in one process, node id 1) in a child JVM,
 * listening on free ports of 127.0.0.1 only, with its data in a fresh temporary directory that {@link #close()}
 * deletes.
 *
 * <p>Tuned for tests: records are never deleted by age ({@code log.retention.ms=-1}, since test data carries old
 * event times as record timestamps, and the broker would otherwise drop those segments minutes after start) and
 * far-future timestamps are accepted; internal topics have one replica and one partition; consumer groups
 * rebalance without the initial 3 s delay. Topics are not auto-created: a typo in a topic name fails instead of
 * silently reading an empty topic, so callers create them with {@link #createTopics(Map)}.
 *
 * <p>The broker's output goes to {@code kafka.log} in its directory; a failed start reports the end of it.
 *
 * <p>The broker runs through {@code ParentWatch} (deploy/local/parent-watch): it exits when the JVM that started
 * it dies, even from SIGKILL, when no shutdown hook can stop it. It can be stopped ({@link #stop()}) and started
 * again ({@link #start()}) on the same data and ports, as in a broker restart.
 */
public final class LocalKafka implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    /** Runs a main class and exits when its parent dies; its jar is in the broker's lib/ (kafka-node's pom). */
    static final String PARENT_WATCH = "io.discoursetrends.parentwatch.ParentWatch";

    private final Path workDir;
    private final boolean ownsWorkDir;
    private final Path logFile;
    private final int brokerPort;
    private final List<String> serverCommand;
    private ChildProcess broker;
    private boolean closed;

    private LocalKafka(Path workDir, boolean ownsWorkDir, Path logFile, int brokerPort, List<String> serverCommand) {
        this.workDir = workDir;
        this.ownsWorkDir = ownsWorkDir;
        this.logFile = logFile;
        this.brokerPort = brokerPort;
        this.serverCommand = serverCommand;
    }

    /** Starts a broker from the layout found by {@link StackLayout#locate()}; returns once it serves requests. */
    public static LocalKafka launch() throws IOException {
        return launch(StackLayout.locate());
    }

    /** Starts a broker from {@code layout}; returns once it serves requests. */
    public static LocalKafka launch(StackLayout layout) throws IOException {
        Path lib = layout.kafkaLibDir();
        Path workDir = Files.createTempDirectory("discourse-kafka-");
        try {
            return launchIn(lib, workDir, true);
        } catch (IOException | RuntimeException e) {
            ChildProcess.deleteRecursively(workDir);
            throw e;
        }
    }

    /**
     * Starts a broker from {@code layout} in {@code workDir}, which the caller owns: {@link #close()} leaves it (the
     * local stack keeps its broker's data and log with the rest of its state).
     */
    public static LocalKafka launch(StackLayout layout, Path workDir) throws IOException {
        Files.createDirectories(workDir);
        return launchIn(layout.kafkaLibDir(), workDir.toAbsolutePath(), false);
    }

    private static LocalKafka launchIn(Path lib, Path workDir, boolean ownsWorkDir) throws IOException {
        int brokerPort = Ports.freeLoopbackPort();
        int controllerPort = Ports.freeLoopbackPort();
        Path logFile = workDir.resolve("kafka.log");
        Path serverProperties = workDir.resolve("server.properties");
        Path log4jProperties = workDir.resolve("log4j2.properties");
        Files.writeString(serverProperties, serverProperties(workDir.resolve("data"), brokerPort, controllerPort));
        Files.writeString(log4jProperties, LOG4J_PROPERTIES);

        String java = JavaRuntimes.runningJvm().javaExecutable().toString();
        List<String> jvm = List.of(java, "-Xms128m", "-Xmx512m", "-XX:+UseSerialGC",
                "-Djava.awt.headless=true",
                "-Dlog4j2.configurationFile=" + log4jProperties.toUri(),
                "-cp", lib.resolve("*").toString());

        // KRaft refuses to start on an unformatted log directory; the cluster id only has to be well-formed.
        List<String> format = new ArrayList<>(jvm);
        format.addAll(List.of("kafka.tools.StorageTool", "format", "-t", randomClusterId(),
                "-c", serverProperties.toString()));
        ChildProcess.runToCompletion("kafka storage format", format, workDir, logFile, Duration.ofSeconds(60));

        List<String> server = new ArrayList<>(jvm);
        server.addAll(List.of(PARENT_WATCH, "kafka.Kafka", serverProperties.toString()));
        LocalKafka kafka = new LocalKafka(workDir, ownsWorkDir, logFile, brokerPort, List.copyOf(server));
        kafka.start();
        return kafka;
    }

    /**
     * Starts the broker (again, after {@link #stop()} or {@link #kill()}) on the same data and ports; returns once
     * it serves requests.
     */
    public synchronized void start() throws IOException {
        if (closed) {
            throw new IllegalStateException("this LocalKafka is closed; launch a new one");
        }
        if (broker != null && broker.isAlive()) {
            throw new IllegalStateException("the Kafka broker is already running: " + broker);
        }
        broker = ChildProcess.start("kafka broker", serverCommand, workDir, logFile);
        try {
            awaitReady();
        } catch (RuntimeException e) {
            broker.kill();
            throw e;
        }
    }

    /** Stops the broker cleanly (SIGTERM, then SIGKILL after 10 s); its data stays for {@link #start()}. */
    public synchronized void stop() {
        if (broker != null) {
            broker.stop(STOP_GRACE);
        }
    }

    /** Kills the broker without a clean shutdown, as a crash would; its data stays for {@link #start()}. */
    public synchronized void kill() {
        if (broker != null) {
            broker.kill();
        }
    }

    public synchronized boolean isRunning() {
        return broker != null && broker.isAlive();
    }

    /** The broker's process id, or -1 when it is not running. */
    public synchronized long pid() {
        return isRunning() ? broker.pid() : -1;
    }

    /** "127.0.0.1:PORT", for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return "127.0.0.1:" + brokerPort;
    }

    /**
     * Creates each topic with its number of partitions (replication factor 1) and returns once every partition
     * has a leader, so a producer or a source started next sees the whole topic at once.
     */
    public void createTopics(Map<String, Integer> partitionsByTopic) {
        List<NewTopic> topics = new ArrayList<>();
        partitionsByTopic.forEach((name, partitions) -> topics.add(new NewTopic(name, partitions, (short) 1)));
        try (Admin admin = Admin.create(adminProperties())) {
            admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!allPartitionsLed(admin, partitionsByTopic)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("topics " + partitionsByTopic.keySet()
                            + " created, but not every partition had a leader within 30 s" + broker.describeLog());
                }
                Thread.sleep(100);
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create topics " + partitionsByTopic + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("creating topics " + partitionsByTopic + " timed out" + broker.describeLog(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        }
    }

    private static boolean allPartitionsLed(Admin admin, Map<String, Integer> partitionsByTopic)
            throws InterruptedException, ExecutionException, TimeoutException {
        Map<String, TopicDescription> descriptions =
                admin.describeTopics(partitionsByTopic.keySet()).allTopicNames().get(10, TimeUnit.SECONDS);
        for (Map.Entry<String, Integer> expected : partitionsByTopic.entrySet()) {
            TopicDescription description = descriptions.get(expected.getKey());
            if (description == null || description.partitions().size() != expected.getValue()
                    || description.partitions().stream().anyMatch(p -> p.leader() == null || p.leader().isEmpty())) {
                return false;
            }
        }
        return true;
    }

    /** The broker's stdout and stderr. */
    public Path logFile() {
        return logFile;
    }

    /** Stops the broker (SIGTERM, then SIGKILL after 10 s) and, if this instance created it, deletes its directory. */
    @Override
    public synchronized void close() {
        closed = true;
        stop();
        if (ownsWorkDir) {
            ChildProcess.deleteRecursively(workDir);
        }
    }

    @Override
    public String toString() {
        return "LocalKafka[" + bootstrapServers() + ", " + broker + ", " + workDir + "]";
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        // Port first: an admin client polled against a closed port fills the caller's log with connection warnings.
        while (!acceptsConnections(brokerPort)) {
            checkAliveAndInTime(deadline);
            sleep(100);
        }
        try (Admin admin = Admin.create(adminProperties())) {
            while (true) {
                checkAliveAndInTime(deadline);
                try {
                    if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    // The broker is up but not yet registered with its controller: ask again.
                }
                sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the Kafka broker", e);
        }
    }

    private void checkAliveAndInTime(long deadline) {
        if (!broker.isAlive()) {
            throw new IllegalStateException("the Kafka broker exited with code " + broker.exitCodeOrMinusOne()
                    + " while starting" + broker.describeLog());
        }
        if (System.nanoTime() > deadline) {
            throw new IllegalStateException("the Kafka broker was not ready within " + START_TIMEOUT.toSeconds() + " s"
                    + broker.describeLog());
        }
    }

    private static boolean acceptsConnections(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the Kafka broker", e);
        }
    }

    private Properties adminProperties() {
        Properties properties = new Properties();
        properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        properties.put(AdminClientConfig.CLIENT_ID_CONFIG, "local-kafka-admin");
        properties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        return properties;
    }

    /**
     * Kafka's own form of a cluster id (org.apache.kafka.common.Uuid, which lives in kafka-clients but is internal):
     * 16 random bytes, URL-safe base64 without padding, never starting with '-' (it would read as an option).
     */
    static String randomClusterId() {
        while (true) {
            UUID uuid = UUID.randomUUID();
            ByteBuffer bytes = ByteBuffer.allocate(16);
            bytes.putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
            String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
            if (!id.startsWith("-")) {
                return id;
            }
        }
    }

    /**
     * Internal topics get one partition each: the default 50 cost seconds and file handles when the first consumer
     * group or transactional producer appears, for nothing on a one-node broker.
     */
    static String serverProperties(Path dataDir, int brokerPort, int controllerPort) {
        String data = dataDir.toAbsolutePath().toString().replace("\\", "/");
        return String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + brokerPort,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + data,
                "num.partitions=1",
                "default.replication.factor=1",
                "min.insync.replicas=1",
                "auto.create.topics.enable=false",
                "log.retention.ms=-1",
                "log.retention.bytes=-1",
                "log.message.timestamp.before.max.ms=9223372036854775807",
                "log.message.timestamp.after.max.ms=9223372036854775807",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "share.coordinator.state.topic.num.partitions=1",
                "group.initial.rebalance.delay.ms=0",
                "");
    }

    private static final String LOG4J_PROPERTIES = String.join("\n",
            "status = warn",
            "appender.out.type = Console",
            "appender.out.name = out",
            "appender.out.layout.type = PatternLayout",
            "appender.out.layout.pattern = [%d] %p %m (%c)%n",
            "rootLogger.level = INFO",
            "rootLogger.appenderRef.out.ref = out",
            // Every configuration value at every start: hundreds of lines that push the reason for a failure out of
            // the log tail that a failed start reports.
            "logger.config.name = org.apache.kafka.common.config.AbstractConfig",
            "logger.config.level = WARN",
            "");
}

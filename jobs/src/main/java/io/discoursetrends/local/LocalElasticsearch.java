package io.discoursetrends.local;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real single-node Elasticsearch 9.5 cluster in a child JVM on Java 21+ (found by {@link JavaRuntimes}),
 * listening on free ports of 127.0.0.1 only, with a small heap (256 MB) for machines that also run Flink.
 *
 * <p>The node can be stopped ({@link #stop()}, clean) or killed ({@link #kill()}, as in a crash) and started again
 * ({@link #start()}) on the same data directory and the same ports, so clients configured with {@link #httpUrl()}
 * reconnect to the same cluster with the same indices. {@link #close()} stops it for good and deletes its work
 * directory, unless the caller supplied that directory.
 *
 * <p>The node's output is appended to {@code elasticsearch.log} in the work directory, across restarts; a failed
 * start reports the end of it. The node has no x-pack, ingest, painless or reindex modules, and {@code GET /} is not
 * served: readiness is {@code GET /_cluster/health?wait_for_status=yellow}.
 */
public final class LocalElasticsearch implements AutoCloseable {

    /** The launcher in es-home/lib, built by deploy/local/elasticsearch-node. */
    static final String LAUNCHER_CLASS = "io.discoursetrends.esnode.ElasticsearchNodeMain";
    public static final String CLUSTER_NAME = "discourse-trends-local";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STOP_GRACE = Duration.ofSeconds(20);

    private final Path home;
    private final JavaRuntimes.JavaRuntime java;
    private final Path workDir;
    private final boolean ownsWorkDir;
    private final int httpPort;
    private final int transportPort;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    private ChildProcess node;
    private boolean closed;

    private LocalElasticsearch(Path home, JavaRuntimes.JavaRuntime java, Path workDir, boolean ownsWorkDir) {
        this.home = home;
        this.java = java;
        this.workDir = workDir.toAbsolutePath();
        this.ownsWorkDir = ownsWorkDir;
        this.httpPort = Ports.freeLoopbackPort();
        this.transportPort = Ports.freeLoopbackPort();
    }

    /** Starts a node from the layout found by {@link StackLayout#locate()}; returns once the cluster is yellow. */
    public static LocalElasticsearch launch() throws IOException {
        return launch(StackLayout.locate());
    }

    /** Starts a node from {@code layout} in a temporary work directory; returns once the cluster is yellow. */
    public static LocalElasticsearch launch(StackLayout layout) throws IOException {
        Path home = layout.elasticsearchHome();
        JavaRuntimes.JavaRuntime java = JavaRuntimes.ofThisMachine().forElasticsearch();
        Path workDir = Files.createTempDirectory("discourse-es-");
        LocalElasticsearch elasticsearch = new LocalElasticsearch(home, java, workDir, true);
        try {
            elasticsearch.start();
        } catch (IOException | RuntimeException e) {
            ChildProcess.deleteRecursively(workDir);
            throw e;
        }
        return elasticsearch;
    }

    /**
     * Starts a node with {@code java} in {@code workDir}, which the caller owns: {@link #close()} leaves it, so its
     * data can be reused by a later node (ports, though, are chosen afresh for each instance).
     */
    public static LocalElasticsearch launch(StackLayout layout, JavaRuntimes.JavaRuntime java, Path workDir)
            throws IOException {
        LocalElasticsearch elasticsearch = new LocalElasticsearch(layout.elasticsearchHome(), java, workDir, false);
        elasticsearch.start();
        return elasticsearch;
    }

    /**
     * Starts the node again after {@link #stop()} or {@link #kill()}, on the same data and ports; returns once the
     * cluster is yellow, that is once every primary shard that existed before is back.
     *
     * @throws IllegalStateException if it is already running or closed, or fails to start (with the end of its log)
     */
    public synchronized void start() throws IOException {
        if (closed) {
            throw new IllegalStateException("this LocalElasticsearch is closed; launch a new one");
        }
        if (node != null && node.isAlive()) {
            throw new IllegalStateException("the Elasticsearch node is already running: " + node);
        }
        Files.createDirectories(workDir.resolve("tmp"));
        node = ChildProcess.start("elasticsearch node", command(), workDir, logFile());
        try {
            awaitYellow();
        } catch (RuntimeException e) {
            node.kill();
            throw e;
        }
    }

    /** Stops the node cleanly (SIGTERM; SIGKILL after 20 s); its data stays for {@link #start()}. */
    public synchronized void stop() {
        if (node != null) {
            node.stop(STOP_GRACE);
        }
    }

    /** Kills the node without a clean shutdown, as a crash or an OOM kill would; its data stays for {@link #start()}. */
    public synchronized void kill() {
        if (node != null) {
            node.kill();
        }
    }

    /** The node's process id, or -1 when it is not running. */
    public synchronized long pid() {
        return isRunning() ? node.pid() : -1;
    }

    public synchronized boolean isRunning() {
        return node != null && node.isAlive();
    }

    /** "http://127.0.0.1:PORT", the same across restarts. */
    public String httpUrl() {
        return "http://127.0.0.1:" + httpPort;
    }

    public int httpPort() {
        return httpPort;
    }

    public Path dataDir() {
        return workDir.resolve("data");
    }

    /** The node's stdout and stderr, all starts appended. */
    public Path logFile() {
        return workDir.resolve("elasticsearch.log");
    }

    /** Stops the node and, if this instance created its work directory, deletes it. */
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
        return "LocalElasticsearch[" + httpUrl() + ", " + (node == null ? "not started" : node) + ", " + workDir + "]";
    }

    private List<String> command() {
        List<String> command = new ArrayList<>(List.of(
                java.javaExecutable().toString(),
                "-Xms256m", "-Xmx256m",
                "-XX:+UseSerialGC",
                // C1 only: the node starts in seconds and test loads never need C2's peak speed.
                "-XX:TieredStopAtLevel=1",
                // Dead, not hung: a node out of memory must be seen as down by the tests.
                "-XX:+ExitOnOutOfMemoryError",
                "--enable-native-access=ALL-UNNAMED",
                "-Djava.io.tmpdir=" + workDir.resolve("tmp"),
                "-Djava.awt.headless=true",
                "-Dfile.encoding=UTF-8"));
        if (java.feature() >= 23) {
            // Netty and Lucene still use sun.misc.Unsafe; from JDK 23 on, every first use prints a warning block.
            command.add("--sun-misc-unsafe-memory-access=allow");
        }
        command.addAll(List.of(
                "-cp", home.resolve("lib").resolve("*").toString(),
                LAUNCHER_CLASS,
                // The node stops when this JVM dies, even from SIGKILL, when our shutdown hook cannot run.
                "--exit-on-stdin-close",
                "-Epath.home=" + home,
                "-Epath.data=" + dataDir(),
                "-Epath.logs=" + workDir.resolve("logs"),
                "-Ecluster.name=" + CLUSTER_NAME,
                "-Enode.name=local",
                "-Ediscovery.type=single-node",
                "-Enetwork.host=127.0.0.1",
                "-Ehttp.port=" + httpPort,
                "-Etransport.port=" + transportPort,
                // Shared CI disks are often more than 90 % full; the watermarks would then block writes.
                "-Ecluster.routing.allocation.disk.threshold_enabled=false"));
        return command;
    }

    private void awaitYellow() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        HttpRequest health = HttpRequest.newBuilder(
                        URI.create(httpUrl() + "/_cluster/health?wait_for_status=yellow&timeout=2s"))
                .timeout(Duration.ofSeconds(10))
                .GET()
                .build();
        while (true) {
            if (!node.isAlive()) {
                throw new IllegalStateException("the Elasticsearch node exited with code " + node.exitCodeOrMinusOne()
                        + " while starting (Java: " + java + ")" + node.describeLog());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the Elasticsearch node was not yellow within "
                        + START_TIMEOUT.toSeconds() + " s" + node.describeLog());
            }
            try {
                // 200 once yellow or green; 408 while red (the wait timed out); 503 before a master is elected.
                if (http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (ConnectException e) {
                // Not listening yet.
            } catch (IOException e) {
                // Listening but not answering yet (connection reset, or the request timed out).
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the Elasticsearch node", e);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the Elasticsearch node", e);
            }
        }
    }
}

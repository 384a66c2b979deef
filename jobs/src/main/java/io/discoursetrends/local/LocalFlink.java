package io.discoursetrends.local;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A real Flink 2.2 session cluster from the jars Maven laid out in deploy/local/flink-node/target/lib (flink-dist is
 * not on Maven Central for 2.x): one JobManager JVM ({@code StandaloneSessionClusterEntrypoint}) and any number of
 * TaskManager JVMs ({@code TaskManagerRunner}), started the way flink-dist's scripts start them.
 *
 * <p>The configuration is deploy/local/flink/config.yaml (the production settings) with the local values
 * of {@link #localSettings} on top: every address 127.0.0.1, free ports, directories under the work directory,
 * memory for a shared machine. Memory is derived as the scripts derive it, by {@code BashJavaUtils}: a TaskManager
 * refuses to start with an underived memory configuration. Each JVM runs through {@code ParentWatch}, so none
 * outlives the JVM that started it.
 *
 * <p>Layout of the work directory: {@code conf/} (config.yaml, log4j.properties), {@code logs/}
 * ({@code jobmanager.log}, {@code taskmanager-N.log}, and {@code .out} files with each JVM's stdout and stderr),
 * {@code checkpoints/}, {@code savepoints/}, {@code tmp/}.
 */
public final class LocalFlink implements AutoCloseable {

    static final String PARENT_WATCH = LocalKafka.PARENT_WATCH;
    static final String JOBMANAGER_CLASS = "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
    static final String TASKMANAGER_CLASS = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";
    static final String BASH_JAVA_UTILS = "org.apache.flink.runtime.util.bash.BashJavaUtils";
    private static final String EXEC_RESULT = "BASH_JAVA_UTILS_EXEC_RESULT:";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STOP_GRACE = Duration.ofSeconds(15);

    /** Flink's own list (env.java.opts.all in flink-dist's config.yaml) for Java 17. */
    static final List<String> JAVA_17_OPENS = List.of(
            "-XX:+IgnoreUnrecognizedVMOptions",
            "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
            "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.text=ALL-UNNAMED",
            "--add-opens=java.base/java.time=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

    private final Path lib;
    private final Path workDir;
    private final Path confDir;
    private final Path logDir;
    private final int restPort;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    private ChildProcess jobManager;
    /** Live and dead TaskManagers by number (1, 2, ...); a number is never reused. */
    private final Map<Integer, ChildProcess> taskManagers = new TreeMap<>();
    private int lastTaskManager;
    private boolean closed;

    private LocalFlink(Path lib, Path workDir, int restPort) {
        this.lib = lib;
        this.workDir = workDir;
        this.confDir = workDir.resolve("conf");
        this.logDir = workDir.resolve("logs");
        this.restPort = restPort;
    }

    /**
     * Writes the configuration into {@code workDir}/conf and starts the JobManager; returns once its REST API
     * answers. {@code overrides} go on top of the local settings (standard Flink keys).
     */
    public static LocalFlink launch(StackLayout layout, Path workDir, int slotsPerTaskManager,
            Map<String, String> overrides) throws IOException {
        Path dir = workDir.toAbsolutePath();
        int restPort = Ports.freeLoopbackPort();
        LocalFlink flink = new LocalFlink(layout.flinkLibDir(), dir, restPort);
        Map<String, String> settings = new LinkedHashMap<>(localSettings(dir, restPort, Ports.freeLoopbackPort(),
                slotsPerTaskManager));
        settings.putAll(overrides);
        Files.createDirectories(flink.confDir);
        Files.createDirectories(flink.logDir);
        Files.createDirectories(dir.resolve("tmp"));
        Files.writeString(flink.confDir.resolve("config.yaml"),
                mergedConfig(Files.readString(layout.flinkConfigFile()), settings));
        Files.copy(layout.flinkLog4jFile(), flink.confDir.resolve("log4j.properties"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        flink.startJobManager();
        return flink;
    }

    /**
     * What the local cluster sets over config.yaml. Heartbeats are shorter than Flink's 10 s / 50 s, so a killed
     * TaskManager is noticed in seconds; the Prometheus reporter is off because it listens on every interface
     * (its only option is a port), and the local stack binds to 127.0.0.1 only.
     */
    static Map<String, String> localSettings(Path dir, int restPort, int rpcPort, int slots) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("jobmanager.rpc.address", "127.0.0.1");
        s.put("jobmanager.rpc.port", String.valueOf(rpcPort));
        s.put("jobmanager.bind-host", "127.0.0.1");
        s.put("taskmanager.host", "127.0.0.1");
        s.put("taskmanager.bind-host", "127.0.0.1");
        s.put("rest.address", "127.0.0.1");
        s.put("rest.bind-address", "127.0.0.1");
        s.put("rest.port", String.valueOf(restPort));
        s.put("blob.server.port", "0");
        s.put("taskmanager.rpc.port", "0");
        s.put("taskmanager.data.port", "0");
        s.put("metrics.reporters", null);
        s.put("metrics.reporter.prom.factory.class", null);
        s.put("metrics.reporter.prom.port", null);
        s.put("execution.checkpointing.dir", dir.resolve("checkpoints").toUri().toString());
        s.put("execution.checkpointing.savepoint-dir", dir.resolve("savepoints").toUri().toString());
        s.put("web.upload.dir", dir.resolve("tmp").toString());
        s.put("io.tmp.dirs", dir.resolve("tmp").toString());
        s.put("taskmanager.numberOfTaskSlots", String.valueOf(slots));
        s.put("parallelism.default", "1");
        s.put("jobmanager.memory.process.size", "768m");
        s.put("taskmanager.memory.process.size", "1280m");
        s.put("taskmanager.memory.managed.fraction", "0.1");
        s.put("heartbeat.interval", "2000");
        s.put("heartbeat.timeout", "12000");
        s.put("restart-strategy.exponential-delay.max-backoff", "10 s");
        return s;
    }

    /**
     * config.yaml's lines with each key of {@code settings} replaced in place (or appended), and removed where its
     * value is null: the file keeps its comments, and no key appears twice (Flink's YAML parser refuses
     * duplicates). Only flat {@code key: value} lines are recognised, which is how config.yaml is written.
     */
    static String mergedConfig(String template, Map<String, String> settings) {
        Map<String, String> left = new LinkedHashMap<>(settings);
        StringBuilder out = new StringBuilder();
        for (String line : template.split("\n", -1)) {
            int colon = line.indexOf(": ");
            String key = !line.startsWith("#") && colon > 0 ? line.substring(0, colon).strip() : null;
            if (key != null && left.containsKey(key)) {
                String value = left.remove(key);
                if (value != null) {
                    out.append(key).append(": ").append(yamlValue(value)).append('\n');
                }
            } else if (!line.isEmpty() || out.length() > 0) {
                out.append(line).append('\n');
            }
        }
        if (!left.isEmpty()) {
            out.append("\n# --- deploy/local/stack: local settings -----------------------------------------\n");
            left.forEach((k, v) -> {
                if (v != null) {
                    out.append(k).append(": ").append(yamlValue(v)).append('\n');
                }
            });
        }
        return out.toString();
    }

    private static String yamlValue(String value) {
        // Quoted when YAML would read it as something else (empty, a path with ':', a list or a comment).
        return value.isEmpty() || value.contains(": ") || value.contains(" #") || value.startsWith("[")
                || value.startsWith("{") || value.startsWith("*") || value.startsWith("&")
                ? "'" + value.replace("'", "''") + "'" : value;
    }

    /** "http://127.0.0.1:PORT": the web UI and the REST API. */
    public String restUrl() {
        return "http://127.0.0.1:" + restPort;
    }

    public Path confDir() {
        return confDir;
    }

    public Path logDir() {
        return logDir;
    }

    public Path checkpointsDir() {
        return workDir.resolve("checkpoints");
    }

    public Path savepointsDir() {
        return workDir.resolve("savepoints");
    }

    public synchronized long jobManagerPid() {
        return jobManager != null && jobManager.isAlive() ? jobManager.pid() : -1;
    }

    /** The live TaskManagers' pids by number. */
    public synchronized Map<Integer, Long> taskManagerPids() {
        Map<Integer, Long> out = new TreeMap<>();
        taskManagers.forEach((n, p) -> {
            if (p.isAlive()) {
                out.put(n, p.pid());
            }
        });
        return out;
    }

    /** The number of every TaskManager started so far, live or dead. */
    public synchronized List<Integer> taskManagerNumbers() {
        return List.copyOf(taskManagers.keySet());
    }

    private synchronized void startJobManager() throws IOException {
        List<String> command = javaCommand("jobmanager", resourceParams("GET_JM_RESOURCE_PARAMS"), JOBMANAGER_CLASS);
        jobManager = ChildProcess.start("flink jobmanager", command, workDir, logDir.resolve("jobmanager.out"));
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (get("/overview") == null) {
            if (!jobManager.isAlive()) {
                throw new IllegalStateException("the Flink JobManager exited with code "
                        + jobManager.exitCodeOrMinusOne() + " while starting" + jobManager.describeLog()
                        + "\nits log: " + logDir.resolve("jobmanager.log"));
            }
            if (System.nanoTime() > deadline) {
                jobManager.kill();
                throw new IllegalStateException("the Flink JobManager's REST API did not answer within "
                        + START_TIMEOUT.toSeconds() + " s; its log: " + logDir.resolve("jobmanager.log"));
            }
            sleep(200);
        }
    }

    /**
     * Starts one more TaskManager and returns its number once it has registered with the JobManager (its
     * resource id, {@code taskmanager-N}, is listed by {@code GET /taskmanagers}).
     */
    public synchronized int startTaskManager() throws IOException {
        if (closed) {
            throw new IllegalStateException("this LocalFlink is closed");
        }
        int number = ++lastTaskManager;
        String name = "taskmanager-" + number;
        Resources resources = resourceParams("GET_TM_RESOURCE_PARAMS");
        List<String> dynamic = new ArrayList<>(resources.dynamicProperties());
        dynamic.addAll(List.of("-D", "taskmanager.resource-id=" + name));
        List<String> command = javaCommand(name, new Resources(resources.jvmArgs(), dynamic), TASKMANAGER_CLASS);
        ChildProcess tm = ChildProcess.start("flink " + name, command, workDir, logDir.resolve(name + ".out"));
        taskManagers.put(number, tm);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            String list = get("/taskmanagers");
            if (list != null && list.contains("\"id\":\"" + name + "\"")) {
                return number;
            }
            if (!tm.isAlive()) {
                throw new IllegalStateException("Flink " + name + " exited with code " + tm.exitCodeOrMinusOne()
                        + " while starting" + tm.describeLog() + "\nits log: " + logDir.resolve(name + ".log"));
            }
            if (System.nanoTime() > deadline) {
                tm.kill();
                throw new IllegalStateException("Flink " + name + " did not register within "
                        + START_TIMEOUT.toSeconds() + " s; its log: " + logDir.resolve(name + ".log"));
            }
            sleep(250);
        }
    }

    /** Stops TaskManager {@code number} cleanly (SIGTERM), or kills it (SIGKILL) as a crash would. */
    public synchronized void stopTaskManager(int number, boolean kill) {
        ChildProcess tm = taskManagers.get(number);
        if (tm == null) {
            throw new IllegalArgumentException("no taskmanager-" + number + "; started: " + taskManagers.keySet());
        }
        if (kill) {
            tm.kill();
        } else {
            tm.stop(STOP_GRACE);
        }
    }

    /** TaskManagers first (their tasks are cancelled), then the JobManager. */
    @Override
    public synchronized void close() {
        closed = true;
        taskManagers.values().forEach(tm -> tm.stop(STOP_GRACE));
        if (jobManager != null) {
            jobManager.stop(STOP_GRACE);
        }
    }

    @Override
    public String toString() {
        return "LocalFlink[" + restUrl() + ", jobmanager " + jobManager + ", " + taskManagerPids() + "]";
    }

    /** JVM arguments and dynamic properties ({@code -D key=value} pairs) for one process, from BashJavaUtils. */
    record Resources(List<String> jvmArgs, List<String> dynamicProperties) {}

    private Resources resourceParams(String command) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(JavaRuntimes.runningJvm().javaExecutable().toString());
        cmd.addAll(JAVA_17_OPENS);
        cmd.addAll(List.of("-Dlog4j2.configurationFile=" + confDir.resolve("log4j.properties").toUri(),
                "-Dlog.file=" + logDir.resolve("bash-java-utils.log"),
                "-cp", lib.resolve("*").toString(), BASH_JAVA_UTILS, command, "--configDir", confDir.toString()));
        Process process = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output;
        try (InputStream in = process.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException("Flink's BashJavaUtils " + command + " failed on " + confDir
                        + "/config.yaml:\n" + output);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while deriving Flink's memory settings", e);
        }
        List<String> results = output.lines().filter(l -> l.startsWith(EXEC_RESULT))
                .map(l -> l.substring(EXEC_RESULT.length()).strip()).toList();
        if (results.size() < 2) {
            throw new IllegalStateException("Flink's BashJavaUtils " + command + " printed no memory settings:\n"
                    + output);
        }
        return new Resources(split(results.get(0)), split(results.get(1)));
    }

    private static List<String> split(String line) {
        return line.isBlank() ? List.of() : Arrays.asList(line.strip().split("\\s+"));
    }

    private List<String> javaCommand(String processName, Resources resources, String mainClass) {
        List<String> command = new ArrayList<>();
        command.add(JavaRuntimes.runningJvm().javaExecutable().toString());
        command.addAll(resources.jvmArgs());
        command.addAll(JAVA_17_OPENS);
        command.addAll(List.of(
                // Dead, not hung: a process out of memory is restarted by Flink's failover, not left half alive.
                "-XX:+ExitOnOutOfMemoryError",
                "-Djava.io.tmpdir=" + workDir.resolve("tmp"),
                "-Dlog.file=" + logDir.resolve(processName + ".log"),
                "-Dlog4j2.configurationFile=" + confDir.resolve("log4j.properties").toUri(),
                "-cp", lib.resolve("*").toString(),
                PARENT_WATCH, mainClass, "--configDir", confDir.toString()));
        command.addAll(resources.dynamicProperties());
        return command;
    }

    /** The body of a 200 answer to GET {@code path}, or null if the REST API does not answer (yet). */
    String get(String path) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(restUrl() + path))
                .timeout(Duration.ofSeconds(10)).GET().build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? response.body() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Flink", e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Flink", e);
        }
    }
}

package io.discoursetrends.local;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.discoursetrends.cli.Main;
import io.discoursetrends.job.JobOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The supervisor of the local stack ({@code deploy/local/stack up} starts it in the background): a real Kafka
 * broker, a real Elasticsearch node and a Flink session cluster (one JobManager, N TaskManagers) as its child
 * JVMs, the raw topics created and {@code es-setup} run. It records every child's pid, every address and log in
 * {@code <dir>/stack.properties}, and takes commands (stop, start, kill a service; shut down) on a control port
 * of 127.0.0.1 that {@link StackCli} talks to.
 *
 * <p>Nothing outlives it: its children watch its pipe to their standard input (ParentWatch, the Elasticsearch
 * launcher) and exit when it dies, even from SIGKILL; on SIGTERM or {@code stack down} it stops them itself.
 * With {@code --owner-pid} it also shuts down when that process ends (a test that started the stack).
 */
public final class LocalStack {

    static final String STATE_FILE = "stack.properties";
    static final String JOB_PROPERTIES = "job.properties";

    private final StackLayout layout;
    private final Path dir;
    private final int taskManagers;
    private final int slots;
    private final int partitions;
    private final Map<String, String> flinkOverrides;
    private final Properties state = new Properties();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicBoolean shuttingDown = new AtomicBoolean();
    private LocalKafka kafka;
    private LocalElasticsearch elasticsearch;
    private LocalFlink flink;
    private HttpServer control;

    LocalStack(StackLayout layout, Path dir, int taskManagers, int slots, int partitions,
            Map<String, String> flinkOverrides) {
        this.layout = layout;
        this.dir = dir.toAbsolutePath().normalize();
        this.taskManagers = taskManagers;
        this.slots = slots;
        this.partitions = partitions;
        this.flinkOverrides = Map.copyOf(flinkOverrides);
    }

    /** {@code --dir D --taskmanagers N --slots S --partitions P [--owner-pid PID] [-Fkey=value ...]}. */
    public static void main(String[] args) throws Exception {
        Path dir = null;
        int taskManagers = 1;
        int slots = 2;
        int partitions = 1;
        long ownerPid = -1;
        Map<String, String> flink = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--dir" -> dir = Path.of(args[++i]);
                case "--taskmanagers" -> taskManagers = Integer.parseInt(args[++i]);
                case "--slots" -> slots = Integer.parseInt(args[++i]);
                case "--partitions" -> partitions = Integer.parseInt(args[++i]);
                case "--owner-pid" -> ownerPid = Long.parseLong(args[++i]);
                default -> {
                    if (args[i].startsWith("-F") && args[i].indexOf('=') > 2) {
                        flink.put(args[i].substring(2, args[i].indexOf('=')),
                                args[i].substring(args[i].indexOf('=') + 1));
                    } else {
                        throw new IllegalArgumentException("unexpected argument " + args[i]);
                    }
                }
            }
        }
        if (dir == null) {
            throw new IllegalArgumentException("--dir is required");
        }
        LocalStack stack = new LocalStack(StackLayout.locate(), dir, taskManagers, slots, partitions, flink);
        Runtime.getRuntime().addShutdownHook(new Thread(stack::shutdown, "local-stack-shutdown"));
        if (ownerPid > 0) {
            long owned = ownerPid;
            ProcessHandle.of(owned).ifPresentOrElse(
                    owner -> owner.onExit().thenRun(() -> {
                        log("owner process " + owner.pid() + " is gone; shutting down");
                        System.exit(0);
                    }),
                    () -> {
                        log("owner process " + owned + " is not running; not starting");
                        System.exit(1);
                    });
        }
        try {
            stack.start();
        } catch (Exception e) {
            StringWriter trace = new StringWriter();
            e.printStackTrace(new PrintWriter(trace));
            log("the stack failed to start: " + e.getMessage() + "\n" + trace);
            stack.state.setProperty("status", "failed");
            stack.state.setProperty("error", String.valueOf(e.getMessage()));
            stack.writeState();
            System.exit(1);
        }
        stack.stopped.await();
        System.exit(0);
    }

    void start() throws Exception {
        Files.createDirectories(dir.resolve("logs"));
        state.setProperty("status", "starting");
        state.setProperty("supervisor.pid", String.valueOf(ProcessHandle.current().pid()));
        state.setProperty("started", Instant.now().toString());
        state.setProperty("log.stack", dir.resolve("logs/stack.log").toString());
        writeState();

        log("starting the Kafka broker");
        kafka = LocalKafka.launch(layout, dir.resolve("kafka"));
        log("Kafka broker at " + kafka.bootstrapServers() + " (pid " + kafka.pid() + ")");
        writeState();

        log("starting the Elasticsearch node");
        elasticsearch = LocalElasticsearch.launch(layout, JavaRuntimes.ofThisMachine().forElasticsearch(),
                dir.resolve("elasticsearch"));
        log("Elasticsearch node at " + elasticsearch.httpUrl() + " (pid " + elasticsearch.pid() + ")");
        writeState();

        log("starting the Flink JobManager");
        flink = LocalFlink.launch(layout, dir.resolve("flink"), slots, flinkOverrides);
        for (int i = 0; i < taskManagers; i++) {
            int n = flink.startTaskManager();
            log("Flink taskmanager-" + n + " registered");
        }
        log("Flink session cluster at " + flink.restUrl());
        writeState();

        Map<String, Integer> topics = new LinkedHashMap<>();
        for (var topic : List.of(JobOptions.TOPIC_BLUESKY, JobOptions.TOPIC_MASTODON, JobOptions.TOPIC_REDDIT,
                JobOptions.TOPIC_HACKERNEWS)) {
            topics.put(topic.defaultValue(), partitions);
        }
        // The control, spike and Elasticsearch dead-letter topics are created by the job itself (compacted
        // where they must be); these two are plain and created here so a reader can subscribe before it runs.
        topics.put(JobOptions.TOPIC_DEAD_LETTERS.defaultValue(), 1);
        topics.put(JobOptions.TOPIC_LATE.defaultValue(), 1);
        kafka.createTopics(topics);
        log("topics created: " + topics);

        Path jobProperties = dir.resolve(JOB_PROPERTIES);
        Files.writeString(jobProperties, String.join("\n",
                "# The job's settings on this local stack (written by `deploy/local/stack up`); submit adds -D ones.",
                JobOptions.KAFKA_BOOTSTRAP.key() + "=" + kafka.bootstrapServers(),
                JobOptions.ES_URLS.key() + "=" + elasticsearch.httpUrl(),
                ""));
        int setup = Main.commandLine().execute("es-setup", "--conf", jobProperties.toString());
        Main.commandLine().getOut().flush();
        System.out.flush();
        if (setup != 0) {
            throw new IllegalStateException("es-setup failed with exit code " + setup + " (see above)");
        }
        log("es-setup done");

        control = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        control.createContext("/", this::handle);
        // One command at a time: a restart and a status write must not interleave.
        control.setExecutor(Executors.newSingleThreadExecutor());
        control.start();
        state.setProperty("control.port", String.valueOf(control.getAddress().getPort()));
        state.setProperty("status", "up");
        writeState();
        log("the stack is up; " + dir.resolve(STATE_FILE) + " lists its processes");
    }

    /** POST /service/NAME/ACTION or POST /shutdown; answers with one line. */
    private void handle(HttpExchange exchange) throws IOException {
        String[] parts = exchange.getRequestURI().getPath().replaceFirst("^/", "").split("/");
        int status = 200;
        String answer;
        try {
            if (!exchange.getRequestMethod().equals("POST")) {
                throw new IllegalArgumentException("use POST");
            }
            if (parts.length == 1 && parts[0].equals("shutdown")) {
                answer = "shutting down";
                reply(exchange, status, answer);
                new Thread(() -> {
                    shutdown();
                    System.exit(0);
                }, "local-stack-stop").start();
                return;
            }
            if (parts.length != 3 || !parts[0].equals("service")) {
                throw new IllegalArgumentException("unknown command " + exchange.getRequestURI().getPath());
            }
            answer = service(parts[1], parts[2]);
            writeState();
        } catch (IllegalArgumentException e) {
            status = 400;
            answer = e.getMessage();
        } catch (Exception e) {
            status = 500;
            answer = e.toString();
            log(parts.length == 3 ? parts[1] + " " + parts[2] + " failed: " + e : e.toString());
        }
        reply(exchange, status, answer);
    }

    private static void reply(HttpExchange exchange, int status, String answer) throws IOException {
        byte[] body = (answer + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private String service(String name, String action) throws IOException {
        log(name + " " + action);
        switch (name) {
            case "kafka" -> {
                switch (action) {
                    case "stop" -> kafka.stop();
                    case "kill" -> kafka.kill();
                    case "start" -> kafka.start();
                    case "restart" -> {
                        kafka.stop();
                        kafka.start();
                    }
                    default -> throw unknownAction(name, action, "start, stop, restart, kill");
                }
                return "kafka " + action + ": " + (kafka.isRunning() ? "running, pid " + kafka.pid() : "stopped");
            }
            case "elasticsearch" -> {
                switch (action) {
                    case "stop" -> elasticsearch.stop();
                    case "kill" -> elasticsearch.kill();
                    case "start" -> elasticsearch.start();
                    case "restart" -> {
                        elasticsearch.stop();
                        elasticsearch.start();
                    }
                    default -> throw unknownAction(name, action, "start, stop, restart, kill");
                }
                return "elasticsearch " + action + ": "
                        + (elasticsearch.isRunning() ? "running, pid " + elasticsearch.pid() : "stopped");
            }
            case "taskmanager" -> {
                if (!action.equals("start")) {
                    throw unknownAction(name, action, "start (adds one; stop or kill taskmanager-N)");
                }
                int n = flink.startTaskManager();
                return "taskmanager-" + n + " registered, pid " + flink.taskManagerPids().get(n);
            }
            default -> {
                if (name.matches("taskmanager-\\d+")) {
                    int n = Integer.parseInt(name.substring("taskmanager-".length()));
                    switch (action) {
                        case "stop" -> flink.stopTaskManager(n, false);
                        case "kill" -> flink.stopTaskManager(n, true);
                        default -> throw unknownAction(name, action, "stop, kill");
                    }
                    return name + " " + action + ": done";
                }
                throw new IllegalArgumentException("unknown service " + name
                        + "; services: kafka, elasticsearch, taskmanager, taskmanager-N");
            }
        }
    }

    private static IllegalArgumentException unknownAction(String name, String action, String valid) {
        return new IllegalArgumentException("unknown action " + action + " for " + name + "; valid: " + valid);
    }

    /** Stops the Flink cluster first (its tasks still reach Kafka and Elasticsearch), then the node and broker. */
    void shutdown() {
        if (!shuttingDown.compareAndSet(false, true)) {
            stopped.countDown();
            return;
        }
        log("stopping the stack");
        if (control != null) {
            control.stop(0);
        }
        if (flink != null) {
            flink.close();
        }
        if (elasticsearch != null) {
            elasticsearch.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        state.setProperty("status", "stopped");
        writeState();
        log("the stack is stopped");
        stopped.countDown();
    }

    /** Written to a temporary file and moved, so a reader never sees half of it. */
    private synchronized void writeState() {
        if (kafka != null) {
            state.setProperty("kafka.bootstrap-servers", kafka.bootstrapServers());
            state.setProperty("kafka.pid", String.valueOf(kafka.pid()));
            state.setProperty("log.kafka", kafka.logFile().toString());
        }
        if (elasticsearch != null) {
            state.setProperty("elasticsearch.url", elasticsearch.httpUrl());
            state.setProperty("elasticsearch.pid", String.valueOf(elasticsearch.pid()));
            state.setProperty("log.elasticsearch", elasticsearch.logFile().toString());
        }
        if (flink != null) {
            state.setProperty("flink.rest", flink.restUrl());
            state.setProperty("flink.conf", flink.confDir().toString());
            state.setProperty("flink.checkpoints", flink.checkpointsDir().toUri().toString());
            state.setProperty("flink.savepoints", flink.savepointsDir().toUri().toString());
            state.setProperty("jobmanager.pid", String.valueOf(flink.jobManagerPid()));
            state.setProperty("log.jobmanager", flink.logDir().resolve("jobmanager.log").toString());
            state.stringPropertyNames().stream().filter(k -> k.startsWith("taskmanager-")).toList()
                    .forEach(state::remove);
            flink.taskManagerPids().forEach((n, pid) -> state.setProperty("taskmanager-" + n + ".pid",
                    String.valueOf(pid)));
            for (int n : flink.taskManagerNumbers()) {
                state.setProperty("log.taskmanager-" + n,
                        flink.logDir().resolve("taskmanager-" + n + ".log").toString());
            }
        }
        state.setProperty("job.properties", dir.resolve(JOB_PROPERTIES).toString());
        try {
            Files.createDirectories(dir);
            Path tmp = dir.resolve(STATE_FILE + ".tmp");
            try (var out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                state.store(out, "deploy/local/stack: the processes of this stack (written by its supervisor)");
            }
            Files.move(tmp, dir.resolve(STATE_FILE), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            log("cannot write " + dir.resolve(STATE_FILE) + ": " + e);
        }
    }

    static void log(String line) {
        System.out.println(Instant.now() + " stack: " + line);
        System.out.flush();
    }

    /** The processes a state file lists, by name: kafka, elasticsearch, jobmanager, taskmanager-N, supervisor. */
    static Map<String, Long> pids(Properties state) {
        Map<String, Long> out = new LinkedHashMap<>();
        List<String> names = new ArrayList<>(List.of("supervisor", "kafka", "elasticsearch", "jobmanager"));
        state.stringPropertyNames().stream().filter(k -> k.matches("taskmanager-\\d+\\.pid")).sorted()
                .forEach(k -> names.add(k.substring(0, k.length() - ".pid".length())));
        for (String name : names) {
            String pid = state.getProperty(name + ".pid");
            if (pid != null && Long.parseLong(pid) > 0) {
                out.put(name, Long.parseLong(pid));
            }
        }
        return out;
    }
}

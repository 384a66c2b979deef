package io.discoursetrends.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.discoursetrends.job.ClusterEntryPoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;

/**
 * {@code deploy/local/stack}: starts and stops the local stack ({@link LocalStack}, in the background), submits
 * the job jar to its Flink session cluster through the REST API, stops the job with a savepoint and resumes it,
 * and says where everything is. Every command reads {@code <dir>/stack.properties}, where the supervisor records
 * the addresses and pids; {@code <dir>/job-state.properties} remembers the last savepoint for {@code resume}.
 *
 * <p>Exit codes: 0 done, 1 failed (the message says why), 2 wrong usage.
 */
public final class StackCli {

    static final String USAGE = """
            usage: deploy/local/stack [--dir DIR] COMMAND [OPTIONS]
              up [--taskmanagers N] [--slots S] [--partitions P] [-Fkey=value ...] [--owner-pid PID]
                                  start Kafka, Elasticsearch and a Flink session cluster (JobManager + N
                                  TaskManagers of S slots), create the raw topics (P partitions), run es-setup
              status              every process with its pid, the addresses, the Flink jobs and checkpoints
              submit [--parallelism N] [--from SAVEPOINT] [--allow-non-restored-state] [-Dkey=value ...]
                                  upload jobs/target/discourse-trends.jar and run the trends job
              savepoint [--job ID]  take a savepoint of the running job, print its path
              stop [--job ID]     stop the running job with a savepoint, print its path
              resume [--parallelism N] [--from SAVEPOINT] [-Dkey=value ...]
                                  submit again from the last savepoint (or SAVEPOINT), at another parallelism if asked
              service NAME ACTION kafka|elasticsearch start|stop|restart|kill; taskmanager start (one more);
                                  taskmanager-N stop|kill
              logs [NAME] [--lines N]  where the logs are; the end of one (stack, kafka, elasticsearch,
                                  jobmanager, taskmanager-N)
              down                stop the job's cluster, the node and the broker, by the pids recorded
            DIR: --dir, else $DISCOURSE_STACK_DIR, else <checkout>/target/local-stack
            """;

    static final String STATE_FILE = LocalStack.STATE_FILE;
    static final String JOB_STATE_FILE = "job-state.properties";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration UP_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration JOB_TIMEOUT = Duration.ofMinutes(3);

    private final PrintStream out;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private Path dir;

    StackCli(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) {
        StackCli cli = new StackCli(System.out);
        int code;
        try {
            code = cli.run(args);
        } catch (IllegalArgumentException e) {
            System.err.println("stack: " + e.getMessage() + "\n" + USAGE);
            code = 2;
        } catch (IllegalStateException | IOException e) {
            System.err.println("stack: " + e.getMessage());
            code = 1;
        } catch (InterruptedException e) {
            code = 1;
        }
        System.out.flush();
        System.exit(code);
    }

    int run(String[] argv) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of(argv));
        int dirAt = args.indexOf("--dir");
        if (dirAt >= 0 && dirAt + 1 < args.size()) {
            dir = Path.of(args.get(dirAt + 1)).toAbsolutePath().normalize();
            args.remove(dirAt + 1);
            args.remove(dirAt);
        } else if (System.getenv("DISCOURSE_STACK_DIR") != null && !System.getenv("DISCOURSE_STACK_DIR").isBlank()) {
            dir = Path.of(System.getenv("DISCOURSE_STACK_DIR")).toAbsolutePath().normalize();
        } else {
            dir = StackLayout.locate().root().resolve("target/local-stack");
        }
        if (args.isEmpty() || args.get(0).equals("--help") || args.get(0).equals("help")) {
            out.print(USAGE);
            return args.isEmpty() ? 2 : 0;
        }
        String command = args.remove(0);
        return switch (command) {
            case "up" -> up(args);
            case "down" -> down();
            case "status" -> status();
            case "submit" -> submit(args, null);
            case "resume" -> submit(args, lastSavepointOrFail(args));
            case "savepoint" -> savepoint(args, false);
            case "stop" -> savepoint(args, true);
            case "service" -> service(args);
            case "logs" -> logs(args);
            default -> throw new IllegalArgumentException("unknown command " + command);
        };
    }

    // --- up / down -------------------------------------------------------------------------------------------

    private int up(List<String> args) throws IOException, InterruptedException {
        Optional<Properties> existing = readState();
        if (existing.isPresent() && alive(existing.get(), "supervisor")) {
            throw new IllegalStateException("a stack is already running in " + dir + " (supervisor pid "
                    + existing.get().getProperty("supervisor.pid") + "); `stack status` shows it, `stack down` "
                    + "stops it");
        }
        StackLayout layout = StackLayout.locate();
        layout.kafkaLibDir();
        layout.elasticsearchHome();
        layout.flinkLibDir();
        layout.jobJar();
        Files.createDirectories(dir.resolve("logs"));
        Files.deleteIfExists(dir.resolve(STATE_FILE));
        Files.deleteIfExists(dir.resolve(JOB_STATE_FILE));
        for (String a : args) {
            if (!a.startsWith("-F") && !a.startsWith("--") && !a.matches("\\d+")) {
                throw new IllegalArgumentException("unexpected argument " + a + " for up");
            }
        }

        List<String> command = new ArrayList<>();
        // setsid: the stack belongs to no terminal, so closing the shell that ran `up` does not stop it.
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            command.add("/usr/bin/setsid");
        }
        command.add(JavaRuntimes.runningJvm().javaExecutable().toString());
        command.addAll(LocalFlink.JAVA_17_OPENS);
        command.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC",
                "-Dlog4j.configurationFile=" + layout.root().resolve("deploy/local/log4j2-cli.properties"),
                "-D" + StackLayout.ROOT_PROPERTY + "=" + layout.root(),
                "-cp", System.getProperty("java.class.path"), LocalStack.class.getName(), "--dir", dir.toString()));
        command.addAll(args);
        Path log = dir.resolve("logs/stack.log");
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();

        out.println("starting the stack in " + dir + " (log: " + log + ")");
        long deadline = System.nanoTime() + UP_TIMEOUT.toNanos();
        while (true) {
            Optional<Properties> state = readState();
            if (state.isPresent()) {
                String status = state.get().getProperty("status");
                if ("up".equals(status)) {
                    break;
                }
                if ("failed".equals(status)) {
                    throw new IllegalStateException("the stack failed to start: " + state.get().getProperty("error")
                            + "\nlast lines of " + log + ":\n" + ChildProcess.tail(log, 30));
                }
                if (!alive(state.get(), "supervisor")) {
                    throw new IllegalStateException("the stack's supervisor exited while starting; last lines of "
                            + log + ":\n" + ChildProcess.tail(log, 30));
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the stack was not up within " + UP_TIMEOUT.toMinutes()
                        + " min; last lines of " + log + ":\n" + ChildProcess.tail(log, 30));
            }
            Thread.sleep(250);
        }
        out.println("the stack is up");
        return status();
    }

    private int down() throws IOException, InterruptedException {
        Optional<Properties> found = readState();
        if (found.isEmpty()) {
            out.println("no stack in " + dir);
            return 0;
        }
        Properties state = found.get();
        if (alive(state, "supervisor") && state.getProperty("control.port") != null) {
            try {
                control("shutdown");
            } catch (IllegalStateException e) {
                out.println("the supervisor did not answer (" + e.getMessage() + "); stopping its processes");
            }
            awaitExit(state, "supervisor", Duration.ofSeconds(90));
        }
        // Whatever the supervisor did not stop (it was killed, or hung): by the pids it recorded, and only if the
        // process still is the one recorded (its command line names this stack's directory; pids are reused).
        Properties last = readState().orElse(state);
        for (Map.Entry<String, Long> p : LocalStack.pids(last).entrySet()) {
            Optional<ProcessHandle> handle = ours(p.getValue());
            if (handle.isPresent()) {
                out.println("stopping " + p.getKey() + " (pid " + p.getValue() + ")");
                handle.get().destroy();
                try {
                    handle.get().onExit().get(20, java.util.concurrent.TimeUnit.SECONDS);
                } catch (Exception e) {
                    handle.get().destroyForcibly();
                }
            }
        }
        out.println("the stack in " + dir + " is down (its data and logs stay in " + dir + ")");
        return 0;
    }

    // --- status and logs -------------------------------------------------------------------------------------

    private int status() throws IOException, InterruptedException {
        Properties state = requireState();
        out.println("stack " + dir + ": " + state.getProperty("status"));
        for (Map.Entry<String, Long> p : LocalStack.pids(state).entrySet()) {
            out.printf("  %-16s pid %-8d %s%n", p.getKey(), p.getValue(), ours(p.getValue()).isPresent()
                    ? "running" : "not running");
        }
        out.println("  kafka            " + state.getProperty("kafka.bootstrap-servers"));
        out.println("  elasticsearch    " + state.getProperty("elasticsearch.url"));
        out.println("  flink web UI     " + state.getProperty("flink.rest"));
        out.println("  checkpoints      " + state.getProperty("flink.checkpoints"));
        out.println("  savepoints       " + state.getProperty("flink.savepoints"));
        out.println("  job settings     " + state.getProperty("job.properties"));
        out.println("  logs             " + dir.resolve("logs") + ", " + dir.resolve("flink/logs")
                + " (`stack logs`)");
        if (!alive(state, "jobmanager")) {
            return 0;
        }
        JsonNode overview = rest("GET", "/overview", null);
        out.println("  flink            " + overview.path("taskmanagers").asInt() + " taskmanager(s), "
                + overview.path("slots-available").asInt() + "/" + overview.path("slots-total").asInt()
                + " slots free");
        for (JsonNode job : rest("GET", "/jobs/overview", null).path("jobs")) {
            String id = job.path("jid").asText();
            StringBuilder line = new StringBuilder("  job " + id + " " + job.path("name").asText() + " "
                    + job.path("state").asText());
            if (job.path("state").asText().equals("RUNNING")) {
                JsonNode details = rest("GET", "/jobs/" + id, null);
                int parallelism = 0;
                for (JsonNode v : details.path("vertices")) {
                    parallelism = Math.max(parallelism, v.path("parallelism").asInt());
                }
                JsonNode checkpoints = rest("GET", "/jobs/" + id + "/checkpoints", null);
                line.append(", parallelism ").append(parallelism)
                        .append(", checkpoints completed ")
                        .append(checkpoints.path("counts").path("completed").asInt());
                JsonNode restored = checkpoints.path("latest").path("restored");
                if (!restored.isMissingNode() && !restored.isNull()) {
                    line.append(", restored from ").append(restored.path("is_savepoint").asBoolean()
                            ? "savepoint " : "checkpoint ").append(restored.path("id").asLong()).append(" ")
                            .append(restored.path("external_path").asText());
                }
            }
            out.println(line);
        }
        return 0;
    }

    private int logs(List<String> args) throws IOException {
        Properties state = requireState();
        int lines = 40;
        int at = args.indexOf("--lines");
        if (at >= 0) {
            lines = Integer.parseInt(args.get(at + 1));
            args.remove(at + 1);
            args.remove(at);
        }
        if (args.isEmpty()) {
            state.stringPropertyNames().stream().filter(k -> k.startsWith("log.")).sorted()
                    .forEach(k -> out.printf("  %-16s %s%n", k.substring(4), state.getProperty(k)));
            out.println("  (each Flink process also has a .out file beside its .log: its stdout and stderr)");
            return 0;
        }
        String file = state.getProperty("log." + args.get(0));
        if (file == null) {
            throw new IllegalArgumentException("no log named " + args.get(0) + "; `stack logs` lists them");
        }
        out.println("==> " + file + " <==");
        out.println(ChildProcess.tail(Path.of(file), lines));
        return 0;
    }

    // --- the job ---------------------------------------------------------------------------------------------

    private int submit(List<String> args, String lastSavepoint) throws IOException, InterruptedException {
        Properties state = requireRunning();
        Integer parallelism = null;
        String from = lastSavepoint;
        boolean allowNonRestored = false;
        List<String> programArgs = new ArrayList<>(List.of("--conf", state.getProperty("job.properties")));
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--parallelism")) {
                parallelism = Integer.parseInt(value(args, i++));
            } else if (a.equals("--from")) {
                from = value(args, i++);
            } else if (a.equals("--allow-non-restored-state")) {
                allowNonRestored = true;
            } else if (a.startsWith("-D") && a.indexOf('=') > 2) {
                programArgs.add(a);
            } else {
                throw new IllegalArgumentException("unexpected argument " + a);
            }
        }
        Path jar = StackLayout.locate().jobJar();
        JsonNode upload = uploadJar(jar);
        String jarId = Path.of(upload.path("filename").asText()).getFileName().toString();

        ObjectNode body = JSON.createObjectNode();
        body.put("entryClass", ClusterEntryPoint.class.getName());
        ArrayNode list = body.putArray("programArgsList");
        programArgs.forEach(list::add);
        if (parallelism != null) {
            body.put("parallelism", parallelism);
        }
        if (from != null) {
            body.put("savepointPath", from);
            body.put("allowNonRestoredState", allowNonRestored);
        }
        String jobId = rest("POST", "/jars/" + jarId + "/run", body).path("jobid").asText();
        int running = awaitRunning(jobId);
        out.println("job " + jobId + " running at parallelism " + running
                + (from != null ? " from " + from : "") + " (web UI: " + state.getProperty("flink.rest")
                + "/#/job/running/" + jobId + ")");
        return 0;
    }

    /** Waits until the job and all its tasks run; returns its largest vertex parallelism. */
    private int awaitRunning(String jobId) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + JOB_TIMEOUT.toNanos();
        while (true) {
            JsonNode job = rest("GET", "/jobs/" + jobId, null);
            String jobState = job.path("state").asText();
            boolean allRunning = job.path("vertices").size() > 0;
            int parallelism = 0;
            for (JsonNode v : job.path("vertices")) {
                allRunning &= v.path("status").asText().equals("RUNNING");
                parallelism = Math.max(parallelism, v.path("parallelism").asInt());
            }
            if (jobState.equals("RUNNING") && allRunning) {
                return parallelism;
            }
            if (jobState.equals("FAILED") || jobState.equals("CANCELED") || jobState.equals("FINISHED")) {
                JsonNode exceptions = rest("GET", "/jobs/" + jobId + "/exceptions", null);
                throw new IllegalStateException("job " + jobId + " is " + jobState + ": "
                        + exceptions.path("rootException").asText("(no exception)").lines().limit(15)
                        .reduce((a, b) -> a + "\n" + b).orElse(""));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("job " + jobId + " was not running within "
                        + JOB_TIMEOUT.toSeconds() + " s (state " + jobState + ")");
            }
            Thread.sleep(500);
        }
    }

    private int savepoint(List<String> args, boolean stop) throws IOException, InterruptedException {
        Properties state = requireRunning();
        String jobId = args.indexOf("--job") >= 0 ? args.get(args.indexOf("--job") + 1) : runningJob();
        ObjectNode body = JSON.createObjectNode();
        String target = state.getProperty("flink.savepoints");
        String trigger;
        if (stop) {
            body.put("targetDirectory", target);
            body.put("drain", false);
            trigger = rest("POST", "/jobs/" + jobId + "/stop", body).path("request-id").asText();
        } else {
            body.put("target-directory", target);
            body.put("cancel-job", false);
            trigger = rest("POST", "/jobs/" + jobId + "/savepoints", body).path("request-id").asText();
        }
        long deadline = System.nanoTime() + JOB_TIMEOUT.toNanos();
        String location;
        while (true) {
            JsonNode status = rest("GET", "/jobs/" + jobId + "/savepoints/" + trigger, null);
            if (status.path("status").path("id").asText().equals("COMPLETED")) {
                JsonNode operation = status.path("operation");
                if (operation.has("failure-cause")) {
                    throw new IllegalStateException("the savepoint of job " + jobId + " failed: "
                            + operation.path("failure-cause").path("stack-trace").asText().lines().limit(15)
                            .reduce((a, b) -> a + "\n" + b).orElse(""));
                }
                location = operation.path("location").asText();
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the savepoint of job " + jobId + " did not complete within "
                        + JOB_TIMEOUT.toSeconds() + " s");
            }
            Thread.sleep(500);
        }
        Properties jobState = new Properties();
        jobState.setProperty("savepoint", location);
        jobState.setProperty("job", jobId);
        try (var w = Files.newBufferedWriter(dir.resolve(JOB_STATE_FILE), StandardCharsets.UTF_8)) {
            jobState.store(w, "deploy/local/stack: the last savepoint, for resume");
        }
        if (stop) {
            long until = System.nanoTime() + JOB_TIMEOUT.toNanos();
            while (!rest("GET", "/jobs/" + jobId, null).path("state").asText().equals("FINISHED")) {
                if (System.nanoTime() > until) {
                    throw new IllegalStateException("job " + jobId + " did not finish after its savepoint");
                }
                Thread.sleep(250);
            }
            out.println("job " + jobId + " stopped with savepoint " + location);
        } else {
            out.println("job " + jobId + " savepoint " + location);
        }
        return 0;
    }

    private String runningJob() throws IOException, InterruptedException {
        List<String> running = new ArrayList<>();
        for (JsonNode job : rest("GET", "/jobs/overview", null).path("jobs")) {
            if (job.path("state").asText().equals("RUNNING") || job.path("state").asText().equals("RESTARTING")) {
                running.add(job.path("jid").asText());
            }
        }
        if (running.size() != 1) {
            throw new IllegalStateException(running.isEmpty() ? "no job is running"
                    : "several jobs are running " + running + "; name one with --job ID");
        }
        return running.get(0);
    }

    private static String value(List<String> args, int optionAt) {
        if (optionAt + 1 >= args.size()) {
            throw new IllegalArgumentException(args.get(optionAt) + " needs a value");
        }
        return args.get(optionAt + 1);
    }

    /** The savepoint to resume from: --from, else the last one `stop` or `savepoint` took. */
    private String lastSavepointOrFail(List<String> args) throws IOException {
        String last = lastSavepoint();
        if (last == null && !args.contains("--from")) {
            throw new IllegalStateException("no savepoint recorded in " + dir.resolve(JOB_STATE_FILE)
                    + "; take one with `stack stop` or `stack savepoint`, or name one with --from");
        }
        return last;
    }

    private String lastSavepoint() throws IOException {
        Path file = dir.resolve(JOB_STATE_FILE);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        }
        return p.getProperty("savepoint");
    }

    // --- services --------------------------------------------------------------------------------------------

    private int service(List<String> args) throws IOException, InterruptedException {
        if (args.size() != 2) {
            throw new IllegalArgumentException("service needs NAME and ACTION");
        }
        requireRunning();
        out.print(control("service/" + args.get(0) + "/" + args.get(1)));
        return 0;
    }

    private String control(String path) throws IOException, InterruptedException {
        Properties state = requireState();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + state.getProperty("control.port") + "/" + path))
                .timeout(Duration.ofMinutes(5)).POST(HttpRequest.BodyPublishers.noBody()).build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("the stack's supervisor does not answer on its control port: " + e);
        }
        if (response.statusCode() == 400) {
            throw new IllegalArgumentException(response.body().strip());
        }
        if (response.statusCode() != 200) {
            throw new IllegalStateException(response.body().strip());
        }
        return response.body();
    }

    // --- helpers ---------------------------------------------------------------------------------------------

    private JsonNode rest(String method, String path, JsonNode body) throws IOException, InterruptedException {
        Properties state = requireState();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(state.getProperty("flink.rest") + path))
                .timeout(Duration.ofSeconds(60));
        if (body != null) {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return parse(method + " " + path, response);
    }

    private JsonNode uploadJar(Path jar) throws IOException, InterruptedException {
        Properties state = requireState();
        String boundary = "----stack" + UUID.randomUUID();
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                + jar.getFileName() + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(URI.create(state.getProperty("flink.rest") + "/jars/upload"))
                .timeout(Duration.ofMinutes(2))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArrays(List.of(head, Files.readAllBytes(jar), tail)))
                .build();
        return parse("POST /jars/upload", http.send(request, HttpResponse.BodyHandlers.ofString()));
    }

    private static JsonNode parse(String what, HttpResponse<String> response) throws IOException {
        JsonNode node = response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
        if (response.statusCode() >= 300) {
            throw new IllegalStateException("Flink answered " + what + " with " + response.statusCode() + ": "
                    + node.path("errors").toString().lines().limit(20).reduce((a, b) -> a + "\n" + b).orElse(""));
        }
        return node;
    }

    private Properties requireRunning() throws IOException {
        Properties state = requireState();
        if (!"up".equals(state.getProperty("status")) || !alive(state, "supervisor")) {
            throw new IllegalStateException("the stack in " + dir + " is not up (status "
                    + state.getProperty("status") + "); start it with `stack up`");
        }
        return state;
    }

    private Properties requireState() throws IOException {
        return readState().orElseThrow(() -> new IllegalStateException("no stack in " + dir
                + "; start one with `deploy/local/stack up`"));
    }

    private Optional<Properties> readState() throws IOException {
        Path file = dir.resolve(STATE_FILE);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        }
        return Optional.of(p);
    }

    private boolean alive(Properties state, String name) {
        Long pid = LocalStack.pids(state).get(name);
        return pid != null && ours(pid).isPresent();
    }

    /** The process, if it runs and is one of this stack's (its command line names the stack's directory). */
    private Optional<ProcessHandle> ours(long pid) {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .filter(h -> commandLine(h).contains(dir.toString()));
    }

    /**
     * The whole command line: Linux's /proc, since {@code ProcessHandle.Info} cuts it at 4,096 characters and the
     * class paths here are longer; elsewhere what {@code Info} has.
     */
    private static String commandLine(ProcessHandle process) {
        Path proc = Path.of("/proc", String.valueOf(process.pid()), "cmdline");
        try {
            if (Files.isReadable(proc)) {
                return new String(Files.readAllBytes(proc), StandardCharsets.UTF_8).replace('\0', ' ');
            }
        } catch (IOException e) {
            // gone, or not ours to read
        }
        return process.info().commandLine().orElse("");
    }

    private void awaitExit(Properties state, String name, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (alive(state, name) && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
    }
}

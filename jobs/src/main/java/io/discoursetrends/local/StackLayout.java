package io.discoursetrends.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Where the project is checked out and where Maven laid out the local broker's and node's class paths.
 *
 * <p>The root comes from the system property {@value #ROOT_PROPERTY} (set by the tests' Maven configuration),
 * else the environment variable {@value #ROOT_ENV}, else the first directory at or above the current one that
 * holds {@value #MARKER}. The laid-out directories are checked when asked for, so a missing build says what to run.
 */
public final class StackLayout {

    public static final String ROOT_PROPERTY = "discourse.root.dir";
    public static final String ROOT_ENV = "DISCOURSE_TRENDS_HOME";
    static final String MARKER = "deploy/local/elasticsearch-node/pom.xml";

    private final Path root;

    private StackLayout(Path root) {
        this.root = root;
    }

    /** The layout found from the system property, the environment or the current directory, in that order. */
    public static StackLayout locate() {
        return locate(System.getProperty(ROOT_PROPERTY), System.getenv(ROOT_ENV), Path.of("").toAbsolutePath());
    }

    static StackLayout locate(String rootProperty, String rootEnv, Path currentDir) {
        if (rootProperty != null && !rootProperty.isBlank()) {
            return checkedRoot(Path.of(rootProperty), "system property " + ROOT_PROPERTY);
        }
        if (rootEnv != null && !rootEnv.isBlank()) {
            return checkedRoot(Path.of(rootEnv), "environment variable " + ROOT_ENV);
        }
        for (Path dir = currentDir.toAbsolutePath().normalize(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve(MARKER))) {
                return new StackLayout(dir);
            }
        }
        throw new IllegalStateException("cannot find the discourse-trends checkout: no " + MARKER + " at or above "
                + currentDir + "; run from inside it, or set -D" + ROOT_PROPERTY + "=<checkout> or " + ROOT_ENV);
    }

    /** The layout of the checkout at {@code root}. */
    public static StackLayout at(Path root) {
        return checkedRoot(root, "the given root");
    }

    private static StackLayout checkedRoot(Path root, String source) {
        Path normalized = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
        if (!Files.isRegularFile(normalized.resolve(MARKER))) {
            throw new IllegalStateException(source + " points to " + normalized
                    + ", which is not a discourse-trends checkout (no " + MARKER + ")");
        }
        return new StackLayout(normalized);
    }

    public Path root() {
        return root;
    }

    /** The Kafka broker's class path: every jar in this directory. */
    public Path kafkaLibDir() {
        Path lib = root.resolve("deploy/local/kafka-node/target/lib");
        if (!containsJarStartingWith(lib, "kafka_2.13-")) {
            throw notBuilt(lib, "kafka_2.13-*.jar");
        }
        return lib;
    }

    /** A Flink JobManager's and TaskManager's class path: every jar in this directory. */
    public Path flinkLibDir() {
        Path lib = root.resolve("deploy/local/flink-node/target/lib");
        if (!containsJarStartingWith(lib, "flink-runtime-web-")) {
            throw notBuilt(lib, "flink-runtime-web-*.jar");
        }
        return lib;
    }

    /** The production Flink configuration the local cluster starts from (deploy/local/flink/config.yaml). */
    public Path flinkConfigFile() {
        return root.resolve("deploy/local/flink/config.yaml");
    }

    /** The Flink processes' log configuration (deploy/local/flink/log4j.properties). */
    public Path flinkLog4jFile() {
        return root.resolve("deploy/local/flink/log4j.properties");
    }

    /** The shaded job jar that {@code mvn package} builds. */
    public Path jobJar() {
        Path jar = root.resolve("jobs/target/discourse-trends.jar");
        if (!Files.isRegularFile(jar)) {
            throw notBuilt(jar.getParent(), "discourse-trends.jar");
        }
        return jar;
    }

    /** An Elasticsearch home: lib/, modules/transport-netty4/, config/. */
    public Path elasticsearchHome() {
        Path home = root.resolve("deploy/local/elasticsearch-node/target/es-home");
        for (String required : new String[] {"modules/transport-netty4/plugin-descriptor.properties",
                "config/log4j2.properties"}) {
            if (!Files.isRegularFile(home.resolve(required))) {
                throw notBuilt(home, required);
            }
        }
        if (!containsJarStartingWith(home.resolve("lib"), "elasticsearch-")) {
            throw notBuilt(home, "lib/elasticsearch-*.jar");
        }
        return home;
    }

    private static boolean containsJarStartingWith(Path dir, String prefix) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).anyMatch(n -> n.startsWith(prefix) && n.endsWith(".jar"));
        } catch (IOException e) {
            return false;
        }
    }

    private IllegalStateException notBuilt(Path dir, String missing) {
        return new IllegalStateException(dir + " is missing or incomplete (no " + missing
                + "); run `mvn -q package -DskipTests` from " + root + " first");
    }

    @Override
    public String toString() {
        return "StackLayout[" + root + "]";
    }
}

package io.discoursetrends.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Finds a Java runtime new enough for the local Elasticsearch node (Java 21+), while the build, the jobs and the
 * tests stay on Java 17.
 *
 * <p>Order: {@code ES_JAVA_HOME} (as Elasticsearch itself honours it; if set it must be 21+, it is never silently
 * passed over), then the running JVM, then {@code JAVA_HOME}, then the newest JDK found under the usual install
 * roots, each recognised by the {@code JAVA_VERSION} line of its {@code release} file.
 */
public final class JavaRuntimes {

    /** Elasticsearch 9.x ships Java 21 class files. */
    public static final int ELASTICSEARCH_MINIMUM_FEATURE = 21;

    /** A JDK or JRE home and its version. */
    public record JavaRuntime(Path home, Runtime.Version version) {

        public JavaRuntime {
            Objects.requireNonNull(home, "home");
            Objects.requireNonNull(version, "version");
        }

        /** The major version: 17, 21, 25... */
        public int feature() {
            return version.feature();
        }

        public Path javaExecutable() {
            boolean windows = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
            return home.resolve("bin").resolve(windows ? "java.exe" : "java");
        }

        @Override
        public String toString() {
            return "Java " + version + " at " + home;
        }
    }

    private final Map<String, String> environment;
    private final JavaRuntime runningJvm;
    private final List<Path> searchRoots;

    /**
     * @param environment  where ES_JAVA_HOME and JAVA_HOME are read from
     * @param runningJvm   the JVM this code runs in, or null to leave it out of the search
     * @param searchRoots  directories whose sub-directories are JDK homes (or macOS bundles with Contents/Home)
     */
    public JavaRuntimes(Map<String, String> environment, JavaRuntime runningJvm, List<Path> searchRoots) {
        this.environment = Map.copyOf(environment);
        this.runningJvm = runningJvm;
        this.searchRoots = List.copyOf(searchRoots);
    }

    /** The search as it runs on this machine: real environment, this JVM, the default install roots. */
    public static JavaRuntimes ofThisMachine() {
        return new JavaRuntimes(System.getenv(), runningJvm(), defaultSearchRoots(Path.of(System.getProperty("user.home"))));
    }

    public static JavaRuntime runningJvm() {
        return new JavaRuntime(Path.of(System.getProperty("java.home")), Runtime.version());
    }

    /** Linux packages, Oracle/Temurin tarball conventions, macOS, SDKMAN! and IntelliJ's downloads. */
    public static List<Path> defaultSearchRoots(Path userHome) {
        return List.of(
                Path.of("/usr/lib/jvm"),
                Path.of("/usr/java"),
                Path.of("/opt/java"),
                Path.of("/Library/Java/JavaVirtualMachines"),
                userHome.resolve(".sdkman/candidates/java"),
                userHome.resolve(".jdks"));
    }

    /**
     * The runtime to start the Elasticsearch node with.
     *
     * @throws IllegalStateException naming every place searched and what to install, when none is 21+
     */
    public JavaRuntime forElasticsearch() {
        int minimum = ELASTICSEARCH_MINIMUM_FEATURE;
        List<String> searched = new ArrayList<>();

        String esJavaHome = blankToNull(environment.get("ES_JAVA_HOME"));
        if (esJavaHome != null) {
            Optional<JavaRuntime> runtime = inspect(Path.of(esJavaHome));
            if (runtime.isPresent() && runtime.get().feature() >= minimum) {
                return runtime.get();
            }
            throw new IllegalStateException("ES_JAVA_HOME=" + esJavaHome + " is "
                    + runtime.map(r -> "Java " + r.version()).orElse("not a Java home (no release file or bin/java)")
                    + ", but Elasticsearch 9.5 needs Java " + minimum + " or newer; point ES_JAVA_HOME to a JDK "
                    + minimum + "+ or unset it to let the search pick one");
        }
        searched.add("ES_JAVA_HOME (not set)");

        if (runningJvm != null) {
            if (runningJvm.feature() >= minimum) {
                return runningJvm;
            }
            searched.add("the running JVM (" + runningJvm + ")");
        }

        String javaHome = blankToNull(environment.get("JAVA_HOME"));
        if (javaHome != null) {
            Optional<JavaRuntime> runtime = inspect(Path.of(javaHome));
            if (runtime.isPresent() && runtime.get().feature() >= minimum) {
                return runtime.get();
            }
            searched.add("JAVA_HOME (" + runtime.map(JavaRuntime::toString).orElse(javaHome + ", not a Java home") + ")");
        } else {
            searched.add("JAVA_HOME (not set)");
        }

        List<JavaRuntime> installed = installed();
        Optional<JavaRuntime> newest = installed.stream()
                .filter(r -> r.feature() >= minimum)
                .max(Comparator.comparing(JavaRuntime::version));
        if (newest.isPresent()) {
            return newest.get();
        }
        for (Path root : searchRoots) {
            searched.add(root + "/*");
        }
        String tooOld = installed.isEmpty() ? "" : " (found only: " + installed + ")";
        throw new IllegalStateException("Elasticsearch 9.5 needs Java " + minimum + " or newer to run; none found in "
                + String.join(", ", searched) + tooOld + "; install e.g. temurin-" + minimum + "-jdk or openjdk-"
                + minimum + "-jdk, or set ES_JAVA_HOME to a JDK " + minimum + "+");
    }

    /** Every Java home under the search roots, once each (the same JDK is often linked under several names). */
    public List<JavaRuntime> installed() {
        Map<Path, JavaRuntime> byRealPath = new LinkedHashMap<>();
        for (Path root : searchRoots) {
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (DirectoryStream<Path> children = Files.newDirectoryStream(root)) {
                for (Path child : children) {
                    Path bundleHome = child.resolve("Contents").resolve("Home");
                    Path home = Files.isDirectory(bundleHome) ? bundleHome : child;
                    inspect(home).ifPresent(runtime -> byRealPath.putIfAbsent(realPath(home), runtime));
                }
            } catch (IOException e) {
                // An unreadable root holds nothing we can run.
            }
        }
        return List.copyOf(byRealPath.values());
    }

    /** The runtime at {@code home}, if it has a java launcher and a {@code release} file with a parsable version. */
    public static Optional<JavaRuntime> inspect(Path home) {
        JavaRuntime candidate = new JavaRuntime(home, Runtime.version());
        if (!Files.isExecutable(candidate.javaExecutable())) {
            return Optional.empty();
        }
        Path release = home.resolve("release");
        if (!Files.isRegularFile(release)) {
            return Optional.empty();
        }
        try {
            for (String line : Files.readAllLines(release, StandardCharsets.ISO_8859_1)) {
                if (line.startsWith("JAVA_VERSION=")) {
                    return parseVersion(line.substring("JAVA_VERSION=".length()).replace("\"", "").trim())
                            .map(version -> new JavaRuntime(home, version));
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /** "21.0.5", "25" parse; the pre-9 form "1.8.0_392" does not (and would be too old anyway). */
    static Optional<Runtime.Version> parseVersion(String text) {
        try {
            return Optional.of(Runtime.Version.parse(text));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static Path realPath(Path path) {
        try {
            return path.toRealPath();
        } catch (IOException e) {
            return path.toAbsolutePath().normalize();
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}

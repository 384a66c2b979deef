package io.discoursetrends.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.FallbackKey;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * deploy/local/flink/config.yaml, which deploy/docker and deploy/kubernetes mirror, holds only standard Flink 2.2
 * keys, none of them deprecated, each with a value its option parses, and each in the README's configuration
 * reference with that value. The options are read from Flink's own option classes in the jars the local cluster
 * runs (deploy/local/flink-node/target/lib, laid out by `mvn package`, hence an IT), so RocksDB's and Prometheus's
 * count too.
 */
class FlinkClusterConfigIT {

    private static final Map<String, ConfigOption<?>> OPTIONS = new HashMap<>();
    private static final Map<String, String> DEPRECATED = new HashMap<>();
    /** The Prometheus reporter's own arguments: constants ARG_* of its factory (2.2 has no options class for it). */
    private static final List<String> PROMETHEUS_ARGS = new ArrayList<>();
    private static Map<String, String> config;

    @BeforeAll
    static void loadFlinkOptions() throws Exception {
        StackLayout layout = StackLayout.locate();
        List<URL> jars = new ArrayList<>();
        try (Stream<Path> files = Files.list(layout.flinkLibDir())) {
            for (Path jar : files.filter(p -> p.getFileName().toString().startsWith("flink-")).toList()) {
                jars.add(jar.toUri().toURL());
            }
        }
        // Parent first: ConfigOption is this class path's (the same Flink version), the reporter's and RocksDB's
        // option classes come from the cluster's jars.
        try (URLClassLoader loader = new URLClassLoader(jars.toArray(new URL[0]),
                FlinkClusterConfigIT.class.getClassLoader())) {
            for (URL jar : jars) {
                try (JarFile file = new JarFile(Path.of(jar.toURI()).toFile())) {
                    for (String name : file.stream().map(e -> e.getName())
                            .filter(n -> n.startsWith("org/apache/flink/") && n.endsWith("Options.class")
                                    && !n.contains("$"))
                            .toList()) {
                        collect(loader, name.replace('/', '.').substring(0, name.length() - ".class".length()));
                    }
                }
            }
            Class<?> factory = Class.forName("org.apache.flink.metrics.prometheus.PrometheusReporterFactory", false,
                    loader);
            for (Field field : factory.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers()) && field.getName().startsWith("ARG_")) {
                    field.setAccessible(true);
                    PROMETHEUS_ARGS.add((String) field.get(null));
                }
            }
        }
        config = readFlat(layout.flinkConfigFile());
    }

    private static void collect(ClassLoader loader, String className) {
        Class<?> type;
        try {
            type = Class.forName(className, false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            return; // an optional dependency of that jar is absent; its options are not ours
        }
        Field[] fields;
        try {
            fields = type.getDeclaredFields();
        } catch (LinkageError e) {
            return; // a field's type is in an optional dependency (shaded Netty's brotli, say): not an options class
        }
        for (Field field : fields) {
            if (!Modifier.isStatic(field.getModifiers()) || !ConfigOption.class.isAssignableFrom(field.getType())) {
                continue;
            }
            try {
                field.setAccessible(true);
                ConfigOption<?> option = (ConfigOption<?>) field.get(null);
                OPTIONS.putIfAbsent(option.key(), option);
                for (FallbackKey fallback : option.fallbackKeys()) {
                    if (fallback.isDeprecated()) {
                        DEPRECATED.put(fallback.getKey(), option.key());
                    }
                }
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                // not readable: not a usable option
            }
        }
    }

    /** config.yaml as written: flat `key: value` lines (LocalFlink.mergedConfig relies on that too). */
    static Map<String, String> readFlat(Path file) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(": ");
            assertThat(colon).as("a flat `key: value` line: %s", line).isPositive();
            out.put(line.substring(0, colon).strip(), line.substring(colon + 2).strip());
        }
        return out;
    }

    @Test
    void shouldUseOnlyCurrentFlinkKeysWithValuesTheirOptionsParse() {
        assertThat(OPTIONS).as("Flink's options found").containsKeys("execution.checkpointing.dir",
                "state.backend.type", "restart-strategy.type");
        Configuration parsed = Configuration.fromMap(config);
        for (Map.Entry<String, String> e : config.entrySet()) {
            String key = e.getKey();
            assertThat(DEPRECATED).as("deprecated key %s (now %s)", key, DEPRECATED.get(key)).doesNotContainKey(key);
            if (key.startsWith("metrics.reporter.prom.")
                    && PROMETHEUS_ARGS.contains(key.substring("metrics.reporter.prom.".length()))) {
                continue; // the reporter's own argument, read by its factory
            }
            ConfigOption<?> option = OPTIONS.get(reporterTemplate(key));
            assertThat(option).as("a Flink 2.2 option named %s", key).isNotNull();
            if (key.startsWith("metrics.reporter.prom.")) {
                continue; // a reporter's option, read under the reporter's name
            }
            assertThat(parsed.get(option)).as("%s: %s", key, e.getValue()).isNotNull();
        }
    }

    /** metrics.reporter.prom.factory.class is MetricOptions' reporter option factory.class, keyed by its suffix. */
    private static String reporterTemplate(String key) {
        return key.startsWith("metrics.reporter.prom.") ? key.substring("metrics.reporter.prom.".length()) : key;
    }

    @Test
    void readmeShouldListEverySettingWithItsValue() throws IOException {
        String readme = Files.readString(StackLayout.locate().root().resolve("README.md"));
        for (Map.Entry<String, String> e : config.entrySet()) {
            assertThat(readme).as("README.md configuration reference row for %s", e.getKey())
                    .contains("| `" + e.getKey() + "` | `" + e.getValue() + "` |");
        }
    }

    @Test
    void shouldStartTheLocalClusterFromTheSameFileWithOnlyLocalValuesReplaced() throws IOException {
        Map<String, String> local = LocalFlink.localSettings(Path.of("/tmp/x"), 1234, 5678, 2);
        String merged = LocalFlink.mergedConfig(Files.readString(StackLayout.locate().flinkConfigFile()), local);
        Path file = Files.createTempFile("merged", ".yaml");
        try {
            Files.writeString(file, merged);
            Map<String, String> m = readFlat(file);
            assertThat(m).containsEntry("rest.port", "1234").containsEntry("rest.bind-address", "127.0.0.1")
                    .containsEntry("execution.checkpointing.mode", "EXACTLY_ONCE")
                    .containsEntry("execution.checkpointing.dir", "file:///tmp/x/checkpoints")
                    .doesNotContainKey("metrics.reporters");
            // Every production key not overridden locally is kept as it is.
            config.forEach((k, v) -> {
                if (!local.containsKey(k)) {
                    assertThat(m).containsEntry(k, v);
                }
            });
        } finally {
            Files.delete(file);
        }
    }
}

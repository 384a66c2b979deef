package io.discoursetrends.job;

import io.discoursetrends.model.EditDistance;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The keys of {@link JobOptions} and their documentation, loadable with nothing but the JDK (for the commands
 * that run from {@code java -jar}): read from the resources {@link OptionsReference} writes at build time, or,
 * in a build without them (an IDE), from JobOptions itself when Flink is on the classpath.
 *
 * <p>The rule for keys a user sets ({@link #check}): a key in one of the job's namespaces (the first segment of
 * its keys: {@code kafka.}, {@code es.}, {@code spikes.}, ...) must be one of its keys, and so must a key within
 * a typo of one; any other key is a Flink setting ({@code parallelism.default}, {@code state.backend.type}),
 * which {@code run} hands to Flink as it is and {@code es-setup} ignores. Flink's own keys are not checked here.
 */
public final class KnownOptions {
    private KnownOptions() {}

    private static volatile List<String> keys;

    /** Every key of {@link JobOptions#ALL}, in its order. */
    public static List<String> keys() {
        List<String> k = keys;
        if (k == null) {
            String text = resource(OptionsReference.KEYS);
            k = text.lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
            keys = k;
        }
        return k;
    }

    /** What {@code discourse-trends options} prints: {@link JobOptions#describe}. */
    public static String describe(boolean markdown) {
        return resource(markdown ? OptionsReference.MARKDOWN : OptionsReference.TEXT);
    }

    /**
     * Refuses keys that look like the job's but are not, each with the nearest known key ("did you mean").
     *
     * @throws IllegalArgumentException one line per unknown key
     */
    public static void check(Collection<String> given) {
        List<String> known = keys();
        Set<String> namespaces = new LinkedHashSet<>();
        for (String k : known) {
            int dot = k.indexOf('.');
            namespaces.add(dot < 0 ? k : k.substring(0, dot + 1));
        }
        List<String> problems = new ArrayList<>();
        for (String key : given) {
            if (known.contains(key)) {
                continue;
            }
            String suggestion = suggest(key, known);
            boolean ours = namespaces.stream().anyMatch(n -> n.endsWith(".") ? key.startsWith(n) : key.equals(n));
            if (ours || suggestion != null) {
                problems.add("unknown setting '" + key + "'" + (suggestion != null ? ": did you mean '" + suggestion
                        + "'?" : "") + " (`discourse-trends options` lists every setting)");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("\n", problems));
        }
    }

    /** The known key closest to {@code key}, if it is close enough to be a typo of it (else null). */
    static String suggest(String key, List<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            int d = EditDistance.levenshtein(key, candidate);
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        return best != null && bestDistance <= 2 && bestDistance * 3 <= best.length() ? best : null;
    }

    private static String resource(String name) {
        try (InputStream in = KnownOptions.class.getResourceAsStream("/" + OptionsReference.DIR + name)) {
            if (in != null) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // A build without the generated resources: fall back to JobOptions, which needs Flink.
        FlinkRuntime.require();
        return switch (name) {
            case OptionsReference.KEYS -> OptionsReference.keys();
            case OptionsReference.MARKDOWN -> JobOptions.describe(true);
            default -> JobOptions.describe(false);
        };
    }
}

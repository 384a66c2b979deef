package io.discoursetrends.ingest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Credentials for the platform APIs: from a file (its first line, so a Kubernetes secret mount works) or from an
 * environment variable. The value is never printed: errors name the variable or the file, not what they hold.
 */
public final class Secrets {
    private Secrets() {}

    /**
     * The secret from {@code file} if given, else from the environment variable {@code env}; null when neither is
     * set and the secret is optional.
     */
    public static String read(Path file, String env, Map<String, String> environment, boolean required) {
        if (file != null) {
            try {
                String s = Files.readString(file, StandardCharsets.UTF_8).lines().findFirst().orElse("").strip();
                if (s.isEmpty()) {
                    throw new IllegalArgumentException("the secret file " + file + " is empty");
                }
                return s;
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read the secret file " + file + ": " + e.getMessage());
            }
        }
        String s = environment.get(env);
        if (s != null && !s.isBlank()) {
            return s.strip();
        }
        if (required) {
            throw new IllegalArgumentException("no credential: set the environment variable " + env
                    + " or give the file option");
        }
        return null;
    }
}

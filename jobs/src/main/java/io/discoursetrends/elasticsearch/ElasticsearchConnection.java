package io.discoursetrends.elasticsearch;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the Elasticsearch cluster is and how to authenticate, shipped with the job graph to every writer.
 *
 * <p>Secrets are never part of this object: it holds the NAMES of the environment variables to read, and the
 * secrets are read where the client is built (on the task managers), so they never travel in the job graph,
 * a savepoint or a log line. For each secret {@code X} the variable {@code X} holds the value, or
 * {@code X_FILE} names a file holding it (Kubernetes secrets mounted as files).
 */
public final class ElasticsearchConnection implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final String API_KEY_ENV = "DISCOURSE_ES_API_KEY";
    public static final String USERNAME_ENV = "DISCOURSE_ES_USERNAME";
    public static final String PASSWORD_ENV = "DISCOURSE_ES_PASSWORD";

    private final ArrayList<String> urls;
    private final String caCertificateFile;
    private final boolean verifyTls;
    /** Tests only: stands in for the process environment; holds {@code *_FILE} paths, never a secret. */
    private final HashMap<String, String> secretFiles;

    public ElasticsearchConnection(List<String> urls, String caCertificateFile, boolean verifyTls) {
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("no Elasticsearch URL given: set es.urls (e.g. http://localhost:9200)");
        }
        for (String u : urls) {
            refuseCredentials(u);
            URI uri;
            try {
                uri = new URI(u);
            } catch (URISyntaxException e) {
                // Not e.getMessage(): it quotes the whole input.
                throw new IllegalArgumentException("Elasticsearch URL '" + redact(u) + "' is not a URL: "
                        + e.getReason() + (e.getIndex() >= 0 ? " at character " + (e.getIndex() + 1) : ""));
            }
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new IllegalArgumentException("Elasticsearch URL '" + redact(u)
                        + "' must look like http://host:9200 or https://host:9200");
            }
        }
        this.urls = new ArrayList<>(urls);
        this.caCertificateFile = caCertificateFile;
        this.verifyTls = verifyTls;
        this.secretFiles = null;
    }

    private ElasticsearchConnection(ElasticsearchConnection base, Map<String, String> secretFiles) {
        this.urls = base.urls;
        this.caCertificateFile = base.caCertificateFile;
        this.verifyTls = base.verifyTls;
        this.secretFiles = new HashMap<>(secretFiles);
    }

    /**
     * A test seam, since a test cannot set environment variables: this connection reads its credentials from
     * {@code secretFiles} (e.g. {@code DISCOURSE_ES_PASSWORD_FILE -> /tmp/x}) instead of the environment. Only
     * {@code *_FILE} entries are accepted, so no secret value ever travels with the job graph.
     */
    ElasticsearchConnection withSecretFilesInsteadOfEnvironment(Map<String, String> secretFiles) {
        for (String name : secretFiles.keySet()) {
            if (!name.endsWith("_FILE")) {
                throw new IllegalArgumentException("only *_FILE variables may stand in for the environment: " + name);
            }
        }
        return new ElasticsearchConnection(this, secretFiles);
    }

    /** Where credentials are read from: the process environment (or, in tests, the secret-file stand-in). */
    Map<String, String> environment() {
        return secretFiles != null ? secretFiles : System.getenv();
    }

    /**
     * Refuses a URL that carries a user name or password ({@code http://user:secret@host:9200}): URLs are printed
     * and logged (es-setup's first line, the job's log), so a secret in one would leak. Says where it goes.
     */
    public static void refuseCredentials(String url) {
        if (!redact(url).equals(url)) {
            throw new IllegalArgumentException("Elasticsearch URL '" + redact(url) + "' carries credentials, which"
                    + " a URL must not (URLs are printed and logged): put them in " + USERNAME_ENV + " and "
                    + PASSWORD_ENV + ", or " + API_KEY_ENV + " (or the same names with _FILE, naming a file)");
        }
    }

    /**
     * The URL with any user information before the host replaced by {@code ***}; also for text that is not a
     * valid URL, since that is what error messages quote. Everything that prints or logs a URL goes through here.
     */
    public static String redact(String url) {
        int scheme = url.indexOf("://");
        int start = scheme < 0 ? 0 : scheme + 3;
        int end = start;
        while (end < url.length() && "/?#".indexOf(url.charAt(end)) < 0) {
            end++;
        }
        int at = end > start ? url.lastIndexOf('@', end - 1) : -1;
        return at < start ? url : url.substring(0, start) + "***" + url.substring(at);
    }

    private static final java.util.regex.Pattern USER_INFO =
            java.util.regex.Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://)[^\\s/?#@'\"]*@");

    /** {@code text} with the user information of every URL in it redacted, for messages that quote input. */
    public static String redactAll(String text) {
        return text == null || text.indexOf('@') < 0 ? text : USER_INFO.matcher(text).replaceAll("$1***@");
    }

    public static ElasticsearchConnection of(String... urls) {
        return new ElasticsearchConnection(List.of(urls), null, true);
    }

    public List<String> urls() {
        return urls;
    }

    public String caCertificateFile() {
        return caCertificateFile;
    }

    public boolean verifyTls() {
        return verifyTls;
    }

    /** The credentials from the environment, or none; read on each call so a rotated file is picked up. */
    Credentials credentials(Map<String, String> env) {
        String apiKey = secret(env, API_KEY_ENV);
        if (apiKey != null) {
            return new Credentials(null, null, apiKey);
        }
        String user = secret(env, USERNAME_ENV);
        String password = secret(env, PASSWORD_ENV);
        if (user != null && password == null || user == null && password != null) {
            throw new IllegalArgumentException("set both " + USERNAME_ENV + " and " + PASSWORD_ENV
                    + " (or their _FILE variants) for basic authentication, or " + API_KEY_ENV + " for an API key");
        }
        return user == null ? Credentials.NONE : new Credentials(user, password, null);
    }

    private static String secret(Map<String, String> env, String name) {
        String value = env.get(name);
        if (value != null && !value.isBlank()) {
            return value.strip();
        }
        String file = env.get(name + "_FILE");
        if (file == null || file.isBlank()) {
            return null;
        }
        try {
            return Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name + "_FILE=" + file + ": " + e.getMessage(), e);
        }
    }

    record Credentials(String username, String password, String apiKey) {
        static final Credentials NONE = new Credentials(null, null, null);

        @Override
        public String toString() {
            return apiKey != null ? "api key" : username != null ? "basic auth as " + username : "no credentials";
        }
    }

    @Override
    public String toString() {
        return "Elasticsearch " + urls.stream().map(ElasticsearchConnection::redact).toList()
                + (caCertificateFile != null ? " (CA " + caCertificateFile + ")" : "");
    }
}

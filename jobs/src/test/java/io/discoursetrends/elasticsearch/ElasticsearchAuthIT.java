package io.discoursetrends.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.discoursetrends.local.LocalElasticsearch;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Credentials against an authenticating proxy in front of a real node: wrong ones fail the job within seconds
 * (not after es.max-retry-time of retries) with a message naming the variables to set and never the secret; right
 * ones, read from DISCOURSE_ES_*_FILE files, index the documents. es-setup behaves the same way.
 */
class ElasticsearchAuthIT {
    private static final long DOCUMENTS = 2_000;
    private static final String PASSWORD = "correct-horse-battery-staple";
    private static final String API_KEY = "VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==";
    private static final Duration FAST = Duration.ofSeconds(30);

    private static LocalElasticsearch es;
    private static AuthenticatingProxy proxy;

    @TempDir
    static Path secrets;

    @BeforeAll
    static void start() throws Exception {
        es = LocalElasticsearch.launch();
        proxy = new AuthenticatingProxy(es.httpUrl(), Map.of("writer", PASSWORD, "reader", PASSWORD),
                List.of(API_KEY), List.of("reader"));
        GeneratedDocuments.createTemplate(es.httpUrl(), "auth-it");
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (es != null) {
            es.close();
        }
    }

    @Test
    void shouldFailFastOnAWrongPasswordNamingTheVariablesButNotTheSecret() throws Exception {
        String failure = runExpectingFailure("wrong-password", basicAuth("writer", "not-the-" + PASSWORD));
        assertThat(failure).contains("Elasticsearch refused the credentials (401; the sink used basic auth as writer). "
                + "Set DISCOURSE_ES_API_KEY, or DISCOURSE_ES_USERNAME and DISCOURSE_ES_PASSWORD (or the same names "
                + "with _FILE naming a file that holds the value) to valid credentials on every task manager.");
        assertThat(failure).doesNotContain(PASSWORD).doesNotContain("not-the-");
    }

    @Test
    void shouldFailFastOnAWrongApiKeyWithoutShowingIt() throws Exception {
        String failure = runExpectingFailure("wrong-key", apiKey("d3Jvbmcta2V5LXZhbHVlLTEyMzQ1"));
        assertThat(failure).contains("Elasticsearch refused the credentials (401; the sink used api key)")
                .contains("DISCOURSE_ES_API_KEY")
                .doesNotContain("d3Jvbmcta2V5LXZhbHVlLTEyMzQ1");
    }

    @Test
    void shouldFailFastWithoutCredentialsSayingNoneWereSet() throws Exception {
        String failure = runExpectingFailure("none", Map.of());
        assertThat(failure).contains("Elasticsearch refused the credentials (401; the sink used no credentials)");
    }

    @Test
    void shouldFailFastWhenTheUserMayNotWrite() throws Exception {
        String failure = runExpectingFailure("reader", basicAuth("reader", PASSWORD));
        assertThat(failure).contains("Elasticsearch denied the request (403; the sink used basic auth as reader)")
                .contains("'index' and 'create_index' privileges")
                .doesNotContain(PASSWORD);
    }

    @Test
    void shouldIndexWithTheRightPasswordFromFiles() throws Exception {
        run("right-password", basicAuth("writer", PASSWORD));
        GeneratedDocuments.assertIndexHoldsExactly(es.httpUrl(), "auth-it", DOCUMENTS);
    }

    @Test
    void shouldIndexWithTheRightApiKeyFromAFile() throws Exception {
        run("right-key", apiKey(API_KEY));
        GeneratedDocuments.assertIndexHoldsExactly(es.httpUrl(), "auth-it", DOCUMENTS);
    }

    @Test
    void esSetupShouldSayWhatToFixOnWrongCredentialsAndInstallWithRightOnes() throws Exception {
        ElasticsearchConnection wrong = ElasticsearchConnection.of(proxy.url())
                .withSecretFilesInsteadOfEnvironment(apiKey("d3Jvbmc="));
        assertThatThrownBy(() -> EsSetup.run(wrong, Map.of(), new PrintWriter(new StringWriter())))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("Elasticsearch refused the credentials (401). Set DISCOURSE_ES_API_KEY, or "
                        + "DISCOURSE_ES_USERNAME and DISCOURSE_ES_PASSWORD")
                .message().doesNotContain("d3Jvbmc=");

        StringWriter out = new StringWriter();
        ElasticsearchConnection right = ElasticsearchConnection.of(proxy.url())
                .withSecretFilesInsteadOfEnvironment(basicAuth("writer", PASSWORD));
        EsSetup.run(right, Map.of(), new PrintWriter(out));
        for (String kind : IndexManagement.KINDS) {
            assertThat(out.toString()).contains("index template " + kind + ": ");
        }
    }

    // ---- helpers

    private static Map<String, String> basicAuth(String user, String password) throws Exception {
        Map<String, String> files = new HashMap<>();
        files.put("DISCOURSE_ES_USERNAME_FILE", Files.writeString(Files.createTempFile(secrets, "user", ""), user).toString());
        files.put("DISCOURSE_ES_PASSWORD_FILE",
                Files.writeString(Files.createTempFile(secrets, "password", ""), password + "\n").toString());
        return files;
    }

    private static Map<String, String> apiKey(String key) throws Exception {
        return Map.of("DISCOURSE_ES_API_KEY_FILE",
                Files.writeString(Files.createTempFile(secrets, "key", ""), key).toString());
    }

    /** Runs the sink through the proxy with these secret files; es.max-retry-time is 5 minutes. */
    private static void run(String name, Map<String, String> secretFiles) throws Exception {
        Configuration config = new Configuration();
        config.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = GeneratedDocuments.environment(config);
        ElasticsearchConnection connection = ElasticsearchConnection.of(proxy.url())
                .withSecretFilesInsteadOfEnvironment(secretFiles);
        BulkSettings bulk = new BulkSettings(500, 5L << 20, Duration.ofSeconds(1), Duration.ofMillis(100),
                Duration.ofSeconds(10), Duration.ofMinutes(5));
        GeneratedDocuments.pipeline(env, DOCUMENTS, "auth-" + name,
                new ElasticsearchSink<>(connection, new GeneratedDocuments("auth-it"), bulk));
        env.execute("elasticsearch-auth-it-" + name);
    }

    /** Runs, expects the job to fail within {@link #FAST}, returns the whole failure (messages and traces). */
    private static String runExpectingFailure(String name, Map<String, String> secretFiles) {
        long started = System.nanoTime();
        Throwable failure = null;
        try {
            run(name, secretFiles);
        } catch (Exception e) {
            failure = e;
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertThat(failure).as("the job should have failed").isNotNull();
        assertThat(took).as("time to fail (retrying would take minutes)").isLessThan(FAST);
        System.out.printf("ElasticsearchAuthIT: %s failed after %.1f s%n", name, took.toMillis() / 1e3);
        return ExceptionUtils.stringifyException(failure);
    }
}

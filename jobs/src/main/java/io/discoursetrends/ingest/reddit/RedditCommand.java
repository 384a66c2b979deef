package io.discoursetrends.ingest.reddit;

import io.discoursetrends.ingest.Backoff;
import io.discoursetrends.ingest.BridgeOptions;
import io.discoursetrends.ingest.BridgeRunner;
import io.discoursetrends.ingest.HttpJson;
import io.discoursetrends.ingest.IngestTopics;
import io.discoursetrends.ingest.Secrets;
import io.discoursetrends.model.Platform;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code discourse-trends bridge reddit} (see {@link RedditBridge}). */
@Command(name = "reddit", mixinStandardHelpOptions = true,
        description = "Polls the new posts and comments of subreddits (OAuth, client credentials) into the Reddit"
                + " topic, re-polling tracked ones for score and comment changes.")
public final class RedditCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    BridgeOptions options;

    @Option(names = "--subreddits", required = true, split = ",", paramLabel = "NAME",
            description = "Subreddits to read, without r/ (comma-separated).")
    List<String> subreddits;

    @Option(names = "--client-id-file", paramLabel = "FILE",
            description = "The OAuth client id (first line); default: the environment variable REDDIT_CLIENT_ID.")
    Path clientIdFile;

    @Option(names = "--client-secret-file", paramLabel = "FILE",
            description = "The OAuth client secret (first line); default: REDDIT_CLIENT_SECRET.")
    Path clientSecretFile;

    @Option(names = "--user-agent", paramLabel = "TEXT", required = true,
            description = "Reddit asks for '<platform>:<app id>:<version> (by /u/<username>)'.")
    String userAgent;

    @Option(names = "--auth-url", defaultValue = "https://www.reddit.com/api/v1/access_token", paramLabel = "URL",
            description = "Token endpoint (default ${DEFAULT-VALUE}).")
    URI authUrl;

    @Option(names = "--api-url", defaultValue = "https://oauth.reddit.com/", paramLabel = "URL",
            description = "API base (default ${DEFAULT-VALUE}).")
    URI apiUrl;

    @Option(names = "--poll-interval", defaultValue = "PT30S", paramLabel = "DURATION",
            description = "How often to read the new listings (default ${DEFAULT-VALUE}).")
    Duration pollInterval;

    @Option(names = "--refresh-interval", defaultValue = "PT5M", paramLabel = "DURATION",
            description = "How often to re-poll tracked things (default ${DEFAULT-VALUE}).")
    Duration refreshInterval;

    @Option(names = "--max-tracked", defaultValue = "1000", paramLabel = "N",
            description = "How many of the things sent last are re-polled (default ${DEFAULT-VALUE}).")
    int maxTracked;

    @Override
    public Integer call() throws InterruptedException {
        var settings = options.settings(IngestTopics.rawTopic(Platform.REDDIT), Platform.REDDIT.id());
        String id = Secrets.read(clientIdFile, "REDDIT_CLIENT_ID", System.getenv(), true);
        String secret = Secrets.read(clientSecretFile, "REDDIT_CLIENT_SECRET", System.getenv(), true);
        Duration maxBackoff = options.maxBackoff;
        var bridge = new RedditBridge(authUrl, apiUrl, subreddits, id, secret, pollInterval, refreshInterval,
                maxTracked, context -> new HttpJson(context, new Backoff(Duration.ofMillis(500), maxBackoff),
                        Duration.ofSeconds(30), userAgent));
        return BridgeRunner.run(bridge, settings, options.progressInterval, spec.commandLine().getErr());
    }
}

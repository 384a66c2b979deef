package io.discoursetrends.ingest.mastodon;

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
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code discourse-trends bridge mastodon} (see {@link MastodonBridge}). */
@Command(name = "mastodon", mixinStandardHelpOptions = true,
        description = "Streams a Mastodon timeline (server-sent events) into the Mastodon topic, catching up over"
                + " REST after a disconnect or restart, and re-fetches tracked statuses so their counters move.")
public final class MastodonCommand implements Callable<Integer> {

    /** Where the access token comes from when no --token-file is given. */
    public static final String TOKEN_ENV = "MASTODON_ACCESS_TOKEN";

    @Spec
    CommandSpec spec;

    @Mixin
    BridgeOptions options;

    @Option(names = "--instance", required = true, paramLabel = "URL",
            description = "The instance's base URL, e.g. https://mastodon.social/.")
    URI instance;

    @Option(names = "--streaming-url", paramLabel = "URL",
            description = "Where the instance serves its streaming API, if not at --instance (GET /api/v2/instance:"
                    + " configuration.urls.streaming).")
    URI streamingUrl;

    @Option(names = "--timeline", paramLabel = "NAME", defaultValue = "public",
            description = "public, public:local, public:remote, hashtag or hashtag:local (default ${DEFAULT-VALUE}).")
    String timeline;

    @Option(names = "--tag", paramLabel = "TAG", description = "The hashtag (without #) of a hashtag timeline.")
    String tag;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "An access token with read:statuses (first line); default: the environment variable "
                    + TOKEN_ENV + "; without either the bridge reads anonymously.")
    Path tokenFile;

    @Option(names = "--refresh-interval", defaultValue = "PT5M", paramLabel = "DURATION",
            description = "How often to re-fetch tracked statuses (default ${DEFAULT-VALUE}).")
    Duration refreshInterval;

    @Option(names = "--max-tracked", defaultValue = "1000", paramLabel = "N",
            description = "How many of the statuses sent last are re-fetched (default ${DEFAULT-VALUE}).")
    int maxTracked;

    @Option(names = "--rewind", defaultValue = "PT1M", paramLabel = "DURATION",
            description = "How far before the newest status sent a catch-up starts (default ${DEFAULT-VALUE});"
                    + " what was already sent is dropped.")
    Duration rewind;

    @Option(names = "--catch-up-pages", defaultValue = "25", paramLabel = "N",
            description = "At most this many REST pages of 40 statuses per catch-up (default ${DEFAULT-VALUE};"
                    + " 0: none).")
    int catchUpPages;

    @Option(names = "--idle-timeout", paramLabel = "DURATION", defaultValue = "PT60S",
            description = "Reconnect when nothing, not even a heartbeat, arrives for this long"
                    + " (default ${DEFAULT-VALUE}).")
    Duration idleTimeout;

    @Override
    public Integer call() throws InterruptedException {
        MastodonBridge.Timeline t = MastodonBridge.Timeline.of(timeline);
        if (t.needsTag == (tag == null || tag.isBlank())) {
            throw new IllegalArgumentException(t.needsTag ? "--timeline " + timeline + " needs --tag"
                    : "--tag is only for the hashtag timelines (--timeline hashtag or hashtag:local)");
        }
        for (URI u : new URI[] {instance, streamingUrl}) {
            if (u != null && !"https".equals(u.getScheme()) && !"http".equals(u.getScheme())) {
                throw new IllegalArgumentException("--instance and --streaming-url must be http(s) URLs, got " + u);
            }
        }
        if (maxTracked < 0 || catchUpPages < 0) {
            throw new IllegalArgumentException("--max-tracked and --catch-up-pages must not be negative");
        }
        var settings = options.settings(IngestTopics.rawTopic(Platform.MASTODON), Platform.MASTODON.id());
        String token = Secrets.read(tokenFile, TOKEN_ENV, System.getenv(), false);
        Duration maxBackoff = options.maxBackoff;
        var bridge = new MastodonBridge(instance, streamingUrl, t, tag == null ? null : tag.strip().replace("#", ""),
                token, refreshInterval, maxTracked, rewind, catchUpPages, idleTimeout,
                new Backoff(Duration.ofMillis(500), maxBackoff),
                context -> new HttpJson(context, new Backoff(Duration.ofMillis(500), maxBackoff),
                        Duration.ofSeconds(30), "discourse-trends bridge"));
        return BridgeRunner.run(bridge, settings, options.progressInterval, spec.commandLine().getErr());
    }
}

package io.discoursetrends.ingest.bluesky;

import io.discoursetrends.ingest.Backoff;
import io.discoursetrends.ingest.BridgeOptions;
import io.discoursetrends.ingest.BridgeRunner;
import io.discoursetrends.ingest.IngestTopics;
import io.discoursetrends.model.Platform;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code discourse-trends bridge bluesky}: Jetstream into the Bluesky topic (see {@link JetstreamBridge}). */
@Command(name = "bluesky", mixinStandardHelpOptions = true,
        description = "Reads Bluesky's Jetstream (WebSocket) into the Bluesky topic until stopped.")
public final class JetstreamCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    BridgeOptions options;

    @Option(names = "--url", paramLabel = "WS-URL",
            defaultValue = "wss://jetstream2.us-east.bsky.network/subscribe",
            description = "Jetstream's subscribe endpoint (default ${DEFAULT-VALUE}).")
    URI url;

    @Option(names = "--collections", split = ",", paramLabel = "NSID",
            defaultValue = "app.bsky.feed.post,app.bsky.feed.like,app.bsky.feed.repost",
            description = "wantedCollections (default ${DEFAULT-VALUE}).")
    List<String> collections;

    @Option(names = "--rewind", paramLabel = "DURATION", defaultValue = "PT3S",
            description = "How far before the cursor a reconnect asks to replay from (default ${DEFAULT-VALUE});"
                    + " what was already sent is dropped.")
    Duration rewind;

    @Option(names = "--start", paramLabel = "now|INSTANT|TIME_US", defaultValue = "now",
            description = "Where a bridge without a saved cursor starts (default ${DEFAULT-VALUE}: live).")
    String start;

    @Option(names = "--idle-timeout", paramLabel = "DURATION", defaultValue = "PT60S",
            description = "Reconnect when nothing arrives for this long (default ${DEFAULT-VALUE}).")
    Duration idleTimeout;

    @Override
    public Integer call() throws InterruptedException {
        if (!"ws".equals(url.getScheme()) && !"wss".equals(url.getScheme())) {
            throw new IllegalArgumentException("--url must be a ws:// or wss:// URL, got " + url);
        }
        var settings = options.settings(IngestTopics.rawTopic(Platform.BLUESKY), Platform.BLUESKY.id());
        var bridge = new JetstreamBridge(url, collections, rewind, startCursor(start), idleTimeout,
                new Backoff(Duration.ofMillis(500), options.maxBackoff));
        return BridgeRunner.run(bridge, settings, options.progressInterval, spec.commandLine().getErr());
    }

    static Long startCursor(String start) {
        if ("now".equals(start)) {
            return null;
        }
        try {
            return Long.parseLong(start);
        } catch (NumberFormatException notMicros) {
            try {
                Instant t = Instant.parse(start);
                return t.getEpochSecond() * 1_000_000 + t.getNano() / 1000;
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("--start must be 'now', an ISO-8601 instant or a time_us, got "
                        + start);
            }
        }
    }
}

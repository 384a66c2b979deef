package io.discoursetrends.ingest.hackernews;

import io.discoursetrends.ingest.Backoff;
import io.discoursetrends.ingest.BridgeOptions;
import io.discoursetrends.ingest.BridgeRunner;
import io.discoursetrends.ingest.HttpJson;
import io.discoursetrends.ingest.IngestTopics;
import io.discoursetrends.model.Platform;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code discourse-trends bridge hackernews} (see {@link HackerNewsBridge}). */
@Command(name = "hackernews", mixinStandardHelpOptions = true,
        description = "Polls Hacker News's Firebase API (new items and the updates feed) into its topic.")
public final class HackerNewsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    BridgeOptions options;

    @Option(names = "--url", paramLabel = "URL", defaultValue = "https://hacker-news.firebaseio.com/v0/",
            description = "The API's base (default ${DEFAULT-VALUE}).")
    URI url;

    @Option(names = "--start-id", paramLabel = "ID",
            description = "The first item id of a bridge without a saved cursor (default: only items newer than"
                    + " maxitem at start).")
    Long startId;

    @Option(names = "--poll-interval", paramLabel = "DURATION", defaultValue = "PT10S",
            description = "How often to look for new items (default ${DEFAULT-VALUE}).")
    Duration pollInterval;

    @Option(names = "--updates-interval", paramLabel = "DURATION", defaultValue = "PT60S",
            description = "How often to re-fetch the items of updates.json (default ${DEFAULT-VALUE}).")
    Duration updatesInterval;

    @Override
    public Integer call() throws InterruptedException {
        var settings = options.settings(IngestTopics.rawTopic(Platform.HACKERNEWS), Platform.HACKERNEWS.id());
        Duration maxBackoff = options.maxBackoff;
        var bridge = new HackerNewsBridge(url, startId, pollInterval, updatesInterval,
                context -> new HttpJson(context, new Backoff(Duration.ofMillis(500), maxBackoff),
                        Duration.ofSeconds(30), "discourse-trends bridge"));
        return BridgeRunner.run(bridge, settings, options.progressInterval, spec.commandLine().getErr());
    }
}

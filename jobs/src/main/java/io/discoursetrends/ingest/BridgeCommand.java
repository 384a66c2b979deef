package io.discoursetrends.ingest;

import io.discoursetrends.ingest.bluesky.JetstreamCommand;
import io.discoursetrends.ingest.hackernews.HackerNewsCommand;
import io.discoursetrends.ingest.mastodon.MastodonCommand;
import io.discoursetrends.ingest.reddit.RedditCommand;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code discourse-trends bridge PLATFORM}: the live ingest bridges (README "Ingest bridges"). */
@Command(
        name = "bridge",
        mixinStandardHelpOptions = true,
        description = "Reads a platform's live public stream into its Kafka topic, resuming after a restart"
                + " without loss or duplicates (for read_committed consumers such as the job).",
        subcommands = {
            JetstreamCommand.class,
            RedditCommand.class,
            HackerNewsCommand.class,
            MastodonCommand.class,
            CommandLine.HelpCommand.class
        })
public final class BridgeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing required subcommand");
    }
}

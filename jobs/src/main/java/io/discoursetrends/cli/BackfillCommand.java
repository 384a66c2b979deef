package io.discoursetrends.cli;

import io.discoursetrends.job.Backfill;
import io.discoursetrends.job.FlinkRuntime;
import io.discoursetrends.job.JobConfiguration;
import io.discoursetrends.model.Platform;
import io.discoursetrends.replay.FileReplay;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "backfill", mixinStandardHelpOptions = true,
        description = {"Run the trends job over history, bounded, in Flink's batch execution mode: JSON Lines "
                + "recordings (as `replay` takes them) or an offset range of the raw topics, into the same "
                + "Elasticsearch documents a streaming run over the same records writes.",
                "Everything else as `run`: the settings (--conf, -D), the sinks, the control topics (read to "
                + "their end). Nothing is late in a backfill, and there are no early results."})
final class BackfillCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    What what;

    static final class What {
        @Option(names = "--files", paramLabel = "[PLATFORM=]FILE", arity = "1..*",
                description = "Recordings; the platform from the PLATFORM= prefix or the file name's start.")
        List<String> files;

        @Option(names = "--kafka-offsets", paramLabel = "TOPIC:PARTITION:FROM-TO", arity = "1..*",
                description = "Offset ranges of the raw topics, TO exclusive, e.g. discourse.raw.reddit:0:0-50000.")
        List<String> offsets;
    }

    @Option(names = "--conf", paramLabel = "FILE", description = "Java properties file of settings.")
    Path conf;

    @Option(names = "-D", paramLabel = "KEY=VALUE", mapFallbackValue = "",
            description = "Override one setting, e.g. -Des.urls=http://es:9200.")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        FlinkRuntime.require();
        Backfill.Input input;
        if (what.files != null) {
            Map<Platform, List<Path>> files = new EnumMap<>(Platform.class);
            for (FileReplay.Input in : ReplayCommand.inputs(what.files, null)) {
                files.computeIfAbsent(in.platform(), p -> new ArrayList<>()).add(in.file());
            }
            input = Backfill.Input.files(files);
        } else {
            input = Backfill.Input.offsets(Backfill.parseOffsets(what.offsets));
        }
        long t0 = System.nanoTime();
        var result = Backfill.run(JobConfiguration.load(conf, overrides), input, "discourse-trends backfill");
        spec.commandLine().getOut().printf("backfill finished in %.1f s (job %s)%n", (System.nanoTime() - t0) / 1e9,
                result.getJobID());
        return 0;
    }
}

package io.discoursetrends.cli;

import io.discoursetrends.job.FlinkRuntime;
import io.discoursetrends.job.JobConfiguration;
import io.discoursetrends.job.TrendsJobRunner;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run the trends job: raw platform topics in Kafka -> normalize -> per-platform buckets -> "
                + "Elasticsearch, with dead letters and late events to Kafka.",
                "Submit the jar to a Flink cluster with this subcommand as its arguments, or run it locally "
                + "with Flink on the classpath. `discourse-trends options` lists every setting."})
final class RunCommand implements Callable<Integer> {

    @Option(names = "--conf", paramLabel = "FILE", description = "Java properties file of settings.")
    Path conf;

    @Option(names = "-D", paramLabel = "KEY=VALUE", mapFallbackValue = "",
            description = "Override one setting, e.g. -Des.urls=http://es:9200 or -Dkafka.bounded=true.")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        FlinkRuntime.require();
        TrendsJobRunner.run(JobConfiguration.load(conf, overrides), "discourse-trends");
        return 0;
    }
}

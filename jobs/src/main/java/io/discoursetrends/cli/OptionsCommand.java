package io.discoursetrends.cli;

import io.discoursetrends.job.FlinkRuntime;
import io.discoursetrends.job.JobOptions;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "options", mixinStandardHelpOptions = true,
        description = "List every setting of the job with its default and meaning.")
final class OptionsCommand implements Callable<Integer> {

    @Option(names = "--markdown", description = "Print a Markdown table (the README's configuration reference).")
    boolean markdown;

    @Override
    public Integer call() {
        FlinkRuntime.require();
        System.out.print(JobOptions.describe(markdown));
        return 0;
    }
}

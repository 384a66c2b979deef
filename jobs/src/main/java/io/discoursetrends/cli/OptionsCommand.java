package io.discoursetrends.cli;

import io.discoursetrends.job.KnownOptions;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "options", mixinStandardHelpOptions = true,
        description = "List every setting of the job with its default and meaning.")
final class OptionsCommand implements Callable<Integer> {

    @Option(names = "--markdown", description = "Print a Markdown table (the README's configuration reference).")
    boolean markdown;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        // From the list the build wrote (KnownOptions): works from `java -jar`, without Flink.
        spec.commandLine().getOut().print(KnownOptions.describe(markdown));
        spec.commandLine().getOut().flush();
        return 0;
    }
}

package io.discoursetrends.cli;

import io.discoursetrends.replay.ByteLines;
import io.discoursetrends.model.CanonicalEvent;
import io.discoursetrends.model.Platform;
import io.discoursetrends.normalize.CanonicalJson;
import io.discoursetrends.normalize.NormalizeResult;
import io.discoursetrends.normalize.Normalizer;
import io.discoursetrends.normalize.Normalizers;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Runs one platform's normalizer over a JSON Lines file, exactly as the job does over the platform's Kafka
 * topic: the way to see what a record becomes, or why a dead letter was refused.
 */
@Command(
        name = "normalize",
        mixinStandardHelpOptions = true,
        description = {
            "Normalizes raw platform records (JSON Lines, one record per line as on the platform's Kafka topic)"
                    + " into canonical events, written as JSON Lines to standard output.",
            "Each malformed line is reported on standard error as 'line K: <reason>' and does not stop the run;"
                    + " blank lines are skipped. The last line on standard error is",
            "  records=N posts=P engagement=E ignored=I malformed=M"
        },
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:the file was read (whatever its records held)", "1:the file cannot be read",
            "2:usage error (e.g. an unknown platform)"})
final class NormalizeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-p", "--platform"}, required = true, converter = PlatformConverter.class,
            completionCandidates = PlatformConverter.Names.class,
            description = "The platform the records come from: ${COMPLETION-CANDIDATES}.")
    Platform platform;

    @Parameters(index = "0", paramLabel = "FILE", description = "JSON Lines file of raw records ('-' for stdin).")
    Path file;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Normalizer normalizer = Normalizers.forPlatform(platform);
        long records = 0;
        long posts = 0;
        long engagement = 0;
        long ignored = 0;
        long malformed = 0;
        try (InputStream in = Inputs.open(file)) {
            ByteLines lines = new ByteLines(in, (int) CanonicalJson.MAX_RECORD_BYTES);
            for (ByteLines.Line line = lines.next(); line != null; line = lines.next()) {
                if (!line.tooLong() && line.isBlank()) {
                    continue;
                }
                records++;
                NormalizeResult r = line.tooLong()
                        ? NormalizeResult.malformed("record longer than " + CanonicalJson.MAX_RECORD_BYTES + " bytes")
                        : normalizer.normalize(line.bytes());
                if (r.isMalformed()) {
                    malformed++;
                    out.flush(); // keep stdout and stderr in order when both go to a terminal
                    err.println("line " + line.number() + ": " + r.malformedReason());
                } else if (r.isIgnored()) {
                    ignored++;
                } else {
                    for (CanonicalEvent e : r.events()) {
                        if (e.isPost()) {
                            posts++;
                        } else {
                            engagement++;
                        }
                        out.write(CanonicalJson.write(e));
                        out.write('\n');
                    }
                }
            }
        } catch (IOException e) {
            out.flush();
            err.println("cannot read " + file + ": " + Inputs.describe(e));
            return 1;
        }
        out.flush();
        err.println("records=" + records + " posts=" + posts + " engagement=" + engagement + " ignored=" + ignored
                + " malformed=" + malformed);
        return 0;
    }
}

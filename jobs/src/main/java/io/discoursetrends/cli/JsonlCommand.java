package io.discoursetrends.cli;

import io.discoursetrends.replay.ByteLines;
import io.discoursetrends.model.Platform;
import io.discoursetrends.normalize.RecordSplitter;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Turns a saved API response into the JSON Lines an ingest bridge would put on Kafka, so that
 * {@code jsonl --platform P response.json > records.jsonl && normalize --platform P records.jsonl} works.
 */
@Command(
        name = "jsonl",
        mixinStandardHelpOptions = true,
        description = {
            "Splits a platform API response into raw records, one JSON document per line on standard output:",
            "  reddit: a Listing or an array of Listings (comment trees walked) -> each thing",
            "  mastodon: a status, an array of statuses, a context or search results -> each status",
            "  hackernews: an item or an array of items -> each item",
            "  bluesky: Jetstream JSON Lines -> each line, unchanged",
            "Notes on skipped content go to standard error, then a last line 'records=N'."
        },
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:done", "1:the file cannot be read or is not JSON", "2:usage error"})
final class JsonlCommand implements Callable<Integer> {

    /** A Jetstream capture can be large: stream it rather than hold it. Responses are read whole. */
    private static final int MAX_LINE_BYTES = 64 * 1024 * 1024;

    @Spec
    CommandSpec spec;

    @Option(names = {"-p", "--platform"}, required = true, converter = PlatformConverter.class,
            completionCandidates = PlatformConverter.Names.class,
            description = "The platform the response comes from: ${COMPLETION-CANDIDATES}.")
    Platform platform;

    @Parameters(index = "0", paramLabel = "FILE", description = "The saved API response ('-' for stdin).")
    Path file;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        long records = 0;
        try (InputStream in = Inputs.open(file)) {
            if (platform == Platform.BLUESKY) {
                records = copyLines(in, out);
            } else {
                RecordSplitter.Split split;
                try {
                    split = new RecordSplitter().split(platform, in.readAllBytes());
                } catch (IllegalArgumentException e) {
                    err.println(file + " is not a " + platform.id() + " API response: " + e.getMessage());
                    return 1;
                }
                for (String r : split.records()) {
                    out.write(r);
                    out.write('\n');
                }
                records = split.records().size();
                out.flush();
                for (String note : split.notes()) {
                    err.println("note: " + note);
                }
            }
        } catch (IOException e) {
            out.flush();
            err.println("cannot read " + file + ": " + Inputs.describe(e));
            return 1;
        }
        out.flush();
        err.println("records=" + records);
        return 0;
    }

    /**
     * Bluesky lines are copied as they are. Output is text, so a line with invalid UTF-8 (which Jetstream
     * never sends) comes out with U+FFFD in place of the bad bytes.
     */
    private static long copyLines(InputStream in, PrintWriter out) throws IOException {
        long n = 0;
        ByteLines lines = new ByteLines(in, MAX_LINE_BYTES);
        for (ByteLines.Line line = lines.next(); line != null; line = lines.next()) {
            if (line.tooLong()) {
                throw new IOException("line " + line.number() + " is longer than " + MAX_LINE_BYTES + " bytes");
            }
            if (line.isBlank()) {
                continue;
            }
            out.write(new String(line.bytes(), StandardCharsets.UTF_8));
            out.write('\n');
            n++;
        }
        return n;
    }
}

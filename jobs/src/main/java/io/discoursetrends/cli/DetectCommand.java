package io.discoursetrends.cli;

import io.discoursetrends.spikes.DetectorSettings;
import io.discoursetrends.spikes.Step;
import io.discoursetrends.spikes.Transition;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code discourse-trends detect}: the streaming job's spike detector, with its shipped defaults, over a CSV
 * series, for backtests (docs/spikes.md scores it on the NAB files this way). It loads no Flink class, so it runs
 * from {@code java -jar}.
 *
 * <p>The file is read whole first ({@link Series}: checked, sorted, repeated times merged; nothing is written if a
 * row is wrong), then the detector runs over its buckets and every bucket is written with its score. Timestamps
 * carry no zone; they are taken as UTC, so the detector's hour-of-day and day-of-week rhythm is that of the file's
 * clock.
 */
@Command(
        name = "detect",
        mixinStandardHelpOptions = true,
        description = {
            "Runs the spike detector (the streaming job's, with its shipped defaults) over a series and writes every"
                    + " bucket back with its score and whether a spike opened there.",
            "Input: CSV with the header 'timestamp,value', timestamps 'YYYY-MM-DD HH:MM:SS' (taken as UTC). Rows out"
                    + " of order are sorted; rows with the same timestamp are one bucket (their mean, or their sum"
                    + " with --merge SUM). Values may be fractional or negative: such a series is a measurement"
                    + " (no Poisson floor, no count minimums); whole numbers >= 0 are counts.",
            "The bucket size is the most common step between timestamps (or --bucket). A gap is zeros for a"
                    + " count series on the bucket grid (as in the job: nobody posted) and unknown otherwise (the"
                    + " next row is the next bucket); --gaps says which. Refused, with FILE:LINE: a row that is not"
                    + " 'timestamp,value', a bad timestamp, a value that is not a finite number.",
            "Output: 'timestamp,value,score,spike,drop', one row per bucket in time order; spike is 1 on the row at"
                    + " which a spike opens, else 0; drop is 1 where the series fell below its baseline (abruptly or"
                    + " for long; reported once per fall, and a fall that one row alone shows at the next row, if"
                    + " that one is still down); score is the row's excess over its baseline in noise"
                    + " units (negative below it).",
            "A one-line summary goes to standard error (with --spikes, one more line per spike)."
        },
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:done", "2:the input is missing or malformed (FILE:LINE: what is wrong), or a usage error"})
final class DetectCommand implements Callable<Integer> {
    static final String HEADER = Series.HEADER;
    static final String OUTPUT_HEADER = "timestamp,value,score,spike,drop";
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss", Locale.ROOT).withZone(ZoneOffset.UTC);

    /** What a gap between two rows means. */
    enum Gaps { AUTO, ZERO, UNKNOWN }

    @Spec
    CommandSpec spec;

    @Option(names = {"-i", "--input"}, required = true, paramLabel = "SERIES.csv",
            description = "The series ('-' for standard input).")
    Path input;

    @Option(names = {"-o", "--output"}, paramLabel = "OUT.csv", defaultValue = "-",
            description = "Where to write the scored rows ('-', the default, for standard output). A file is"
                    + " written whole or not at all.")
    Path output;

    @Option(names = "--bucket", paramLabel = "DURATION",
            description = "The bucket size, ISO-8601 (e.g. PT5M), instead of inferring it from the timestamps.")
    Duration bucket;

    @Option(names = "--merge", paramLabel = "MEAN|SUM", defaultValue = "MEAN",
            description = "How rows with the same timestamp become one bucket: MEAN (the default: a row exported"
                    + " twice stays what it was) or SUM (a bucket split over rows).")
    Series.Merge merge;

    @Option(names = "--gaps", paramLabel = "AUTO|ZERO|UNKNOWN", defaultValue = "AUTO",
            description = "What missing buckets are: ZERO (counts: nothing happened), UNKNOWN (not measured: the"
                    + " next row is the next bucket), or AUTO (the default): ZERO for whole numbers >= 0 whose"
                    + " every step is a whole number of buckets, else UNKNOWN.")
    Gaps gaps;

    @Option(names = "--spikes", description = "Also list each spike on standard error: start, opening row, peak,"
            + " end, ratio and severity.")
    boolean listSpikes;

    @Override
    public Integer call() {
        if (bucket != null && (bucket.isNegative() || bucket.isZero() || bucket.toMillis() == 0)) {
            throw new IllegalArgumentException("--bucket must be a positive duration of at least 1 ms, got " + bucket);
        }
        PrintWriter err = spec.commandLine().getErr();
        byte[] stdin = null;
        if (isDash(input)) {
            try {
                stdin = System.in.readAllBytes();
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read standard input: " + Inputs.describe(e));
            }
        }
        Series series;
        try (BufferedReader r = open(stdin)) {
            series = Series.read(r, input.toString(), merge);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + input + ": " + Inputs.describe(e));
        }
        if (bucket == null && series.bucketMillis() < 0) {
            throw new IllegalArgumentException(input
                    + ": one row is not enough to infer the bucket size: pass --bucket");
        }
        long bucketMillis = bucket != null ? bucket.toMillis() : series.bucketMillis();
        boolean zeroGaps = gaps == Gaps.ZERO || gaps == Gaps.AUTO && series.gapsAreZeroByDefault(bucketMillis);
        Step[] steps = Backtest.run(series, DetectorSettings.DEFAULTS, bucketMillis, zeroGaps);
        if (isDash(output)) {
            PrintWriter out = spec.commandLine().getOut();
            write(series, steps, out, err);
            out.flush();
        } else {
            writeFile(series, steps, err);
        }
        long spikes = 0;
        for (Step s : steps) {
            if (s.opened()) {
                spikes++;
            }
        }
        long offGrid = bucket == null ? series.offGrid() : series.offGrid(bucketMillis);
        StringBuilder summary = new StringBuilder("detect: ").append(series.rows()).append(" rows");
        if (series.merged() > 0) {
            summary.append(" (").append(series.size()).append(" buckets after merging ").append(series.merged())
                    .append(" repeated timestamps)");
        }
        summary.append(", ").append(describe(bucketMillis)).append(" buckets")
                .append(bucket == null ? " (inferred)" : "").append(", ").append(spikes)
                .append(spikes == 1 ? " spike" : " spikes");
        if (series.outOfOrder() > 0) {
            summary.append("; ").append(series.outOfOrder()).append(" rows out of order, sorted");
        }
        if (offGrid > 0) {
            summary.append("; ").append(offGrid).append(" rows are not a whole number of buckets after the previous"
                    + " one");
        }
        if (!series.counts()) {
            summary.append("; a measurement (fractional or negative values)");
        }
        if (!zeroGaps && (series.gaps() > 0 || offGrid > 0)) {
            summary.append("; gaps taken as unknown");
        }
        err.println(summary);
        err.flush();
        return 0;
    }

    private void writeFile(Series series, Step[] steps, PrintWriter err) {
        Path target = output.toAbsolutePath();
        Path dir = target.getParent();
        Path tmp;
        try {
            tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot write " + output + ": " + Inputs.describe(e));
        }
        try {
            try (Writer w = new BufferedWriter(Files.newBufferedWriter(tmp, StandardCharsets.UTF_8), 1 << 16)) {
                write(series, steps, w, err);
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot write " + output + ": " + Inputs.describe(e));
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // best effort: the temporary file is hidden and named after the output
            }
        }
    }

    /** Every bucket written back with its score; with --spikes, each opening and closing on standard error. */
    private void write(Series series, Step[] steps, Writer out, PrintWriter err) {
        StringBuilder line = new StringBuilder(64);
        long[] t = series.times();
        double[] v = series.values();
        try {
            out.write(OUTPUT_HEADER);
            out.write('\n');
            for (int i = 0; i < steps.length; i++) {
                Step s = steps[i];
                if (listSpikes && s.transition() != Transition.NONE && s.transition() != Transition.UPDATE) {
                    err.println(describe(s, t[i]));
                }
                line.setLength(0);
                line.append(time(t[i])).append(',').append(plain(v[i])).append(',');
                appendFixed(line, s.score());
                line.append(s.opened() ? ",1" : ",0").append(s.drop() ? ",1\n" : ",0\n");
                out.append(line);
            }
            if (listSpikes && steps.length > 0 && steps[steps.length - 1].spikeOpen()) {
                Step last = steps[steps.length - 1];
                err.println("spike still open at the end: started " + time(last.startedAtMillis()) + ", peak "
                        + number(last.peak()) + " at " + time(last.peakAtMillis()));
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot write " + output + ": " + Inputs.describe(e));
        }
    }

    /** A value as the input would have written it: whole numbers without a point, others in Java's shortest form. */
    private static String plain(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    private BufferedReader open(byte[] stdin) throws IOException {
        InputStream in = stdin != null ? new ByteArrayInputStream(stdin) : Inputs.open(input);
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)), 1 << 16);
    }

    /** A score with 4 decimals, without exponent notation and without Formatter's cost per row. */
    static void appendFixed(StringBuilder sb, double v) {
        long scaled = Math.round(Math.abs(v) * 10_000); // half away from zero, as %.4f; no "-0.0000"
        if (v < 0 && scaled > 0) {
            sb.append('-');
        }
        sb.append(scaled / 10_000).append('.');
        long frac = scaled % 10_000;
        if (frac < 1000) {
            sb.append('0');
        }
        if (frac < 100) {
            sb.append('0');
        }
        if (frac < 10) {
            sb.append('0');
        }
        sb.append(frac);
    }

    private static String describe(Step s, long t) {
        if (s.transition() == Transition.OPEN) {
            return "spike opened at " + time(t) + ": started " + time(s.startedAtMillis()) + ", value "
                    + number(s.value()) + " against a baseline of " + number(s.baseline()) + " (score "
                    + number(s.score()) + ")";
        }
        return "spike closed at " + time(t) + ": started " + time(s.startedAtMillis()) + ", peak "
                + number(s.peak()) + " at " + time(s.peakAtMillis()) + ", " + number(s.peakRatio())
                + "x the baseline at its start, ended " + time(s.endedAtMillis()) + ", severity "
                + s.severity().name().toLowerCase(Locale.ROOT);
    }

    private static String time(long millis) {
        return TIME.format(Instant.ofEpochMilli(millis));
    }

    private static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v)
                : String.format(Locale.ROOT, "%.2f", v);
    }

    static String describe(long millis) {
        Duration d = Duration.ofMillis(millis);
        if (millis % 3_600_000 == 0) {
            return d.toHours() + "-hour";
        }
        if (millis % 60_000 == 0) {
            return d.toMinutes() + "-minute";
        }
        if (millis % 1000 == 0) {
            return d.toSeconds() + "-second";
        }
        return millis + "-ms";
    }

    private static boolean isDash(Path p) {
        return p.toString().equals("-");
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}

package io.discoursetrends.cli;

import io.discoursetrends.spikes.DetectorSettings;
import io.discoursetrends.spikes.DetectorState;
import io.discoursetrends.spikes.SpikeDetector;
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
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
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
 * <p>The file is read twice: first to check every row and infer the bucket size (nothing is written if a row is
 * wrong), then to run the detector and write the output. Timestamps carry no zone; they are taken as UTC, so the
 * detector's hour-of-day and day-of-week rhythm is that of the file's clock.
 */
@Command(
        name = "detect",
        mixinStandardHelpOptions = true,
        description = {
            "Runs the spike detector (the streaming job's, with its shipped defaults) over a series and writes every"
                    + " row back with its score and whether a spike opened there.",
            "Input: CSV with the header 'timestamp,value', timestamps 'YYYY-MM-DD HH:MM:SS' (taken as UTC) in"
                    + " increasing order, one row per bucket, values >= 0. The bucket size is the most common"
                    + " difference between consecutive timestamps; missing buckets count as zero.",
            "Output: 'timestamp,value,score,spike', every input row in order; spike is 1 on the row at which a spike"
                    + " opens, else 0; score is the row's excess over its baseline in noise units.",
            "A one-line summary goes to standard error (with --spikes, one more line per spike)."
        },
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:done", "2:the input is missing or malformed (FILE:LINE: what is wrong), or a usage error"})
final class DetectCommand implements Callable<Integer> {
    static final String HEADER = "timestamp,value";
    static final String OUTPUT_HEADER = "timestamp,value,score,spike";
    /** Enough distinct differences to find the bucket size of any sane series, without unbounded memory. */
    private static final int MAX_DISTINCT_DIFFERENCES = 10_000;
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss", Locale.ROOT).withZone(ZoneOffset.UTC);

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

    @Option(names = "--spikes", description = "Also list each spike on standard error: start, opening row, peak,"
            + " end, ratio and severity.")
    boolean listSpikes;

    /** What the first pass learned. */
    private record Scan(long rows, long bucketMillis, long offGrid) {}

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
        Scan scan = scan(stdin);
        long bucketMillis = bucket != null ? bucket.toMillis() : scan.bucketMillis();
        long spikes;
        if (isDash(output)) {
            PrintWriter out = spec.commandLine().getOut();
            spikes = run(stdin, bucketMillis, out, err);
            out.flush();
        } else {
            spikes = writeFile(stdin, bucketMillis, err);
        }
        err.println("detect: " + scan.rows() + " rows, " + describe(bucketMillis) + " buckets"
                + (bucket == null ? " (inferred)" : "") + ", " + spikes + (spikes == 1 ? " spike" : " spikes")
                + (scan.offGrid() > 0 ? "; " + scan.offGrid() + " rows are not a whole number of buckets after"
                        + " the previous one" : ""));
        err.flush();
        return 0;
    }

    private long writeFile(byte[] stdin, long bucketMillis, PrintWriter err) {
        Path target = output.toAbsolutePath();
        Path dir = target.getParent();
        Path tmp;
        try {
            tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot write " + output + ": " + Inputs.describe(e));
        }
        try {
            long spikes;
            try (Writer w = new BufferedWriter(Files.newBufferedWriter(tmp, StandardCharsets.UTF_8), 1 << 16)) {
                spikes = run(stdin, bucketMillis, w, err);
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return spikes;
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

    /** First pass: every row checked, the bucket size inferred. Throws on the first problem, naming its line. */
    private Scan scan(byte[] stdin) {
        Map<Long, Long> differences = new HashMap<>();
        long rows = 0;
        long previous = Long.MIN_VALUE;
        String previousText = null;
        try (BufferedReader r = open(stdin)) {
            long lineNo = header(r);
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                int comma = line.indexOf(',');
                String ts = comma < 0 ? line : line.substring(0, comma);
                long t = parseRow(line, lineNo);
                if (rows > 0) {
                    if (t <= previous) {
                        throw malformed(lineNo, "timestamp " + ts + " is not after the previous row's (" + previousText
                                + "): rows must be in increasing time order, one per bucket");
                    }
                    long d = t - previous;
                    if (differences.size() < MAX_DISTINCT_DIFFERENCES || differences.containsKey(d)) {
                        differences.merge(d, 1L, Long::sum);
                    }
                }
                previous = t;
                previousText = ts;
                rows++;
            }
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("cannot read " + input + ": it is not UTF-8 text");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + input + ": " + Inputs.describe(e));
        }
        if (rows == 0) {
            throw new IllegalArgumentException(input + ": no rows after the header");
        }
        long bucketMillis = -1;
        long best = 0;
        for (Map.Entry<Long, Long> e : differences.entrySet()) {
            if (e.getValue() > best || (e.getValue() == best && e.getKey() < bucketMillis)) {
                best = e.getValue();
                bucketMillis = e.getKey();
            }
        }
        if (bucket == null && bucketMillis < 0) {
            throw new IllegalArgumentException(input
                    + ": one row is not enough to infer the bucket size: pass --bucket");
        }
        long size = bucket != null ? bucket.toMillis() : bucketMillis;
        long offGrid = 0;
        for (Map.Entry<Long, Long> e : differences.entrySet()) {
            if (e.getKey() % size != 0) {
                offGrid += e.getValue();
            }
        }
        return new Scan(rows, bucketMillis, offGrid);
    }

    /** Second pass: the detector over every row, each written back with its score. Returns the spikes opened. */
    private long run(byte[] stdin, long bucketMillis, Writer out, PrintWriter err) {
        SpikeDetector detector = new SpikeDetector(DetectorSettings.DEFAULTS);
        DetectorState state = new DetectorState();
        StringBuilder line = new StringBuilder(64);
        long spikes = 0;
        try (BufferedReader r = open(stdin)) {
            long lineNo = header(r);
            out.write(OUTPUT_HEADER);
            out.write('\n');
            for (String row = r.readLine(); row != null; row = r.readLine()) {
                lineNo++;
                if (row.isBlank()) {
                    continue;
                }
                long t = parseRow(row, lineNo);
                int comma = row.indexOf(',');
                double value = Double.parseDouble(row.substring(comma + 1).strip());
                Step s = detector.update(state, t, bucketMillis, value, -1);
                if (listSpikes && s.transition() != Transition.NONE && s.transition() != Transition.UPDATE) {
                    err.println(describe(s, t));
                }
                line.setLength(0);
                line.append(row.strip()).append(',');
                appendFixed(line, s.score());
                line.append(s.opened() ? ",1\n" : ",0\n");
                out.append(line);
                if (s.opened()) {
                    spikes++;
                }
            }
            if (listSpikes && state.open) {
                err.println("spike still open at the end: started " + time(state.startedAtMillis) + ", peak "
                        + number(state.peak) + " at " + time(state.peakAtMillis));
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + input + " or write " + output + ": "
                    + Inputs.describe(e));
        }
        return spikes;
    }

    private BufferedReader open(byte[] stdin) throws IOException {
        InputStream in = stdin != null ? new ByteArrayInputStream(stdin) : Inputs.open(input);
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)), 1 << 16);
    }

    /** Reads and checks the header; returns its line number (1). */
    private long header(BufferedReader r) throws IOException {
        String h = r.readLine();
        if (h == null) {
            throw new IllegalArgumentException(input + ": empty file: expected the header '" + HEADER + "'");
        }
        if (h.startsWith("\uFEFF")) {
            h = h.substring(1);
        }
        if (!h.strip().equals(HEADER)) {
            throw malformed(1, "expected the header '" + HEADER + "', found '" + abbreviate(h) + "'");
        }
        return 1;
    }

    /** Checks a data row and returns its timestamp in epoch millis (UTC). */
    private long parseRow(String line, long lineNo) {
        int comma = line.indexOf(',');
        if (comma < 0 || line.indexOf(',', comma + 1) >= 0) {
            throw malformed(lineNo, "expected 2 fields 'timestamp,value', found '" + abbreviate(line) + "'");
        }
        String ts = line.substring(0, comma).strip();
        String v = line.substring(comma + 1).strip();
        long t = parseTimestamp(ts, lineNo);
        double value;
        try {
            value = Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw malformed(lineNo, "value '" + abbreviate(v) + "' is not a number");
        }
        if (!Double.isFinite(value) || value < 0 || !plainNumber(v)) {
            throw malformed(lineNo, "value '" + abbreviate(v) + "' is not a finite number >= 0");
        }
        return t;
    }

    /** Digits, a point, an exponent: what Double.parseDouble also takes ("1d", "0x1p3", "NaN") is refused. */
    private static boolean plainNumber(String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (!(c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-')) {
                return false;
            }
        }
        return !v.isEmpty() && Character.isDigit(v.charAt(v.length() - 1)) | v.endsWith(".");
    }

    private long parseTimestamp(String ts, long lineNo) {
        if (ts.length() != 19 || ts.charAt(4) != '-' || ts.charAt(7) != '-' || ts.charAt(10) != ' '
                || ts.charAt(13) != ':' || ts.charAt(16) != ':') {
            throw malformed(lineNo, "timestamp '" + abbreviate(ts) + "' is not YYYY-MM-DD HH:MM:SS");
        }
        try {
            int year = digits(ts, 0, 4);
            int month = digits(ts, 5, 2);
            int day = digits(ts, 8, 2);
            int hour = digits(ts, 11, 2);
            int minute = digits(ts, 14, 2);
            int second = digits(ts, 17, 2);
            return LocalDate.of(year, month, day).atTime(hour, minute, second).toInstant(ZoneOffset.UTC).toEpochMilli();
        } catch (NumberFormatException | DateTimeException e) {
            throw malformed(lineNo, "timestamp '" + ts + "' is not a valid YYYY-MM-DD HH:MM:SS time"
                    + (e instanceof DateTimeException ? " (" + e.getMessage() + ")" : ""));
        }
    }

    private static int digits(String s, int from, int n) {
        int v = 0;
        for (int i = from; i < from + n; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw new NumberFormatException();
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private IllegalArgumentException malformed(long lineNo, String what) {
        return new IllegalArgumentException(input + ":" + lineNo + ": " + what);
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

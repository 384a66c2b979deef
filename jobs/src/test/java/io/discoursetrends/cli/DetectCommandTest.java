package io.discoursetrends.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.discoursetrends.cli.MainTest.Run;
import io.discoursetrends.spikes.DetectorSettings;
import io.discoursetrends.spikes.DetectorState;
import io.discoursetrends.spikes.SpikeDetector;
import io.discoursetrends.spikes.Step;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code discourse-trends detect} run in-process: the backtest CLI over the job's detector. */
class DetectCommandTest {
    static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);
    static final LocalDateTime START = LocalDateTime.of(2015, 3, 2, 0, 0, 53);
    static final long FIVE_MINUTES = 300_000;

    @TempDir
    Path tmp;

    /** Two days of 5-minute counts around 20 (seeded), a burst of 300 at row 500; the rows in {@code skip} left out. */
    static List<String[]> series(int... skip) {
        Random r = new Random(42);
        List<String[]> rows = new ArrayList<>();
        outer:
        for (int i = 0; i < 576; i++) {
            long v = i == 500 ? 300 : 15 + r.nextInt(11);
            for (int s : skip) {
                if (s == i) {
                    continue outer;
                }
            }
            rows.add(new String[] {START.plusMinutes(5L * i).format(TS), Long.toString(v)});
        }
        return rows;
    }

    private Path write(String name, List<String[]> rows) throws IOException {
        StringBuilder sb = new StringBuilder("timestamp,value\n");
        rows.forEach(r -> sb.append(r[0]).append(',').append(r[1]).append('\n'));
        return Files.writeString(tmp.resolve(name), sb.toString());
    }

    /** What the CLI must write: the detector run directly over the same rows, the score with 4 decimals. */
    static List<String> expected(List<String[]> rows) {
        SpikeDetector detector = new SpikeDetector(DetectorSettings.DEFAULTS);
        DetectorState state = new DetectorState();
        List<String> out = new ArrayList<>();
        out.add("timestamp,value,score,spike,drop");
        for (String[] r : rows) {
            long t = LocalDateTime.parse(r[0], TS).toInstant(ZoneOffset.UTC).toEpochMilli();
            Step s = detector.update(state, t, FIVE_MINUTES, Double.parseDouble(r[1]), -1);
            StringBuilder score = new StringBuilder();
            DetectCommand.appendFixed(score, s.score()); // checked on its own below
            out.add(r[0] + "," + r[1] + "," + score + "," + (s.opened() ? 1 : 0) + "," + (s.drop() ? 1 : 0));
        }
        return out;
    }

    @Test
    void writesEveryRowWithItsScoreAndMarksTheRowWhereASpikeOpens() throws IOException {
        List<String[]> rows = series();
        Path in = write("series.csv", rows);
        Path out = tmp.resolve("out.csv");
        Run r = MainTest.run("detect", "--input", in.toString(), "--output", out.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEmpty();
        assertThat(r.errLines()).containsExactly("detect: 576 rows, 5-minute buckets (inferred), 1 spike");
        List<String> lines = Files.readAllLines(out);
        assertThat(lines).isEqualTo(expected(rows));
        assertThat(lines.stream().filter(l -> l.endsWith(",1,0"))).singleElement().asString()
                .startsWith(rows.get(500)[0] + ",300,");
        assertThat(Files.list(tmp)).hasSize(2); // no temporary file left behind
    }

    @Test
    void writesToStandardOutputWithADashAndListsSpikesWhenAsked() throws IOException {
        List<String[]> rows = series();
        Path in = write("series.csv", rows);
        Run r = MainTest.run("detect", "-i", in.toString(), "-o", "-", "--spikes");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.outLines()).isEqualTo(expected(rows));
        assertThat(r.errLines()).hasSize(3);
        assertThat(r.errLines().get(0)).startsWith("spike opened at 2015-03-03 17:40:53: started 2015-03-03 17:40:53,"
                + " value 300 against a baseline of ");
        assertThat(r.errLines().get(1)).startsWith("spike closed at ").contains("peak 300 at 2015-03-03 17:40:53");
        assertThat(r.errLines().get(2)).isEqualTo("detect: 576 rows, 5-minute buckets (inferred), 1 spike");
    }

    @Test
    void infersTheBucketFromTheMostCommonStepAndCountsMissingRowsAsZero() throws IOException {
        List<String[]> rows = series(10, 11, 12, 300);
        Path in = write("gaps.csv", rows);
        Run r = MainTest.run("detect", "--input", in.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.outLines()).isEqualTo(expected(rows)); // the detector replays the gaps as zeros itself
        assertThat(r.errLines()).containsExactly("detect: 572 rows, 5-minute buckets (inferred), 1 spike");
    }

    @Test
    void saysHowManyRowsAreOffTheBucketGrid() throws IOException {
        Path in = Files.writeString(tmp.resolve("irregular.csv"), "timestamp,value\n2015-03-02 00:00:00,4\n"
                + "2015-03-02 00:05:00,5\n2015-03-02 00:10:00,6\n2015-03-02 00:12:00,5\n2015-03-02 00:20:00,4\n");
        Run r = MainTest.run("detect", "--input", in.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.outLines()).hasSize(6);
        assertThat(r.errLines()).containsExactly("detect: 5 rows, 5-minute buckets (inferred), 0 spikes; 2 rows are"
                + " not a whole number of buckets after the previous one; gaps taken as unknown");
    }

    @Test
    void takesAnExplicitBucketSize() throws IOException {
        Path in = Files.writeString(tmp.resolve("one.csv"), "timestamp,value\r\n2015-03-02 00:00:00,4\r\n");
        Run r = MainTest.run("detect", "--input", in.toString(), "--bucket", "PT1H");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.outLines())
                .containsExactly("timestamp,value,score,spike,drop", "2015-03-02 00:00:00,4,0.0000,0,0");
        assertThat(r.errLines()).containsExactly("detect: 1 rows, 1-hour buckets, 0 spikes");
        assertThat(MainTest.run("detect", "--input", in.toString(), "--bucket", "PT0S").err())
                .isEqualTo("discourse-trends: --bucket must be a positive duration of at least 1 ms, got PT0S\n");
    }

    @Test
    void sortsRowsOutOfOrderAndMergesRepeatedTimestampsIntoOneBucket() throws IOException {
        List<String[]> rows = series();
        List<String[]> shuffled = new ArrayList<>(rows);
        java.util.Collections.swap(shuffled, 10, 20);
        shuffled.add(30, new String[] {rows.get(30)[0], rows.get(30)[1]}); // the same row twice: one bucket
        Path in = write("in.csv", shuffled);
        Run r = MainTest.run("detect", "--input", in.toString());
        assertThat(r.exit()).isZero();
        assertThat(r.outLines()).isEqualTo(expected(rows));
        assertThat(r.errLines()).containsExactly("detect: 577 rows (576 buckets after merging 1 repeated timestamps),"
                + " 5-minute buckets (inferred), 1 spike; 2 rows out of order, sorted");

        // Two different values at one time: their mean, or with --merge sum their sum.
        Path two = Files.writeString(tmp.resolve("two.csv"),
                "timestamp,value\n2015-03-02 00:05:00,3\n2015-03-02 00:00:00,1\n2015-03-02 00:05:00,2\n");
        assertThat(MainTest.run("detect", "--input", two.toString()).outLines()).extracting(l -> l.split(",")[1])
                .containsExactly("value", "1", "2.5");
        assertThat(MainTest.run("detect", "--input", two.toString(), "--merge", "SUM").outLines())
                .extracting(l -> l.split(",")[1]).containsExactly("value", "1", "5");
    }

    @Test
    void takesNegativeAndFractionalValuesAsAMeasurementWhoseGapsAreUnknown() throws IOException {
        StringBuilder sb = new StringBuilder("timestamp,value\n");
        Random r = new Random(7);
        SpikeDetector detector = new SpikeDetector(DetectorSettings.DEFAULTS);
        DetectorState state = new DetectorState();
        List<String> expected = new ArrayList<>();
        expected.add("timestamp,value,score,spike,drop");
        for (int i = 0; i < 400; i++) {
            if (i % 50 == 7) {
                continue; // a gap: not measured, so not zero
            }
            double v = i == 300 ? 9.5 : -1 + r.nextGaussian() * 0.1;
            v = Math.round(v * 1000) / 1000.0;
            LocalDateTime t = START.plusMinutes(5L * i);
            String text = v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v); // as detect writes it
            sb.append(t.format(TS)).append(',').append(text).append('\n');
            Step s = detector.update(state, t.toInstant(ZoneOffset.UTC).toEpochMilli(), FIVE_MINUTES, v, -1, false);
            StringBuilder score = new StringBuilder();
            DetectCommand.appendFixed(score, s.score());
            expected.add(t.format(TS) + "," + text + "," + score + "," + (s.opened() ? 1 : 0) + ","
                    + (s.drop() ? 1 : 0));
        }
        Path in = Files.writeString(tmp.resolve("m.csv"), sb.toString());
        Run run = MainTest.run("detect", "--input", in.toString());
        assertThat(run.exit()).isZero();
        assertThat(run.outLines()).isEqualTo(expected);
        assertThat(run.outLines().get(301 - 6)).endsWith(",1,0"); // the jump to 9.5 opens a spike
        assertThat(run.errLines()).containsExactly("detect: 392 rows, 5-minute buckets (inferred), 1 spike;"
                + " a measurement (fractional or negative values); gaps taken as unknown");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "empty file|\"\"|{in}: empty file: expected the header 'timestamp,value'",
        "wrong header|time,value\\n2015-03-02 00:00:00,1"
                + "|{in}:1: expected the header 'timestamp,value', found 'time,value'",
        "no header|2015-03-02 00:00:00,1|{in}:1: expected the header 'timestamp,value', found '2015-03-02 00:00:00,1'",
        "header only|timestamp,value\\n|{in}: no rows after the header",
        "one row|timestamp,value\\n2015-03-02 00:00:00,1"
                + "|{in}: one row is not enough to infer the bucket size: pass --bucket",
        "timestamp format|timestamp,value\\n2015-03-02 00:00:00,1\\n2015/03/02 00:05:00,1"
                + "|{in}:3: timestamp '2015/03/02 00:05:00' is not YYYY-MM-DD HH:MM:SS",
        "impossible date|timestamp,value\\n2015-02-28 00:00:00,1\\n2015-02-30 00:00:00,1"
                + "|{in}:3: timestamp '2015-02-30 00:00:00' is not a valid YYYY-MM-DD HH:MM:SS time"
                + " (Invalid date 'FEBRUARY 30')",
        "not a number|timestamp,value\\n2015-03-02 00:00:00,1\\n2015-03-02 00:05:00,12a"
                + "|{in}:3: value '12a' is not a number",
        "NaN|timestamp,value\\n2015-03-02 00:00:00,NaN|{in}:2: value 'NaN' is not a finite number",
        "missing value|timestamp,value\\n2015-03-02 00:00:00,|{in}:2: value '' is not a number",
        "three fields|timestamp,value\\n2015-03-02 00:00:00,1,2"
                + "|{in}:2: expected 2 fields 'timestamp,value', found '2015-03-02 00:00:00,1,2'"
    })
    void refusesAMalformedFileSayingWhatAndWhereWithExitTwo(String name, String content, String message)
            throws IOException {
        Path in = Files.writeString(tmp.resolve("in.csv"), content.replace("\\n", "\n"));
        Path out = tmp.resolve("out.csv");
        Run r = MainTest.run("detect", "--input", in.toString(), "--output", out.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.errLines()).containsExactly("discourse-trends: " + message.replace("{in}", in.toString()));
        assertThat(out).doesNotExist();
    }

    @Test
    void saysWhenTheInputCannotBeReadOrTheOutputWritten() throws IOException {
        Path missing = tmp.resolve("nope.csv");
        Run r = MainTest.run("detect", "--input", missing.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.errLines()).containsExactly("discourse-trends: cannot read " + missing + ": no such file");
        Run dir = MainTest.run("detect", "--input", tmp.toString());
        assertThat(dir.exit()).isEqualTo(2);
        assertThat(dir.errLines()).containsExactly("discourse-trends: cannot read " + tmp + ": it is a directory");
        Path in = write("series.csv", series());
        Path nowhere = tmp.resolve("no-such-dir").resolve("out.csv");
        Run w = MainTest.run("detect", "--input", in.toString(), "--output", nowhere.toString());
        assertThat(w.exit()).isEqualTo(2);
        assertThat(w.errLines()).containsExactly("discourse-trends: cannot write " + nowhere + ": no such file");
        Run usage = MainTest.run("detect");
        assertThat(usage.exit()).isEqualTo(2);
        assertThat(usage.err()).startsWith("Missing required option: '--input=SERIES.csv'");
    }

    @Test
    void formatsScoresWithFourDecimalsWithoutExponents() {
        StringBuilder sb = new StringBuilder();
        for (double v : new double[] {0, 1.23456, -2.5, 1e-9, -0.00004, 12345.67891, -0.00005}) {
            DetectCommand.appendFixed(sb, v);
            sb.append(' ');
        }
        assertThat(sb.toString()).isEqualTo("0.0000 1.2346 -2.5000 0.0000 0.0000 12345.6789 -0.0001 ");
    }
}

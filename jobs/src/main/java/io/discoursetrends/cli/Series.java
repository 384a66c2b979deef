package io.discoursetrends.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A {@code timestamp,value} CSV series as real exports hold them, made into one value per bucket time, in time
 * order: what {@code detect} runs the detector over (and what docs/spikes.md's evaluation scores).
 *
 * <ul>
 *   <li>Rows out of order are sorted by time (stable, so repeated times keep their order).</li>
 *   <li>Rows with the same timestamp are one bucket: their values are averaged ({@link Merge#MEAN}: an
 *       exported row written twice stays what it was) or summed ({@link Merge#SUM}: a bucket split in two).</li>
 *   <li>Negative and fractional values are kept: the series is then a measurement, not a count.</li>
 *   <li>The bucket size is the most common step between consecutive times. Steps that are not a whole number
 *       of buckets (an irregular sampler) are counted and kept as they are.</li>
 *   <li>Refused, with the line: a row that is not {@code timestamp,value}, a timestamp that is not
 *       {@code YYYY-MM-DD HH:MM:SS}, a value that is not a finite plain number, a file without rows.</li>
 * </ul>
 *
 * <p>The whole series is held in memory (16 bytes a bucket: a year of minutes is 8 MB).
 */
public final class Series {
    /** How rows with the same timestamp become one bucket. */
    public enum Merge { MEAN, SUM }

    public static final String HEADER = "timestamp,value";
    /** Enough distinct differences to find the bucket size of any sane series, without unbounded memory. */
    private static final int MAX_DISTINCT_DIFFERENCES = 10_000;

    private final long[] times;
    private final double[] values;
    private final long rows;
    private final long outOfOrder;
    private final long merged;
    private final long bucketMillis;
    private final long offGrid;
    private final long gaps;
    private final boolean counts;

    private Series(long[] times, double[] values, long rows, long outOfOrder, long merged, long bucketMillis,
            long offGrid, long gaps, boolean counts) {
        this.times = times;
        this.values = values;
        this.rows = rows;
        this.outOfOrder = outOfOrder;
        this.merged = merged;
        this.bucketMillis = bucketMillis;
        this.offGrid = offGrid;
        this.gaps = gaps;
        this.counts = counts;
    }

    /** Bucket start times, epoch millis (UTC), strictly increasing. */
    public long[] times() {
        return times;
    }

    /** One value per bucket, as merged. */
    public double[] values() {
        return values;
    }

    public int size() {
        return times.length;
    }

    /** Data rows read (before merging). */
    public long rows() {
        return rows;
    }

    /** Rows whose time was before the previous row's (sorted into place). */
    public long outOfOrder() {
        return outOfOrder;
    }

    /** Rows merged into another row of the same time. */
    public long merged() {
        return merged;
    }

    /** The most common step, or -1 with a single bucket. */
    public long bucketMillis() {
        return bucketMillis;
    }

    /** Steps that are not a whole number of buckets. */
    public long offGrid() {
        return offGrid;
    }

    /** Steps of more than one bucket (missing buckets). */
    public long gaps() {
        return gaps;
    }

    /** Every value is a whole number >= 0. */
    public boolean counts() {
        return counts;
    }

    /**
     * What a gap means when the user does not say: zeros for a count series on a bucket grid (every step a whole
     * number of buckets: the job's buckets, where nobody posted), unknown for anything else (a measurement, or a
     * sampler whose clock drifts off the grid, has no value in a gap).
     */
    public boolean gapsAreZeroByDefault(long bucket) {
        return counts && offGrid(bucket) == 0;
    }

    /** Steps that are not a whole number of {@code bucket}. */
    public long offGrid(long bucket) {
        long n = 0;
        for (int i = 1; i < times.length; i++) {
            if ((times[i] - times[i - 1]) % bucket != 0) {
                n++;
            }
        }
        return n;
    }

    /**
     * Reads a series; the first line must be the header. Throws IllegalArgumentException naming
     * {@code source:line} and what is wrong.
     */
    public static Series read(BufferedReader r, String source, Merge merge) {
        long[] t = new long[1024];
        double[] v = new double[1024];
        int n = 0;
        long outOfOrder = 0;
        try {
            String h = r.readLine();
            if (h == null) {
                throw new IllegalArgumentException(source + ": empty file: expected the header '" + HEADER + "'");
            }
            if (h.startsWith("\uFEFF")) {
                h = h.substring(1);
            }
            if (!h.strip().equals(HEADER)) {
                throw malformed(source, 1, "expected the header '" + HEADER + "', found '" + abbreviate(h) + "'");
            }
            long lineNo = 1;
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                int comma = line.indexOf(',');
                if (comma < 0 || line.indexOf(',', comma + 1) >= 0) {
                    throw malformed(source, lineNo, "expected 2 fields 'timestamp,value', found '"
                            + abbreviate(line) + "'");
                }
                long time = parseTimestamp(line.substring(0, comma).strip(), source, lineNo);
                double value = parseValue(line.substring(comma + 1).strip(), source, lineNo);
                if (n == t.length) {
                    t = Arrays.copyOf(t, n * 2);
                    v = Arrays.copyOf(v, n * 2);
                }
                if (n > 0 && time < t[n - 1]) {
                    outOfOrder++;
                }
                t[n] = time;
                v[n] = value;
                n++;
            }
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("cannot read " + source + ": it is not UTF-8 text");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + source + ": " + Inputs.describe(e));
        }
        if (n == 0) {
            throw new IllegalArgumentException(source + ": no rows after the header");
        }
        if (outOfOrder > 0) {
            sortByTime(t, v, n);
        }
        // Merge equal times.
        int m = 0;
        long merged = 0;
        boolean counts = true;
        for (int i = 0; i < n; ) {
            int j = i;
            double sum = 0;
            while (j < n && t[j] == t[i]) {
                sum += v[j];
                j++;
            }
            double value = merge == Merge.SUM ? sum : sum / (j - i);
            merged += j - i - 1;
            counts &= value >= 0 && value == Math.rint(value);
            t[m] = t[i];
            v[m] = value;
            m++;
            i = j;
        }
        long[] times = Arrays.copyOf(t, m);
        double[] values = Arrays.copyOf(v, m);
        long bucket = mostCommonStep(times);
        long offGrid = 0;
        long gaps = 0;
        if (bucket > 0) {
            for (int i = 1; i < m; i++) {
                long d = times[i] - times[i - 1];
                if (d % bucket != 0) {
                    offGrid++;
                } else if (d > bucket) {
                    gaps++;
                }
            }
        }
        return new Series(times, values, n, outOfOrder, merged, bucket, offGrid, gaps, counts);
    }

    private static long mostCommonStep(long[] times) {
        Map<Long, Long> differences = new HashMap<>();
        for (int i = 1; i < times.length; i++) {
            long d = times[i] - times[i - 1];
            if (differences.size() < MAX_DISTINCT_DIFFERENCES || differences.containsKey(d)) {
                differences.merge(d, 1L, Long::sum);
            }
        }
        long bucket = -1;
        long best = 0;
        for (Map.Entry<Long, Long> e : differences.entrySet()) {
            if (e.getValue() > best || (e.getValue() == best && e.getKey() < bucket)) {
                best = e.getValue();
                bucket = e.getKey();
            }
        }
        return bucket;
    }

    /** A stable sort of both arrays by time (merge sort on an index: rows of one time keep their order). */
    private static void sortByTime(long[] t, double[] v, int n) {
        Integer[] idx = new Integer[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        final long[] tt = Arrays.copyOf(t, n);
        final double[] vv = Arrays.copyOf(v, n);
        Arrays.sort(idx, (a, b) -> Long.compare(tt[a], tt[b])); // object sort: stable
        for (int i = 0; i < n; i++) {
            t[i] = tt[idx[i]];
            v[i] = vv[idx[i]];
        }
    }

    static double parseValue(String v, String source, long lineNo) {
        double value;
        try {
            value = Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw malformed(source, lineNo, "value '" + abbreviate(v) + "' is not a number");
        }
        if (!Double.isFinite(value) || !plainNumber(v)) {
            throw malformed(source, lineNo, "value '" + abbreviate(v) + "' is not a finite number");
        }
        return value;
    }

    /** Digits, a sign, a point, an exponent: what Double.parseDouble also takes ("1d", "0x1p3", "NaN") is refused. */
    private static boolean plainNumber(String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (!(c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-')) {
                return false;
            }
        }
        return !v.isEmpty() && Character.isDigit(v.charAt(v.length() - 1)) | v.endsWith(".");
    }

    static long parseTimestamp(String ts, String source, long lineNo) {
        if (ts.length() != 19 || ts.charAt(4) != '-' || ts.charAt(7) != '-' || ts.charAt(10) != ' '
                || ts.charAt(13) != ':' || ts.charAt(16) != ':') {
            throw malformed(source, lineNo, "timestamp '" + abbreviate(ts) + "' is not YYYY-MM-DD HH:MM:SS");
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
            throw malformed(source, lineNo, "timestamp '" + ts + "' is not a valid YYYY-MM-DD HH:MM:SS time"
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

    private static IllegalArgumentException malformed(String source, long lineNo, String what) {
        return new IllegalArgumentException(source + ":" + lineNo + ": " + what);
    }

    static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}

package io.discoursetrends.spikes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Numenta Anomaly Benchmark's scoring rules (numenta/NAB, nab/sweeper.py and the normalisation in
 * nab/runner.py), for a detector whose output is binary: a row is a detection or it is not (NAB's threshold
 * sweep then has one useful threshold, and this is the score at it).
 *
 * <ul>
 *   <li>The first {@code min(floor(0.15 n), 750)} rows are probationary: neither detections nor windows there
 *       count (a window counts if any of its rows is past the probation).</li>
 *   <li>In a window of {@code w} rows ending at row {@code r}, a detection at row {@code i} scores
 *       {@code A_TP x sigma(-(r - i + 1) / w) / sigma(-1)}, where {@code sigma(x) = 2 / (1 + e^(5x)) - 1}: 1.0 at
 *       the left edge, about 0.86 in the middle, about 0 at the right edge. Only the best (earliest) detection of
 *       a window counts; a window without one costs {@code -A_FN}.</li>
 *   <li>A detection outside every window scores {@code A_FP x sigma(d)} (negative), where {@code d} is its
 *       distance past the end of the previous window in units of that window's width minus one, and
 *       {@code sigma(d) = -1} for {@code d >= 3} or when no window precedes it.</li>
 *   <li>Normalised score over a corpus: {@code 100 (S - S_null) / (S_perfect - S_null)}, where S sums the files,
 *       the null detector detects nothing, and {@code S_perfect = A_TP x} the number of windows.</li>
 * </ul>
 */
final class NabScorer {

    /** A NAB application profile: the weights of its cost matrix (NAB's config/profiles.json). */
    record Profile(String name, double tpWeight, double fpWeight, double fnWeight) {
        static final Profile STANDARD = new Profile("standard", 1.0, 0.11, 1.0);
        static final Profile REWARD_LOW_FP = new Profile("reward_low_FP_rate", 1.0, 0.22, 1.0);
        static final Profile REWARD_LOW_FN = new Profile("reward_low_FN_rate", 1.0, 0.11, 2.0);
        static final List<Profile> ALL = List.of(STANDARD, REWARD_LOW_FP, REWARD_LOW_FN);
    }

    /** A labelled window: its first and last row, inclusive. */
    record Window(int first, int last) {
        int width() {
            return last - first + 1;
        }
    }

    /** One file's score under one profile. */
    record FileScore(double score, double nullScore, int windows, int detected, int missed, int falsePositives,
            double falsePositiveCost) {}

    private NabScorer() {}

    static int probationaryLength(int rows) {
        return (int) Math.min(Math.floor(0.15 * rows), 0.15 * 5000);
    }

    /** NAB's scaled sigmoid of a relative position (-1: a window's left edge, 0: its right edge). */
    static double scaledSigmoid(double relativePosition) {
        if (relativePosition >= 3.0) {
            return -1.0;
        }
        return 2 / (1 + Math.exp(5 * relativePosition)) - 1.0;
    }

    /**
     * Scores one file.
     *
     * @param detections one flag per row: the detector flagged this row
     * @param windows the file's windows in row order, not overlapping
     */
    static FileScore score(boolean[] detections, List<Window> windows, Profile p) {
        int n = detections.length;
        int probation = probationaryLength(n);
        double maxTp = scaledSigmoid(-1.0);
        double[] best = new double[windows.size()];
        boolean[] scorable = new boolean[windows.size()];
        boolean[] hit = new boolean[windows.size()];
        for (int w = 0; w < windows.size(); w++) {
            best[w] = -p.fnWeight();
            scorable[w] = windows.get(w).last() >= probation;
            if (w > 0 && windows.get(w).first() <= windows.get(w - 1).last()) {
                throw new IllegalArgumentException("windows overlap or are out of order: " + windows);
            }
        }
        double fpCost = 0;
        int fps = 0;
        int next = 0; // the next window not yet passed
        int prevLast = -1;
        int prevWidth = 0;
        for (int i = 0; i < n; i++) {
            while (next < windows.size() && windows.get(next).last() < i) {
                prevLast = windows.get(next).last();
                prevWidth = windows.get(next).width();
                next++;
            }
            if (!detections[i] || i < probation) {
                continue;
            }
            if (next < windows.size() && windows.get(next).first() <= i) {
                Window w = windows.get(next);
                double position = -(double) (w.last() - i + 1) / w.width();
                double s = scaledSigmoid(position) * p.tpWeight() / maxTp;
                best[next] = Math.max(best[next], s); // the earliest detection scores best
                hit[next] = true;
            } else {
                double position = prevLast < 0 ? 3.0 : Math.abs(prevLast - i) / (double) (prevWidth - 1);
                fpCost += scaledSigmoid(position) * p.fpWeight();
                fps++;
            }
        }
        double total = fpCost;
        double nullScore = 0;
        int counted = 0;
        int detected = 0;
        for (int w = 0; w < windows.size(); w++) {
            if (scorable[w]) {
                total += best[w];
                nullScore -= p.fnWeight();
                counted++;
                if (hit[w]) {
                    detected++;
                }
            }
        }
        return new FileScore(total, nullScore, counted, detected, counted - detected, fps, fpCost);
    }

    /** {@code 100 (S - S_null) / (S_perfect - S_null)} over a corpus of files with {@code windows} windows. */
    static double normalised(double score, double nullScore, int windows, Profile p) {
        double perfect = windows * p.tpWeight();
        return 100 * (score - nullScore) / (perfect - nullScore);
    }

    /** The rows of {@code timestamps} that open and close each window; NAB's labels name rows exactly. */
    static List<Window> windowRows(List<String> timestamps, List<String[]> limits) {
        Map<String, Integer> row = new LinkedHashMap<>();
        for (int i = 0; i < timestamps.size(); i++) {
            row.put(timestamps.get(i), i);
        }
        List<Window> out = new ArrayList<>();
        for (String[] l : limits) {
            Integer first = row.get(trimMicros(l[0]));
            Integer last = row.get(trimMicros(l[1]));
            if (first == null || last == null) {
                throw new IllegalArgumentException("window " + l[0] + " .. " + l[1]
                        + " does not start and end on rows");
            }
            out.add(new Window(first, last));
        }
        out.sort((a, b) -> Integer.compare(a.first(), b.first()));
        return out;
    }

    /** NAB's windows.json: file (e.g. realTweets/Twitter_volume_AAPL.csv) to its windows' [start, end] times. */
    static Map<String, List<String[]>> readWindows(Path windowsJson) throws IOException {
        JsonNode root = new ObjectMapper().readTree(windowsJson.toFile());
        Map<String, List<String[]>> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            List<String[]> ws = new ArrayList<>();
            for (JsonNode w : e.getValue()) {
                ws.add(new String[] {w.get(0).asText(), w.get(1).asText()});
            }
            out.put(e.getKey(), ws);
        }
        return out;
    }

    private static String trimMicros(String t) {
        int dot = t.indexOf('.');
        return dot < 0 ? t : t.substring(0, dot);
    }
}

package io.discoursetrends.spikes;

import io.discoursetrends.cli.Backtest;
import io.discoursetrends.cli.Series;
import io.discoursetrends.spikes.NabScorer.FileScore;
import io.discoursetrends.spikes.NabScorer.Profile;
import io.discoursetrends.spikes.NabScorer.Window;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.DoubleFunction;

/**
 * The evaluation of docs/spikes.md, in seconds: NAB's scoring of exactly what {@code detect} flags (the same
 * {@link Series} reading, the same {@link Backtest}), over a corpus of labelled files.
 *
 * <ul>
 *   <li>{@link #leaveOneOut}: for each file, what the defaults declare as tuned ({@link DetectorSettings#TUNED})
 *       is chosen on the other files (best standard score over {@link #TUNING_GRID}) and the held-out file is
 *       scored with that choice; the figure is the NAB score of the held-out files together.</li>
 *   <li>{@link #score}: a corpus with the shipped defaults unchanged (nab-other: nothing was tuned on it).</li>
 * </ul>
 *
 * <p>Run it with {@code mvn -q -pl jobs exec:java ...} or from NabScoreTest (docs/spikes.md has the command).
 */
public final class NabEvaluation {
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss", Locale.ROOT).withZone(ZoneOffset.UTC);

    /** The values a fold may choose from for the tuned setting (the shipped default is among them). */
    static final double[] TUNING_GRID = {3, 4, 5, 6, 7, 8};

    /** One labelled file, read as {@code detect} reads it. */
    record LabelledFile(String name, String category, Series series, List<Window> windows) {}

    /** One file's result: its score under each profile and the delay (buckets) of each detected window. */
    record FileResult(LabelledFile file, FileScore[] scores, List<Integer> delays) {}

    /** Whether a drop counts as a detection (NAB's anomalies go both ways). */
    static boolean DROPS = !Boolean.getBoolean("nab.spikesOnly");

    private NabEvaluation() {}

    /** Every file named in the corpus' windows.json, with its windows as rows of the merged series. */
    static List<LabelledFile> load(Path dir) throws IOException {
        Map<String, List<String[]>> labels = NabScorer.readWindows(dir.resolve("windows.json"));
        List<LabelledFile> out = new ArrayList<>();
        for (Map.Entry<String, List<String[]>> e : labels.entrySet()) {
            String key = e.getKey();
            String local = key.startsWith("realTweets/") ? key.substring("realTweets/".length()) : key;
            Path file = dir.resolve(local);
            Series series;
            try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                series = Series.read(r, file.toString(), Series.Merge.MEAN);
            }
            List<String> timestamps = new ArrayList<>(series.size());
            for (long t : series.times()) {
                timestamps.add(TIME.format(Instant.ofEpochMilli(t)));
            }
            int slash = key.indexOf('/');
            out.add(new LabelledFile(key.substring(slash + 1), key.substring(0, slash), series,
                    NabScorer.windowRows(timestamps, e.getValue())));
        }
        return out;
    }

    /** The two halves of a corpus: changes to the detector are chosen on DEV, HELD_OUT only reports. */
    enum Half {
        ALL, DEV, HELD_OUT;

        static Half parse(String s) {
            return switch (s) {
                case "all" -> ALL;
                case "dev" -> DEV;
                case "held-out" -> HELD_OUT;
                default -> throw new IllegalArgumentException("--subset must be all, dev or held-out, got " + s);
            };
        }
    }

    /**
     * One half of a corpus, reproducibly: within each category, the files in name order, alternately: the 1st,
     * 3rd, 5th... are the development half, the 2nd, 4th... the held-out half (docs/spikes.md).
     */
    static List<LabelledFile> half(List<LabelledFile> corpus, Half half) {
        if (half == Half.ALL) {
            return corpus;
        }
        Map<String, List<LabelledFile>> byCategory = new TreeMap<>();
        for (LabelledFile f : corpus) {
            byCategory.computeIfAbsent(f.category(), k -> new ArrayList<>()).add(f);
        }
        List<LabelledFile> out = new ArrayList<>();
        for (List<LabelledFile> files : byCategory.values()) {
            files.sort(Comparator.comparing(LabelledFile::name));
            for (int i = half == Half.DEV ? 0 : 1; i < files.size(); i += 2) {
                out.add(files.get(i));
            }
        }
        return out;
    }

    /** The detector as {@code detect} runs it over one file: the rows at which a spike opened. */
    static boolean[] detections(LabelledFile f, DetectorSettings settings) {
        Series s = f.series();
        Step[] steps = Backtest.run(s, settings, s.bucketMillis(), s.gapsAreZeroByDefault(s.bucketMillis()));
        boolean[] d = new boolean[steps.length];
        for (int i = 0; i < steps.length; i++) {
            d[i] = steps[i].opened() || DROPS && steps[i].drop();
        }
        return d;
    }

    static FileResult evaluate(LabelledFile f, DetectorSettings settings) {
        boolean[] d = detections(f, settings);
        FileScore[] scores = new FileScore[Profile.ALL.size()];
        for (int p = 0; p < scores.length; p++) {
            scores[p] = NabScorer.score(d, f.windows(), Profile.ALL.get(p));
        }
        List<Integer> delays = new ArrayList<>();
        int probation = NabScorer.probationaryLength(d.length);
        for (Window w : f.windows()) {
            if (w.last() < probation) {
                continue;
            }
            for (int i = Math.max(w.first(), probation); i <= w.last(); i++) {
                if (d[i]) {
                    delays.add(i - w.first());
                    break;
                }
            }
        }
        return new FileResult(f, scores, delays);
    }

    /** NAB's normalised score of a set of file results under profile {@code p}. */
    static double normalised(List<FileResult> results, int p) {
        double total = 0;
        double nullTotal = 0;
        int windows = 0;
        for (FileResult r : results) {
            total += r.scores()[p].score();
            nullTotal += r.scores()[p].nullScore();
            windows += r.file().windows().size(); // NAB's perfect score counts every labelled window
        }
        return NabScorer.normalised(total, nullTotal, windows, Profile.ALL.get(p));
    }

    static List<FileResult> score(List<LabelledFile> corpus, DetectorSettings settings) {
        List<FileResult> out = new ArrayList<>();
        for (LabelledFile f : corpus) {
            out.add(evaluate(f, settings));
        }
        return out;
    }

    /** A held-out file's result and the tuned value its fold chose. */
    record Fold(FileResult heldOut, double chosen) {}

    /**
     * Leave-one-file-out: the tuned setting is chosen on the other files (best standard score; ties go to the
     * stricter value, the later in the grid), the held-out file is scored with it.
     */
    static List<Fold> leaveOneOut(List<LabelledFile> corpus, DetectorSettings defaults) {
        DoubleFunction<DetectorSettings> tuned = defaults::withTuned;
        // Each file's results at each grid value, computed once.
        List<List<FileResult>> byValue = new ArrayList<>();
        for (double v : TUNING_GRID) {
            byValue.add(score(corpus, tuned.apply(v)));
        }
        List<Fold> folds = new ArrayList<>();
        for (int out = 0; out < corpus.size(); out++) {
            int best = -1;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (int g = 0; g < TUNING_GRID.length; g++) {
                List<FileResult> training = new ArrayList<>(byValue.get(g));
                training.remove(out);
                double s = normalised(training, 0);
                if (s >= bestScore) {
                    bestScore = s;
                    best = g;
                }
            }
            folds.add(new Fold(byValue.get(best).get(out), TUNING_GRID[best]));
        }
        return folds;
    }

    /** The tuned value the whole corpus would choose (what the shipped default should be). */
    static double tuneOnAll(List<LabelledFile> corpus, DetectorSettings defaults) {
        int best = -1;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int g = 0; g < TUNING_GRID.length; g++) {
            double s = normalised(score(corpus, defaults.withTuned(TUNING_GRID[g])), 0);
            if (s >= bestScore) {
                bestScore = s;
                best = g;
            }
        }
        return TUNING_GRID[best];
    }

    static String table(List<FileResult> results, boolean byCategory) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-44s %6s %4s %4s %4s %9s %9s %9s %s%n", "file", "rows", "win", "hit",
                "FP", "standard", "low-FP", "low-FN", "delays (buckets)"));
        for (FileResult r : results) {
            FileScore s = r.scores()[0];
            sb.append(String.format(Locale.ROOT, "%-44s %6d %4d %4d %4d %9s %9s %9s %s%n",
                    r.file().category() + "/" + r.file().name(), r.file().series().size(), s.windows(), s.detected(),
                    s.falsePositives(), figure(List.of(r), 0), figure(List.of(r), 1), figure(List.of(r), 2),
                    r.delays()));
        }
        if (byCategory) {
            Map<String, List<FileResult>> cats = new LinkedHashMap<>();
            for (FileResult r : results) {
                cats.computeIfAbsent(r.file().category(), k -> new ArrayList<>()).add(r);
            }
            sb.append(String.format(Locale.ROOT, "%n%-24s %5s %4s %4s %5s %9s %9s %9s %s%n", "category", "files",
                    "win", "hit", "FP", "standard", "low-FP", "low-FN", "median delay"));
            for (Map.Entry<String, List<FileResult>> e : cats.entrySet()) {
                sb.append(summaryLine(e.getKey(), e.getValue()));
            }
        }
        sb.append(summaryLine("total", results));
        return sb.toString();
    }

    static String summaryLine(String name, List<FileResult> rs) {
        int win = 0;
        int hit = 0;
        int fp = 0;
        List<Integer> delays = new ArrayList<>();
        for (FileResult r : rs) {
            win += r.scores()[0].windows();
            hit += r.scores()[0].detected();
            fp += r.scores()[0].falsePositives();
            delays.addAll(r.delays());
        }
        delays.sort(null);
        String median = delays.isEmpty() ? "-" : Integer.toString(delays.get(delays.size() / 2));
        return String.format(Locale.ROOT, "%-24s %5d %4d %4d %5d %9s %9s %9s %s%n", name, rs.size(), win, hit,
                fp, figure(rs, 0), figure(rs, 1), figure(rs, 2), median);
    }

    /** The normalised score with two decimals; "-" where there is no window (NAB's score is then undefined). */
    private static String figure(List<FileResult> rs, int p) {
        double v = normalised(rs, p);
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.2f", v) : "-";
    }

    /**
     * Prints the whole evaluation: {@code NabEvaluation [SHARED_DIR] [--subset all|dev|held-out]} (default
     * ../shared, all): nab-other's files of that half only (see {@link #half}); with all, each half's summary too.
     */
    public static void main(String[] args) throws IOException {
        Path shared = Path.of("../shared");
        Half subset = Half.ALL;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--subset") && i + 1 < args.length) {
                subset = Half.parse(args[++i]);
            } else {
                shared = Path.of(args[i]);
            }
        }
        List<LabelledFile> train = load(shared.resolve("spike-series/nab-realtweets-train"));
        List<LabelledFile> other = load(shared.resolve("spike-series/nab-other"));
        DetectorSettings d = DetectorSettings.DEFAULTS;
        System.out.println(report(train, half(other, subset), d));
        if (subset == Half.ALL) {
            for (Half h : List.of(Half.DEV, Half.HELD_OUT)) {
                System.out.println("nab-other, " + h.name().toLowerCase(Locale.ROOT).replace('_', '-') + " half:");
                System.out.println(table(score(half(other, h), d), true));
            }
        }
    }

    static String report(List<LabelledFile> train, List<LabelledFile> other, DetectorSettings d) {
        StringBuilder sb = new StringBuilder();
        List<Fold> folds = leaveOneOut(train, d);
        List<FileResult> held = new ArrayList<>();
        sb.append("Leave-one-file-out over nab-realtweets-train (the fold's choice of ")
                .append(DetectorSettings.TUNED).append(" in brackets):\n");
        for (Fold f : folds) {
            held.add(f.heldOut());
        }
        String t = table(held, false);
        String[] lines = t.split("\n");
        for (int i = 0; i < lines.length; i++) {
            sb.append(lines[i]);
            if (i >= 1 && i <= folds.size()) {
                sb.append("  [").append(folds.get(i - 1).chosen()).append(']');
            }
            sb.append('\n');
        }
        sb.append(String.format(Locale.ROOT, "%nIn-sample (shipped defaults, %s = %s, chosen on all five: %s):%n",
                DetectorSettings.TUNED, d.tunedValue(), tuneOnAll(train, d)));
        sb.append(summaryLine("in-sample", score(train, d)));
        sb.append("\nSensitivity (not used to choose anything): standard score per value of ")
                .append(DetectorSettings.TUNED).append('\n');
        for (double v : TUNING_GRID) {
            sb.append(String.format(Locale.ROOT, "  %-8s tweets %6.2f   nab-other %6.2f%n", v,
                    normalised(score(train, d.withTuned(v)), 0), normalised(score(other, d.withTuned(v)), 0)));
        }
        sb.append("\nnab-other with the shipped defaults:\n");
        sb.append(table(score(other, d), true));
        return sb.toString();
    }
}

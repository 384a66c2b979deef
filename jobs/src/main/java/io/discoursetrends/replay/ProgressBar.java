package io.discoursetrends.replay;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Progress of a long run: records done of the total, rate and ETA. On a terminal, one bar redrawn in place
 * ({@code \r}) a few times a second; otherwise (a pipe, a log file, CI) a plain line every
 * {@code plainEveryNanos}, so logs stay readable. The rate is the average since the start of this run, the ETA
 * the remaining records at that rate.
 */
public final class ProgressBar {
    private static final long TERMINAL_EVERY_NANOS = 200_000_000L;
    private static final int WIDTH = 30;

    private final PrintWriter out;
    private final boolean terminal;
    private final long total;
    private final long startDone;
    private final LongSupplier nanos;
    private final long plainEveryNanos;
    private final long startNanos;
    private long nextNanos;
    private long done;

    /**
     * @param total     records in all (done before this run included)
     * @param startDone records already done before this run (a resumed replay)
     */
    public ProgressBar(PrintWriter out, boolean terminal, long total, long startDone, LongSupplier nanos,
            long plainEveryNanos) {
        this.out = out;
        this.terminal = terminal;
        this.total = total;
        this.startDone = startDone;
        this.done = startDone;
        this.nanos = nanos;
        this.plainEveryNanos = plainEveryNanos;
        this.startNanos = nanos.getAsLong();
        this.nextNanos = startNanos + (terminal ? 0 : plainEveryNanos);
    }

    /** Records done so far; draws if it is time to. */
    public void update(long doneNow) {
        done = doneNow;
        long now = nanos.getAsLong();
        if (now >= nextNanos) {
            nextNanos = now + (terminal ? TERMINAL_EVERY_NANOS : plainEveryNanos);
            draw(now);
        }
    }

    /** The last state, and the end of the bar's line on a terminal. */
    public void finish() {
        draw(nanos.getAsLong());
        if (terminal) {
            out.println();
        }
        out.flush();
    }

    private void draw(long now) {
        double seconds = Math.max(1e-9, (now - startNanos) / 1e9);
        double rate = (done - startDone) / seconds;
        String eta = rate > 0 ? duration((total - done) / rate) : "--";
        double share = total == 0 ? 1 : (double) done / total;
        if (terminal) {
            int filled = (int) Math.round(share * WIDTH);
            String bar = "=".repeat(Math.max(0, filled - 1)) + (filled > 0 && filled < WIDTH ? ">" : filled > 0 ? "=" : "")
                    + " ".repeat(WIDTH - filled);
            out.print(String.format(Locale.ROOT, "\r[%s] %3.0f%%  %,d/%,d records  %,.0f/s  ETA %s   ", bar,
                    share * 100, done, total, rate, eta));
        } else {
            out.println(String.format(Locale.ROOT, "progress: %,d/%,d records (%.0f%%), %,.0f records/s, ETA %s",
                    done, total, share * 100, rate, eta));
        }
        out.flush();
    }

    /** Seconds as h:mm:ss, or m:ss under an hour. */
    static String duration(double seconds) {
        long s = (long) Math.ceil(seconds);
        if (s >= 3600) {
            return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
        }
        return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}

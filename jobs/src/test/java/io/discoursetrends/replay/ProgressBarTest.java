package io.discoursetrends.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class ProgressBarTest {

    @Test
    void shouldRedrawOneBarInPlaceOnATerminalWithRateAndEta() {
        StringWriter s = new StringWriter();
        long[] now = {0};
        ProgressBar bar = new ProgressBar(new PrintWriter(s), true, 1_000, 0, () -> now[0], 5_000_000_000L);
        now[0] = 1_000_000_000L;
        bar.update(250); // 250 records in 1 s: 750 left at 250/s is 3 s
        assertThat(s.toString()).isEqualTo("\r[=======>                      ]  25%  250/1,000 records  250/s  ETA 0:03   ");
        now[0] = 1_100_000_000L;
        bar.update(260); // within 200 ms of the last draw: nothing
        assertThat(s.toString()).doesNotContain("260");
        now[0] = 4_000_000_000L;
        bar.update(1_000);
        bar.finish();
        assertThat(s.toString()).endsWith("\r[==============================] 100%  1,000/1,000 records  250/s  ETA 0:00   "
                + System.lineSeparator());
    }

    @Test
    void shouldPrintPlainLinesEveryIntervalCountingOnlyThisRunForTheRate() {
        StringWriter s = new StringWriter();
        long[] now = {0};
        ProgressBar bar = new ProgressBar(new PrintWriter(s), false, 10_000, 4_000, () -> now[0], 5_000_000_000L);
        now[0] = 1_000_000_000L;
        bar.update(4_500); // before the first interval: nothing
        assertThat(s.toString()).isEmpty();
        now[0] = 5_000_000_000L;
        bar.update(6_000); // 2,000 this run in 5 s: 400/s, 4,000 left: 10 s
        assertThat(s.toString().lines().toList())
                .containsExactly("progress: 6,000/10,000 records (60%), 400 records/s, ETA 0:10");
    }

    @Test
    void shouldFormatLongEtasWithHours() {
        assertThat(ProgressBar.duration(3_725)).isEqualTo("1:02:05");
        assertThat(ProgressBar.duration(59.2)).isEqualTo("1:00");
    }
}

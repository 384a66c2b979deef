package io.discoursetrends.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.discoursetrends.job.JobOptions;
import io.discoursetrends.model.Platform;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bridges' shared rules: backoff, Retry-After, secrets, and topic names that match the job's. */
class IngestCommonTest {

    @TempDir
    Path tmp;

    @Test
    void backoffGrowsWithJitterUpToItsCapAndHonoursTheServer() {
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2));
        long[] ceilings = {100, 200, 400, 800, 1600, 2000, 2000};
        for (long ceiling : ceilings) {
            long d = b.next().toMillis();
            assertThat(d).isBetween(100L, ceiling);
        }
        assertThat(b.next(Duration.ofSeconds(30))).isEqualTo(Duration.ofSeconds(30));
        b.reset();
        assertThat(b.next().toMillis()).isEqualTo(100);
    }

    @Test
    void retryAfterReadsSecondsAndHttpDates() {
        Instant now = Instant.parse("2026-12-07T06:00:00Z");
        assertThat(RetryAfter.parse("7", now)).isEqualTo(Duration.ofSeconds(7));
        assertThat(RetryAfter.parse("Mon, 07 Dec 2026 06:01:30 GMT", now)).isEqualTo(Duration.ofSeconds(90));
        assertThat(RetryAfter.parse("Mon, 07 Dec 2026 05:00:00 GMT", now)).isEqualTo(Duration.ZERO);
        assertThat(RetryAfter.parse("soon", now)).isNull();
        assertThat(RetryAfter.parse(null, now)).isNull();
    }

    @Test
    void secretsComeFromAFileFirstThenTheEnvironmentAndAreNeverEchoed() throws Exception {
        Path f = Files.writeString(tmp.resolve("token"), "s3cret-from-file\n");
        assertThat(Secrets.read(f, "TOKEN", Map.of("TOKEN", "from-env"), true)).isEqualTo("s3cret-from-file");
        assertThat(Secrets.read(null, "TOKEN", Map.of("TOKEN", "from-env"), true)).isEqualTo("from-env");
        assertThat(Secrets.read(null, "TOKEN", Map.of(), false)).isNull();
        assertThatThrownBy(() -> Secrets.read(null, "TOKEN", Map.of(), true)).hasMessageContaining("TOKEN");
        Path empty = Files.writeString(tmp.resolve("empty"), "");
        assertThatThrownBy(() -> Secrets.read(empty, "TOKEN", Map.of("TOKEN", "from-env"), true))
                .hasMessageContaining("empty").hasMessageNotContaining("from-env");
    }

    @Test
    void bridgesWriteTheTopicsTheJobReadsByDefault() {
        assertThat(IngestTopics.rawTopic(Platform.BLUESKY)).isEqualTo(JobOptions.TOPIC_BLUESKY.defaultValue());
        assertThat(IngestTopics.rawTopic(Platform.MASTODON)).isEqualTo(JobOptions.TOPIC_MASTODON.defaultValue());
        assertThat(IngestTopics.rawTopic(Platform.REDDIT)).isEqualTo(JobOptions.TOPIC_REDDIT.defaultValue());
        assertThat(IngestTopics.rawTopic(Platform.HACKERNEWS))
                .isEqualTo(JobOptions.TOPIC_HACKERNEWS.defaultValue());
    }

    @Test
    void recentSetForgetsTheOldestFirst() {
        RecentSet s = new RecentSet(2);
        assertThat(s.add(1)).isTrue();
        assertThat(s.add(1)).isFalse();
        s.add(2);
        s.add(3);
        assertThat(s.contains(1)).isFalse();
        assertThat(s.toArray()).containsExactly(2, 3);
    }

    @Test
    void aRateLimitResetIsReadAsSecondsOrAsAnInstant() {
        Instant now = Instant.parse("2026-12-07T06:00:00Z");
        assertThat(RateLimitBudget.untilReset("1.5", now)).isEqualTo(Duration.ofMillis(1500));
        assertThat(RateLimitBudget.untilReset("2026-12-07T06:05:00.000Z", now)).isEqualTo(Duration.ofMinutes(5));
        assertThat(RateLimitBudget.untilReset("2026-12-07T05:00:00Z", now)).isEqualTo(Duration.ZERO);
        assertThat(RateLimitBudget.untilReset("soon", now)).isNull();
        RateLimitBudget b = new RateLimitBudget();
        b.read("3", "300", now);
        assertThat(b.remaining()).as("budget left: no wait").isZero();
        b.read("0", "300", now);
        assertThat(b.remaining()).isBetween(Duration.ofSeconds(299), Duration.ofSeconds(300));
    }

    @Test
    void sentVersionsSendAThingAgainOnlyWhenItChanged() {
        SentVersions v = new SentVersions(2);
        v.sent("a", 1);
        v.sent("b", 1);
        assertThat(v.isSent("a", 1)).isTrue();
        assertThat(v.isSent("a", 2)).isFalse();
        v.sent("a", 2);
        assertThat(v.last(2)).containsExactly("b", "a");
        v.sent("c", 1);
        assertThat(v.names()).containsExactly("a", "c");
        SentVersions restored = new SentVersions(2);
        restored.restore(v.names(), v.versions());
        assertThat(restored.isSent("a", 2)).isTrue();
        restored.forget("a");
        assertThat(restored.last(5)).containsExactly("c");
    }
}

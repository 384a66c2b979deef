package io.discoursetrends.normalize;

import static org.assertj.core.api.Assertions.assertThat;

import io.discoursetrends.model.Platform;
import io.discoursetrends.replay.RawStreamGenerator;
import io.discoursetrends.replay.RawStreamGenerator.RawRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A zero, a negative zero or a time before 2000 is not a post of 1970 but an unset field or garbage: malformed
 * with a reason (a dead letter in the job, a line in the CLI), as a time past 2200 already is.
 */
class ImplausibleTimeTest {

    @ParameterizedTest(name = "{0} with {1} = {2}")
    @CsvSource(delimiter = '|', value = {
        "BLUESKY    | \"time_us\":[0-9]+                   | \"time_us\":0",
        "BLUESKY    | \"time_us\":[0-9]+                   | \"time_us\":946684799999999",
        "REDDIT     | \"created_utc\":[0-9.]+              | \"created_utc\":0",
        "REDDIT     | \"created_utc\":[0-9.]+              | \"created_utc\":-0",
        "REDDIT     | \"created_utc\":[0-9.]+              | \"created_utc\":-0.0",
        "HACKERNEWS | \"time\":[0-9]+                      | \"time\":0",
        "HACKERNEWS | \"time\":[0-9]+                      | \"time\":-0",
        "MASTODON   | \"created_at\":\"[^\"]+\"            | \"created_at\":\"1970-01-01T00:00:00.000Z\"",
        "MASTODON   | \"created_at\":\"[^\"]+\"            | \"created_at\":\"1999-12-31T23:59:59Z\"",
    })
    void aTimeBefore2000IsMalformedWithAReason(Platform platform, String field, String replacement) {
        Normalizer n = Normalizers.forPlatform(platform);
        String post = firstPost(platform, n);
        String bad = Pattern.compile(field).matcher(post).replaceFirst(replacement.replace("$", "\\$"));
        assertThat(bad).as("the field is in the record").isNotEqualTo(post);
        NormalizeResult r = n.normalize(bad.getBytes(StandardCharsets.UTF_8));
        assertThat(r.isMalformed()).as(String.valueOf(r)).isTrue();
        assertThat(r.malformedReason()).contains("is not a plausible").contains("before 2000-01-01");
    }

    /** The first generated record that normalizes to a post: the control, so only the time can be at fault. */
    private static String firstPost(Platform platform, Normalizer n) {
        for (RawRecord r : RawStreamGenerator.generate(platform, 100, Instant.parse("2026-05-25T12:00:00Z"),
                Duration.ofMinutes(10), 11)) {
            if (r.expectedPosts() == 1 && r.expectedEngagements() == 0) {
                NormalizeResult ok = n.normalize(r.value());
                assertThat(ok.events()).as("the record before the change").isNotEmpty();
                return new String(r.value(), StandardCharsets.UTF_8);
            }
        }
        throw new AssertionError("no post among the generated " + platform + " records");
    }
}

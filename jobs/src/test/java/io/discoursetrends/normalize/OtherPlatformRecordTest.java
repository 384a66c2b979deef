package io.discoursetrends.normalize;

import static org.assertj.core.api.Assertions.assertThat;

import io.discoursetrends.model.Platform;
import io.discoursetrends.replay.RawStreamGenerator;
import io.discoursetrends.replay.RawStreamGenerator.RawRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A record of another platform on a platform's topic (a wiring mistake, or `normalize -p` with the wrong
 * platform) is malformed, with a reason naming what it is not: never ignored (which would hide the mistake
 * in a counter meant for follows and deletes) and never events.
 */
class OtherPlatformRecordTest {

    @ParameterizedTest(name = "{0} normalizer on the other platforms'' records")
    @EnumSource(Platform.class)
    void recordsOfAnotherPlatformAreMalformedWithAReason(Platform platform) {
        Normalizer n = Normalizers.forPlatform(platform);
        List<String> wrong = new ArrayList<>();
        for (Platform other : Platform.values()) {
            if (other == platform) {
                continue;
            }
            for (RawRecord r : RawStreamGenerator.generate(other, 200, Instant.parse("2026-05-25T12:00:00Z"),
                    Duration.ofMinutes(10), 7)) {
                NormalizeResult result = n.normalize(r.value());
                if (!result.isMalformed() || result.malformedReason().startsWith(JsonNormalizer.BUG_PREFIX)) {
                    wrong.add(other + " record " + (result.isIgnored() ? "ignored (" + result.ignoredBecause() + ")"
                            : result.isMalformed() ? result.malformedReason() : "gave events") + ": "
                            + new String(r.value(), StandardCharsets.UTF_8).substring(0, 80));
                }
            }
        }
        assertThat(wrong).isEmpty();
    }

    @org.junit.jupiter.api.Test
    void aRecordWithAKeyTwiceIsMalformedWithAReason() {
        String record = "{\"kind\":\"t3\",\"data\":{\"name\":\"t3_abc\",\"created_utc\":1779719009,"
                + "\"author\":\"a\",\"title\":\"harmless\",\"title\":\"other\"}}";
        NormalizeResult r = Normalizers.forPlatform(Platform.REDDIT).normalize(record.getBytes(StandardCharsets.UTF_8));
        assertThat(r.malformedReason()).isEqualTo("duplicate key 'title' (a key may appear once per object)"
                + " (line 1, column 103)");
        assertThat(Normalizers.forPlatform(Platform.REDDIT).normalize(record.replace(",\"title\":\"other\"", "")
                .getBytes(StandardCharsets.UTF_8)).events()).hasSize(1);
    }
}

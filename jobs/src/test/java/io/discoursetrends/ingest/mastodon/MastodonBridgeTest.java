package io.discoursetrends.ingest.mastodon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.discoursetrends.ingest.mastodon.MastodonBridge.Timeline;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Mastodon bridge's pure parts: endpoints per timeline, Snowflake ids and their rewind, batched queries. */
class MastodonBridgeTest {

    @Test
    void eachTimelineStreamsAndCatchesUpOnItsOwnEndpoints() {
        assertThat(Timeline.of("public").stream(null)).isEqualTo("api/v1/streaming/public");
        assertThat(Timeline.of("public").rest(null)).isEqualTo("api/v1/timelines/public?");
        assertThat(Timeline.of("public:local").stream(null)).isEqualTo("api/v1/streaming/public/local");
        assertThat(Timeline.of("public:local").rest(null)).isEqualTo("api/v1/timelines/public?local=true&");
        assertThat(Timeline.of("public:remote").rest(null)).isEqualTo("api/v1/timelines/public?remote=true&");
        assertThat(Timeline.of("hashtag").stream("café ai")).isEqualTo("api/v1/streaming/hashtag?tag=caf%C3%A9+ai");
        assertThat(Timeline.of("hashtag:local").stream("ai")).isEqualTo("api/v1/streaming/hashtag/local?tag=ai");
        assertThat(Timeline.of("hashtag:local").rest("ai")).isEqualTo("api/v1/timelines/tag/ai?local=true&");
        assertThatThrownBy(() -> Timeline.of("home")).hasMessageContaining("public, public:local");
    }

    @Test
    void aRewindMovesTheSnowflakeTimeBackAndLeavesOtherIdsAlone() {
        // 110446223051565765 >> 16 = 1685275620293 ms = 2023-05-28T12:07:00.293Z (the status arrived 12:06:50)
        String id = "110446223051565765";
        assertThat(Instant.ofEpochMilli(Long.parseLong(id) >> 16)).isEqualTo(Instant.parse("2023-05-28T12:07:00.293Z"));
        String back = MastodonBridge.rewound(id, Duration.ofMinutes(1));
        assertThat(Long.parseLong(back) >> 16).isEqualTo(1685275620293L - 60_000);
        assertThat(Long.parseLong(back) & 0xffff).isZero();
        assertThat(MastodonBridge.rewound("12", Duration.ofMinutes(1))).isEqualTo("0");
        assertThat(MastodonBridge.rewound("AbCdEf", Duration.ofMinutes(1))).isEqualTo("AbCdEf");
    }

    @Test
    void idsCompareAsNumbersNotText() {
        assertThat(MastodonBridge.compareIds("99", "100")).isNegative();
        assertThat(MastodonBridge.compareIds("110446984249325790", "110446983178245440")).isPositive();
        assertThat(MastodonBridge.compareIds("7", "7")).isZero();
    }

    @Test
    void aBatchedRefetchNamesEveryIdOnce() {
        assertThat(MastodonBridge.batchPath(List.of("1", "22")))
                .isEqualTo("api/v1/statuses?id%5B%5D=1&id%5B%5D=22");
    }
}

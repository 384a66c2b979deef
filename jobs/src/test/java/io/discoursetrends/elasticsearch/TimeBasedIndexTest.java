package io.discoursetrends.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class TimeBasedIndexTest {
    private static final DateTimeFormatter MONTH = DateTimeFormatter.ofPattern("uuuu.MM").withZone(ZoneOffset.UTC);

    @Test
    void shouldNameTheUtcMonthOfTheTimestamp() {
        assertThat(TimeBasedIndex.name("discourse-trends", Instant.parse("2026-05-25T14:23:00Z").toEpochMilli()))
                .isEqualTo("discourse-trends-2026.05");
        assertThat(TimeBasedIndex.name("k", Instant.parse("2026-11-30T23:59:59.999Z").toEpochMilli())).isEqualTo("k-2026.11");
        assertThat(TimeBasedIndex.name("k", Instant.parse("2026-12-01T00:00:00Z").toEpochMilli())).isEqualTo("k-2026.12");
        assertThat(TimeBasedIndex.name("k", Instant.parse("1969-12-31T23:59:59Z").toEpochMilli())).isEqualTo("k-1969.12");
    }

    @Property
    void agreesWithJavaTimeFormatting(@ForAll @LongRange(min = -2_000_000_000_000L, max = 8_000_000_000_000L) long millis) {
        assertThat(TimeBasedIndex.name("b", millis)).isEqualTo("b-" + MONTH.format(Instant.ofEpochMilli(millis)));
    }

    @Test
    void monthlyMapperKeepsIdAndSourceAndFilesByTheTimestamp() {
        DocumentMapper<Integer> monthly = TimeBasedIndex.monthly(ElasticsearchWriterTest.DOCS,
                n -> Instant.parse("2026-01-31T00:00:00Z").toEpochMilli() + n * 86_400_000L);
        assertThat(monthly.index(0)).isEqualTo("idx-2026.01");
        assertThat(monthly.index(1)).isEqualTo("idx-2026.02");
        assertThat(monthly.id(1)).isEqualTo("d1");
        assertThat(monthly.source(1)).isEqualTo(ElasticsearchWriterTest.DOCS.source(1));
    }
}

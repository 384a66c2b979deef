package io.discoursetrends.job;

import io.discoursetrends.model.CanonicalEvent;
import io.discoursetrends.model.Platform;
import io.discoursetrends.normalize.NormalizeResult;
import io.discoursetrends.normalize.Normalizers;
import io.discoursetrends.replay.CounterSnapshots;
import io.discoursetrends.replay.RawStreamGenerator;
import io.discoursetrends.replay.RawStreamGenerator.RawRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The input of {@link TrendsJobIT}: raw records in each platform's wire format, in the order they are produced
 * to Kafka (one partition per platform), with the Kafka timestamp each gets (the time the bridge observed the
 * record), in two phases around a taxonomy switch.
 *
 * <p>What the stream holds on top of {@link RawStreamGenerator}'s records:
 * <ul>
 *   <li>order shuffled within the out-of-orderness bound (each record moved by up to {@link #JITTER});</li>
 *   <li>duplicates: {@value #DUPLICATE_PERCENT}% of the records delivered twice, a moment apart;</li>
 *   <li>counter snapshots: Mastodon, Reddit and Hacker News posts seen again 5, 10 and 15 minutes later with
 *       higher counters, observed then;</li>
 *   <li>late events: some Bluesky likes and reposts, and posts nobody engages with, delivered 2 to 5 minutes
 *       after their time (later than the watermark, within the allowed lateness);</li>
 *   <li>too-late events: a separate Bluesky stream from the first minutes, delivered in phase 2, when the
 *       watermark is far past them;</li>
 *   <li>Mastodon bot accounts (the generator flags one account in twenty);</li>
 *   <li>closers: a few records a day later on every platform, so the watermark passes every bucket.</li>
 * </ul>
 * Moved records are chosen so that the outcome does not depend on how the job interleaves partitions: no
 * late post has engagement or snapshots, and snapshots of a post keep their order.
 */
final class TrendStream {
    static final Duration JITTER = Duration.ofSeconds(20);
    static final int DUPLICATE_PERCENT = 3;
    static final Duration CLOSER_DELAY = Duration.ofDays(1);

    /** One Kafka record to produce; {@code tooLate} records are expected on the late-data topic, not in buckets. */
    record Produced(Platform platform, byte[] value, long timestamp, int phase, boolean tooLate, boolean closer) {}

    final Instant start;
    final Duration span;
    final Instant switchAt;
    final List<Produced> records = new ArrayList<>();

    private final SplittableRandom r;

    TrendStream(Instant start, Duration span, int recordsPerPlatform, long seed) {
        this.start = start;
        this.span = span;
        this.switchAt = start.plus(span.dividedBy(2));
        this.r = new SplittableRandom(seed);
        for (Platform p : Platform.values()) {
            build(p, RawStreamGenerator.generate(p, recordsPerPlatform, start, span, seed + p.ordinal()));
        }
        // Too late: the first five minutes again, from another seed (other ids), after the watermark left them.
        for (RawRecord raw : RawStreamGenerator.generate(Platform.BLUESKY, 300, start, Duration.ofMinutes(5),
                seed + 100)) {
            records.add(new Produced(Platform.BLUESKY, raw.value(), raw.eventTime().toEpochMilli(), 2, true, false));
        }
        for (Platform p : Platform.values()) {
            for (RawRecord raw : RawStreamGenerator.generate(p, 5, start.plus(span).plus(CLOSER_DELAY),
                    Duration.ofMinutes(1), seed + 200 + p.ordinal())) {
                records.add(new Produced(p, raw.value(), raw.eventTime().toEpochMilli(), 2, false, true));
            }
        }
    }

    /** Phase 1 is everything produced before {@link #switchAt}, phase 2 the rest. */
    List<Produced> phase(int phase) {
        return records.stream().filter(p -> p.phase() == phase).toList();
    }

    private record Slot(byte[] value, long timestamp, long position) {}

    private void build(Platform platform, List<RawRecord> generated) {
        var normalizer = Normalizers.forPlatform(platform);
        // What engagement points at, so that no post with engagement is delivered late.
        Set<String> engaged = new HashSet<>();
        for (RawRecord raw : generated) {
            for (CanonicalEvent e : normalizer.normalize(raw.value()).events()) {
                if (!e.isPost()) {
                    engaged.add(e.engagement().subjectId());
                }
            }
        }
        List<Slot> slots = new ArrayList<>();
        for (RawRecord raw : generated) {
            long time = raw.eventTime().toEpochMilli();
            NormalizeResult n = normalizer.normalize(raw.value());
            List<CanonicalEvent> events = n.events() == null ? List.of() : n.events();
            time = events.isEmpty() ? time : events.get(0).createdAt().toEpochMilli();
            long position = time + r.nextLong(JITTER.toMillis());
            boolean onePost = events.size() == 1 && events.get(0).isPost();
            boolean counters = onePost && events.get(0).post().metrics() != null
                    && !events.get(0).post().metrics().isEmpty();
            boolean engagementOnly = !events.isEmpty() && events.stream().noneMatch(CanonicalEvent::isPost);
            boolean lonelyPost = onePost && !counters && !engaged.contains(events.get(0).post().id());
            if (platform == Platform.BLUESKY && (engagementOnly || lonelyPost) && r.nextInt(100) == 0) {
                position = time + 120_000 + r.nextLong(180_000); // late, within the allowed lateness
            }
            slots.add(new Slot(raw.value(), time, position));
            if (r.nextInt(100) < DUPLICATE_PERCENT) {
                slots.add(new Slot(raw.value(), time, position + 1 + r.nextLong(5_000)));
            }
            if (counters) {
                byte[] snapshot = raw.value();
                for (int k = 1; k <= 3; k++) {
                    long observed = time + k * 300_000L;
                    snapshot = CounterSnapshots.raised(snapshot, r);
                    slots.add(new Slot(snapshot, observed, observed + r.nextLong(JITTER.toMillis())));
                }
            }
        }
        slots.sort(Comparator.comparingLong(Slot::position));
        long switchMillis = switchAt.toEpochMilli();
        for (Slot s : slots) {
            records.add(new Produced(platform, s.value(), s.timestamp(), s.position() < switchMillis ? 1 : 2, false,
                    false));
        }
    }

    Map<Platform, Long> countsPerPlatform() {
        Map<Platform, Long> out = new EnumMap<>(Platform.class);
        for (Produced p : records) {
            out.merge(p.platform(), 1L, Long::sum);
        }
        return out;
    }
}

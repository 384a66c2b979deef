package io.discoursetrends.local;

import io.discoursetrends.model.Platform;
import io.discoursetrends.replay.CounterSnapshots;
import io.discoursetrends.replay.KafkaReplayer;
import io.discoursetrends.replay.RawStreamGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The generated part of the demo's stream, record for record (the shared fixtures, which not every machine has,
 * are added by the demo): per platform, {@link RawStreamGenerator} records with counter snapshots for the
 * counter platforms, the {@link DemoStory}'s steady series and bursts, and malformed records. The demo and the
 * dashboard tests replay exactly this, so what the README shows is what the tests check.
 */
public record DemoStream(Instant start, Duration span, int generatedPerPlatform, int malformedPerPlatform) {

    /** What {@code discourse-trends demo} replays by default. */
    public static final DemoStream DEFAULT = new DemoStream(Instant.parse("2026-05-25T12:00:00Z"),
            Duration.ofMinutes(180), 5_000, 3);

    public DemoStory story() {
        return DemoStory.of(start, span);
    }

    /** One platform's records, each with the time a bridge observed it, in the order handed to the replayer. */
    public List<KafkaReplayer.Observed> records(Platform p) {
        List<KafkaReplayer.Observed> records = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(2_000 + p.ordinal());
        for (RawStreamGenerator.RawRecord r : RawStreamGenerator.generate(p, generatedPerPlatform, start, span,
                1_000 + p.ordinal())) {
            records.add(new KafkaReplayer.Observed(r.value(), null));
            records.addAll(resightings(p, r, random));
        }
        records.addAll(story().records(p));
        for (var m : RawStreamGenerator.malformed(p, malformedPerPlatform, 7)) {
            records.add(new KafkaReplayer.Observed(m.value(), null));
        }
        return records;
    }

    /**
     * Mastodon, Reddit and Hacker News report engagement as counters: their bridges poll posts again. Each
     * generated post is seen twice more, 5 and 15 minutes after it was made, its counters grown in proportion to
     * what they were ({@link CounterSnapshots#grown}), so its engagement stays as heavy-tailed as its counters.
     */
    static List<KafkaReplayer.Observed> resightings(Platform p, RawStreamGenerator.RawRecord r,
            SplittableRandom random) {
        if (p == Platform.BLUESKY || r.expectedPosts() != 1 || r.expectedEngagements() != 0) {
            return List.of();
        }
        List<KafkaReplayer.Observed> out = new ArrayList<>(2);
        byte[] snapshot = r.value();
        for (int minutes : new int[] {5, 15}) {
            snapshot = CounterSnapshots.grown(snapshot, random);
            out.add(new KafkaReplayer.Observed(snapshot, r.eventTime().plus(Duration.ofMinutes(minutes))));
        }
        return out;
    }
}

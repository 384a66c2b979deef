package io.discoursetrends.local;

import io.discoursetrends.model.Platform;
import io.discoursetrends.replay.BurstGenerator;
import io.discoursetrends.replay.KafkaReplayer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What the demo injects for the spike detector, at fixed fractions of the span (nothing when the span is too
 * short for the detector to warm up first): an image launch everywhere at half time; a model release on the
 * calendar at two thirds, which Reddit and Hacker News react to five minutes later and Bluesky, with its steady
 * talk about local models, does not.
 */
public record DemoStory(List<Event> events, List<Burst> bursts, Instant start, Duration span) {
    static final Duration MIN_SPAN = Duration.ofMinutes(90);
    static final int STEADY_PER_MINUTE = 2;

    public record Event(String id, String name, Instant time, String topic, String url) {}

    public record Burst(BurstGenerator.Script script, List<Platform> platforms, Instant start, int[] perMinute) {}

    public static DemoStory of(Instant start, Duration span) {
        if (span.compareTo(MIN_SPAN) < 0) {
            return new DemoStory(List.of(), List.of(), start, span);
        }
        Instant launch = minute(start.plus(span.dividedBy(2)));
        Instant release = minute(start.plus(span.multipliedBy(2).dividedBy(3)));
        return new DemoStory(
                List.of(new Event("aster-2-release", "Aster 2 released with open weights", release,
                        BurstGenerator.MODEL_RELEASE.topic(), "https://example.org/aster-2")),
                List.of(new Burst(BurstGenerator.IMAGE_LAUNCH, List.of(Platform.values()), launch,
                                BurstGenerator.burst(25, 12)),
                        new Burst(BurstGenerator.MODEL_RELEASE, List.of(Platform.REDDIT, Platform.HACKERNEWS),
                                release.plus(Duration.ofMinutes(5)), BurstGenerator.burst(30, 15))),
                start, span);
    }

    private static Instant minute(Instant t) {
        return t.truncatedTo(java.time.temporal.ChronoUnit.MINUTES);
    }

    public String eventsYaml() {
        StringBuilder b = new StringBuilder("events:\n");
        for (Event e : events) {
            b.append("  - id: ").append(e.id()).append('\n')
                    .append("    name: ").append(e.name()).append('\n')
                    .append("    time: ").append(e.time()).append('\n')
                    .append("    topics: [").append(e.topic()).append("]\n")
                    .append("    url: ").append(e.url()).append('\n');
        }
        return events.isEmpty() ? "events: []\n" : b.toString();
    }

    public List<String> describe() {
        if (bursts.isEmpty()) {
            return List.of("      spikes: none injected (a span under " + MIN_SPAN.toMinutes()
                    + " min leaves the detector no time to warm up)");
        }
        List<String> lines = new ArrayList<>();
        for (Event e : events) {
            lines.add("      events calendar: " + e.id() + " (" + e.name() + ") at " + e.time() + " on "
                    + e.topic());
        }
        for (Burst b : bursts) {
            lines.add(String.format("      injected: a burst of %s on %s from %s (%d min, up to %d posts a minute)",
                    b.script().topic(), b.platforms().size() == Platform.values().length ? "all platforms"
                            : b.platforms().stream().map(Platform::id).collect(Collectors.joining(" and ")),
                    b.start(), b.perMinute().length, java.util.Arrays.stream(b.perMinute()).max().orElse(0)));
        }
        lines.add("      and steady talk about local models on bluesky (" + STEADY_PER_MINUTE + " posts a minute)");
        return lines;
    }

    /** The injected records of one platform, each with the time a bridge observed it. */
    public List<KafkaReplayer.Observed> records(Platform p) {
        if (bursts.isEmpty()) {
            return List.of();
        }
        List<KafkaReplayer.Observed> out = new ArrayList<>();
        if (p == Platform.BLUESKY) {
            out.addAll(BurstGenerator.steady(p, BurstGenerator.LOCAL_MODELS, start, (int) span.toMinutes(),
                    STEADY_PER_MINUTE, 3_000));
        }
        int k = 0;
        for (Burst b : bursts) {
            k++;
            if (b.platforms().contains(p)) {
                out.addAll(BurstGenerator.perMinute(p, b.script(), b.start(), b.perMinute(),
                        3_000 + 100L * k + p.ordinal()));
            }
        }
        return out;
    }
}


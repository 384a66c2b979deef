package io.discoursetrends.local;

import io.discoursetrends.model.Platform;
import io.discoursetrends.normalize.Normalizer;
import io.discoursetrends.normalize.Normalizers;
import io.discoursetrends.replay.KafkaReplayer;
import io.discoursetrends.replay.RawStreamGenerator;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The stream {@code discourse-trends generate} writes: the demo's generator as a tool. Per platform, in its wire
 * format, deterministic for a seed:
 * <ul>
 *   <li>a background whose volume follows a daily rhythm (busiest mid-afternoon UTC, quietest before dawn, a
 *       third of the peak) and a weekly one (weekends at 70% of weekdays): {@link #intensity}; one
 *       {@link RawStreamGenerator} stream over the span, each hour's count from the rhythm, with reply trees and
 *       heavy-tailed likes, boosts and counters that go on across hours, Mastodon's bot accounts, and counter
 *       snapshots of every post seen again 5 and 15 minutes later ({@link DemoStream#resightings});</li>
 *   <li>the {@link DemoStory}'s scripted bursts and calendar event (for spans of 90 minutes or more);</li>
 *   <li>duplicates: a share of records delivered again up to two minutes later, as bridges redeliver after a
 *       reconnect;</li>
 *   <li>late events: a share of posts observed 15 to 60 minutes after their time, later than the job's default
 *       lateness, as a lagging bridge delivers them.</li>
 * </ul>
 * {@link #groundTruth} says what was injected: the bursts (topic, platforms, start, end, posts per minute),
 * the calendar events, and the duplicates and late records per platform.
 */
public record GeneratedStream(Instant start, Duration span, int postsPerPeakHour, long seed, double duplicateShare,
        double lateShare) {

    public GeneratedStream {
        if (span.compareTo(Duration.ofHours(1)) < 0) {
            throw new IllegalArgumentException("--span must be at least an hour (PT1H), got " + span);
        }
        if (postsPerPeakHour < 1 || postsPerPeakHour > 4_000) {
            // The whole stream is built in memory: a week at 4,000 an hour is about 2.7 million records.
            throw new IllegalArgumentException("--per-hour must be between 1 and 4000");
        }
        if (duplicateShare < 0 || duplicateShare > 0.5 || lateShare < 0 || lateShare > 0.5) {
            throw new IllegalArgumentException("--duplicates and --late must be shares between 0 and 0.5");
        }
    }

    /** What was injected into one platform's records. */
    public record Injected(int records, int duplicates, int late) {}

    /**
     * Relative volume at {@code t}: daily (0.35 at 04:00 UTC rising to 1.0 at 16:00, a cosine) times weekly (0.7
     * on Saturday and Sunday, 1.0 on weekdays).
     */
    public static double intensity(Instant t) {
        ZonedDateTime z = t.atZone(ZoneOffset.UTC);
        double hour = z.getHour() + z.getMinute() / 60.0;
        double daily = 0.675 - 0.325 * Math.cos(2 * Math.PI * (hour - 4) / 24);
        DayOfWeek d = z.getDayOfWeek();
        double weekly = d == DayOfWeek.SATURDAY || d == DayOfWeek.SUNDAY ? 0.7 : 1.0;
        return daily * weekly;
    }

    public DemoStory story() {
        return DemoStory.of(start, span);
    }

    /** One platform's records, each with the time a bridge observed it (null: at its event time). */
    public record Output(List<KafkaReplayer.Observed> records, Injected injected) {}

    public Output generate(Platform p) {
        List<KafkaReplayer.Observed> out = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(seed * 31 + p.ordinal());
        int[] perHour = new int[(int) span.toHours()];
        for (int h = 0; h < perHour.length; h++) {
            // The hour's middle decides its volume; at least one record an hour keeps every hour present.
            Instant middle = start.plus(Duration.ofHours(h)).plus(Duration.ofMinutes(30));
            perHour[h] = Math.max(1, (int) Math.round(postsPerPeakHour * intensity(middle)));
        }
        // One stream over all hours, so threads and a popular post's engagement go on across hours.
        long streamSeed = (seed & 0xFFFFL) * 100_000L + p.ordinal();
        for (RawStreamGenerator.RawRecord r : RawStreamGenerator.generate(p, perHour, start, Duration.ofHours(1),
                streamSeed)) {
            // A record the job ignores (a follow, an identity event, a private status) has no event time the
            // normalizer reports: it is observed at its own time, so files and topics keep it where a bridge
            // would have received it instead of putting all of them first.
            out.add(new KafkaReplayer.Observed(r.value(), r.expectedIgnored() ? r.eventTime() : null));
            out.addAll(DemoStream.resightings(p, r, random));
        }
        out.addAll(story().records(p));
        int duplicates = 0;
        int late = 0;
        Normalizer normalizer = Normalizers.forPlatform(p);
        List<KafkaReplayer.Observed> extra = new ArrayList<>();
        for (int i = 0; i < out.size(); i++) {
            KafkaReplayer.Observed o = out.get(i);
            double x = random.nextDouble();
            if (x < duplicateShare) {
                Instant seen = seen(o, normalizer);
                extra.add(new KafkaReplayer.Observed(o.value(), seen.plusMillis(1_000 + random.nextInt(119_000))));
                duplicates++;
            } else if (x < duplicateShare + lateShare && o.observedAt() == null) {
                Instant t = seen(o, normalizer);
                if (!t.equals(Instant.MIN)) {
                    out.set(i, new KafkaReplayer.Observed(o.value(), t.plusSeconds(900 + random.nextInt(2_700))));
                    late++;
                }
            }
        }
        out.addAll(extra);
        return new Output(out, new Injected(out.size(), duplicates, late));
    }

    private static Instant seen(KafkaReplayer.Observed o, Normalizer normalizer) {
        return o.observedAt() != null ? o.observedAt() : KafkaReplayer.eventTime(normalizer.normalize(o.value()));
    }

    /**
     * The records in the order a bridge would have received them (observed time, event time where none is
     * given; records without either first), as a recording holds them: what {@code replay} and
     * {@code backfill --files} read.
     */
    public static List<byte[]> inObservedOrder(Platform p, List<KafkaReplayer.Observed> records) {
        Normalizer normalizer = Normalizers.forPlatform(p);
        List<Map.Entry<Instant, byte[]>> timed = new ArrayList<>(records.size());
        for (KafkaReplayer.Observed o : records) {
            timed.add(Map.entry(seen(o, normalizer), o.value()));
        }
        timed.sort(Map.Entry.comparingByKey(Comparator.naturalOrder())); // stable
        List<byte[]> out = new ArrayList<>(timed.size());
        timed.forEach(e -> out.add(e.getValue()));
        return out;
    }

    /** The ground truth as JSON: the stream's settings, the injected bursts and events, duplicates and late. */
    public String groundTruth(Map<Platform, Injected> injected) {
        StringBuilder b = new StringBuilder("{\n");
        b.append("  \"start\": \"").append(start).append("\",\n");
        b.append("  \"span\": \"").append(span).append("\",\n");
        b.append("  \"seed\": ").append(seed).append(",\n");
        b.append("  \"posts_per_peak_hour\": ").append(postsPerPeakHour).append(",\n");
        b.append("  \"platforms\": {");
        int k = 0;
        for (Map.Entry<Platform, Injected> e : injected.entrySet()) {
            b.append(k++ == 0 ? "\n" : ",\n").append("    \"").append(e.getKey().id()).append("\": {\"records\": ")
                    .append(e.getValue().records()).append(", \"duplicates\": ").append(e.getValue().duplicates())
                    .append(", \"late\": ").append(e.getValue().late()).append('}');
        }
        b.append("\n  },\n  \"events\": [");
        DemoStory story = story();
        k = 0;
        for (DemoStory.Event e : story.events()) {
            b.append(k++ == 0 ? "\n" : ",\n").append("    {\"id\": \"").append(e.id()).append("\", \"name\": \"")
                    .append(e.name()).append("\", \"time\": \"").append(e.time()).append("\", \"topic\": \"")
                    .append(e.topic()).append("\"}");
        }
        b.append(k == 0 ? "],\n" : "\n  ],\n").append("  \"bursts\": [");
        k = 0;
        for (DemoStory.Burst burst : story.bursts()) {
            b.append(k++ == 0 ? "\n" : ",\n").append("    {\"topic\": \"").append(burst.script().topic())
                    .append("\", \"platforms\": [");
            for (int i = 0; i < burst.platforms().size(); i++) {
                b.append(i == 0 ? "" : ", ").append('"').append(burst.platforms().get(i).id()).append('"');
            }
            b.append("], \"start\": \"").append(burst.start()).append("\", \"end\": \"")
                    .append(burst.start().plus(Duration.ofMinutes(burst.perMinute().length))).append("\", ")
                    .append("\"posts_per_minute\": ").append(java.util.Arrays.toString(burst.perMinute())).append('}');
        }
        b.append(k == 0 ? "]\n" : "\n  ]\n").append("}\n");
        return b.toString();
    }
}

package io.discoursetrends.spikes;

import io.discoursetrends.model.Platform;
import io.discoursetrends.replay.BurstGenerator;
import io.discoursetrends.replay.CounterSnapshots;
import io.discoursetrends.replay.KafkaReplayer;
import io.discoursetrends.replay.RawStreamGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The input of {@link SpikesIT}: four and a half hours of raw platform records (1-minute buckets, so 270 buckets,
 * far more than the detector's warm-up), generated in each platform's wire format, with injected bursts and two
 * patterns that must not fire.
 *
 * <ul>
 *   <li>Background: {@link RawStreamGenerator}'s mixed stream on every platform (posts, replies, likes, reposts,
 *       ignored events; every topic of the taxonomy and off-topic chatter), Mastodon, Reddit and Hacker News posts
 *       seen again 5 and 15 minutes later with higher counters; plus steady topic series where a test needs a known
 *       baseline: open-weight-models on Bluesky (the platform that stays quiet in burst A) and
 *       ai-product-degradation on Hacker News (where the blip is).</li>
 *   <li>A: open-weight-models on Reddit only (r/LocalLLaMA, "Aster 2"), Bluesky steady meanwhile.</li>
 *   <li>B: ai-images-art on all four platforms at once ("Midjourney Lumen"); Reddit's reaction is over after 8
 *       minutes, the others' after 15.</li>
 *   <li>C: ai-law-policy on Bluesky, Mastodon and Hacker News, five minutes after the calendar event
 *       {@link #RULING} of the events file ("Velora" fined under the AI Act).</li>
 *   <li>D: ai-healthcare on Bluesky and Reddit, five minutes after {@link #CLEARANCE}, an event published on the
 *       events topic with the CLI while the job runs ("Sentinel" cleared).</li>
 *   <li>Drift (must not fire): ai-education on Mastodon rising steadily from 1 to 5 posts a minute over 3.5 hours.</li>
 *   <li>{@link #OPT_OUT}, an event of the events file nobody reacts to: platform-ai-discourse on Mastodon is one
 *       post every other minute all along (and nowhere else), so its impact is none: no lift, no excess.</li>
 *   <li>Blip (must not fire): 20 extra ai-product-degradation posts on Hacker News in one minute, ten times the
 *       usual, then back to normal.</li>
 * </ul>
 * Phase 1 is everything observed before {@link #PHASE_2_FROM}, phase 2 the rest, then the closers: a few
 * off-topic posts two days later on every platform, so the watermark passes the 48-hour impact windows.
 */
final class SpikesStream {
    static final Instant START = Instant.parse("2026-05-25T08:00:00Z");
    static final int MINUTES = 270;
    static final Instant END = START.plus(Duration.ofMinutes(MINUTES));
    static final Instant PHASE_2_FROM = at("11:45");
    static final Instant CLOSERS_AT = END.plus(Duration.ofDays(2));
    static final int BACKGROUND_PER_PLATFORM = 4_000;

    static final CalendarEvent RULING = new CalendarEvent("ai-office-fines-velora",
            "EU AI Office fines Velora under the AI Act", at("11:25").toEpochMilli(), new String[] {"ai-law-policy"},
            "https://example.org/ai-office/velora-decision");
    static final CalendarEvent OPT_OUT = new CalendarEvent("mastodon-ai-opt-out",
            "Mastodon adds an opt-out of AI training", at("11:40").toEpochMilli(),
            new String[] {"platform-ai-discourse"}, "https://example.org/mastodon-opt-out");
    static final CalendarEvent CLEARANCE = new CalendarEvent("sentinel-cleared",
            "Sentinel cleared as the first autonomous radiology AI", at("11:55").toEpochMilli(),
            new String[] {"ai-healthcare"}, "https://example.org/sentinel");

    /** The events file the job starts with (events.file). */
    static final String EVENTS_YAML = """
            events:
              - id: ai-office-fines-velora
                name: EU AI Office fines Velora under the AI Act
                time: 2026-05-25T11:25:00Z
                topics: [ai-law-policy]
                url: https://example.org/ai-office/velora-decision
              - id: mastodon-ai-opt-out
                name: Mastodon adds an opt-out of AI training
                time: 2026-05-25T11:40:00Z
                topics: [platform-ai-discourse]
                url: https://example.org/mastodon-opt-out
            """;
    /** The events file published with `events publish` while the job runs. */
    static final String CLI_EVENTS_YAML = """
            events:
              - id: sentinel-cleared
                name: Sentinel cleared as the first autonomous radiology AI
                time: 2026-05-25T11:55:00Z
                topics: [ai-healthcare]
                url: https://example.org/sentinel
            """;

    /**
     * An injected burst: its posts per minute from {@code start} on each of its platforms, the word that
     * distinguishes it, the calendar event it must link to (or null) and a platform that must be named quiet.
     */
    record Burst(String name, BurstGenerator.Script script, Map<Platform, int[]> perMinute, Instant start,
            String word, CalendarEvent event, Platform quiet) {
        String topic() {
            return script.topic();
        }

        Set<Platform> platforms() {
            return perMinute.keySet();
        }

        Instant end(Platform p) {
            return start.plus(Duration.ofMinutes(perMinute.get(p).length));
        }

        /** When the last of its platforms is back to normal. */
        Instant end() {
            return platforms().stream().map(this::end).max(Instant::compareTo).orElseThrow();
        }

        int peak(Platform p) {
            return java.util.Arrays.stream(perMinute.get(p)).max().orElse(0);
        }

        int posts(Platform p) {
            return java.util.Arrays.stream(perMinute.get(p)).sum();
        }

        int posts() {
            return platforms().stream().mapToInt(this::posts).sum();
        }
    }

    static final List<Burst> BURSTS = List.of(
            new Burst("A: Reddit only", BurstGenerator.MODEL_RELEASE,
                    on(BurstGenerator.burst(40, 15), Platform.REDDIT), at("10:30"), "aster", null, Platform.BLUESKY),
            // Everywhere at once; r/StableDiffusion moves on after 8 minutes, the others after 15.
            new Burst("B: all platforms", BurstGenerator.IMAGE_LAUNCH,
                    with(on(BurstGenerator.burst(30, 15), Platform.BLUESKY, Platform.MASTODON, Platform.HACKERNEWS),
                            Platform.REDDIT, BurstGenerator.burst(30, 8)),
                    at("11:00"), "lumen", null, null),
            new Burst("C: after the events-file event", BurstGenerator.AI_ACT_FINE,
                    on(BurstGenerator.burst(30, 15), Platform.BLUESKY, Platform.MASTODON, Platform.HACKERNEWS),
                    at("11:30"), "velora", RULING, null),
            new Burst("D: after the event published with the CLI", BurstGenerator.RADIOLOGY_CLEARANCE,
                    on(BurstGenerator.burst(30, 12), Platform.BLUESKY, Platform.REDDIT),
                    at("12:00"), "sentinel", CLEARANCE, null));

    /** Where the slow drift is, and where the one-minute blip is. */
    static final String DRIFT_TOPIC = BurstGenerator.CLASSROOM.topic();
    static final Platform DRIFT_PLATFORM = Platform.MASTODON;
    static final Instant DRIFT_FROM = at("09:00");
    static final String BLIP_TOPIC = BurstGenerator.PRODUCT_GRIPES.topic();
    static final Platform BLIP_PLATFORM = Platform.HACKERNEWS;
    static final Instant BLIP_AT = at("10:50");
    static final int BLIP_POSTS = 20;
    static final int STEADY_PER_MINUTE = 2;
    /** Where {@link #OPT_OUT}'s topic has its one post every other minute. */
    static final Platform SPARSE_PLATFORM = Platform.MASTODON;

    final Map<Platform, List<KafkaReplayer.Observed>> phase1 = new EnumMap<>(Platform.class);
    final Map<Platform, List<KafkaReplayer.Observed>> phase2 = new EnumMap<>(Platform.class);
    final Map<Platform, List<KafkaReplayer.Observed>> closers = new EnumMap<>(Platform.class);

    SpikesStream(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (Platform p : Platform.values()) {
            List<KafkaReplayer.Observed> all = new ArrayList<>();
            for (RawStreamGenerator.RawRecord raw : RawStreamGenerator.generate(p, BACKGROUND_PER_PLATFORM, START,
                    Duration.ofMinutes(MINUTES), seed + p.ordinal())) {
                all.add(new KafkaReplayer.Observed(raw.value(), raw.eventTime()));
                if (p != Platform.BLUESKY && raw.expectedPosts() == 1 && raw.expectedEngagements() == 0
                        && !raw.expectedIgnored()) {
                    byte[] snapshot = raw.value();
                    for (int minutes : new int[] {5, 15}) {
                        snapshot = CounterSnapshots.raised(snapshot, r);
                        all.add(new KafkaReplayer.Observed(snapshot,
                                raw.eventTime().plus(Duration.ofMinutes(minutes))));
                    }
                }
            }
            if (p == Platform.BLUESKY) {
                all.addAll(BurstGenerator.steady(p, BurstGenerator.LOCAL_MODELS, START, MINUTES, STEADY_PER_MINUTE,
                        seed + 10));
            }
            if (p == BLIP_PLATFORM) {
                int[] gripes = new int[MINUTES];
                java.util.Arrays.fill(gripes, STEADY_PER_MINUTE);
                gripes[(int) Duration.between(START, BLIP_AT).toMinutes()] += BLIP_POSTS;
                all.addAll(BurstGenerator.perMinute(p, BurstGenerator.PRODUCT_GRIPES, START, gripes, seed + 11));
            }
            if (p == SPARSE_PLATFORM) {
                int[] everyOther = new int[MINUTES];
                for (int i = 0; i < MINUTES; i += 2) {
                    everyOther[i] = 1;
                }
                all.addAll(BurstGenerator.perMinute(p, BurstGenerator.AI_SCRAPERS, START, everyOther, seed + 13));
            }
            if (p == DRIFT_PLATFORM) {
                all.addAll(BurstGenerator.perMinute(p, BurstGenerator.CLASSROOM, DRIFT_FROM, drift(), seed + 12));
            }
            int k = 0;
            for (Burst b : BURSTS) {
                k++;
                if (b.platforms().contains(p)) {
                    all.addAll(BurstGenerator.perMinute(p, b.script(), b.start(), b.perMinute().get(p),
                            seed + 100 * k + p.ordinal()));
                }
            }
            for (KafkaReplayer.Observed o : all) {
                (o.observedAt().isBefore(PHASE_2_FROM) ? phase1 : phase2).computeIfAbsent(p, x -> new ArrayList<>())
                        .add(o);
            }
            List<KafkaReplayer.Observed> close = new ArrayList<>();
            for (RawStreamGenerator.RawRecord raw : RawStreamGenerator.generate(p, 5, CLOSERS_AT, Duration.ofMinutes(1),
                    seed + 50 + p.ordinal(), new RawStreamGenerator.Mix(1, 0, 0, 0, 0, 0, 0))) {
                close.add(new KafkaReplayer.Observed(raw.value(), raw.eventTime()));
            }
            closers.put(p, close);
        }
    }

    /** From 1 to 5 posts a minute, linearly, from {@link #DRIFT_FROM} to the end, rounded without bias. */
    static int[] drift() {
        int minutes = (int) Duration.between(DRIFT_FROM, END).toMinutes();
        int[] out = new int[minutes];
        double carried = 0;
        for (int i = 0; i < minutes; i++) {
            double rate = 1 + 4.0 * i / minutes;
            carried += rate;
            out[i] = (int) Math.floor(carried);
            carried -= out[i];
        }
        return out;
    }

    private static Map<Platform, int[]> on(int[] perMinute, Platform... platforms) {
        Map<Platform, int[]> out = new EnumMap<>(Platform.class);
        for (Platform p : platforms) {
            out.put(p, perMinute);
        }
        return out;
    }

    private static Map<Platform, int[]> with(Map<Platform, int[]> shapes, Platform p, int[] perMinute) {
        Map<Platform, int[]> out = new EnumMap<>(shapes);
        out.put(p, perMinute);
        return out;
    }

    static Instant at(String hhmm) {
        return Instant.parse("2026-05-25T" + hhmm + ":00Z");
    }
}

package io.discoursetrends.dashboards;

import io.discoursetrends.classify.CompiledTaxonomy;
import io.discoursetrends.model.CanonicalEvent;
import io.discoursetrends.model.Engagement;
import io.discoursetrends.model.Metrics;
import io.discoursetrends.model.Platform;
import io.discoursetrends.model.Post;
import io.discoursetrends.normalize.NormalizeResult;
import io.discoursetrends.normalize.Normalizer;
import io.discoursetrends.normalize.Normalizers;
import io.discoursetrends.replay.KafkaReplayer.Observed;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the dashboards must show for a replayed stream, in plain Java from the raw records, sharing nothing with
 * the job but the normalizers and the taxonomy matcher: per topic x platform x minute, the posts counted, the
 * engagement attributed to the topic's posts, and the languages of the counted posts; the same for topic
 * {@code _all} (every post), whose engagement this class does not add up (no panel sums it).
 *
 * <p>The rules, as the README and the schemas state them: a post counts once, in the minute it was created, for
 * each of its topics (a bot's post has none); each author counts at most {@code cap} posts per bucket;
 * engagement (events, and counter increases between two sightings of a post, at the time of the later sighting)
 * counts in its minute for the topics of the post it touches, once per engagement id, and counts an event once
 * even when a later counter snapshot includes it; engagement on a post never seen has no topic.
 *
 * <p>Records are read per platform in replay order (by observation time, else event time, as the replayer
 * sends them). Two things in that order could make the job's result depend on timing, so they are counted
 * rather than guessed: engagement that arrives before its post ({@link #engagementBeforePost}), and buckets
 * where an author goes over the cap, whose languages then depend on which posts came first
 * ({@link #capConflicts}).
 */
final class DashboardReference {
    static final String ALL_TOPICS = "_all";
    static final long MINUTE = 60_000;

    /** One topic on one platform in one minute. */
    record Key(String topic, String platform, long minute) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            return Comparator.comparing(Key::topic).thenComparing(Key::platform).thenComparingLong(Key::minute)
                    .compare(this, o);
        }
    }

    /** What one bucket document must hold (the fields the panels read). */
    static final class Cell {
        long engagement;
        final Map<String, Integer> postsPerAuthor = new HashMap<>();
        long authorlessPosts;
        final Set<String> languages = new TreeSet<>();
        final Set<String> languagesWithinCap = new TreeSet<>();
        private final Map<String, Set<String>> languagesPerAuthor = new HashMap<>();

        long posts(int cap) {
            return authorlessPosts + postsPerAuthor.values().stream().mapToLong(n -> Math.min(n, cap)).sum();
        }

        boolean overCap(int cap) {
            return postsPerAuthor.values().stream().anyMatch(n -> n > cap);
        }
    }

    final Map<Key, Cell> cells = new TreeMap<>();
    final int cap;
    int engagementBeforePost;
    int capConflicts;

    DashboardReference(Map<Platform, List<Observed>> records, CompiledTaxonomy taxonomy, int cap) {
        this.cap = cap;
        records.forEach((platform, list) -> replay(platform, list, taxonomy));
        for (Map.Entry<Key, Cell> e : cells.entrySet()) {
            Cell c = e.getValue();
            for (Map.Entry<String, Set<String>> a : c.languagesPerAuthor.entrySet()) {
                if (c.postsPerAuthor.get(a.getKey()) <= cap) {
                    c.languagesWithinCap.addAll(a.getValue());
                }
            }
            if (c.overCap(cap) && !c.languages.equals(c.languagesWithinCap)) {
                capConflicts++;
            }
        }
    }

    private static final class Known {
        String[] topics;
        Metrics counters;
    }

    private record Timed(byte[] value, Instant time, Instant observedAt) {}

    private void replay(Platform platform, List<Observed> records, CompiledTaxonomy taxonomy) {
        Normalizer normalizer = Normalizers.forPlatform(platform);
        List<Timed> ordered = new ArrayList<>();
        for (Observed o : records) {
            NormalizeResult n = normalizer.normalize(o.value());
            Instant eventTime = n.events() == null ? Instant.MIN : n.events().stream().map(CanonicalEvent::createdAt)
                    .min(Comparator.naturalOrder()).orElse(Instant.MIN);
            Instant time = o.observedAt() != null ? o.observedAt() : eventTime;
            ordered.add(new Timed(o.value(), time, time));
        }
        ordered.sort(Comparator.comparing(Timed::time)); // stable, as the replayer's

        Map<String, Known> posts = new HashMap<>();
        Set<String> seenEngagement = new HashSet<>();
        Map<String, List<Engagement>> pending = new HashMap<>();
        String p = platform.id();
        for (Timed t : ordered) {
            NormalizeResult n = normalizer.normalize(t.value());
            if (n.isMalformed() || n.isIgnored() || n.events() == null) {
                continue;
            }
            for (CanonicalEvent ev : n.events()) {
                if (ev.isPost()) {
                    Post post = ev.post();
                    Metrics m = post.metrics() == null ? Metrics.NONE : post.metrics();
                    Known k = posts.get(post.id());
                    if (k != null) {
                        if (!m.isEmpty()) {
                            long[] d = {increase(k.counters.likes(), m.likes()),
                                increase(k.counters.reposts(), m.reposts()),
                                increase(k.counters.replies(), m.replies()),
                                increase(k.counters.quotes(), m.quotes()), increase(k.counters.score(), m.score())};
                            k.counters = m;
                            if (d[0] != 0 || d[1] != 0 || d[2] != 0 || d[3] != 0 || d[4] != 0) {
                                // Nothing happened since the last sighting: no engagement, no bucket.
                                long at = Math.max(post.createdAt().toEpochMilli(), t.observedAt().toEpochMilli());
                                engagement(p, k.topics, at, d[0] + d[1] + d[2] + d[3] + d[4]);
                            }
                        }
                        continue;
                    }
                    k = new Known();
                    boolean bot = Boolean.TRUE.equals(post.authorBot());
                    k.topics = bot ? new String[0] : taxonomy.classify(post).topics();
                    k.counters = m;
                    posts.put(post.id(), k);
                    post(p, k.topics, post, bot);
                    for (Engagement e : pending.getOrDefault(post.id(), List.of())) {
                        engagementBeforePost++;
                        attribute(p, k, e);
                    }
                    pending.remove(post.id());
                } else {
                    Engagement e = ev.engagement();
                    if (e.id() != null && !seenEngagement.add(e.id())) {
                        continue;
                    }
                    Known k = posts.get(e.subjectId());
                    if (k != null) {
                        attribute(p, k, e);
                    } else {
                        pending.computeIfAbsent(e.subjectId(), s -> new ArrayList<>()).add(e);
                    }
                }
            }
        }
        // Engagement on posts that never came: no topic, only the all-posts figures.
        for (List<Engagement> waiting : pending.values()) {
            for (Engagement e : waiting) {
                engagement(p, new String[0], e.createdAt().toEpochMilli(), e.delta());
            }
        }
    }

    private void attribute(String platform, Known k, Engagement e) {
        engagement(platform, k.topics, e.createdAt().toEpochMilli(), e.delta());
        if (!k.counters.isEmpty()) {
            // The event is in the next snapshot's counters too: raise the base so it counts once.
            Metrics c = k.counters;
            long d = e.delta();
            k.counters = switch (e.type()) {
                case LIKE -> new Metrics(plus(c.likes(), d), c.reposts(), c.replies(), c.quotes(), c.score());
                case REPOST -> new Metrics(c.likes(), plus(c.reposts(), d), c.replies(), c.quotes(), c.score());
                case REPLY -> new Metrics(c.likes(), c.reposts(), plus(c.replies(), d), c.quotes(), c.score());
                case QUOTE -> new Metrics(c.likes(), c.reposts(), c.replies(), plus(c.quotes(), d), c.score());
                case VOTE -> new Metrics(c.likes(), c.reposts(), c.replies(), c.quotes(), plus(c.score(), d));
            };
        }
    }

    private void post(String platform, String[] topics, Post post, boolean bot) {
        long minute = Math.floorDiv(post.createdAt().toEpochMilli(), MINUTE) * MINUTE;
        cell(ALL_TOPICS, platform, minute);
        if (bot) {
            return;
        }
        String author = post.authorId() == null ? null : platform + "|" + post.authorId();
        List<String> counted = new ArrayList<>(List.of(topics));
        counted.add(ALL_TOPICS); // every post that is not a bot's counts in the all-posts buckets too
        for (String topic : counted) {
            Cell c = cell(topic, platform, minute);
            if (author == null) {
                c.authorlessPosts++;
            } else {
                c.postsPerAuthor.merge(author, 1, Integer::sum);
            }
            if (post.lang() != null) {
                c.languages.add(post.lang());
                if (author == null) {
                    c.languagesWithinCap.add(post.lang());
                } else {
                    c.languagesPerAuthor.computeIfAbsent(author, a -> new TreeSet<>()).add(post.lang());
                }
            }
        }
    }

    private void engagement(String platform, String[] topics, long at, long delta) {
        long minute = Math.floorDiv(at, MINUTE) * MINUTE;
        cell(ALL_TOPICS, platform, minute);
        for (String topic : topics) {
            cell(topic, platform, minute).engagement += delta;
        }
    }

    private Cell cell(String topic, String platform, long minute) {
        return cells.computeIfAbsent(new Key(topic, platform, minute), k -> new Cell());
    }

    /** The topic cells (not {@code _all}), the ones the panels add up. */
    List<Map.Entry<Key, Cell>> topicCells() {
        return cells.entrySet().stream().filter(e -> !e.getKey().topic().equals(ALL_TOPICS)).toList();
    }

    private static long increase(Long before, Long now) {
        return before == null || now == null ? 0 : now - before;
    }

    private static Long plus(Long v, long d) {
        return v == null ? null : v + d;
    }
}

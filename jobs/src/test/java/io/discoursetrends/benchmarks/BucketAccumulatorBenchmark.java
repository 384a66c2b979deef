package io.discoursetrends.benchmarks;

import io.discoursetrends.buckets.BucketAccumulator;
import io.discoursetrends.buckets.TrendBucket;
import io.discoursetrends.classify.Classification;
import io.discoursetrends.classify.CompiledTaxonomy;
import io.discoursetrends.engagement.AttributedEvent;
import io.discoursetrends.model.CanonicalEvent;
import io.discoursetrends.model.Engagement;
import io.discoursetrends.model.Platform;
import io.discoursetrends.model.Post;
import io.discoursetrends.normalize.Normalizer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What one event costs the bucket stage's accumulator ({@link BucketAccumulator#add}: counts, two HLL
 * sketches, the posts-per-author cap, the frequent-terms sketch, top posts, communities, languages), and what
 * turning a full bucket into its document costs ({@link BucketAccumulator#result}, run at every emission:
 * early results, the final one, late updates). Flink's keyed-state access around it is not included; the
 * end-to-end {@link PipelineBenchmark} has that.
 *
 * <p>Events are the realistic mix, normalized, classified with the {@code default+multiword-2000} taxonomy and
 * attributed to their post's topics (a plain map here, standing in for {@code EngagementAttribution}), so
 * posts carry real terms and engagement real post ids. A small bucket ({@value #SMALL}) is a topic's minute; a
 * large one ({@value #LARGE}) is an {@code _all|bluesky} minute of the firehose.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class BucketAccumulatorBenchmark {
    static final int SMALL = 1_000;
    static final int LARGE = 60_000;
    private static final int MAX_POSTS_PER_AUTHOR = 3;

    private AttributedEvent[] events;
    private int next;
    private BucketAccumulator full;

    @Setup
    public void setUp() {
        events = attributedEvents(BenchmarkData.SEED);
        full = new BucketAccumulator();
        for (int i = 0; i < LARGE; i++) {
            full.add(events[i % events.length], MAX_POSTS_PER_AUTHOR);
        }
        long posts = Arrays.stream(events).filter(AttributedEvent::isPost).count();
        System.out.printf(Locale.ROOT, "%n[events] %d attributed events, %.0f%% posts; %s%n",
                events.length, 100.0 * posts / events.length, BenchmarkData.loadAverage());
    }

    /** A fresh bucket (as the first event of a key's minute creates one) filled with {@value #SMALL} events. */
    @Benchmark
    @OperationsPerInvocation(SMALL)
    public BucketAccumulator addSmallBucket() {
        return fill(SMALL);
    }

    /** A fresh bucket filled with {@value #LARGE} events: sketches past their exact modes, maps large. */
    @Benchmark
    @OperationsPerInvocation(LARGE)
    public BucketAccumulator addLargeBucket() {
        return fill(LARGE);
    }

    /** The document of a bucket of {@value #LARGE} events (score per document, not per event). */
    @Benchmark
    public TrendBucket resultOfLargeBucket() {
        return full.result("_all", "bluesky", 0, 60_000, false);
    }

    private BucketAccumulator fill(int n) {
        BucketAccumulator acc = new BucketAccumulator();
        AttributedEvent[] ev = events;
        int i = next;
        for (int k = 0; k < n; k++) {
            acc.add(ev[i], MAX_POSTS_PER_AUTHOR);
            if (++i == ev.length) {
                i = 0;
            }
        }
        next = i;
        return acc;
    }

    /**
     * The mix as the bucket stage receives it: posts with their topics and terms, engagement with the topics
     * of the post it touches (unattributed when that post is not in the stream).
     */
    static AttributedEvent[] attributedEvents(long seed) {
        List<BenchmarkData.RawInput> raw = BenchmarkData.mixedStream(200_000, Duration.ofMinutes(10), seed);
        Map<Platform, Normalizer> normalizers = BenchmarkData.normalizers();
        CompiledTaxonomy taxonomy = CompiledTaxonomy.compile(BenchmarkData.taxonomy("default+multiword-2000", seed));
        Map<String, AttributedEvent> postsById = new HashMap<>();
        List<AttributedEvent> out = new ArrayList<>();
        for (BenchmarkData.RawInput r : raw) {
            for (CanonicalEvent e : normalizers.get(r.platform()).normalize(r.value()).events()) {
                if (e.isPost()) {
                    Post p = e.post();
                    Classification c = taxonomy.classify(p);
                    String platform = p.platform().id();
                    AttributedEvent a = new AttributedEvent(AttributedEvent.Kind.POST, platform,
                            p.createdAt().toEpochMilli(), c.topics(), taxonomy.version(), p.id(), p.url(),
                            snippet(p.text()), platform + "|" + p.authorId(), p.replyTo() != null,
                            p.quoteOf() != null, false, false, p.lang(), p.community(), c.terms(), 0, 0, 0, 0, 0);
                    postsById.putIfAbsent(platform + "|" + p.id(), a);
                    out.add(a);
                } else {
                    Engagement g = e.engagement();
                    String platform = g.platform().id();
                    AttributedEvent post = postsById.get(platform + "|" + g.subjectId());
                    long d = g.delta();
                    Engagement.Type t = g.type();
                    out.add(new AttributedEvent(AttributedEvent.Kind.ENGAGEMENT, platform,
                            g.createdAt().toEpochMilli(), post == null ? AttributedEvent.NO_TOPICS : post.topics(),
                            post == null ? null : post.taxonomyVersion(), g.subjectId(),
                            post == null ? null : post.url(), post == null ? null : post.snippet(),
                            g.actorId() == null ? null : platform + "|" + g.actorId(), false, false, false,
                            post == null, null, null, AttributedEvent.NO_TOPICS,
                            t == Engagement.Type.LIKE ? d : 0, t == Engagement.Type.REPOST ? d : 0,
                            t == Engagement.Type.REPLY ? d : 0, t == Engagement.Type.QUOTE ? d : 0,
                            t == Engagement.Type.VOTE ? d : 0));
                }
            }
        }
        return out.toArray(AttributedEvent[]::new);
    }

    private static String snippet(String text) {
        return text == null || text.length() <= 140 ? text : text.substring(0, 140) + "…";
    }
}

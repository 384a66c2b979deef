package io.discoursetrends.benchmarks;

import io.discoursetrends.classify.Classification;
import io.discoursetrends.classify.CompiledTaxonomy;
import io.discoursetrends.classify.Taxonomy;
import io.discoursetrends.model.Post;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What classifying one post costs, by taxonomy size: the claim under test is that {@link CompiledTaxonomy}
 * (one Aho-Corasick automaton over all phrases) costs the same with 20 phrases as with 2,000 or 20,000.
 *
 * <p>Posts are the first {@value #POSTS} posts of the generated realistic mix (all four platforms, texts about
 * the tracked AI topics and off-topic chatter), so the text lengths, languages and hashtags are those the job
 * sees. Taxonomies ({@link BenchmarkData#taxonomy}): {@code synthetic-N} has N phrases in N/10 topics, made of
 * the words AI posts use (so the bigger ones match many topics per post: the output grows with N even where
 * the matching does not); {@code default} is the shipped taxonomy; {@code default+multiword-2000} is the default plus
 * 200 multi-word synthetic topics, the taxonomy of {@link PipelineBenchmark}. The setup prints each
 * taxonomy's size and how many topics it gives a post.
 *
 * <p>Run: see docs/benchmarks.md. One JMH thread: a compiled taxonomy is one operator instance's, not shared.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class ClassifyBenchmark {
    static final int POSTS = 4096;

    @Param({"synthetic-20", "synthetic-200", "synthetic-2000", "synthetic-20000", "default", "default+multiword-2000"})
    public String taxonomy;

    private Post[] posts;
    private CompiledTaxonomy compiled;

    @Setup
    public void setUp() {
        posts = BenchmarkData.posts(POSTS, BenchmarkData.SEED);
        Taxonomy t = BenchmarkData.taxonomy(taxonomy, BenchmarkData.SEED);
        compiled = CompiledTaxonomy.compile(t);
        long topics = 0;
        int none = 0;
        long chars = 0;
        for (Post p : posts) {
            int n = compiled.classify(p).topics().length;
            topics += n;
            none += n == 0 ? 1 : 0;
            chars += p.text() == null ? 0 : p.text().length();
        }
        System.out.printf(Locale.ROOT, "%n[taxonomy %s] %s; %d automaton states; %d posts of %.0f chars on average:"
                + " %.2f topics per post, %.0f%% in none; %s%n", taxonomy, t.summary(), compiled.automatonStates(),
                posts.length, (double) chars / posts.length, (double) topics / posts.length,
                100.0 * none / posts.length, BenchmarkData.loadAverage());
    }

    /** Classifies every post once; the score is per post. */
    @Benchmark
    @OperationsPerInvocation(POSTS)
    public void classify(Blackhole bh) {
        CompiledTaxonomy c = compiled;
        for (Post p : posts) {
            Classification result = c.classify(p);
            bh.consume(result);
        }
    }
}

package io.discoursetrends.spikes;

import static org.assertj.core.api.Assertions.assertThat;

import io.discoursetrends.buckets.BucketAccumulator;
import io.discoursetrends.buckets.TrendBucket;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * The baseline of a key's terms ({@link TermBaseline}, in {@link SpikeState.History}) against the exact decayed
 * weights of the same stream, and what the explanation side of a key's state costs in bytes, as Flink stores it.
 */
class TermBaselineTest {
    private static final double DECAY = Math.pow(0.5, 1 / 1440.0); // a day's half-life, 1-minute buckets

    /**
     * A day and a half of minutes of a busy key: 100 term occurrences a minute drawn from a Zipf(1) vocabulary of
     * 5,000 words. The sketch never answers under a term's decayed weight (up to float rounding), and over the
     * words never seen, the ones a spike's new word is like, it answers near zero.
     */
    @Test
    void shouldNeverUnderstateATermAndAnswerNearZeroForOneNeverSeen() {
        int vocabulary = 5000;
        double[] cdf = new double[vocabulary];
        double sum = 0;
        for (int i = 0; i < vocabulary; i++) {
            sum += 1.0 / (i + 1);
            cdf[i] = sum;
        }
        Random random = new Random(42);
        float[] cells = TermBaseline.empty();
        Map<String, Double> exact = new HashMap<>();
        double mass = 0;
        for (int minute = 0; minute < 2160; minute++) {
            TermBaseline.decay(cells, DECAY);
            exact.replaceAll((t, w) -> w * DECAY);
            mass *= DECAY;
            Map<String, Integer> counts = new HashMap<>();
            for (int i = 0; i < 100; i++) {
                int rank = Arrays.binarySearch(cdf, random.nextDouble() * sum);
                counts.merge("w" + (rank < 0 ? -rank - 1 : rank), 1, Integer::sum);
            }
            for (Map.Entry<String, Integer> c : counts.entrySet()) {
                TermBaseline.add(cells, c.getKey(), c.getValue());
                exact.merge(c.getKey(), (double) c.getValue(), Double::sum);
                mass += c.getValue();
            }
        }
        for (Map.Entry<String, Double> e : exact.entrySet()) {
            assertThat(TermBaseline.estimate(cells, e.getKey())).as(e.getKey())
                    .isGreaterThanOrEqualTo(e.getValue() * (1 - 1e-4));
        }
        double[] unseen = new double[1000];
        for (int i = 0; i < unseen.length; i++) {
            unseen[i] = TermBaseline.estimate(cells, "never-" + i) / mass;
        }
        Arrays.sort(unseen);
        // The a-priori bound is e/256 = 1.06% of the mass at 98%; conservative update does much better here.
        assertThat(unseen[unseen.length / 2]).isLessThan(0.002);
        assertThat(unseen[(int) (unseen.length * 0.98)]).isLessThan(0.0106);
        System.out.printf("TermBaselineTest: %d words seen, an unseen word's estimate / mass: median %.5f,"
                + " 98th percentile %.5f, max %.5f%n", exact.size(), unseen[unseen.length / 2],
                unseen[(int) (unseen.length * 0.98)], unseen[unseen.length - 1]);
    }

    /**
     * The bytes a key's explanation side takes in Flink state, at its largest: the history with its sketch (the
     * 300-term list it replaces took about as much), a spike's explanation with its 300 terms and 20 posts, and
     * the four recent buckets with their 100 sketch terms each (what the sketch adds to a bucket is measured
     * apart). Terms of 8 characters, post texts of 200.
     */
    @Test
    void shouldKeepTheExplanationStateOfAKeyWithinItsBudget() throws Exception {
        SpikeState.History history = new SpikeState.History();
        TrendBucket busy = bucket(BucketAccumulator.SKETCH_TERMS);
        for (int i = 0; i < 100; i++) {
            history.learn(busy, DECAY, 0.01);
        }
        int historyBytes = bytes(SpikeState.History.class, history);

        SpikeState.Explanation explanation = new SpikeState.Explanation();
        for (int i = 0; i < 4; i++) {
            explanation.add(bucket(BucketAccumulator.SKETCH_TERMS, i * 1000));
        }
        assertThat(explanation.terms).hasSize(SpikeState.KEPT_TERMS);
        int explanationBytes = bytes(SpikeState.Explanation.class, explanation);

        TrendBucket[] recent = {busy, busy, busy, busy};
        int recentBytes = bytes(TrendBucket[].class, recent);
        TrendBucket lean = bucket(0);
        int leanBytes = bytes(TrendBucket[].class, new TrendBucket[] {lean, lean, lean, lean});

        System.out.printf("TermBaselineTest: history %d bytes, explanation %d bytes, recent buckets %d bytes"
                + " (%d without their sketch terms)%n", historyBytes, explanationBytes, recentBytes, leanBytes);
        assertThat(historyBytes).isBetween(4 * TermBaseline.DEPTH * TermBaseline.WIDTH, 4_300);
        assertThat(explanationBytes).isLessThan(12_000);
        assertThat(recentBytes - leanBytes).isLessThan(4 * 100 * 24);
    }

    /** A busy bucket: {@code terms} sketch terms of 8 characters (from {@code first} on), five long posts. */
    private static TrendBucket bucket(int terms, int first) {
        TrendBucket.Count[] sketch = new TrendBucket.Count[terms];
        for (int i = 0; i < terms; i++) {
            sketch[i] = new TrendBucket.Count(String.format("term%04d", first + i), 1000 - i);
        }
        TrendBucket.TopPost[] posts = new TrendBucket.TopPost[5];
        for (int i = 0; i < posts.length; i++) {
            posts[i] = new TrendBucket.TopPost("at://did:plc:abcdefgh/app.bsky.feed.post/" + first + i,
                    "https://bsky.app/profile/abcdefgh/post/" + first + i, "x".repeat(200), 100 - i);
        }
        return new TrendBucket("open-weight-models", "reddit", 0, 60_000, true, new String[] {"v1"}, 500, 0, 0,
                1000, 0, 0, 0, 0, 1000, 0, 400, 300, posts, Arrays.copyOf(sketch, Math.min(10, terms)),
                new TrendBucket.Count[0], new TrendBucket.Count[] {new TrendBucket.Count("en", 500)}, sketch);
    }

    private static TrendBucket bucket(int terms) {
        return bucket(terms, 0);
    }

    private static <T> int bytes(Class<T> type, T value) throws Exception {
        TypeInformation<T> info = TypeInformation.of(type);
        SerializerConfigImpl config = new SerializerConfigImpl();
        config.setGenericTypes(false); // a Kryo fallback would fail here
        TypeSerializer<T> serializer = info.createSerializer(config);
        DataOutputSerializer out = new DataOutputSerializer(1024);
        serializer.serialize(value, out);
        serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer())); // and it reads back
        if (type != TrendBucket[].class) {
            assertThat(info).isInstanceOf(PojoTypeInfo.class);
        }
        return out.length();
    }
}

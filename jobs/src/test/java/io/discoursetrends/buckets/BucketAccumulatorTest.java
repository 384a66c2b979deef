package io.discoursetrends.buckets;

import static org.assertj.core.api.Assertions.assertThat;

import io.discoursetrends.engagement.AttributedEvent;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.TgtHllType;
import org.junit.jupiter.api.Test;

/** What the accumulator skips on the hot path leaves its state exactly as counting everything would. */
class BucketAccumulatorTest {

    @Test
    void shouldHoldTheSameAuthorSketchAsOneUpdatedForEveryPost() {
        BucketAccumulator acc = new BucketAccumulator();
        HllSketch everyPost = new HllSketch(BucketAccumulator.HLL_LG_K, TgtHllType.HLL_8);
        // 2,500 authors (past the sketch's list and set modes), each posting 2 or 3 times: some past the cap of 2.
        for (int i = 0; i < 6_000; i++) {
            String author = "a" + i * 7 % 2_500;
            AttributedEvent post = TopicBucketFunctionTest.post("p" + i, i % 60, author, "t" + i % 50, "en");
            acc.add(post, 2);
            everyPost.update(post.authorKey());
        }
        assertThat(acc.authors.toCompactByteArray()).isEqualTo(everyPost.toCompactByteArray());
        assertThat(acc.posts + acc.cappedPosts).isEqualTo(6_000);
        assertThat(acc.cappedPosts).isPositive();
    }

    @Test
    void shouldListEveryTaxonomyVersionOnceWhateverTheOrder() {
        BucketAccumulator acc = new BucketAccumulator();
        for (String v : new String[] {"v2", "v1", "v1", "v2", "v3", "v1"}) {
            acc.add(new AttributedEvent(AttributedEvent.Kind.POST, "bluesky", 0, new String[] {"ai-art"}, v, "p",
                    null, null, "bluesky|x", false, false, false, false, null, null, new String[0], 0, 0, 0, 0, 0),
                    5);
        }
        assertThat(acc.taxonomyVersions).containsExactly("v1", "v2", "v3");
    }
}

package io.discoursetrends.spikes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.discoursetrends.spikes.NabScorer.FileScore;
import io.discoursetrends.spikes.NabScorer.Profile;
import io.discoursetrends.spikes.NabScorer.Window;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The NAB scorer on hand-made cases. Expected values are computed here from NAB's formulas (not from the
 * scorer): a window of 100 rows, [400, 499], in a file of 1000 rows (so rows 0 to 149 are probationary).
 */
class NabScorerTest {
    static final int ROWS = 1000;
    static final List<Window> WINDOW = List.of(new Window(400, 499));

    /** NAB's 2 / (1 + e^(5x)) - 1, written out again as the reference. */
    static double sigma(double x) {
        return 2 / (1 + Math.exp(5 * x)) - 1;
    }

    static boolean[] detections(int... rows) {
        boolean[] d = new boolean[ROWS];
        for (int r : rows) {
            d[r] = true;
        }
        return d;
    }

    static double score(Profile p, int... rows) {
        return NabScorer.score(detections(rows), WINDOW, p).score();
    }

    @Test
    void aDetectionAtTheLeftEdgeScoresTheFullTruePositiveWeight() {
        assertThat(score(Profile.STANDARD, 400)).isCloseTo(1.0, within(1e-12));
        assertThat(score(Profile.REWARD_LOW_FN, 400)).isCloseTo(1.0, within(1e-12));
    }

    @Test
    void laterDetectionsInTheWindowScoreLessAndOnlyTheEarliestCounts() {
        double middle = sigma(-0.5) / sigma(-1.0);
        assertThat(middle).isCloseTo(0.8598, within(1e-4));
        assertThat(score(Profile.STANDARD, 450)).isCloseTo(middle, within(1e-12));
        assertThat(score(Profile.STANDARD, 499)).isCloseTo(sigma(-0.01) / sigma(-1.0), within(1e-12));
        assertThat(score(Profile.STANDARD, 499)).isBetween(0.0, 0.03);
        // A second detection in the same window neither adds nor costs anything.
        assertThat(score(Profile.STANDARD, 420, 450, 480)).isCloseTo(sigma(-0.8) / sigma(-1.0), within(1e-12));
        FileScore s = NabScorer.score(detections(420, 450), WINDOW, Profile.STANDARD);
        assertThat(s.detected()).isEqualTo(1);
        assertThat(s.falsePositives()).isZero();
    }

    @Test
    void aMissedWindowCostsTheFalseNegativeWeight() {
        assertThat(score(Profile.STANDARD)).isEqualTo(-1.0);
        assertThat(score(Profile.REWARD_LOW_FP)).isEqualTo(-1.0);
        assertThat(score(Profile.REWARD_LOW_FN)).isEqualTo(-2.0);
    }

    @Test
    void aFalsePositiveFarFromAnyWindowCostsTheFalsePositiveWeight() {
        // Before the first window there is no window to be near: the full cost.
        assertThat(score(Profile.STANDARD, 200)).isCloseTo(-1.0 - 0.11, within(1e-12));
        assertThat(score(Profile.REWARD_LOW_FP, 200)).isCloseTo(-1.0 - 0.22, within(1e-12));
        // Three window widths or more past the window's end: the full cost too.
        assertThat(score(Profile.STANDARD, 400, 797)).isCloseTo(1.0 - 0.11, within(1e-12));
        assertThat(score(Profile.STANDARD, 400, 900)).isCloseTo(1.0 - 0.11, within(1e-12));
    }

    @Test
    void aFalsePositiveJustAfterAWindowCostsAlmostNothing() {
        double justAfter = 0.11 * sigma(1.0 / 99);
        assertThat(score(Profile.STANDARD, 400, 500)).isCloseTo(1.0 + justAfter, within(1e-12));
        assertThat(justAfter).isBetween(-0.003, 0.0);
        // Half a window width after it: most of the cost already.
        assertThat(score(Profile.STANDARD, 400, 549)).isCloseTo(1.0 + 0.11 * sigma(50.0 / 99), within(1e-12));
    }

    @Test
    void probationaryRowsAreNotScored() {
        assertThat(NabScorer.probationaryLength(1000)).isEqualTo(150);
        assertThat(NabScorer.probationaryLength(15902)).isEqualTo(750);
        assertThat(score(Profile.STANDARD, 100)).isEqualTo(-1.0); // the detection at row 100 does not count
        assertThat(score(Profile.STANDARD, 149, 400)).isEqualTo(1.0);
        assertThat(score(Profile.STANDARD, 150, 400)).isCloseTo(1.0 - 0.11, within(1e-12));
        // A window wholly within the probation is not scored at all.
        FileScore early = NabScorer.score(detections(), List.of(new Window(10, 20), new Window(400, 499)),
                Profile.STANDARD);
        assertThat(early.windows()).isEqualTo(1);
        assertThat(early.score()).isEqualTo(-1.0);
    }

    @Test
    void theNullDetectorNormalisesToZeroAndAPerfectOneToHundred() {
        List<Window> two = List.of(new Window(300, 349), new Window(600, 699));
        for (Profile p : Profile.ALL) {
            FileScore none = NabScorer.score(detections(), two, p);
            assertThat(NabScorer.normalised(none.score(), none.nullScore(), none.windows(), p)).isZero();
            FileScore perfect = NabScorer.score(detections(300, 600), two, p);
            assertThat(NabScorer.normalised(perfect.score(), perfect.nullScore(), perfect.windows(), p))
                    .isCloseTo(100.0, within(1e-9));
            // One of two windows at its left edge and nothing else: halfway.
            FileScore half = NabScorer.score(detections(300), two, p);
            assertThat(NabScorer.normalised(half.score(), half.nullScore(), half.windows(), p))
                    .isCloseTo(50.0, within(1e-9));
        }
    }

    @Test
    void scaledSigmoidMatchesNabsDocumentedValues() {
        assertThat(NabScorer.scaledSigmoid(-1.0)).isCloseTo(0.98661, within(1e-5));
        assertThat(NabScorer.scaledSigmoid(-0.5)).isCloseTo(0.84828, within(1e-5));
        assertThat(NabScorer.scaledSigmoid(0.0)).isEqualTo(0.0);
        assertThat(NabScorer.scaledSigmoid(1.0)).isCloseTo(-0.98661, within(1e-5));
        assertThat(NabScorer.scaledSigmoid(3.0)).isEqualTo(-1.0);
    }
}

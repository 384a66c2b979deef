package io.discoursetrends.spikes;

/**
 * What one bucket did to a key's detector: its score against the baseline, and the spike's lifecycle.
 *
 * <p>The spike fields ({@code startedAtMillis} to {@code severity}) describe the spike that is open after this
 * bucket ({@link Transition#OPEN}, {@link Transition#UPDATE}) or that closed at it ({@link Transition#CLOSE});
 * with {@link Transition#NONE} they are zero, -1 for times, and {@link Severity#NONE}.
 *
 * @param value the bucket's value as given
 * @param score the bucket's excess over the baseline in units of the key's noise (variance-stabilised, so 3
 *     means about as unusual as a 3-sigma excess of a Gaussian); negative below the baseline
 * @param evidence how far the accumulated evidence of a burst has come towards opening a spike: the larger of
 *     the two CUSUMs, each divided by its threshold (1 or more: a spike opens, unless held back by the minimums
 *     or a cooldown)
 * @param baseline the count expected for this bucket (level x hour-of-day x day-of-week factors)
 * @param ratio value / baseline (the baseline floored at {@value SpikeDetector#RATIO_FLOOR})
 * @param transition what happened to the spike at this bucket
 * @param startedAtMillis start of the spike's first elevated bucket (the burst's start, up to a few buckets
 *     before the bucket that opened it)
 * @param baselineAtStart the baseline at the burst's start
 * @param peak the highest bucket value during the spike
 * @param peakAtMillis start of the bucket holding the peak
 * @param peakScore the highest score during the spike
 * @param peakRatio peak / baselineAtStart (the baseline floored as for {@code ratio})
 * @param endedAtMillis with {@link Transition#CLOSE}: the start of the first bucket back near the baseline;
 *     otherwise -1
 * @param severity from the peak ratio
 * @param drop the key fell below its baseline, abruptly or for long, at this bucket (reported once per fall, not
 *     alerted on by the job: a drop is its own kind, which {@code detect} reports in a column of its own)
 */
public record Step(
        double value,
        double score,
        double evidence,
        double baseline,
        double ratio,
        Transition transition,
        long startedAtMillis,
        double baselineAtStart,
        double peak,
        long peakAtMillis,
        double peakScore,
        double peakRatio,
        long endedAtMillis,
        Severity severity,
        boolean drop) {

    /** This step, reporting a drop. */
    Step withDrop() {
        return new Step(value, score, evidence, baseline, ratio, transition, startedAtMillis, baselineAtStart, peak,
                peakAtMillis, peakScore, peakRatio, endedAtMillis, severity, true);
    }

    /** A spike opened at this bucket. */
    public boolean opened() {
        return transition == Transition.OPEN;
    }

    /** A spike is open after this bucket (it opened at it, or was open and did not close). */
    public boolean spikeOpen() {
        return transition == Transition.OPEN || transition == Transition.UPDATE;
    }
}

package io.discoursetrends.spikes;

/**
 * How big a spike is, from its peak ratio (the peak bucket against the baseline at the spike's start). Whether
 * it is a spike at all is the detector's statistical decision; severity is the size an analyst reads.
 */
public enum Severity {
    /** Not a spike (the step of a bucket with no spike open). */
    NONE,
    /** Peak below {@value SpikeDetector#MEDIUM_RATIO} x the baseline. */
    LOW,
    /** Peak from {@value SpikeDetector#MEDIUM_RATIO} to below {@value SpikeDetector#HIGH_RATIO} x the baseline. */
    MEDIUM,
    /** Peak of {@value SpikeDetector#HIGH_RATIO} x the baseline or more. */
    HIGH;

    static Severity ofPeakRatio(double peakRatio) {
        if (peakRatio >= SpikeDetector.HIGH_RATIO) {
            return HIGH;
        }
        return peakRatio >= SpikeDetector.MEDIUM_RATIO ? MEDIUM : LOW;
    }
}

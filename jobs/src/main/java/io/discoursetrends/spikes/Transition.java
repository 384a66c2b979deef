package io.discoursetrends.spikes;

/** What happened to a key's spike at one bucket (see {@link SpikeDetector#update}). */
public enum Transition {
    /** No spike is open after this bucket, and none closed at it. */
    NONE,
    /** A spike opened at this bucket: its first document should be written. */
    OPEN,
    /** A spike was open before this bucket and still is: its peak, score and ratio may have changed. */
    UPDATE,
    /** The open spike ended: the series has been back near its baseline for the configured number of buckets. */
    CLOSE
}

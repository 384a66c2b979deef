package io.discoursetrends.model;

/**
 * What the Kafka source emits: a normalized event, or a dead letter for a record that could not be
 * normalized. Normalizing inside the source (rather than after it) keeps Flink's per-partition watermarks,
 * since the source then knows each event's time; dead letters are split off right after.
 */
public record SourceEnvelope(CanonicalEvent event, DeadLetter deadLetter) {

    public static SourceEnvelope of(CanonicalEvent event) {
        return new SourceEnvelope(event, null);
    }

    public static SourceEnvelope of(DeadLetter deadLetter) {
        return new SourceEnvelope(null, deadLetter);
    }

    public boolean isDeadLetter() {
        return deadLetter != null;
    }
}

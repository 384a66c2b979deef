package io.discoursetrends.ingest;

import io.discoursetrends.model.CanonicalEvent;
import io.discoursetrends.model.Platform;
import io.discoursetrends.normalize.NormalizeResult;
import io.discoursetrends.normalize.Normalizer;
import io.discoursetrends.normalize.Normalizers;
import java.nio.charset.StandardCharsets;

/**
 * The Kafka key of a raw record: the id of the post it concerns (the post itself, or the post an engagement
 * touches), decided by the job's own normalizer so bridge and job cannot disagree. Every sighting of a post and
 * the engagement on it then land in one partition, in order, which the job's counter snapshots need.
 */
public final class RecordKeys {

    /** A record's key (null: it concerns no post) and, if the job would dead-letter it, why. */
    public record Keyed(byte[] key, String malformedReason) {
        public boolean malformed() {
            return malformedReason != null;
        }
    }

    private final Normalizer normalizer;

    public RecordKeys(Platform platform) {
        this.normalizer = Normalizers.forPlatform(platform);
    }

    public Keyed key(byte[] raw) {
        NormalizeResult result = normalizer.normalize(raw);
        if (result.isMalformed()) {
            return new Keyed(null, result.malformedReason());
        }
        if (result.events() == null || result.events().isEmpty()) {
            return new Keyed(null, null);
        }
        CanonicalEvent e = result.events().get(0);
        String id = e.isPost() ? e.post().id() : e.engagement().subjectId();
        return new Keyed(id == null ? null : id.getBytes(StandardCharsets.UTF_8), null);
    }
}

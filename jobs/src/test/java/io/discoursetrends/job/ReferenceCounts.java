package io.discoursetrends.job;

import io.discoursetrends.buckets.PlatformCount;
import io.discoursetrends.model.CanonicalEvent;
import io.discoursetrends.model.Engagement;
import io.discoursetrends.model.Platform;
import io.discoursetrends.normalize.NormalizeResult;
import io.discoursetrends.normalize.Normalizers;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The batch reference for the streaming job: normalize every record with plain Java and count posts and
 * engagement per platform and bucket with a map. No Flink, no windows, no watermarks, so a bug in the
 * job's bucketing, keying or sink cannot also be in the reference.
 */
final class ReferenceCounts {
    private ReferenceCounts() {}

    /** Expected documents by id (platform|bucket start), for the given raw records of each platform. */
    static Map<String, PlatformCount> compute(Map<Platform, List<byte[]>> records, long bucketMillis) {
        Map<String, long[]> acc = new HashMap<>();
        for (Map.Entry<Platform, List<byte[]>> e : records.entrySet()) {
            var normalizer = Normalizers.forPlatform(e.getKey());
            for (byte[] raw : e.getValue()) {
                NormalizeResult r = normalizer.normalize(raw);
                for (CanonicalEvent event : r.events()) {
                    long t = event.createdAt().toEpochMilli();
                    long start = Math.floorDiv(t, bucketMillis) * bucketMillis;
                    long[] a = acc.computeIfAbsent(e.getKey().id() + "|" + start, k -> new long[6]);
                    if (event.isPost()) {
                        a[0]++;
                    } else {
                        Engagement g = event.engagement();
                        int slot = switch (g.type()) {
                            case REPLY -> 1;
                            case QUOTE -> 2;
                            case LIKE -> 3;
                            case REPOST -> 4;
                            case VOTE -> 5;
                        };
                        a[slot] += g.delta();
                    }
                }
            }
        }
        Map<String, PlatformCount> out = new TreeMap<>();
        acc.forEach((key, a) -> {
            int bar = key.indexOf('|');
            Platform p = Platform.of(key.substring(0, bar));
            long start = Long.parseLong(key.substring(bar + 1));
            PlatformCount c = new PlatformCount(p, start, start + bucketMillis, a[0], a[1], a[2], a[3], a[4], a[5]);
            out.put(c.documentId(), c);
        });
        return out;
    }
}

package io.discoursetrends.elasticsearch;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What index management installs besides the mappings: shards, replicas and refresh interval of every
 * discourse-trends index, and how long each kind is kept where the cluster has ILM.
 *
 * <p>Read from plain key/value settings (the job's {@code es.*} options), without Flink: {@code es-setup} runs
 * from {@code java -jar} where Flink is not on the classpath. The keys and defaults here are the ones
 * JobOptions declares (a test checks they agree).
 */
public record IndexSettings(int shards, Integer replicas, String refreshInterval, int retentionDays,
                            Map<String, Integer> retentionDaysByKind) {

    public static final String SHARDS_KEY = "es.index.shards";
    public static final int DEFAULT_SHARDS = 1;
    public static final String REPLICAS_KEY = "es.index.replicas";
    public static final String REFRESH_INTERVAL_KEY = "es.index.refresh-interval";
    public static final String DEFAULT_REFRESH_INTERVAL = "5s";
    public static final String RETENTION_DAYS_KEY = "es.ilm.retention-days";
    public static final int DEFAULT_RETENTION_DAYS = 180;
    public static final String RETENTION_DAYS_BY_KIND_KEY = "es.ilm.retention-days-by-kind";

    /** Elasticsearch's time unit syntax, which the cluster itself parses; -1 turns periodic refresh off. */
    private static final Pattern TIME_VALUE = Pattern.compile("-1|\\d+(nanos|micros|ms|s|m|h|d)");

    public static final IndexSettings DEFAULTS = new IndexSettings(DEFAULT_SHARDS, null, DEFAULT_REFRESH_INTERVAL,
            DEFAULT_RETENTION_DAYS, Map.of());


    public IndexSettings {
        if (shards < 1) {
            throw new IllegalArgumentException(SHARDS_KEY + " must be at least 1, not " + shards);
        }
        if (replicas != null && replicas < 0) {
            throw new IllegalArgumentException(REPLICAS_KEY + " must be 0 or more, not " + replicas);
        }
        if (!TIME_VALUE.matcher(refreshInterval).matches()) {
            throw new IllegalArgumentException(REFRESH_INTERVAL_KEY + " is '" + refreshInterval
                    + "': expected an Elasticsearch time value such as 1s, 5s, 30s or 1m (or -1 for no periodic refresh)");
        }
        if (retentionDays < 1) {
            throw new IllegalArgumentException(RETENTION_DAYS_KEY + " must be at least 1, not " + retentionDays);
        }
        retentionDaysByKind = Map.copyOf(retentionDaysByKind);
        retentionDaysByKind.forEach((kind, days) -> {
            if (days < 1) {
                throw new IllegalArgumentException(RETENTION_DAYS_BY_KIND_KEY + ": " + kind + " must be kept at least "
                        + "1 day, not " + days);
            }
        });
    }

    /** Days a kind's monthly indices are kept after their creation. */
    public int retentionDays(String kind) {
        return retentionDaysByKind.getOrDefault(kind, retentionDays);
    }

    /** Reads the settings from {@code es.*} key/value pairs; absent keys take their defaults. */
    public static IndexSettings from(Map<String, String> settings) {
        return new IndexSettings(
                intValue(settings, SHARDS_KEY, DEFAULT_SHARDS),
                settings.containsKey(REPLICAS_KEY) && !settings.get(REPLICAS_KEY).isBlank()
                        ? intValue(settings, REPLICAS_KEY, 0) : null,
                settings.getOrDefault(REFRESH_INTERVAL_KEY, DEFAULT_REFRESH_INTERVAL).strip(),
                intValue(settings, RETENTION_DAYS_KEY, DEFAULT_RETENTION_DAYS),
                retentionByKind(settings.get(RETENTION_DAYS_BY_KIND_KEY)));
    }

    /** "kind:days,kind:days", as Flink writes a map option. */
    private static Map<String, Integer> retentionByKind(String text) {
        Map<String, Integer> out = new LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        for (String entry : text.split(",")) {
            String[] kv = entry.split(":", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException(RETENTION_DAYS_BY_KIND_KEY + " is '" + text
                        + "': expected kind:days pairs separated by commas, e.g. discourse-spikes:365,discourse-trends:90");
            }
            out.put(unquote(kv[0].strip()), parseInt(RETENTION_DAYS_BY_KIND_KEY, unquote(kv[1].strip())));
        }
        return out;
    }

    private static String unquote(String s) {
        return s.length() >= 2 && (s.startsWith("'") && s.endsWith("'") || s.startsWith("\"") && s.endsWith("\""))
                ? s.substring(1, s.length() - 1) : s;
    }

    private static int intValue(Map<String, String> settings, String key, int defaultValue) {
        String v = settings.get(key);
        return v == null || v.isBlank() ? defaultValue : parseInt(key, v.strip());
    }

    private static int parseInt(String key, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("option " + key + " has an invalid value '" + value
                    + "': expected a whole number");
        }
    }

    /** The keys {@link #from} reads. */
    public static final List<String> KEYS = List.of(SHARDS_KEY, REPLICAS_KEY, REFRESH_INTERVAL_KEY,
            RETENTION_DAYS_KEY, RETENTION_DAYS_BY_KIND_KEY);

    @Override
    public String toString() {
        return "shards=" + shards + " replicas=" + (replicas == null ? "auto(0-1)" : replicas)
                + " refresh_interval=" + refreshInterval + " retention=" + retentionDays + "d"
                + (retentionDaysByKind.isEmpty() ? "" : " " + retentionDaysByKind);
    }
}

package io.discoursetrends.job;

import static org.apache.flink.configuration.ConfigOptions.key;

import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.description.HtmlFormatter;

/**
 * Every setting of the trends job, typed, with its default and its documentation, in one place. The CLI only
 * overrides these ({@code --conf FILE}, {@code -Dkey=value}); {@code discourse-trends options} prints this
 * list, and the README's configuration reference is checked against it by a test.
 */
public final class JobOptions {
    private JobOptions() {}

    public static final ConfigOption<String> KAFKA_BOOTSTRAP = key("kafka.bootstrap-servers")
            .stringType().defaultValue("localhost:9092")
            .withDescription("Kafka bootstrap servers for the raw topics, the dead-letter and the late-data topic.");

    public static final ConfigOption<String> KAFKA_GROUP_ID = key("kafka.group-id")
            .stringType().defaultValue("discourse-trends")
            .withDescription("Consumer group; offsets are committed on checkpoints (for monitoring lag; the job "
                    + "restores its positions from its own checkpoints).");

    public static final ConfigOption<String> TOPIC_BLUESKY = key("kafka.topic.bluesky")
            .stringType().defaultValue("discourse.raw.bluesky")
            .withDescription("Topic of raw Bluesky Jetstream events (one JSON event per message).");

    public static final ConfigOption<String> TOPIC_MASTODON = key("kafka.topic.mastodon")
            .stringType().defaultValue("discourse.raw.mastodon")
            .withDescription("Topic of raw Mastodon statuses (REST entities or streaming payloads).");

    public static final ConfigOption<String> TOPIC_REDDIT = key("kafka.topic.reddit")
            .stringType().defaultValue("discourse.raw.reddit")
            .withDescription("Topic of raw Reddit things ({\"kind\":\"t3\"|\"t1\",\"data\":{...}}).");

    public static final ConfigOption<String> TOPIC_HACKERNEWS = key("kafka.topic.hackernews")
            .stringType().defaultValue("discourse.raw.hackernews")
            .withDescription("Topic of raw Hacker News items (Firebase API JSON).");

    public static final ConfigOption<String> TOPIC_DEAD_LETTERS = key("kafka.topic.dead-letters")
            .stringType().defaultValue("discourse.dead-letters")
            .withDescription("Where records that cannot be normalized go, with the reason and their raw bytes.");

    public static final ConfigOption<String> TOPIC_LATE = key("kafka.topic.late-events")
            .stringType().defaultValue("discourse.late-events")
            .withDescription("Where normalized events go that arrive after their bucket was closed.");

    public static final ConfigOption<String> STARTING_OFFSETS = key("kafka.starting-offsets")
            .stringType().defaultValue("committed")
            .withDescription("Where a job without a checkpoint starts reading: committed (the group's offsets, "
                    + "else earliest), earliest or latest.");

    public static final ConfigOption<Boolean> BOUNDED = key("kafka.bounded")
            .booleanType().defaultValue(false)
            .withDescription("Stop at the offsets that are the latest when the job starts (replays, backfills, "
                    + "the demo). Open buckets are then closed and written at the end.");

    public static final ConfigOption<String> KAFKA_PROPERTIES_FILE = key("kafka.properties-file")
            .stringType().noDefaultValue()
            .withDescription("A Java properties file of extra Kafka client settings (security.protocol, sasl.*, "
                    + "ssl.*), applied to every consumer and producer. Keep it out of version control.");

    public static final ConfigOption<List<String>> ES_URLS = key("es.urls")
            .stringType().asList().defaultValues("http://localhost:9200")
            .withDescription("Elasticsearch node URLs, separated by ';'. Credentials come from the environment: "
                    + "DISCOURSE_ES_API_KEY, or DISCOURSE_ES_USERNAME and DISCOURSE_ES_PASSWORD (each also as "
                    + "*_FILE naming a file that holds it).");

    public static final ConfigOption<String> ES_CA_FILE = key("es.ca-file")
            .stringType().noDefaultValue()
            .withDescription("PEM file of the CA that signed the cluster's certificate (https URLs).");

    public static final ConfigOption<Boolean> ES_VERIFY_TLS = key("es.verify-tls")
            .booleanType().defaultValue(true)
            .withDescription("Verify the cluster's TLS certificate and host name. Turn off only for a test cluster.");

    public static final ConfigOption<String> ES_INDEX_PLATFORM_COUNTS = key("es.index.platform-counts")
            .stringType().defaultValue("discourse-platform-counts")
            .withDescription("Index (or write alias) of the per-platform bucket counts.");

    public static final ConfigOption<Boolean> ES_INSTALL_TEMPLATES = key("es.install-templates")
            .booleanType().defaultValue(true)
            .withDescription("Install the index templates when the job starts (idempotent).");

    public static final ConfigOption<Integer> ES_BULK_MAX_ACTIONS = key("es.bulk.max-actions")
            .intType().defaultValue(1000)
            .withDescription("Send a bulk request once this many documents are buffered.");

    public static final ConfigOption<Integer> ES_BULK_MAX_MB = key("es.bulk.max-mb")
            .intType().defaultValue(5)
            .withDescription("Send a bulk request once this many megabytes are buffered.");

    public static final ConfigOption<Duration> ES_BULK_FLUSH_INTERVAL = key("es.bulk.flush-interval")
            .durationType().defaultValue(Duration.ofSeconds(1))
            .withDescription("Send whatever is buffered at least this often.");

    public static final ConfigOption<Duration> ES_MAX_RETRY_TIME = key("es.max-retry-time")
            .durationType().defaultValue(Duration.ofMinutes(10))
            .withDescription("How long a bulk request is retried while the cluster is unreachable or "
                    + "overloaded (429, 5xx) before the job fails and restarts.");

    public static final ConfigOption<Duration> BUCKET_SIZE = key("buckets.size")
            .durationType().defaultValue(Duration.ofMinutes(1))
            .withDescription("Length of the event-time buckets.");

    public static final ConfigOption<Duration> OUT_OF_ORDERNESS = key("watermark.out-of-orderness")
            .durationType().defaultValue(Duration.ofSeconds(30))
            .withDescription("How far behind the newest event an event may arrive and still be counted in its "
                    + "bucket.");

    public static final ConfigOption<Duration> IDLENESS = key("watermark.idleness")
            .durationType().defaultValue(Duration.ofMinutes(1))
            .withDescription("A partition with no events for this long stops holding back event time.");

    public static final ConfigOption<Duration> CHECKPOINT_INTERVAL = key("checkpoint.interval")
            .durationType().defaultValue(Duration.ofSeconds(30))
            .withDescription("Checkpoint interval; each checkpoint also flushes the Elasticsearch sink.");

    public static final ConfigOption<Integer> MAX_PARALLELISM = key("max-parallelism")
            .intType().defaultValue(256)
            .withDescription("Key groups of keyed state; fixed for the life of the job's savepoints.");

    public static final List<ConfigOption<?>> ALL = List.of(
            KAFKA_BOOTSTRAP, KAFKA_GROUP_ID, TOPIC_BLUESKY, TOPIC_MASTODON, TOPIC_REDDIT, TOPIC_HACKERNEWS,
            TOPIC_DEAD_LETTERS, TOPIC_LATE, STARTING_OFFSETS, BOUNDED, KAFKA_PROPERTIES_FILE,
            ES_URLS, ES_CA_FILE, ES_VERIFY_TLS, ES_INDEX_PLATFORM_COUNTS, ES_INSTALL_TEMPLATES,
            ES_BULK_MAX_ACTIONS, ES_BULK_MAX_MB, ES_BULK_FLUSH_INTERVAL, ES_MAX_RETRY_TIME,
            BUCKET_SIZE, OUT_OF_ORDERNESS, IDLENESS, CHECKPOINT_INTERVAL, MAX_PARALLELISM);

    /** Every option with its default and meaning, as plain text or as the README's Markdown table. */
    public static String describe(boolean markdown) {
        HtmlFormatter formatter = new HtmlFormatter();
        StringBuilder out = new StringBuilder();
        if (markdown) {
            out.append("| key | default | meaning |\n|---|---|---|\n");
        }
        for (ConfigOption<?> o : ALL) {
            String def = o.hasDefaultValue() ? defaultText(o) : "(none)";
            // Descriptions are plain text; the formatter escapes for HTML, which a terminal and Markdown do not need.
            String text = formatter.format(o.description()).replace("&quot;", "\"").replace("&#39;", "'")
                    .replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
            if (markdown) {
                out.append("| `").append(o.key()).append("` | `").append(def).append("` | ")
                        .append(text.replace("|", "\\|")).append(" |\n");
            } else {
                out.append(o.key()).append(" = ").append(def).append("\n    ").append(text).append("\n");
            }
        }
        return out.toString();
    }

    private static String defaultText(ConfigOption<?> o) {
        Object d = o.defaultValue();
        if (d instanceof Duration duration) {
            return org.apache.flink.util.TimeUtils.formatWithHighestUnit(duration);
        }
        if (d instanceof List<?> list) {
            return String.join(";", list.stream().map(String::valueOf).toList());
        }
        return String.valueOf(d);
    }
}

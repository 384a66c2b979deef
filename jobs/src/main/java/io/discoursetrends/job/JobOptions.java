package io.discoursetrends.job;

import static org.apache.flink.configuration.ConfigOptions.key;

import io.discoursetrends.spikes.DetectorSettings;
import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;
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

    public static final ConfigOption<String> TOPIC_TAXONOMY = key("kafka.topic.taxonomy")
            .stringType().defaultValue("discourse.control.taxonomy")
            .withDescription("Control topic of taxonomy updates (`discourse-trends topics publish`); the job "
                    + "creates it (one partition, compacted) if it is missing and switches taxonomies without a "
                    + "restart.");

    public static final ConfigOption<String> TOPIC_EVENTS = key("kafka.topic.events")
            .stringType().defaultValue("discourse.control.events")
            .withDescription("Control topic of calendar events (one JSON event per record, key: its id); the job "
                    + "creates it (one partition, compacted) if it is missing.");

    public static final ConfigOption<String> TOPIC_SPIKES = key("kafka.topic.spikes")
            .stringType().defaultValue("discourse.spikes")
            .withDescription("Where every spike document goes when it opens, updates and closes, for alerting.");

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

    public static final ConfigOption<String> ES_INDEX_TRENDS = key("es.index.trends")
            .stringType().defaultValue("discourse-trends")
            .withDescription("Alias of the topic x platform buckets; documents go to monthly indices "
                    + "<alias>-yyyy.MM.");

    public static final ConfigOption<String> ES_INDEX_SPIKES = key("es.index.spikes")
            .stringType().defaultValue("discourse-spikes")
            .withDescription("Alias of the spike documents; monthly indices <alias>-yyyy.MM by spike start.");

    public static final ConfigOption<String> ES_INDEX_EVENT_IMPACT = key("es.index.event-impact")
            .stringType().defaultValue("discourse-event-impact")
            .withDescription("Alias of the event impact documents; monthly indices <alias>-yyyy.MM by event time.");

    public static final ConfigOption<String> ES_INDEX_POSTS = key("es.index.posts")
            .stringType().defaultValue("discourse-posts")
            .withDescription("Alias of the matched posts (drill-down from buckets and spikes); monthly indices "
                    + "<alias>-yyyy.MM by creation time.");

    public static final ConfigOption<String> ES_INDEX_TAXONOMIES = key("es.index.taxonomies")
            .stringType().defaultValue("discourse-taxonomies")
            .withDescription("Alias of the applied taxonomies (topic labels, versions).");

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

    // --- Elasticsearch sink and index management (es.*): options added below this line, above the end marker.
    // Index settings and retention are also read without Flink by es-setup (IndexSettings): keep keys and
    // defaults equal there (IndexSettingsTest checks).

    public static final ConfigOption<String> ES_DEAD_LETTER_TOPIC = key("es.dead-letter-topic")
            .stringType().defaultValue("discourse.dead-letters.elasticsearch")
            .withDescription("Kafka topic where the Elasticsearch sink puts documents Elasticsearch will never "
                    + "accept (mapping, parsing or validation errors), one JSON record each with the index, id, status, "
                    + "error type, reason and the document (schemas/json/es-rejected.schema.json); the job goes on. The "
                    + "job creates the topic if it is missing. Empty: such a document fails the job instead.");

    public static final ConfigOption<Integer> ES_INDEX_SHARDS = key("es.index.shards")
            .intType().defaultValue(1)
            .withDescription("Primary shards of each new monthly index (component template discourse-trends-settings).");

    public static final ConfigOption<Integer> ES_INDEX_REPLICAS = key("es.index.replicas")
            .intType().noDefaultValue()
            .withDescription("Replicas of each new monthly index. Unset: one where the cluster has a second node, "
                    + "none on a single node (auto_expand_replicas 0-1).");

    public static final ConfigOption<String> ES_INDEX_REFRESH_INTERVAL = key("es.index.refresh-interval")
            .stringType().defaultValue("5s")
            .withDescription("How often new documents become searchable, in Elasticsearch's syntax (1s, 5s, 30s).");

    public static final ConfigOption<Integer> ES_ILM_RETENTION_DAYS = key("es.ilm.retention-days")
            .intType().defaultValue(180)
            .withDescription("Days a monthly index is kept after its creation before ILM deletes it (policy "
                    + "<kind>-retention). Only where the cluster has ILM; elsewhere delete old indices by hand.");

    public static final ConfigOption<java.util.Map<String, String>> ES_ILM_RETENTION_DAYS_BY_KIND =
            key("es.ilm.retention-days-by-kind").mapType().noDefaultValue()
            .withDescription("Retention per document kind overriding es.ilm.retention-days, e.g. "
                    + "discourse-trends:90,discourse-spikes:365.");

    // --- end of Elasticsearch options.

    public static final ConfigOption<Duration> BUCKET_SIZE = key("buckets.size")
            .durationType().defaultValue(Duration.ofMinutes(1))
            .withDescription("Length of the event-time buckets.");

    public static final ConfigOption<Duration> ALLOWED_LATENESS = key("buckets.allowed-lateness")
            .durationType().defaultValue(Duration.ofMinutes(10))
            .withDescription("How long after a bucket completes a late event still updates it (the document is "
                    + "rewritten under the same id). Later events go to kafka.topic.late-events.");

    public static final ConfigOption<Duration> EARLY_RESULTS = key("buckets.early-results")
            .durationType().defaultValue(Duration.ofSeconds(10))
            .withDescription("Write open buckets that changed this often (processing time), marked "
                    + "complete=false, so dashboards are live. 0 turns early results off.");

    public static final ConfigOption<Integer> MAX_POSTS_PER_AUTHOR = key("buckets.max-posts-per-author")
            .intType().defaultValue(3)
            .withDescription("At most this many posts of one author count toward a topic per bucket; the rest "
                    + "are counted as capped_posts (flooding and spam resistance).");

    public static final ConfigOption<String> TAXONOMY_FILE = key("taxonomy.file")
            .stringType().noDefaultValue()
            .withDescription("The topic taxonomy (YAML) the job starts with; default: the bundled one "
                    + "(jobs/src/main/resources/taxonomy/default-taxonomy.yaml). Read where the job is submitted. "
                    + "A job restored from a checkpoint keeps the taxonomy it had; switch with `topics publish`.");

    public static final ConfigOption<Duration> POST_TTL = key("attribution.post-ttl")
            .durationType().defaultValue(Duration.ofDays(7))
            .withDescription("How long after its creation a post's topics are remembered, so engagement on it is "
                    + "attributed to them (event time). Engagement on older or never-seen posts counts as "
                    + "unattributed_engagement.");

    public static final ConfigOption<Duration> DEDUP_TTL = key("dedup.ttl")
            .durationType().defaultValue(Duration.ofDays(1))
            .withDescription("How long (event time) the id of each engagement event is remembered to drop "
                    + "redeliveries (rounded up to a 24th of it, so expiry runs in steps). Posts are deduplicated "
                    + "for attribution.post-ttl.");

    public static final ConfigOption<Boolean> UNMATCHED_SNIPPETS = key("attribution.unmatched-snippets")
            .booleanType().defaultValue(false)
            .withDescription("Keep the first 140 characters of each post that matched no topic (bots' posts "
                    + "included) for attribution.post-ttl, so the top posts of topic _all (buckets and spikes) show "
                    + "their text. Off, those entries have id, url and engagement but no text; the shipped dashboards "
                    + "do not show _all's top posts. On costs about 15 bytes of state per tracked post on the "
                    + "benchmark's mix, more where fewer posts match.");

    public static final ConfigOption<Boolean> EXCLUDE_BOTS = key("filter.exclude-bots")
            .booleanType().defaultValue(true)
            .withDescription("Leave posts by accounts the platform flags as bots (Mastodon's bot flag) out of "
                    + "the topics; they are counted as bot_posts of topic _all.");

    public static final ConfigOption<String> EVENTS_FILE = key("events.file")
            .stringType().noDefaultValue()
            .withDescription("A YAML calendar of known events (id, name, time, topics, url) that spikes are linked "
                    + "to and whose impact is measured; more can be added at run time on kafka.topic.events.");

    public static final ConfigOption<Duration> SPIKE_LINK_BEFORE = key("spikes.link-before")
            .durationType().defaultValue(Duration.ofHours(1))
            .withDescription("A spike that starts up to this long before a calendar event on its topic is linked "
                    + "to it (anticipation, leaks, time-zone slop).");

    public static final ConfigOption<Duration> SPIKE_LINK_AFTER = key("spikes.link-after")
            .durationType().defaultValue(Duration.ofHours(12))
            .withDescription("A spike that starts up to this long after a calendar event on its topic is linked "
                    + "to it.");

    public static final ConfigOption<Duration> SPIKE_IDLE_TTL = key("spikes.idle-ttl")
            .durationType().defaultValue(Duration.ofDays(14))
            .withDescription("A topic x platform without buckets for this long (event time) loses its detector "
                    + "state; when it comes back it warms up again.");

    public static final ConfigOption<Double> DIVERGENCE_MIN_BASELINE = key("spikes.divergence-min-baseline")
            .doubleType().defaultValue(1.0)
            .withDescription("A platform counts as quiet while a topic spikes elsewhere only if it usually has at "
                    + "least this many posts per bucket on the topic.");

    // The spike detector's settings (DetectorSettings; docs/spikes.md says why each default is what it is). A noisy
    // key's operator raises spikes.detector.burst-threshold; the defaults are what docs/spikes.md's figures measure.
    private static final DetectorSettings D = DetectorSettings.DEFAULTS;

    public static final ConfigOption<Duration> DETECTOR_BASELINE_HALF_LIFE = key("spikes.detector.baseline-half-life")
            .durationType().defaultValue(D.baselineHalfLife())
            .withDescription("How fast a key's baseline follows its series (an observation's weight halves after "
                    + "this long); also how long after a drop no other drop is reported.");

    public static final ConfigOption<Duration> DETECTOR_DAILY_HALF_LIFE = key("spikes.detector.daily-half-life")
            .durationType().defaultValue(D.dailyHalfLife())
            .withDescription("Memory of a key's hour-of-day rhythm, in days of data.");

    public static final ConfigOption<Duration> DETECTOR_WEEKLY_HALF_LIFE = key("spikes.detector.weekly-half-life")
            .durationType().defaultValue(D.weeklyHalfLife())
            .withDescription("Memory of a key's day-of-week rhythm.");

    public static final ConfigOption<Duration> DETECTOR_NOISE_HALF_LIFE = key("spikes.detector.noise-half-life")
            .durationType().defaultValue(D.noiseHalfLife())
            .withDescription("Memory of how much a key's ordinary buckets scatter around its baseline.");

    public static final ConfigOption<Duration> DETECTOR_BURSTINESS_HALF_LIFE =
            key("spikes.detector.burstiness-half-life")
            .durationType().defaultValue(D.burstinessHalfLife())
            .withDescription("Memory of how often and how far a key bursts, and of its record score: a key that "
                    + "bursts every day needs a bigger burst to alert.");

    public static final ConfigOption<Integer> DETECTOR_WARMUP_BUCKETS = key("spikes.detector.warmup-buckets")
            .intType().defaultValue(D.warmupBuckets())
            .withDescription("Buckets a new key must have seen before a spike may open (>= 0).");

    public static final ConfigOption<Double> DETECTOR_BURST_SLACK = key("spikes.detector.burst-slack")
            .doubleType().defaultValue(D.burstSlack())
            .withDescription("Score (noise units) a bucket must exceed to count as evidence of an abrupt burst, or "
                    + "to open one by beating the key's record.");

    public static final ConfigOption<Double> DETECTOR_BURST_THRESHOLD = key("spikes.detector.burst-threshold")
            .doubleType().defaultValue(D.burstThreshold())
            .withDescription("Burst evidence at which a spike opens: one bucket alone needs burst-slack + this. "
                    + "Raise it for a key that alerts too often. The one setting the evaluation lets a fold tune.");

    public static final ConfigOption<Double> DETECTOR_SUSTAINED_SLACK = key("spikes.detector.sustained-slack")
            .doubleType().defaultValue(D.sustainedSlack())
            .withDescription("Score a bucket must exceed to count as evidence of a sustained rise.");

    public static final ConfigOption<Double> DETECTOR_SUSTAINED_THRESHOLD = key("spikes.detector.sustained-threshold")
            .doubleType().defaultValue(D.sustainedThreshold())
            .withDescription("Sustained evidence at which a spike opens (a long, moderate rise).");

    public static final ConfigOption<Double> DETECTOR_CLOSE_SCORE = key("spikes.detector.close-score")
            .doubleType().defaultValue(D.closeScore())
            .withDescription("A bucket scoring below this is back near the baseline (at most the smaller slack).");

    public static final ConfigOption<Integer> DETECTOR_CLOSE_AFTER_BUCKETS = key("spikes.detector.close-after-buckets")
            .intType().defaultValue(D.closeAfterBuckets())
            .withDescription("Consecutive buckets back near the baseline that close a spike (>= 1).");

    public static final ConfigOption<Duration> DETECTOR_COOLDOWN = key("spikes.detector.cooldown")
            .durationType().defaultValue(D.cooldown())
            .withDescription("After a spike closes, no new one opens on the key for this long.");

    public static final ConfigOption<Double> DETECTOR_MIN_VOLUME = key("spikes.detector.min-volume")
            .doubleType().defaultValue(D.minVolume())
            .withDescription("A spike's buckets must hold at least this many posts together.");

    public static final ConfigOption<Long> DETECTOR_MIN_UNIQUE_AUTHORS = key("spikes.detector.min-unique-authors")
            .longType().defaultValue(D.minUniqueAuthors())
            .withDescription("One of a spike's buckets must have at least this many unique authors.");

    public static final ConfigOption<Double> DETECTOR_MIN_RATIO = key("spikes.detector.min-ratio")
            .doubleType().defaultValue(D.minRatio())
            .withDescription("A spike's buckets must hold at least this multiple of what the baseline expected "
                    + "(>= 1).");

    /** The detector's settings from the configuration; throws naming the option whose value is out of range. */
    public static DetectorSettings detectorSettings(ReadableConfig c) {
        try {
            return new DetectorSettings(c.get(DETECTOR_BASELINE_HALF_LIFE), c.get(DETECTOR_DAILY_HALF_LIFE),
                    c.get(DETECTOR_WEEKLY_HALF_LIFE), c.get(DETECTOR_NOISE_HALF_LIFE),
                    c.get(DETECTOR_BURSTINESS_HALF_LIFE), c.get(DETECTOR_WARMUP_BUCKETS), c.get(DETECTOR_BURST_SLACK),
                    c.get(DETECTOR_BURST_THRESHOLD), c.get(DETECTOR_SUSTAINED_SLACK),
                    c.get(DETECTOR_SUSTAINED_THRESHOLD), c.get(DETECTOR_CLOSE_SCORE),
                    c.get(DETECTOR_CLOSE_AFTER_BUCKETS), c.get(DETECTOR_COOLDOWN), c.get(DETECTOR_MIN_VOLUME),
                    c.get(DETECTOR_MIN_UNIQUE_AUTHORS), c.get(DETECTOR_MIN_RATIO));
        } catch (IllegalArgumentException e) {
            // DetectorSettings names its component (burstThreshold); the option is its kebab-case twin.
            String m = e.getMessage();
            int space = m.indexOf(' ');
            String component = space < 0 ? m : m.substring(0, space);
            throw new IllegalArgumentException("option spikes.detector." + kebab(component) + ": " + m);
        }
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }

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
            TOPIC_DEAD_LETTERS, TOPIC_LATE, TOPIC_TAXONOMY, TOPIC_EVENTS, TOPIC_SPIKES,
            STARTING_OFFSETS, BOUNDED, KAFKA_PROPERTIES_FILE,
            ES_URLS, ES_CA_FILE, ES_VERIFY_TLS, ES_INDEX_TRENDS, ES_INDEX_SPIKES, ES_INDEX_EVENT_IMPACT, ES_INDEX_POSTS,
            ES_INDEX_TAXONOMIES, ES_INSTALL_TEMPLATES,
            ES_BULK_MAX_ACTIONS, ES_BULK_MAX_MB, ES_BULK_FLUSH_INTERVAL, ES_MAX_RETRY_TIME,
            ES_DEAD_LETTER_TOPIC, ES_INDEX_SHARDS, ES_INDEX_REPLICAS, ES_INDEX_REFRESH_INTERVAL, ES_ILM_RETENTION_DAYS,
            ES_ILM_RETENTION_DAYS_BY_KIND,
            BUCKET_SIZE, ALLOWED_LATENESS, EARLY_RESULTS, MAX_POSTS_PER_AUTHOR, TAXONOMY_FILE, POST_TTL, DEDUP_TTL,
            UNMATCHED_SNIPPETS, EXCLUDE_BOTS, EVENTS_FILE, SPIKE_LINK_BEFORE, SPIKE_LINK_AFTER, SPIKE_IDLE_TTL,
            DIVERGENCE_MIN_BASELINE,
            DETECTOR_BASELINE_HALF_LIFE, DETECTOR_DAILY_HALF_LIFE, DETECTOR_WEEKLY_HALF_LIFE, DETECTOR_NOISE_HALF_LIFE,
            DETECTOR_BURSTINESS_HALF_LIFE, DETECTOR_WARMUP_BUCKETS, DETECTOR_BURST_SLACK, DETECTOR_BURST_THRESHOLD,
            DETECTOR_SUSTAINED_SLACK, DETECTOR_SUSTAINED_THRESHOLD, DETECTOR_CLOSE_SCORE, DETECTOR_CLOSE_AFTER_BUCKETS,
            DETECTOR_COOLDOWN, DETECTOR_MIN_VOLUME, DETECTOR_MIN_UNIQUE_AUTHORS, DETECTOR_MIN_RATIO,
            OUT_OF_ORDERNESS, IDLENESS, CHECKPOINT_INTERVAL, MAX_PARALLELISM);

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

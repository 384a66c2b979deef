package io.discoursetrends.benchmarks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.discoursetrends.classify.CompiledTaxonomy;
import io.discoursetrends.classify.Taxonomy;
import io.discoursetrends.classify.TextNormalizer;
import io.discoursetrends.classify.TopicDefinition;
import io.discoursetrends.model.Platform;
import io.discoursetrends.model.Post;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.annotation.DataTypeHint;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.functions.FunctionContext;
import org.apache.flink.table.functions.ScalarFunction;
import org.apache.flink.types.Row;

/**
 * The job's counting as a Flink SQL user would write it, over the same raw platform records: the baseline the
 * issue asks the DataStream topology to beat. Goal: per topic and platform (and per topic over all platforms),
 * 1-minute tumbling event-time windows with the posts counted and the engagement summed.
 *
 * <p>What the SQL is, and why it is what a user would write:
 * <ul>
 *   <li>one table per Kafka topic with {@code 'format' = 'json'} and the fields each platform's records carry
 *       declared as nested {@code ROW}s (the JSON format decodes only declared fields, with Jackson's streaming
 *       parser); a Mastodon streaming message carries its status as a JSON string, which only the JSON functions
 *       ({@code JSON_VALUE}) can read; event time from each record's own field, watermark 30 s behind it (the
 *       job's {@code watermark.out-of-orderness});</li>
 *   <li>one {@code UNION ALL} of what counts: posts (Bluesky post creates, public Mastodon statuses that are no
 *       boosts and whose author is no bot, Reddit submissions and comments, live Hacker News items) and the
 *       engagement events a record carries itself (Bluesky likes, reposts, replies and quotes of posts, Mastodon
 *       boosts);</li>
 *   <li>deduplication by platform, kind and id with {@code ROW_NUMBER() ... ORDER BY proctime} keeping the
 *       first row, the pattern Flink's documentation gives (insert-only output), its state kept for
 *       {@code table.exec.state.ttl} = 1 day (the job's {@code dedup.ttl});</li>
 *   <li>the taxonomy's matching, in one of the {@link Formulation}s, all generated from the taxonomy file with
 *       built-in functions only: the baseline ({@link Formulation#TOKEN_LOOKUP_JOIN}, see {@link #tokenQuery})
 *       splits the text into words once, builds the n-grams of the words that can begin a phrase, and looks the
 *       n-grams, hashtags and communities up in a table of the taxonomy's keys (a lookup join), then counts a post
 *       once per topic unless an exclusion matched; {@link Formulation#TOKEN_TEMPORAL_JOIN} is the same with an
 *       event-time temporal join; {@link Formulation#LIKE_PER_TOPIC} (the first baseline) is one {@code UNION
 *       ALL} branch per topic, {@code SELECT ..., 'topic' FROM unique_events WHERE <the topic's test>}, a phrase
 *       {@code words LIKE '% phrase words %'} on the text lower-cased with one {@code REGEXP_REPLACE} of every run
 *       of non-letters and non-digits to a space, padded (HTML tags and entities removed first), a hashtag the
 *       same test on the text with '#' kept ({@code tags LIKE '% #tag %'}), a community {@code IN (...)} on the
 *       subreddit or the Mastodon instance, exclusions {@code AND NOT (...)}, languages
 *       {@code lang IS NULL OR ... IN (...)}, regexes {@code REGEXP}: every post against every phrase. All three
 *       match the same words the same way (whole words, in order, lower case; the test checks them against the
 *       reference). Tried and given up: one {@code CASE WHEN ... THEN 'topic' END} per topic in one {@code ARRAY}
 *       with {@code CROSS JOIN UNNEST} (a single expression of 2,470 {@code LIKE}s, which the planner's code
 *       splitter did not finish rewriting in minutes) and one {@code REGEXP} per topic (recompiled per row once
 *       there are more than 64: Flink's per-thread pattern cache). {@link Formulation#MATCHER_UDF} is no SQL
 *       matching but the job's matcher as a UDF, a labelled comparison row;</li>
 *   <li>{@code TUMBLE} windows, {@code GROUP BY window, GROUPING SETS ((topic, platform), (topic))},
 *       {@code COUNT} of posts and {@code SUM} of engagement, into the same counting sink as the job's
 *       buckets.</li>
 * </ul>
 *
 * <p>What it leaves out, which the job does: engagement is not attributed to the topics of the post it is on (a
 * like carries no text: SQL would need a join with a week of posts), so a topic's engagement is the sum of the
 * counters its posts carry when first seen, and likes, reposts, replies and quotes count only toward
 * {@code _all}; counters are summed as reported, not as deltas between snapshots (a re-polled post is dropped by
 * the dedup, its new counters with it); no early results (a window is written once, when the watermark passes
 * it), no allowed lateness (later events are dropped silently, not sent to a late-data topic), no per-author cap,
 * no distinct authors or engagers, terms, top posts, communities or languages per bucket, no drill-down
 * documents, no spike detection, no dead letters (a record the JSON format cannot parse is skipped).
 */
public final class SqlBaseline {
    /** The job's default {@code watermark.out-of-orderness}. */
    public static final Duration OUT_OF_ORDERNESS = Duration.ofSeconds(30);

    /** How the taxonomy's matching is written in SQL. */
    public enum Formulation {
        /** One UNION ALL branch per topic, a whole-word LIKE per phrase: every post against every phrase. */
        LIKE_PER_TOPIC,
        /** The words split once, n-grams of candidate words, a temporal join with the taxonomy's keys. */
        TOKEN_TEMPORAL_JOIN,
        /** The same candidates, a lookup join with the taxonomy's keys (a lookup table with a full cache). */
        TOKEN_LOOKUP_JOIN,
        /**
         * Not SQL's matching: the job's own matcher ({@link CompiledTaxonomy}) as a scalar UDF, for what the rest
         * of the SQL (JSON format, dedup, windows) costs without it.
         */
        MATCHER_UDF;

        /** The formulation the benchmark's {@code Flink SQL: baseline} runs. */
        public static final Formulation BASELINE = TOKEN_LOOKUP_JOIN;
    }

    /** Taxonomy tables registered by {@link #build} per run of {@link #register}, removed with the run. */
    private static final Map<String, Set<String>> TERM_TABLES = new ConcurrentHashMap<>();
    /** Taxonomies of {@link MatchTopics} by id (one JVM: a MiniCluster); a Taxonomy is not serializable. */
    private static final Map<String, Taxonomy> TAXONOMIES = new ConcurrentHashMap<>();

    private SqlBaseline() {}

    /** Raw record values per platform (in event-time order per platform), registered for the SQL tables. */
    public static Map<Platform, String> register(Map<Platform, byte[][]> values) {
        Map<Platform, String> ids = new EnumMap<>(Platform.class);
        String run = UUID.randomUUID().toString();
        values.forEach((p, v) -> {
            String id = run + "/" + p.id();
            MemoryRecordsTableFactory.register(id, v);
            ids.put(p, id);
        });
        return ids;
    }

    public static void unregister(Map<Platform, String> ids) {
        ids.values().forEach(MemoryRecordsTableFactory::unregister);
        Set<String> terms = TERM_TABLES.remove(run(ids));
        if (terms != null) {
            terms.forEach(MemoryRecordsTableFactory::unregister);
            terms.forEach(TAXONOMIES::remove);
        }
    }

    /** The run prefix of {@link #register}'s ids ("run/platform"). */
    private static String run(Map<Platform, String> ids) {
        String any = ids.values().iterator().next();
        return any.substring(0, any.lastIndexOf('/'));
    }

    /**
     * Declares the tables over {@code records} and returns the bucket rows (topic, platform, window_start,
     * window_end, posts, engagement; platform {@code all} for all platforms) as a stream, for a sink, with the
     * baseline's formulation ({@link Formulation#BASELINE}).
     */
    public static DataStream<Row> build(StreamExecutionEnvironment env, Map<Platform, String> records,
            Taxonomy taxonomy) {
        return build(env, records, taxonomy, Formulation.BASELINE);
    }

    /** As {@link #build(StreamExecutionEnvironment, Map, Taxonomy)}, with the given formulation of the matching. */
    public static DataStream<Row> build(StreamExecutionEnvironment env, Map<Platform, String> records,
            Taxonomy taxonomy, Formulation formulation) {
        StreamTableEnvironment tEnv = StreamTableEnvironment.create(env, EnvironmentSettings.inStreamingMode());
        tEnv.getConfig().set("table.local-time-zone", "UTC");
        tEnv.getConfig().set("table.exec.state.ttl", "1 d");
        // As the job does: without it every post is copied into each of the topics' branches.
        env.getConfig().enableObjectReuse();
        for (String ddl : tables(records)) {
            tEnv.executeSql(ddl);
        }
        List<String> query;
        if (formulation == Formulation.LIKE_PER_TOPIC) {
            query = query(taxonomy);
        } else if (formulation == Formulation.MATCHER_UDF) {
            String id = run(records) + "/taxonomy/" + UUID.randomUUID();
            TAXONOMIES.put(id, taxonomy);
            TERM_TABLES.computeIfAbsent(run(records), k -> ConcurrentHashMap.newKeySet()).add(id);
            tEnv.createTemporarySystemFunction("MATCH_TOPICS", new MatchTopics(id));
            query = udfQuery();
        } else {
            String run = run(records);
            String keys = run + "/taxonomy-keys/" + UUID.randomUUID();
            MemoryRecordsTableFactory.register(keys, termRecords(taxonomy));
            TERM_TABLES.computeIfAbsent(run, k -> ConcurrentHashMap.newKeySet()).add(keys);
            boolean lookup = formulation == Formulation.TOKEN_LOOKUP_JOIN;
            tEnv.executeSql(lookup ? lookupTable(keys) : termTable(keys));
            query = tokenQuery(taxonomy, lookup);
        }
        for (String view : query.subList(0, query.size() - 1)) {
            tEnv.executeSql(view);
        }
        Table buckets = tEnv.sqlQuery(query.get(query.size() - 1));
        return tEnv.toDataStream(buckets);
    }

    /** The DDL of the four source tables. */
    public static List<String> tables(Map<Platform, String> records) {
        String watermark = "WATERMARK FOR `ts` AS `ts` - INTERVAL '" + OUT_OF_ORDERNESS.toSeconds() + "' SECOND";
        List<String> out = new ArrayList<>();
        out.add("CREATE TEMPORARY TABLE bluesky (\n"
                + "  `did` STRING, `time_us` BIGINT, `kind` STRING,\n"
                + "  `commit` ROW<`operation` STRING, `collection` STRING, `rkey` STRING,\n"
                + "    `record` ROW<`text` STRING, `langs` ARRAY<STRING>, `subject` ROW<`uri` STRING>,\n"
                + "      `reply` ROW<`parent` ROW<`uri` STRING>>,\n"
                + "      `embed` ROW<`$type` STRING, `record` ROW<`uri` STRING, `record` ROW<`uri` STRING>>>>>,\n"
                + "  `ts` AS COALESCE(TO_TIMESTAMP_LTZ(`time_us` / 1000, 3), TO_TIMESTAMP_LTZ(0, 3)),\n"
                + "  `proc` AS PROCTIME(),\n  " + watermark + "\n) " + with(records, Platform.BLUESKY));
        out.add("CREATE TEMPORARY TABLE mastodon (\n"
                + "  `event` STRING, `payload` STRING,\n"
                + "  `uri` STRING, `created_at` STRING, `visibility` STRING, `language` STRING,\n"
                + "  `spoiler_text` STRING, `content` STRING, `favourites_count` BIGINT, `reblogs_count` BIGINT,\n"
                + "  `replies_count` BIGINT, `quotes_count` BIGINT,\n"
                + "  `account` ROW<`acct` STRING, `url` STRING, `bot` BOOLEAN>, `reblog` ROW<`uri` STRING>,\n"
                + "  `ts` AS COALESCE(" + isoTime("COALESCE(`created_at`, JSON_VALUE(`payload`, '$.created_at'))")
                + ", TO_TIMESTAMP_LTZ(0, 3)),\n"
                + "  `proc` AS PROCTIME(),\n  " + watermark + "\n) " + with(records, Platform.MASTODON));
        out.add("CREATE TEMPORARY TABLE reddit (\n"
                + "  `kind` STRING,\n"
                + "  `data` ROW<`name` STRING, `subreddit` STRING, `title` STRING, `selftext` STRING, `body` STRING,\n"
                + "    `score` BIGINT, `score_hidden` BOOLEAN, `num_comments` BIGINT, `created_utc` DOUBLE>,\n"
                + "  `ts` AS COALESCE(TO_TIMESTAMP_LTZ(CAST(`data`.`created_utc` * 1000 AS BIGINT), 3),"
                + " TO_TIMESTAMP_LTZ(0, 3)),\n"
                + "  `proc` AS PROCTIME(),\n  " + watermark + "\n) " + with(records, Platform.REDDIT));
        out.add("CREATE TEMPORARY TABLE hackernews (\n"
                + "  `id` BIGINT, `type` STRING, `time` BIGINT, `title` STRING, `text` STRING, `score` BIGINT,\n"
                + "  `descendants` BIGINT, `deleted` BOOLEAN, `dead` BOOLEAN,\n"
                + "  `ts` AS COALESCE(TO_TIMESTAMP_LTZ(`time` * 1000, 3), TO_TIMESTAMP_LTZ(0, 3)),\n"
                + "  `proc` AS PROCTIME(),\n  " + watermark + "\n) " + with(records, Platform.HACKERNEWS));
        return out;
    }

    private static String with(Map<Platform, String> records, Platform p) {
        return "WITH ('connector' = '" + MemoryRecordsTableFactory.IDENTIFIER + "', 'records' = '" + records.get(p)
                + "', 'format' = 'json', 'json.ignore-parse-errors' = 'true')";
    }

    /** An ISO-8601 UTC instant with milliseconds ("2026-05-25T00:00:52.645Z") as TIMESTAMP_LTZ(3). */
    private static String isoTime(String s) {
        return "CAST(TO_TIMESTAMP(REPLACE(REPLACE(" + s + ", 'T', ' '), 'Z', ''), 'yyyy-MM-dd HH:mm:ss.SSS')"
                + " AS TIMESTAMP_LTZ(3))";
    }

    /** A Mastodon status field: a column of a REST status, or read from a streaming message's JSON payload. */
    private static String status(String column, String path, String type) {
        String json = type.equals("STRING") ? "JSON_VALUE(`payload`, '" + path + "')"
                : "CAST(JSON_VALUE(`payload`, '" + path + "') AS " + type + ")"; // RETURNING BIGINT: unsupported
        return "CASE WHEN `payload` IS NULL THEN " + column + " ELSE " + json + " END";
    }

    /**
     * What counts, from the four tables: posts and engagement events as rows (platform, kind, id, ts, proc, body,
     * community, lang, engagement), before the dedup.
     */
    private static String events() {
        String bskyPost = "kind = 'commit' AND `commit`.`operation` = 'create'"
                + " AND `commit`.`collection` = 'app.bsky.feed.post' AND `commit`.`record`.`text` IS NOT NULL";
        String bskyUri = "'at://' || did || '/' || `commit`.`collection` || '/' || `commit`.`rkey`";
        String isPost = "'%/app.bsky.feed.post/%'";
        String engagementColumns = "CAST(NULL AS STRING), CAST(NULL AS STRING), CAST(NULL AS STRING),"
                + " CAST(1 AS BIGINT)";
        String mastodonStatuses = "SELECT "
                + status("`uri`", "$.uri", "STRING") + " AS uri, "
                + status("`visibility`", "$.visibility", "STRING") + " AS visibility, "
                + status("`language`", "$.language", "STRING") + " AS lang, "
                + status("`spoiler_text`", "$.spoiler_text", "STRING") + " AS spoiler, "
                + status("`content`", "$.content", "STRING") + " AS content, "
                + status("`account`.`acct`", "$.account.acct", "STRING") + " AS acct, "
                + status("`account`.`url`", "$.account.url", "STRING") + " AS account_url, "
                + status("`account`.`bot`", "$.account.bot", "BOOLEAN") + " AS bot, "
                + status("`reblog`.`uri`", "$.reblog.uri", "STRING") + " AS reblog_uri, "
                + status("`favourites_count`", "$.favourites_count", "BIGINT") + " AS favourites, "
                + status("`reblogs_count`", "$.reblogs_count", "BIGINT") + " AS reblogs, "
                + status("`replies_count`", "$.replies_count", "BIGINT") + " AS replies, "
                + status("`quotes_count`", "$.quotes_count", "BIGINT") + " AS quotes, ts, proc"
                + " FROM mastodon WHERE `event` IS NULL OR `event` IN ('update', 'status.update')";
        return String.join("\nUNION ALL\n",
                // Bluesky: posts, and the engagement a record carries (likes, reposts; a reply or quote is
                // also an engagement event on the post it answers or quotes)
                "SELECT 'bluesky' AS platform, 'post' AS kind, " + bskyUri + " AS id, ts, proc,"
                        + " `commit`.`record`.`text` AS body, CAST(NULL AS STRING) AS community,"
                        + " `commit`.`record`.`langs`[1] AS lang, CAST(0 AS BIGINT) AS engagement"
                        + " FROM bluesky WHERE " + bskyPost,
                "SELECT 'bluesky', 'engagement', " + bskyUri + ", ts, proc, " + engagementColumns + " FROM bluesky"
                        + " WHERE kind = 'commit' AND `commit`.`operation` = 'create'"
                        + " AND `commit`.`collection` IN ('app.bsky.feed.like', 'app.bsky.feed.repost')"
                        + " AND `commit`.`record`.`subject`.`uri` LIKE " + isPost,
                "SELECT 'bluesky', 'reply', " + bskyUri + ", ts, proc, " + engagementColumns + " FROM bluesky"
                        + " WHERE " + bskyPost + " AND `commit`.`record`.`reply`.`parent`.`uri` LIKE " + isPost,
                "SELECT 'bluesky', 'quote', " + bskyUri + ", ts, proc, " + engagementColumns + " FROM bluesky"
                        + " WHERE " + bskyPost + " AND ((`commit`.`record`.`embed`.`$type` = 'app.bsky.embed.record'"
                        + " AND `commit`.`record`.`embed`.`record`.`uri` LIKE " + isPost + ")"
                        + " OR (`commit`.`record`.`embed`.`$type` = 'app.bsky.embed.recordWithMedia'"
                        + " AND `commit`.`record`.`embed`.`record`.`record`.`uri` LIKE " + isPost + "))",
                // Mastodon: public statuses; a boost is an engagement event, not a post; bots are left out
                "SELECT 'mastodon', CASE WHEN reblog_uri IS NULL THEN 'post' ELSE 'engagement' END, uri, ts, proc,"
                        + " CASE WHEN reblog_uri IS NULL THEN "
                        + html("COALESCE(spoiler, '') || ' ' || COALESCE(content, '')") + " END,"
                        + " LOWER(COALESCE(SPLIT_INDEX(acct, '@', 1),"
                        + " REGEXP_EXTRACT(account_url, '^https?://([^/:]+)', 1))), lang,"
                        + " CASE WHEN reblog_uri IS NULL THEN COALESCE(favourites, 0) + COALESCE(reblogs, 0)"
                        + " + COALESCE(replies, 0) + COALESCE(quotes, 0) ELSE 1 END"
                        + " FROM (" + mastodonStatuses + ")"
                        + " WHERE uri IS NOT NULL AND (visibility IS NULL"
                        + " OR visibility NOT IN ('private', 'direct', 'limited'))"
                        + " AND (reblog_uri IS NOT NULL OR bot IS NOT TRUE)",
                // Reddit: submissions (title and selftext) and comments; score (and comments) as engagement
                "SELECT 'reddit', 'post', `data`.`name`, ts, proc,"
                        + " CASE WHEN kind = 't3' THEN COALESCE(`data`.`title`, '') || ' '"
                        + " || COALESCE(`data`.`selftext`, '') ELSE `data`.`body` END,"
                        + " LOWER(`data`.`subreddit`), CAST(NULL AS STRING),"
                        + " CASE WHEN `data`.`score_hidden` IS TRUE THEN 0 ELSE COALESCE(`data`.`score`, 0) END"
                        + " + CASE WHEN kind = 't3' THEN COALESCE(`data`.`num_comments`, 0) ELSE 0 END"
                        + " FROM reddit WHERE kind IN ('t3', 't1') AND `data`.`name` IS NOT NULL",
                // Hacker News: live items of the post types; score and descendants as engagement
                "SELECT 'hackernews', 'post', 'hn:' || CAST(id AS STRING), ts, proc,"
                        + " " + html("COALESCE(title, '') || ' ' || COALESCE(`text`, '')") + ", CAST(NULL AS STRING),"
                        + " CAST(NULL AS STRING), COALESCE(score, 0) + COALESCE(descendants, 0)"
                        + " FROM hackernews WHERE `type` IN ('story', 'ask', 'poll', 'job', 'comment')"
                        + " AND deleted IS NOT TRUE AND dead IS NOT TRUE AND id IS NOT NULL");
    }

    /** The query: views of the unique events and of the events per topic, then the windows over them. */
    public static List<String> query(Taxonomy taxonomy) {
        String events = events();
        // The words are computed before the dedup, so that the topics' branches below share them: Calcite would
        // merge a projection after the dedup into each branch and lower-case the text once per topic.
        // words: for phrases; tags: the same with '#' (and '_') kept, for hashtags.
        String words = "' ' || LOWER(REGEXP_REPLACE(body, '[^\\p{L}\\p{N}]+', ' ')) || ' '";
        String tags = "' ' || LOWER(REGEXP_REPLACE(body, '[^\\p{L}\\p{N}#_]+', ' ')) || ' '";
        String unique = "SELECT platform, kind, ts, body, community, lang, engagement, words, tags FROM ("
                + "SELECT *, ROW_NUMBER() OVER (PARTITION BY platform, kind, id ORDER BY proc ASC) AS rn"
                + " FROM (SELECT *, " + words + " AS words, " + tags + " AS tags FROM (" + events + ")))"
                + " WHERE rn = 1";
        return List.of("CREATE TEMPORARY VIEW unique_events AS " + unique,
                "CREATE TEMPORARY VIEW topic_events AS " + topicBranches(taxonomy),
                "SELECT topic, COALESCE(platform, 'all') AS platform, window_start, window_end,"
                        + " COUNT(*) FILTER (WHERE kind = 'post') AS posts, SUM(engagement) AS engagement"
                        + " FROM TABLE(TUMBLE(TABLE topic_events, DESCRIPTOR(ts), INTERVAL '1' MINUTE))"
                        + " GROUP BY window_start, window_end, GROUPING SETS ((topic, platform), (topic))");
    }

    /**
     * The token formulation: the text is split into its words once per post, every word that begins a phrase
     * gives the phrases' n-grams that start there, and each n-gram, hashtag and community that is a key of the
     * taxonomy is joined with the taxonomy's table of keys (key -> topics, and whether the key is a phrase or an
     * exclusion of each), then (post, topic) is deduplicated, exclusions applied, per 1-minute window, and the
     * topics' windows count those. Only built-in functions and built-in joins.
     *
     * <ul>
     *   <li>{@code ws} = {@code SPLIT} of the same {@code words} the LIKE formulation tests (lower case, every run
     *       of non-letters and non-digits one space), so an n-gram of {@code ws} equals a phrase's words exactly
     *       when {@code words LIKE '% phrase %'}; hashtags are the tokens of {@code tags} that begin with '#', as
     *       {@code tags LIKE '% #tag %'} tests. Same matches, by construction: the test checks them.</li>
     *   <li>{@code CROSS JOIN UNNEST(ws) WITH ORDINALITY} gives a row per word; {@code word IN (<the phrases' first
     *       words>)} keeps those that can begin a phrase (an {@code IN} of literals is a hash-set lookup in
     *       Flink's generated code, SearchOperatorGen: one lookup per word, not a comparison per phrase); their
     *       n-grams of the phrases' lengths ({@code word || ' ' || ws[i + 1] ...}, NULL past the end) are tested
     *       with one {@code IN} per length, and only words with a phrase there are expanded (a second
     *       {@code UNNEST}) into one row per n-gram.</li>
     *   <li>The keys' topics come from a table ({@code taxonomy_keys}: one row per key, its topics as an
     *       {@code ARRAY<ROW<topic, excluded>>}). {@code lookup}: a lookup join ({@code FOR SYSTEM_TIME AS OF}
     *       processing time), the streaming join for a dimension table, which keeps the stream's time attribute
     *       for the windows after it; the table is {@code memory-records} as a lookup source (a hash map, as a
     *       lookup connector with a full cache). Otherwise an event-time temporal join with the table as a
     *       versioned table (primary key, watermark): only SQL-declared tables, but its operator keeps each
     *       candidate row until the watermark passes and, in Flink 2.2.1, scans all buffered rows of a key on each
     *       of the key's timers, which is what its profile shows. A regular join is no option: it drops the time
     *       attribute the windows need and keeps every row of the stream in its state.</li>
     *   <li>{@code TUMBLE ... GROUP BY window, platform, id, topic HAVING MAX(excluded) = 0}: a post once per
     *       topic, none where an exclusion matched; then the topics' counts over those windows' rows
     *       (cascading windows on {@code window_time}), beside the counts of all events under {@code _all}.</li>
     * </ul>
     */
    public static List<String> tokenQuery(Taxonomy taxonomy, boolean lookup) {
        String events = events();
        String words = "LOWER(REGEXP_REPLACE(body, '[^\\p{L}\\p{N}]+', ' '))";
        String tags = "LOWER(REGEXP_REPLACE(body, '[^\\p{L}\\p{N}#_]+', ' '))";
        // Before the dedup, as in the LIKE formulation, so that the branches below share them.
        String unique = "SELECT platform, kind, id, ts, body, community, lang, engagement, ws, tags FROM ("
                + "SELECT *, ROW_NUMBER() OVER (PARTITION BY platform, kind, id ORDER BY proc ASC) AS rn"
                + " FROM (SELECT *, SPLIT(TRIM(" + words + "), ' ') AS ws, TRIM(" + tags + ") AS tags"
                + " FROM (" + events + ")))"
                + " WHERE rn = 1";
        Keys keys = keys(taxonomy);
        String columns = "platform, id, ts, engagement, lang";
        List<String> candidates = new ArrayList<>();
        if (!keys.phrases.isEmpty()) {
            // g1 .. gN: the n-grams of the lengths the taxonomy has, starting at this word (NULL past the end)
            List<String> grams = new ArrayList<>();
            List<String> tests = new ArrayList<>();
            String gram = "word";
            for (int k = 1; k <= keys.longestPhrase; k++) {
                if (k > 1) {
                    gram += " || ' ' || ws[i + " + (k - 1) + "]";
                }
                Set<String> phrases = keys.phrasesByLength.get(k);
                if (phrases != null) {
                    grams.add(gram + " AS g" + k);
                    tests.add("g" + k + " IN (" + literals(phrases) + ")");
                }
            }
            String names = grams.stream().map(g -> g.substring(g.lastIndexOf(" AS ") + 4))
                    .collect(Collectors.joining(", "));
            candidates.add("SELECT " + columns + ", term FROM (SELECT " + columns + ", " + names + " FROM ("
                    + "SELECT " + columns + ", " + String.join(", ", grams)
                    + " FROM unique_events CROSS JOIN UNNEST(ws) WITH ORDINALITY AS u(word, i)"
                    + " WHERE kind = 'post' AND word IN (" + literals(keys.firstWords) + "))"
                    + " WHERE " + String.join(" OR ", tests) + ")"
                    + " CROSS JOIN UNNEST(ARRAY[" + names + "]) AS g(term) WHERE term IS NOT NULL");
        }
        if (!keys.hashtags.isEmpty()) {
            candidates.add("SELECT " + columns + ", term FROM unique_events"
                    + " CROSS JOIN UNNEST(SPLIT(tags, ' ')) AS u(term)"
                    + " WHERE kind = 'post' AND term IN (" + literals(keys.hashtags) + ")");
        }
        if (!keys.communities.isEmpty()) {
            candidates.add("SELECT " + columns + ", " + literal(COMMUNITY) + " || community FROM unique_events"
                    + " WHERE kind = 'post' AND community IN (" + literals(keys.communities) + ")");
        }
        keys.regexes.forEach((topic, regexes) -> {
            for (String regex : regexes) {
                candidates.add("SELECT " + columns + ", " + literal(REGEX + topic) + " FROM unique_events"
                        + " WHERE kind = 'post' AND REGEXP(body, " + literal("(?i)" + regex) + ")");
            }
        });
        if (candidates.isEmpty()) {
            candidates.add("SELECT " + columns + ", CAST(NULL AS STRING) FROM unique_events WHERE FALSE");
        }
        String language = keys.languages.isEmpty() ? "TRUE"
                : "c.lang IS NULL OR e.topic NOT IN (" + literals(keys.languages.keySet()) + ")"
                + " OR e.topic || '|' || LOWER(SPLIT_INDEX(c.lang, '-', 0)) IN (" + literals(keys.languages
                .entrySet().stream().flatMap(en -> en.getValue().stream().map(l -> en.getKey() + "|" + l))
                .toList()) + ")";
        return List.of("CREATE TEMPORARY VIEW unique_events AS " + unique,
                "CREATE TEMPORARY VIEW candidates AS " + String.join("\nUNION ALL ", candidates),
                "CREATE TEMPORARY VIEW post_topics AS SELECT c.platform, c.id, c.ts, c.engagement, e.topic,"
                        + " e.excluded FROM " + (lookup ? "(SELECT *, PROCTIME() AS pt FROM candidates)" : "candidates")
                        + " AS c JOIN taxonomy_keys FOR SYSTEM_TIME AS OF " + (lookup ? "c.pt" : "c.ts")
                        + " AS k ON c.term = k.term"
                        + " CROSS JOIN UNNEST(k.entries) AS e(topic, excluded) WHERE " + language,
                "CREATE TEMPORARY VIEW unique_post_topics AS SELECT window_time AS ts, platform, id, topic,"
                        + " MAX(engagement) AS engagement"
                        + " FROM TABLE(TUMBLE(TABLE post_topics, DESCRIPTOR(ts), INTERVAL '1' MINUTE))"
                        + " GROUP BY window_start, window_end, window_time, platform, id, topic"
                        + " HAVING MAX(excluded) = 0",
                "SELECT CAST('_all' AS STRING) AS topic, COALESCE(platform, 'all') AS platform, window_start,"
                        + " window_end, COUNT(*) FILTER (WHERE kind = 'post') AS posts, SUM(engagement) AS engagement"
                        + " FROM TABLE(TUMBLE(TABLE unique_events, DESCRIPTOR(ts), INTERVAL '1' MINUTE))"
                        + " GROUP BY window_start, window_end, GROUPING SETS ((platform), ())"
                        + "\nUNION ALL SELECT topic, COALESCE(platform, 'all'), window_start, window_end, COUNT(*),"
                        + " SUM(engagement)"
                        + " FROM TABLE(TUMBLE(TABLE unique_post_topics, DESCRIPTOR(ts), INTERVAL '1' MINUTE))"
                        + " GROUP BY window_start, window_end, GROUPING SETS ((topic, platform), (topic))");
    }

    /**
     * The {@link Formulation#MATCHER_UDF} query: as {@link #query}, with the topics of a post from
     * {@code MATCH_TOPICS(body, community, lang)} (the job's matcher) instead of the generated conditions.
     */
    static List<String> udfQuery() {
        String unique = "SELECT platform, kind, ts, body, community, lang, engagement FROM ("
                + "SELECT *, ROW_NUMBER() OVER (PARTITION BY platform, kind, id ORDER BY proc ASC) AS rn"
                + " FROM (" + events() + ")) WHERE rn = 1";
        return List.of("CREATE TEMPORARY VIEW unique_events AS " + unique,
                "CREATE TEMPORARY VIEW topic_events AS SELECT platform, kind, ts, engagement,"
                        + " CAST('_all' AS STRING) AS topic FROM unique_events"
                        + "\nUNION ALL SELECT platform, kind, ts, engagement, topic FROM unique_events"
                        + " CROSS JOIN UNNEST(MATCH_TOPICS(body, community, lang)) AS t(topic) WHERE kind = 'post'",
                "SELECT topic, COALESCE(platform, 'all') AS platform, window_start, window_end,"
                        + " COUNT(*) FILTER (WHERE kind = 'post') AS posts, SUM(engagement) AS engagement"
                        + " FROM TABLE(TUMBLE(TABLE topic_events, DESCRIPTOR(ts), INTERVAL '1' MINUTE))"
                        + " GROUP BY window_start, window_end, GROUPING SETS ((topic, platform), (topic))");
    }

    /** The job's matcher as a SQL scalar function: a post's topics (text, community, language). */
    public static final class MatchTopics extends ScalarFunction {
        private static final long serialVersionUID = 1L;
        private final String taxonomyId;
        private transient CompiledTaxonomy compiled;

        MatchTopics(String taxonomyId) {
            this.taxonomyId = taxonomyId;
        }

        @Override
        public void open(FunctionContext context) {
            compiled = CompiledTaxonomy.compile(TAXONOMIES.get(taxonomyId));
        }

        public @DataTypeHint("ARRAY<STRING>") String[] eval(String body, String community, String lang) {
            return compiled.classify(new Post(null, null, null, null, null, null, community, body, lang, null, null,
                    null, null, null)).topics();
        }
    }

    /** Key prefixes of the taxonomy table: a phrase's key is its words, a hashtag's '#' and the tag. */
    private static final String COMMUNITY = "community:";
    private static final String REGEX = "regex:";

    /** The taxonomy as the token formulation looks it up, generated from the taxonomy file. */
    private static final class Keys {
        final Set<String> phrases = new LinkedHashSet<>();
        final Map<Integer, Set<String>> phrasesByLength = new java.util.TreeMap<>();
        final Set<String> firstWords = new LinkedHashSet<>();
        final Set<String> hashtags = new LinkedHashSet<>();
        final Set<String> communities = new LinkedHashSet<>();
        final Map<String, List<String>> regexes = new java.util.TreeMap<>();
        final Map<String, Set<String>> languages = new java.util.TreeMap<>();
        /** Key -> (topic -> excluded), in topic order. */
        final Map<String, Map<String, Integer>> entries = new java.util.TreeMap<>();
        int longestPhrase;

        void add(String key, String topic, boolean excluded) {
            entries.computeIfAbsent(key, k -> new java.util.TreeMap<>()).merge(topic, excluded ? 1 : 0, Math::max);
        }
    }

    private static Keys keys(Taxonomy taxonomy) {
        Keys keys = new Keys();
        for (TopicDefinition t : taxonomy.topics()) {
            for (boolean excluded : new boolean[] {false, true}) {
                for (String phrase : excluded ? t.exclude() : t.phrases()) {
                    List<String> w = TextNormalizer.tokens(phrase);
                    if (!w.isEmpty()) {
                        String key = String.join(" ", w);
                        keys.phrases.add(key);
                        keys.phrasesByLength.computeIfAbsent(w.size(), k -> new LinkedHashSet<>()).add(key);
                        keys.firstWords.add(w.get(0));
                        keys.longestPhrase = Math.max(keys.longestPhrase, w.size());
                        keys.add(key, t.id(), excluded);
                    }
                }
            }
            for (String tag : t.hashtags()) {
                String key = "#" + TextNormalizer.normalizeHashtag(tag);
                keys.hashtags.add(key);
                keys.add(key, t.id(), false);
            }
            for (String c : t.communities()) {
                String community = TextNormalizer.normalizeCommunity(c);
                keys.communities.add(community);
                keys.add(COMMUNITY + community, t.id(), false);
            }
            if (!t.regexes().isEmpty()) {
                keys.regexes.put(t.id(), t.regexes().stream().distinct().toList());
                keys.add(REGEX + t.id(), t.id(), false);
            }
            if (!t.languages().isEmpty()) {
                keys.languages.put(t.id(), t.languages().stream().map(l -> l.toLowerCase(Locale.ROOT))
                        .collect(Collectors.toCollection(java.util.TreeSet::new)));
            }
        }
        return keys;
    }

    /** The taxonomy table's rows, as JSON records for the table's JSON format. */
    static byte[][] termRecords(Taxonomy taxonomy) {
        ObjectMapper json = new ObjectMapper();
        List<byte[]> out = new ArrayList<>();
        keys(taxonomy).entries.forEach((key, topics) -> {
            ObjectNode row = json.createObjectNode().put("term", key).put("since", 0L);
            ArrayNode entries = row.putArray("entries");
            topics.forEach((topic, excluded) -> entries.addObject().put("topic", topic).put("excluded", excluded));
            try {
                out.add(json.writeValueAsBytes(row));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        });
        return out.toArray(byte[][]::new);
    }

    /**
     * The taxonomy's keys as a versioned table (primary key, event time): all valid from the epoch on, so every
     * post sees the whole taxonomy; the watermark of a bounded table goes to the end once it is read.
     */
    static String termTable(String id) {
        return "CREATE TEMPORARY TABLE taxonomy_keys (\n"
                + "  `term` STRING NOT NULL, `entries` ARRAY<ROW<`topic` STRING, `excluded` INT>>, `since` BIGINT,\n"
                + "  `ts` AS TO_TIMESTAMP_LTZ(COALESCE(`since`, 0), 3),\n"
                + "  WATERMARK FOR `ts` AS `ts`,\n"
                + "  PRIMARY KEY (`term`) NOT ENFORCED\n"
                + ") WITH ('connector' = '" + MemoryRecordsTableFactory.IDENTIFIER + "', 'records' = '" + id
                + "', 'format' = 'json')";
    }

    /** The same keys as a lookup table (no time attribute: a lookup join reads it as of processing time). */
    static String lookupTable(String id) {
        return "CREATE TEMPORARY TABLE taxonomy_keys (\n"
                + "  `term` STRING NOT NULL, `entries` ARRAY<ROW<`topic` STRING, `excluded` INT>>, `since` BIGINT\n"
                + ") WITH ('connector' = '" + MemoryRecordsTableFactory.IDENTIFIER + "', 'records' = '" + id
                + "', 'format' = 'json')";
    }

    private static String literals(java.util.Collection<String> values) {
        return values.stream().map(SqlBaseline::literal).collect(Collectors.joining(", "));
    }

    /**
     * Every event under {@code _all}, then one {@code UNION ALL} branch per topic with the posts that match it
     * (a post in two topics is in two branches).
     */
    static String topicBranches(Taxonomy taxonomy) {
        List<TopicDefinition> topics = new ArrayList<>(taxonomy.topics());
        topics.sort(Comparator.comparing(TopicDefinition::id));
        StringBuilder b = new StringBuilder("SELECT platform, kind, ts, engagement, CAST('_all' AS STRING) AS topic"
                + " FROM unique_events");
        for (TopicDefinition t : topics) {
            b.append("\nUNION ALL SELECT platform, kind, ts, engagement, CAST(").append(literal(t.id()))
                    .append(" AS STRING) FROM unique_events WHERE kind = 'post' AND ").append(condition(t));
        }
        return b.toString();
    }

    /** One topic's test, as the SQL user would generate it from the taxonomy file. */
    static String condition(TopicDefinition t) {
        List<String> any = new ArrayList<>();
        Set<String> words = new LinkedHashSet<>();
        for (String phrase : t.phrases()) {
            words.add(words(phrase));
        }
        words.remove("");
        for (String w : words) {
            any.add("words LIKE " + literal("% " + w + " %"));
        }
        for (String tag : t.hashtags().stream().map(TextNormalizer::normalizeHashtag).distinct().toList()) {
            any.add(tag.contains("_")
                    ? "tags LIKE " + literal("% #" + tag.replace("_", "\\_") + " %") + " ESCAPE '\\'"
                    : "tags LIKE " + literal("% #" + tag + " %"));
        }
        if (!t.communities().isEmpty()) {
            any.add("community IN (" + t.communities().stream().map(TextNormalizer::normalizeCommunity).distinct()
                    .map(SqlBaseline::literal).collect(Collectors.joining(", ")) + ")");
        }
        for (String regex : t.regexes()) {
            any.add("REGEXP(body, " + literal("(?i)" + regex) + ")");
        }
        String c = any.isEmpty() ? "FALSE" : "(" + String.join(" OR ", any) + ")";
        Set<String> excluded = new LinkedHashSet<>();
        for (String phrase : t.exclude()) {
            excluded.add(words(phrase));
        }
        excluded.remove("");
        if (!excluded.isEmpty()) {
            c += " AND NOT (" + excluded.stream().map(w -> "words LIKE " + literal("% " + w + " %"))
                    .collect(Collectors.joining(" OR ")) + ")";
        }
        if (!t.languages().isEmpty()) {
            c += " AND (lang IS NULL OR LOWER(SPLIT_INDEX(lang, '-', 0)) IN (" + t.languages().stream()
                    .map(l -> l.toLowerCase(Locale.ROOT)).distinct().map(SqlBaseline::literal)
                    .collect(Collectors.joining(", ")) + "))";
        }
        return c;
    }

    /** A phrase's words as the query's {@code words} column holds them: lower case, single spaces. */
    static String words(String phrase) {
        return String.join(" ", TextNormalizer.tokens(phrase));
    }

    /**
     * HTML (Mastodon's content, Hacker News' text) as text: paragraph and line breaks and entities to a space,
     * other tags removed (so that {@code #<span>AI</span>} stays one hashtag).
     */
    private static String html(String s) {
        return "REGEXP_REPLACE(REGEXP_REPLACE(" + s + ", '<(/?p|br)[^>]*>|&[#a-zA-Z0-9]+;', ' '), '<[^>]*>', '')";
    }

    private static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
    }
}

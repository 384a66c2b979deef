package io.discoursetrends.benchmarks;

import io.discoursetrends.classify.Taxonomy;
import io.discoursetrends.classify.TextNormalizer;
import io.discoursetrends.classify.TopicDefinition;
import io.discoursetrends.model.Platform;
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
import java.util.stream.Collectors;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
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
 *   <li>the taxonomy as one generated {@code UNION ALL} branch per topic, {@code SELECT ..., 'topic' FROM
 *       unique_events WHERE <the topic's test>}, beside an {@code _all} branch of every event: no UDF, nothing to
 *       deploy beside the SQL. A phrase is {@code words LIKE '% phrase words %'} on the text lower-cased with one
 *       {@code REGEXP_REPLACE} of every run of non-letters and non-digits to a space, padded (HTML tags and
 *       entities removed first), so phrases match whole words in order as the job's matcher does; a hashtag is
 *       the same test on the text with '#' kept ({@code tags LIKE '% #tag %'}); a community is {@code IN (...)}
 *       on the subreddit or the Mastodon instance; exclusions are {@code AND NOT (...)}, languages
 *       {@code lang IS NULL OR ... IN (...)}, regexes {@code REGEXP}. Flink SQL
 *       has no multi-pattern matcher, so every post is tested against every phrase (the job's automaton costs the
 *       same for 20 or 20,000). Tried first and given up: one {@code CASE WHEN ... THEN 'topic' END} per topic in
 *       one {@code ARRAY} with {@code CROSS JOIN UNNEST}: a single expression of 2,470 {@code LIKE}s, which the
 *       planner's code splitter did not finish rewriting in minutes; and one {@code REGEXP} per topic, which
 *       recompiles its patterns per row once there are more than 64 (Flink's per-thread pattern cache);</li>
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
    }

    /**
     * Declares the tables over {@code records} and returns the bucket rows (topic, platform, window_start,
     * window_end, posts, engagement; platform {@code all} for all platforms) as a stream, for a sink.
     */
    public static DataStream<Row> build(StreamExecutionEnvironment env, Map<Platform, String> records,
            Taxonomy taxonomy) {
        StreamTableEnvironment tEnv = StreamTableEnvironment.create(env, EnvironmentSettings.inStreamingMode());
        tEnv.getConfig().set("table.local-time-zone", "UTC");
        tEnv.getConfig().set("table.exec.state.ttl", "1 d");
        // As the job does: without it every post is copied into each of the topics' branches.
        env.getConfig().enableObjectReuse();
        for (String ddl : tables(records)) {
            tEnv.executeSql(ddl);
        }
        List<String> query = query(taxonomy);
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

    /** The query: views of the unique events and of the events per topic, then the windows over them. */
    public static List<String> query(Taxonomy taxonomy) {
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
        String events = String.join("\nUNION ALL\n",
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

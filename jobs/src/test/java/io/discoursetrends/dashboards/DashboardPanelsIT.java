package io.discoursetrends.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.discoursetrends.classify.CompiledTaxonomy;
import io.discoursetrends.classify.Taxonomy;
import io.discoursetrends.dashboards.DashboardReference.Cell;
import io.discoursetrends.dashboards.DashboardReference.Key;
import io.discoursetrends.job.JobConfiguration;
import io.discoursetrends.job.JobOptions;
import io.discoursetrends.job.TrendsJobRunner;
import io.discoursetrends.local.DemoStream;
import io.discoursetrends.local.LocalElasticsearch;
import io.discoursetrends.local.LocalKafka;
import io.discoursetrends.model.Platform;
import io.discoursetrends.replay.KafkaReplayer;
import io.discoursetrends.replay.KafkaReplayer.Observed;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's panels against real data: a local Elasticsearch node filled through the real job (Kafka broker,
 * bounded run on a MiniCluster, production connectors) with the demo's generated stream, then each panel's query
 * from deploy/kibana/panels/ run as it is, and its result compared with {@link DashboardReference}, computed from
 * the same records in plain Java. The responses are also written to {@code target/dashboard-panels/} (or
 * {@code -Ddashboards.out=DIR}), where deploy/kibana/render-panels.sh turns them into the README's images.
 *
 * <p>Spikes and event impact: the demo stream injects bursts and a calendar event, so the job writes both; their
 * panels are compared with the documents in their indices (the spike stage itself is checked against the
 * injected bursts by SpikesIT).
 */
class DashboardPanelsIT {
    static final DemoStream STREAM = DemoStream.DEFAULT;
    static final Instant FROM = STREAM.start();
    static final Instant TO = STREAM.start().plus(STREAM.span()).plus(Duration.ofHours(1));
    /** What Kibana's auto interval picks for a three-hour range (about 50 bars). */
    static final String INTERVAL = "5m";
    static final long INTERVAL_MILLIS = Duration.ofMinutes(5).toMillis();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> PLATFORMS = java.util.Arrays.stream(Platform.values()).map(Platform::id).toList();

    private static LocalKafka kafka;
    private static LocalElasticsearch elasticsearch;
    private static DashboardReference reference;
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Map<String, JsonNode> RESULTS = new LinkedHashMap<>();

    @BeforeAll
    static void fillANodeThroughTheJobWithTheDemoStream(@TempDir Path tmp) throws Exception {
        kafka = LocalKafka.launch();
        elasticsearch = LocalElasticsearch.launch();
        // The demo's calendar too, so the spike and event-impact panels have what the demo shows.
        Path events = Files.writeString(tmp.resolve("events.yaml"), STREAM.story().eventsYaml());
        Configuration config = jobConfig(tmp.resolve("checkpoints"), events);

        // 1. The demo's topics and its generated stream (the fixtures left out: not every machine has them).
        Map<String, Integer> topics = new LinkedHashMap<>();
        Map<Platform, String> rawTopics = new EnumMap<>(Platform.class);
        for (Platform p : Platform.values()) {
            String topic = config.get(switch (p) {
                case BLUESKY -> JobOptions.TOPIC_BLUESKY;
                case MASTODON -> JobOptions.TOPIC_MASTODON;
                case REDDIT -> JobOptions.TOPIC_REDDIT;
                case HACKERNEWS -> JobOptions.TOPIC_HACKERNEWS;
            });
            rawTopics.put(p, topic);
            topics.put(topic, 2); // two partitions, as the demo: the job's watermarks must merge them
        }
        topics.put(config.get(JobOptions.TOPIC_DEAD_LETTERS), 1);
        topics.put(config.get(JobOptions.TOPIC_LATE), 1);
        kafka.createTopics(topics);
        Map<Platform, List<Observed>> records = new EnumMap<>(Platform.class);
        for (Platform p : Platform.values()) {
            records.put(p, STREAM.records(p));
        }
        try (KafkaReplayer replayer = new KafkaReplayer(kafka.bootstrapServers(), rawTopics)) {
            for (Platform p : Platform.values()) {
                replayer.replayObserved(p, records.get(p), n -> { });
            }
        }

        // 2. The job, bounded, as the demo runs it; then every bucket is in the index.
        TrendsJobRunner.run(config, "dashboards-it");
        post("/discourse-*/_refresh", ""); // every index the panels read

        // 3. The reference, from the same records; the stream must not depend on timing (see the class).
        reference = new DashboardReference(records, CompiledTaxonomy.compile(Taxonomy.defaultTaxonomy()),
                config.get(JobOptions.MAX_POSTS_PER_AUTHOR));
        assertThat(reference.engagementBeforePost).as("engagement arriving before its post").isZero();
        assertThat(reference.capConflicts).as("buckets whose languages depend on which posts hit the cap").isZero();

        // 4. Every panel's query, as it is, over the demo's time range; kept for the images.
        Path out = Path.of(System.getProperty("dashboards.out", "target/dashboard-panels"));
        Files.createDirectories(out);
        for (PanelQuery q : PanelQuery.all()) {
            JsonNode response = search(q.index(), q.body(FROM, TO, INTERVAL));
            RESULTS.put(q.file(), response);
            ObjectNode saved = JSON.createObjectNode();
            saved.put("file", q.file()).put("panel", q.panel()).put("layer", q.layer()).put("title", q.title())
                    .put("answers", q.answers()).put("index", q.index()).put("from", FROM.toString())
                    .put("to", TO.toString()).put("interval", INTERVAL);
            saved.set("response", response);
            Files.writeString(out.resolve(q.file()), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(saved));
        }
    }

    @AfterAll
    static void stopServers() {
        if (elasticsearch != null) {
            elasticsearch.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void shouldHaveWrittenEveryBucketCompleteAndNothingElse() throws Exception {
        JsonNode incomplete = post("/discourse-trends/_count", "{\"query\":{\"term\":{\"complete\":false}}}");
        assertThat(incomplete.path("count").asLong()).isZero();
        long topicDocuments = count("discourse-trends", "{\"bool\":{\"must_not\":[{\"term\":{\"topic\":\"_all\"}},"
                + "{\"term\":{\"platform\":\"all\"}}]}}");
        assertThat(topicDocuments).as("topic x platform x minute documents").isEqualTo(reference.topicCells().size());
    }

    @Test
    void shouldDrawEngagementByTopicOverTimeAsTheStreamImplies() {
        JsonNode topics = RESULTS.get("engagement-by-topic.json").at("/aggregations/topics/buckets");
        assertEngagementByTopic(topics, c -> true);
    }

    @Test
    void shouldSplitEachTopicsPostsByPlatformAsTheStreamImplies() {
        JsonNode topics = RESULTS.get("platform-split.json").at("/aggregations/topics/buckets");
        Map<String, Map<String, Long>> expected = perTopicAndPlatform(c -> c.posts(reference.cap), k -> true);
        assertThat(keys(topics)).as("topics by posts, most first").isEqualTo(byTotalDescending(expected));
        for (JsonNode t : topics) {
            Map<String, Long> platforms = expected.get(t.path("key").asText());
            assertThat(t.at("/posts/value").asLong()).as(t.path("key").asText())
                    .isEqualTo(platforms.values().stream().mapToLong(Long::longValue).sum());
            Map<String, Long> actual = new TreeMap<>();
            t.at("/platforms/buckets").forEach(b -> actual.put(b.path("key").asText(), b.at("/posts/value").asLong()));
            assertThat(actual).as("posts of " + t.path("key").asText() + " per platform").isEqualTo(platforms);
        }
        assertThat(expected.values().stream().flatMap(m -> m.values().stream()).mapToLong(Long::longValue).sum())
                .as("posts in topics").isGreaterThan(5_000);
    }

    @Test
    void shouldFillTheTopicPlatformHeatmapAsTheStreamImplies() {
        JsonNode topics = RESULTS.get("topic-platform-heatmap.json").at("/aggregations/topics/buckets");
        Map<String, Map<String, Long>> expected = perTopicAndPlatform(c -> c.engagement, k -> true);
        assertThat(keys(topics)).as("topics by engagement, most first").isEqualTo(byTotalDescending(expected));
        for (JsonNode t : topics) {
            Map<String, Long> actual = new TreeMap<>();
            t.at("/platforms/buckets").forEach(b ->
                    actual.put(b.path("key").asText(), b.at("/engagement/value").asLong()));
            assertThat(actual).as("engagement on " + t.path("key").asText() + " per platform")
                    .isEqualTo(expected.get(t.path("key").asText()));
        }
        // Every platform engages with some topic: the heatmap has no empty column.
        assertThat(expected.values().stream().flatMap(m -> m.entrySet().stream()).filter(e -> e.getValue() > 0)
                .map(Map.Entry::getKey).distinct().sorted().toList()).containsExactlyInAnyOrderElementsOf(PLATFORMS);
    }

    @Test
    void shouldOfferTheTopicsPlatformsAndLanguagesOfTheStreamInTheControls() {
        JsonNode aggs = RESULTS.get("controls.json").path("aggregations");
        // Each (topic, platform, minute) cell is a document, and so is each (topic, all, minute).
        Map<String, Long> topics = new TreeMap<>();
        Map<String, Long> platforms = new TreeMap<>();
        Map<String, Long> languages = new TreeMap<>();
        Map<String, Set<String>> allPlatformLanguages = new TreeMap<>();
        for (Map.Entry<Key, Cell> e : inRange(reference.cells, k -> true)) {
            Key k = e.getKey();
            topics.merge(k.topic(), 1L, Long::sum);
            platforms.merge(k.platform(), 1L, Long::sum);
            e.getValue().languages.forEach(l -> languages.merge(l, 1L, Long::sum));
            allPlatformLanguages.computeIfAbsent(k.topic() + "|" + k.minute(), x -> new TreeSet<>())
                    .addAll(e.getValue().languages);
        }
        topics.replaceAll((topic, n) -> n + allPlatformLanguages.keySet().stream()
                .filter(key -> key.startsWith(topic + "|")).count());
        platforms.put("all", (long) allPlatformLanguages.size());
        allPlatformLanguages.values().forEach(ls -> ls.forEach(l -> languages.merge(l, 1L, Long::sum)));

        assertThat(docCounts(aggs.at("/topic/buckets"))).as("topic options").isEqualTo(topics);
        assertThat(docCounts(aggs.at("/platform/buckets"))).as("platform options").isEqualTo(platforms);
        assertThat(languages.size()).as("languages in the stream").isGreaterThan(1).isLessThanOrEqualTo(20);
        assertThat(docCounts(aggs.at("/languages.lang/buckets"))).as("language options").isEqualTo(languages);
    }

    @Test
    void shouldNarrowThePanelsToThePlatformAndLanguageTheControlsSelect() throws Exception {
        // The platform control adds a filter platform: mastodon to every panel.
        PanelQuery engagement = PanelQuery.named("engagement-by-topic.json");
        JsonNode mastodon = search(engagement.index(),
                withFilter(engagement.body(FROM, TO, INTERVAL), "platform", "mastodon"));
        assertEngagementByTopic(mastodon.at("/aggregations/topics/buckets"), k -> k.platform().equals("mastodon"));

        // The language control keeps the buckets that had posts in that language (bucket documents are not
        // split by language: a bucket with one German post among ten counts whole, and a bucket with only
        // engagement has no language). The rarest language of the topic buckets, so that the filter bites.
        Map<String, Long> cellsPerLanguage = new TreeMap<>();
        long allPosts = 0;
        for (Map.Entry<Key, Cell> e : inRange(reference.topicCells(), k -> true)) {
            e.getValue().languages.forEach(l -> cellsPerLanguage.merge(l, 1L, Long::sum));
            allPosts += e.getValue().posts(reference.cap);
        }
        String language = cellsPerLanguage.entrySet().stream().min(Map.Entry.comparingByValue()).orElseThrow().getKey();
        PanelQuery split = PanelQuery.named("platform-split.json");
        JsonNode filtered = search(split.index(), withFilter(split.body(FROM, TO, INTERVAL), "languages.lang",
                language));
        Map<String, Long> expected = new TreeMap<>();
        for (Map.Entry<Key, Cell> e : inRange(reference.topicCells(), k -> true)) {
            if (e.getValue().languages.contains(language)) {
                expected.merge(e.getKey().topic(), e.getValue().posts(reference.cap), Long::sum);
            }
        }
        assertThat(expected.values().stream().mapToLong(Long::longValue).sum())
                .as("posts in buckets with posts in " + language).isPositive().isLessThan(allPosts);
        Map<String, Long> actual = new TreeMap<>();
        filtered.at("/aggregations/topics/buckets").forEach(t ->
                actual.put(t.path("key").asText(), t.at("/posts/value").asLong()));
        assertThat(actual).as("posts per topic with language " + language).isEqualTo(expected);
    }

    @Test
    void shouldShowTheSpikesTheJobWrote() throws Exception {
        assertThat(count("discourse-spikes", "{\"match_all\":{}}")).as("spikes in the demo stream").isPositive();
        List<JsonNode> spikes = documents("discourse-spikes", "started_at");

        // Annotations: every spike of a topic on a platform that started in the range, in time order.
        JsonNode annotations = RESULTS.get("spike-annotations.json").at("/hits/hits");
        assertThat(ids(annotations)).isEqualTo(spikes.stream().filter(s -> !s.path("topic").asText().equals("_all")
                && !s.path("platform").asText().equals("all")).map(s -> s.path("spike_id").asText()).toList());

        // The table: the 20 strongest spikes, each with its latest status and explanation.
        List<JsonNode> strongest = spikes.stream()
                .sorted(Comparator.<JsonNode>comparingDouble(s -> -s.path("score").asDouble())
                        .thenComparing(s -> s.path("spike_id").asText()))
                .limit(20).toList();
        JsonNode rows = RESULTS.get("active-spikes.json").at("/aggregations/spikes/buckets");
        assertThat(keys(rows)).isEqualTo(strongest.stream().map(s -> s.path("spike_id").asText()).toList());
        for (int i = 0; i < strongest.size(); i++) {
            JsonNode spike = strongest.get(i);
            JsonNode row = rows.get(i);
            assertThat(row.at("/ratio/value").asDouble()).isEqualTo(spike.path("ratio").asDouble());
            JsonNode shown = row.at("/latest/hits/hits/0/_source");
            assertThat(shown.path("status").asText()).isIn("open", "closed").isEqualTo(spike.path("status").asText());
            assertThat(shown.path("severity").asText()).isEqualTo(spike.path("severity").asText());
            // Both are written rounded to 0.01, and the baseline floored at 0.1 for the ratio.
            double baseline = Math.max(0.1, spike.path("baseline").asDouble());
            double ratio = spike.path("peak_value").asDouble() / baseline;
            assertThat(spike.path("ratio").asDouble()).as("ratio = peak / baseline")
                    .isCloseTo(ratio, org.assertj.core.data.Offset.offset(0.01 + ratio * 0.006 / baseline));
        }

        // Top posts behind spikes: the topic spikes, strongest first, each with its top posts.
        JsonNode posts = RESULTS.get("top-posts-behind-spikes.json").at("/hits/hits");
        List<String> expected = spikes.stream().filter(s -> !s.path("topic").asText().equals("_all"))
                .sorted(Comparator.<JsonNode>comparingDouble(s -> -s.path("score").asDouble())
                        .thenComparing(s -> s.path("spike_id").asText()))
                .limit(50).map(s -> s.path("spike_id").asText()).toList();
        assertThat(ids(posts)).isEqualTo(expected);
        posts.forEach(h -> assertThat(h.at("/_source/top_posts").isArray()).isTrue());
    }

    @Test
    void shouldShowTheEventImpactTheJobWrote() throws Exception {
        assertThat(count("discourse-event-impact", "{\"match_all\":{}}")).as("event impact of the demo's event")
                .isPositive();
        Map<String, Map<String, Double>> expected = new TreeMap<>();
        for (JsonNode d : documents("discourse-event-impact", "event_time")) {
            if (!d.path("platform").asText().equals("all")) {
                expected.computeIfAbsent(d.path("event_name").asText(), x -> new TreeMap<>())
                        .merge(d.path("platform").asText(), d.path("peak_lift").asDouble(), Math::max);
            }
        }
        Map<String, Map<String, Double>> actual = new TreeMap<>();
        for (JsonNode e : RESULTS.get("event-impact.json").at("/aggregations/events/buckets")) {
            Map<String, Double> platforms = new TreeMap<>();
            e.at("/platforms/buckets").forEach(p -> platforms.put(p.path("key").asText(), p.at("/lift/value").asDouble()));
            actual.put(e.path("key").asText(), platforms);
        }
        if (expected.size() <= 10) {
            assertThat(actual).isEqualTo(expected);
        } else {
            assertThat(expected).containsAllEntriesOf(actual);
        }
    }

    // --- the comparisons -------------------------------------------------------------------------------

    /** The engagement-by-topic panel's buckets against the reference cells that {@code which} keeps. */
    private static void assertEngagementByTopic(JsonNode topics, Predicate<Key> which) {
        Map<String, Map<Long, Long>> expected = new TreeMap<>();
        for (Map.Entry<Key, Cell> e : inRange(reference.topicCells(), which)) {
            long interval = Math.floorDiv(e.getKey().minute(), INTERVAL_MILLIS) * INTERVAL_MILLIS;
            expected.computeIfAbsent(e.getKey().topic(), t -> new TreeMap<>())
                    .merge(interval, e.getValue().engagement, Long::sum);
        }
        Map<String, Map<String, Long>> totals = new TreeMap<>();
        expected.forEach((topic, series) -> totals.put(topic,
                Map.of("all", series.values().stream().mapToLong(Long::longValue).sum())));
        assertThat(keys(topics)).as("topics by engagement, most first").isEqualTo(byTotalDescending(totals));
        for (JsonNode t : topics) {
            String topic = t.path("key").asText();
            assertThat(t.at("/engagement/value").asLong()).as(topic).isEqualTo(totals.get(topic).get("all"));
            Map<Long, Long> series = new TreeMap<>();
            t.at("/over_time/buckets").forEach(b -> series.put(b.path("key").asLong(), b.at("/engagement/value").asLong()));
            TreeMap<Long, Long> want = new TreeMap<>(expected.get(topic));
            // Empty intervals between the first and the last are zeros, as Kibana draws them.
            for (long i = want.firstKey(); i <= want.lastKey(); i += INTERVAL_MILLIS) {
                want.putIfAbsent(i, 0L);
            }
            assertThat(series).as("engagement on " + topic + " per " + INTERVAL).isEqualTo(want);
        }
    }

    private static Map<String, Map<String, Long>> perTopicAndPlatform(java.util.function.ToLongFunction<Cell> value,
            Predicate<Key> which) {
        Map<String, Map<String, Long>> out = new TreeMap<>();
        for (Map.Entry<Key, Cell> e : inRange(reference.topicCells(), which)) {
            out.computeIfAbsent(e.getKey().topic(), t -> new TreeMap<>())
                    .merge(e.getKey().platform(), value.applyAsLong(e.getValue()), Long::sum);
        }
        return out;
    }

    private static List<Map.Entry<Key, Cell>> inRange(Iterable<Map.Entry<Key, Cell>> cells, Predicate<Key> which) {
        List<Map.Entry<Key, Cell>> out = new ArrayList<>();
        for (Map.Entry<Key, Cell> e : cells) {
            long m = e.getKey().minute();
            if (m >= FROM.toEpochMilli() && m < TO.toEpochMilli() && which.test(e.getKey())) {
                out.add(e);
            }
        }
        return out;
    }

    private static List<Map.Entry<Key, Cell>> inRange(Map<Key, Cell> cells, Predicate<Key> which) {
        return inRange(cells.entrySet(), which);
    }

    /** Keys ordered as a terms aggregation ordered by a sum, descending, orders them (ties: key ascending). */
    private static List<String> byTotalDescending(Map<String, Map<String, Long>> perKey) {
        Map<String, Long> totals = new HashMap<>();
        perKey.forEach((k, m) -> totals.put(k, m.values().stream().mapToLong(Long::longValue).sum()));
        return totals.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(10).map(Map.Entry::getKey).toList();
    }

    private static List<String> keys(JsonNode buckets) {
        List<String> out = new ArrayList<>();
        buckets.forEach(b -> out.add(b.path("key").asText()));
        return out;
    }

    private static List<String> ids(JsonNode hits) {
        List<String> out = new ArrayList<>();
        hits.forEach(h -> out.add(h.path("_id").asText()));
        return out;
    }

    private static Map<String, Long> docCounts(JsonNode buckets) {
        Map<String, Long> out = new TreeMap<>();
        buckets.forEach(b -> out.put(b.path("key").asText(), b.path("doc_count").asLong()));
        return out;
    }

    // --- Elasticsearch -----------------------------------------------------------------------------------

    /** A panel query with one more filter, as a control selection adds it. */
    static String withFilter(String body, String field, String value) throws IOException {
        ObjectNode request = (ObjectNode) JSON.readTree(body);
        ArrayNode filter = (ArrayNode) request.at("/query/bool/filter");
        filter.addObject().putObject("term").put(field, value);
        return request.toString();
    }

    /** Searches an index or alias; one that does not exist yet gives no hits, as in Kibana. */
    static JsonNode search(String index, String body) throws Exception {
        return post("/" + index + "/_search?ignore_unavailable=true&allow_no_indices=true", body);
    }

    static long count(String index, String query) throws Exception {
        refresh(index);
        return post("/" + index + "/_count?ignore_unavailable=true&allow_no_indices=true",
                "{\"query\":" + query + "}").path("count").asLong();
    }

    private static void refresh(String index) throws Exception {
        post("/" + index + "/_refresh?ignore_unavailable=true&allow_no_indices=true", "");
    }

    /** All documents of an index in the range (the spike and impact indices are small). */
    private static List<JsonNode> documents(String index, String timeField) throws Exception {
        JsonNode hits = search(index, "{\"size\":10000,\"query\":{\"range\":{\"" + timeField + "\":{\"gte\":\""
                + FROM + "\",\"lt\":\"" + TO + "\"}}},\"sort\":[{\"" + timeField + "\":\"asc\"}]}").at("/hits/hits");
        List<JsonNode> out = new ArrayList<>();
        hits.forEach(h -> out.add(h.path("_source")));
        return out;
    }

    private static JsonNode post(String path, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(elasticsearch.httpUrl() + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).timeout(Duration.ofSeconds(60)).build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("POST " + path + " -> " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    private static Configuration jobConfig(Path checkpoints, Path events) {
        Map<String, String> s = new HashMap<>();
        s.put(JobOptions.EVENTS_FILE.key(), events.toString());
        s.put(JobOptions.KAFKA_BOOTSTRAP.key(), kafka.bootstrapServers());
        s.put(JobOptions.ES_URLS.key(), elasticsearch.httpUrl());
        s.put(JobOptions.BOUNDED.key(), "true");
        s.put(JobOptions.STARTING_OFFSETS.key(), "earliest");
        s.put(CoreOptions.DEFAULT_PARALLELISM.key(), "2");
        s.put(CheckpointingOptions.CHECKPOINTS_DIRECTORY.key(), checkpoints.toUri().toString());
        return JobConfiguration.load(null, s);
    }
}

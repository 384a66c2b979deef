package io.discoursetrends.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Test data for the sink's integration tests and benchmark: document {@code n} (0 &le; n &lt; N) has the id
 * {@code doc-n}, goes to the monthly index of its time (12 s apart from 2026-05-20, so a few hundred thousand
 * documents span two months) and has a small JSON body computed from n alone. The reference is the same pure
 * function, so the index can be compared with it document by document.
 */
final class GeneratedDocuments implements DocumentMapper<Long> {
    private static final long serialVersionUID = 1L;
    static final long START_MILLIS = Instant.parse("2026-05-20T00:00:00Z").toEpochMilli();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String base;

    GeneratedDocuments(String base) {
        this.base = base;
    }

    static long millis(long n) {
        return START_MILLIS + n * 12_000L;
    }

    static String idOf(long n) {
        return "doc-" + n;
    }

    static String sourceOf(long n) {
        return "{\"n\":" + n + ",\"key\":\"k" + (n % 997) + "\",\"value\":" + (n * 31 % 1009)
                + ",\"ts\":\"" + Instant.ofEpochMilli(millis(n)) + "\"}";
    }

    String indexOf(long n) {
        return TimeBasedIndex.name(base, millis(n));
    }

    @Override
    public String index(Long n) {
        return indexOf(n);
    }

    @Override
    public String id(Long n) {
        return idOf(n);
    }

    @Override
    public byte[] source(Long n) {
        return sourceOf(n).getBytes(StandardCharsets.UTF_8);
    }

    // ---- the job

    /** Counts the records that passed it, per name, in this JVM (the MiniCluster runs in the test's JVM). */
    static final Map<String, AtomicLong> EMITTED = new ConcurrentHashMap<>();

    static final class Counting extends RichMapFunction<Long, Long> {
        private final String name;

        Counting(String name) {
            this.name = name;
            EMITTED.put(name, new AtomicLong());
        }

        @Override
        public Long map(Long n) {
            EMITTED.get(name).incrementAndGet();
            return n;
        }
    }

    static long emitted(String name) {
        return EMITTED.get(name).get();
    }

    /** A MiniCluster environment with parallelism 2 and Kryo disallowed, so a generic type fails the test. */
    static StreamExecutionEnvironment environment(Configuration extra) {
        Configuration config = new Configuration();
        config.set(PipelineOptions.GENERIC_TYPES, false);
        config.addAll(extra);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(2);
        return env;
    }

    /** numbers 0..n-1 -> count -> (network shuffle) -> sink: the records in flight are bounded by Flink's buffers. */
    static void pipeline(StreamExecutionEnvironment env, long n, String counterName, Sink<Long> sink) {
        env.fromSequence(0, n - 1).name("numbers").uid("numbers")
                .map(new Counting(counterName)).name("count").uid("count")
                .rebalance()
                .sinkTo(sink).name("elasticsearch").uid("sink");
    }

    // ---- the node

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** An index template for {@code base-*}: one shard, no replica, strict mapping of the generated fields. */
    static void createTemplate(String url, String base) throws Exception {
        String body = "{\"index_patterns\":[\"" + base + "-*\"],\"priority\":500,\"template\":{\"settings\":"
                + "{\"number_of_shards\":1,\"number_of_replicas\":0,\"refresh_interval\":\"5s\"},"
                + "\"aliases\":{\"" + base + "\":{}},"
                + "\"mappings\":{\"dynamic\":\"strict\",\"properties\":{\"n\":{\"type\":\"long\"},"
                + "\"key\":{\"type\":\"keyword\"},\"value\":{\"type\":\"long\"},\"ts\":{\"type\":\"date\"}}}}}";
        HttpResponse<String> r = send(url, "PUT", "/_index_template/" + base, body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    static HttpResponse<String> send(String url, String method, String path, String json)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(60));
        if (json == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Asserts the indices {@code base-*} hold exactly documents 0..n-1 except {@code missing}, each in its monthly
     * index, under its id, with its reference body: nothing missing, nothing extra, nothing duplicated.
     */
    static void assertIndexHoldsExactly(String url, String base, long n, long... missing) throws Exception {
        GeneratedDocuments docs = new GeneratedDocuments(base);
        java.util.Set<Long> skip = new java.util.HashSet<>();
        for (long m : missing) {
            skip.add(m);
        }
        assertThat(send(url, "POST", "/" + base + "-*/_refresh", null).statusCode()).isEqualTo(200);
        JsonNode count = JSON.readTree(send(url, "GET", "/" + base + "-*/_count", null).body());
        assertThat(count.get("count").asLong()).as("documents in %s-*", base).isEqualTo(n - skip.size());

        long expected = 0;
        JsonNode after = null;
        while (true) {
            ObjectNode query = JSON.createObjectNode();
            query.put("size", 10_000);
            query.putArray("sort").addObject().put("n", "asc");
            if (after != null) {
                query.set("search_after", after);
            }
            JsonNode hits = JSON.readTree(send(url, "POST", "/" + base + "-*/_search", query.toString()).body())
                    .at("/hits/hits");
            if (hits.isEmpty()) {
                break;
            }
            for (JsonNode hit : hits) {
                while (skip.contains(expected)) {
                    expected++;
                }
                long got = hit.at("/_source/n").asLong();
                assertThat(got).as("next document in order (a gap means one is missing, a repeat a duplicate)")
                        .isEqualTo(expected);
                assertThat(hit.get("_id").asText()).isEqualTo(idOf(expected));
                assertThat(hit.get("_index").asText()).isEqualTo(docs.indexOf(expected));
                assertThat(hit.get("_source")).isEqualTo(JSON.readTree(sourceOf(expected)));
                expected++;
                after = hit.get("sort");
            }
        }
        while (skip.contains(expected)) {
            expected++;
        }
        assertThat(expected).as("documents read back in order").isEqualTo(n);
    }
}

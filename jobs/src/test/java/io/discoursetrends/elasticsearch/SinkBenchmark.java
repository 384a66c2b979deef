package io.discoursetrends.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.elasticsearch.core.bulk.BulkOperation;
import co.elastic.clients.util.BinaryData;
import co.elastic.clients.util.ContentType;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.discoursetrends.local.LocalElasticsearch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Throughput of the Elasticsearch sink against a plain bulk loop with the same client and the same batch size,
 * on the same local node, in the same run: the benchmark of issue 5 (target: sink / plain &ge; 0.9). Not a test.
 *
 * <p>(a) plain: one thread builds each batch of {@code batch} index operations (the same documents, ids and
 * monthly indices) and sends it with {@code client.bulk}, synchronously, like the sink's writer; (b) sink: a Flink
 * MiniCluster job, numbers -> the same documents -> ElasticsearchSink, at parallelism 1, so both have exactly one
 * bulk request in flight. Each run writes N fresh documents into fresh indices; runs alternate plain and sink, after
 * one warm-up pair, in alternating order; the sink's time is the job's net runtime as the JobManager measures it (deployment included).
 *
 * <p>Run: see docs/benchmarks.md. Arguments: [documents (300000)] [rounds (3)] [batch (1000)].
 */
public final class SinkBenchmark {
    private SinkBenchmark() {}

    public static void main(String[] args) throws Exception {
        long n = args.length > 0 ? Long.parseLong(args[0]) : 300_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 1_000;
        System.out.printf("SinkBenchmark: %,d documents per run, %d rounds, bulk of %d, on %d cores, Java %s%n",
                n, rounds, batch, Runtime.getRuntime().availableProcessors(), Runtime.version());

        try (LocalElasticsearch es = LocalElasticsearch.launch()) {
            GeneratedDocuments.createTemplate(es.httpUrl(), "bench");
            ElasticsearchClient client = ElasticsearchClients.create(ElasticsearchConnection.of(es.httpUrl()));
            try {
                // Warm-up: both paths once, on a fifth of the documents, not counted.
                plain(client, es, "bench-warm-plain", n / 5, batch);
                sink(es, "bench-warm-sink", n / 5, batch);

                // Each round measures both, back to back, in alternating order: a round's ratio compares runs that
                // saw the same machine load (other processes on a shared 2-core machine make single runs noisy).
                double[] plainRates = new double[rounds];
                double[] sinkRates = new double[rounds];
                double[] ratios = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    if (r % 2 == 0) {
                        plainRates[r] = plain(client, es, "bench-plain-" + r, n, batch);
                        sinkRates[r] = sink(es, "bench-sink-" + r, n, batch);
                    } else {
                        sinkRates[r] = sink(es, "bench-sink-" + r, n, batch);
                        plainRates[r] = plain(client, es, "bench-plain-" + r, n, batch);
                    }
                    ratios[r] = sinkRates[r] / plainRates[r];
                    System.out.printf("round %d (%s first): plain bulk loop %,.0f docs/s, ElasticsearchSink %,.0f docs/s, "
                            + "ratio %.2f%n", r + 1, r % 2 == 0 ? "plain" : "sink", plainRates[r], sinkRates[r], ratios[r]);
                }
                System.out.printf("median: plain bulk loop %,.0f docs/s, ElasticsearchSink %,.0f docs/s; median of the "
                        + "rounds' ratios %.2f (target >= 0.90)%n", median(plainRates), median(sinkRates), median(ratios));
            } finally {
                client._transport().close();
            }
        }
        System.exit(0);
    }

    /** The plain loop: documents per second. */
    static double plain(ElasticsearchClient client, LocalElasticsearch es, String base, long n, int batch)
            throws Exception {
        GeneratedDocuments docs = new GeneratedDocuments(base);
        long started = System.nanoTime();
        List<BulkOperation> ops = new ArrayList<>(batch);
        for (long i = 0; i < n; i++) {
            byte[] source = docs.source(i);
            String index = docs.index(i);
            String id = docs.id(i);
            ops.add(BulkOperation.of(o -> o.index(x -> x.index(index).id(id)
                    .document(BinaryData.of(source, ContentType.APPLICATION_JSON)))));
            if (ops.size() == batch || i == n - 1) {
                List<BulkOperation> send = ops;
                BulkResponse response = bulkRetrying429(client, send);
                if (response.errors()) {
                    throw new IllegalStateException("plain bulk loop: items failed: " + response.items().stream()
                            .filter(it -> it.error() != null).findFirst().orElseThrow().error());
                }
                ops = new ArrayList<>(batch);
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        check(es, base, n);
        return n / seconds;
    }

    /** The small node's circuit breaker may answer 429 under load; the sink retries those, so the loop does too. */
    private static BulkResponse bulkRetrying429(ElasticsearchClient client, List<BulkOperation> ops) throws Exception {
        while (true) {
            try {
                return client.bulk(b -> b.operations(ops));
            } catch (co.elastic.clients.elasticsearch._types.ElasticsearchException e) {
                if (e.status() != 429) {
                    throw e;
                }
            } catch (co.elastic.clients.transport.TransportException e) {
                if (e.statusCode() != 429 && !String.valueOf(e.getMessage()).contains("429")) {
                    throw e;
                }
            } catch (org.elasticsearch.client.ResponseException e) {
                if (e.getResponse().getStatusLine().getStatusCode() != 429) {
                    throw e;
                }
            }
            System.out.println("plain bulk loop: 429 from the node, retrying in 100 ms");
            Thread.sleep(100);
        }
    }

    /** The sink in a Flink job at parallelism 1: documents per second of the job's net runtime. */
    static double sink(LocalElasticsearch es, String base, long n, int batch) throws Exception {
        Configuration config = new Configuration();
        config.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = GeneratedDocuments.environment(config);
        env.setParallelism(1);
        BulkSettings bulk = new BulkSettings(batch, 100L << 20, Duration.ofSeconds(1), Duration.ofMillis(100),
                Duration.ofSeconds(10), Duration.ofMinutes(10));
        env.fromSequence(0, n - 1).name("numbers")
                .sinkTo(new ElasticsearchSink<>(ElasticsearchConnection.of(es.httpUrl()), new GeneratedDocuments(base),
                        bulk)).name("elasticsearch");
        JobExecutionResult result = env.execute("sink-benchmark-" + base);
        check(es, base, n);
        return n / (result.getNetRuntime() / 1e3);
    }

    private static void check(LocalElasticsearch es, String base, long n) throws Exception {
        GeneratedDocuments.send(es.httpUrl(), "POST", "/" + base + "-*/_refresh", null);
        long count = new ObjectMapper().readTree(GeneratedDocuments.send(es.httpUrl(), "GET", "/" + base + "-*/_count",
                null).body()).get("count").asLong();
        if (count != n) {
            throw new IllegalStateException(base + " holds " + count + " documents, expected " + n);
        }
        // Each run starts from the same state: the 256 MB node would otherwise fill its heap with old indices.
        // (By name: clusters refuse wildcard deletes by default.)
        String indices = GeneratedDocuments.send(es.httpUrl(), "GET", "/_cat/indices/" + base + "-*?h=index", null)
                .body().strip().replace("\n", ",");
        var deleted = GeneratedDocuments.send(es.httpUrl(), "DELETE", "/" + indices, null);
        if (deleted.statusCode() != 200) {
            throw new IllegalStateException("cannot delete " + indices + ": " + deleted.body());
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }
}

package io.discoursetrends.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import io.discoursetrends.local.LocalElasticsearch;
import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/**
 * The Elasticsearch node goes away for 30 seconds in the middle of a job and comes back on the same data: the
 * sink retries, the job backpressures instead of reading ahead, and the index ends exactly equal to the reference
 * (every document, once, with its content), without the job ever failing (its restart strategy is "none").
 */
class ElasticsearchOutageIT {
    private static final long DOCUMENTS = 200_000;
    private static final Duration OUTAGE = Duration.ofSeconds(30);

    @Test
    void shouldBackpressureThroughAnOutageAndEndWithExactlyTheReferenceDocuments() throws Exception {
        try (LocalElasticsearch es = LocalElasticsearch.launch()) {
            GeneratedDocuments.createTemplate(es.httpUrl(), "outage-it");

            // 1. The job: checkpoints every 500 ms; retries for up to 3 minutes (the outage lasts 30 s); no restarts,
            //    so the outage must be ridden out by the sink's retries alone.
            Configuration config = new Configuration();
            config.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
            StreamExecutionEnvironment env = GeneratedDocuments.environment(config);
            env.enableCheckpointing(500);
            BulkSettings bulk = new BulkSettings(1_000, 5L << 20, Duration.ofSeconds(1), Duration.ofMillis(100),
                    Duration.ofSeconds(2), Duration.ofMinutes(3));
            GeneratedDocuments.pipeline(env, DOCUMENTS, "outage", new ElasticsearchSink<>(
                    ElasticsearchConnection.of(es.httpUrl()), new GeneratedDocuments("outage-it"), bulk));
            long started = System.nanoTime();
            JobClient job = env.executeAsync("elasticsearch-outage-it");

            // 2. A third of the way in, the node stops.
            awaitEmitted("outage", DOCUMENTS / 3, Duration.ofSeconds(60));
            es.stop();
            long stoppedAt = System.nanoTime();
            long emittedAtStop = GeneratedDocuments.emitted("outage");

            // 3. While it is down, the source stops too once Flink's buffers are full: after a few seconds of filling
            //    them, the count of emitted records stays flat.
            Thread.sleep(5_000);
            long emittedAfter5s = GeneratedDocuments.emitted("outage");
            Thread.sleep(OUTAGE.toMillis() - 5_000);
            long emittedAtRestart = GeneratedDocuments.emitted("outage");
            System.out.printf("ElasticsearchOutageIT: emitted %,d at stop, %,d after 5 s, %,d after %d s; job status %s%n",
                    emittedAtStop, emittedAfter5s, emittedAtRestart, OUTAGE.toSeconds(), job.getJobStatus().get());
            assertThat(emittedAtRestart - emittedAfter5s).as("records emitted during the last 25 s of the outage")
                    .isLessThanOrEqualTo(1_000);
            assertThat(emittedAtRestart - emittedAtStop).as("records emitted while the node was down")
                    .isLessThan(DOCUMENTS / 4);
            assertThat(emittedAtRestart).isLessThan(DOCUMENTS);

            // 4. The node comes back on the same data; the job resumes and finishes by itself.
            es.start();
            System.out.printf("ElasticsearchOutageIT: node back after %.1f s%n", (System.nanoTime() - stoppedAt) / 1e9);
            job.getJobExecutionResult().get();
            System.out.printf("ElasticsearchOutageIT: job finished after %.1f s%n", (System.nanoTime() - started) / 1e9);

            // 5. Exactly the reference documents.
            assertThat(GeneratedDocuments.emitted("outage")).isEqualTo(DOCUMENTS);
            GeneratedDocuments.assertIndexHoldsExactly(es.httpUrl(), "outage-it", DOCUMENTS);
        }
    }

    private static void awaitEmitted(String name, long atLeast, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (GeneratedDocuments.emitted(name) < atLeast) {
            assertThat(System.nanoTime()).as("%s emitted %d within %s", name, atLeast, timeout).isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}

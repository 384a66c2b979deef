package io.discoursetrends.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import io.discoursetrends.local.LocalElasticsearch;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/**
 * A job that fails once in the middle, after a checkpoint, restarts from that checkpoint (fixed-delay restart
 * strategy) and replays what came after it: the sink's flush on checkpoint plus deterministic ids leave exactly
 * the reference documents, none missing, none twice.
 */
class ElasticsearchRestartIT {
    private static final long DOCUMENTS = 200_000;

    /** Set in this JVM by the failing operator, read by the test (the MiniCluster runs in the same JVM). */
    static final AtomicBoolean CHECKPOINT_COMPLETED = new AtomicBoolean();
    static final AtomicBoolean FAILED = new AtomicBoolean();
    static final AtomicLong SEEN = new AtomicLong();

    @Test
    void shouldEndWithExactlyTheReferenceDocumentsAfterARestartFromACheckpoint() throws Exception {
        try (LocalElasticsearch es = LocalElasticsearch.launch()) {
            GeneratedDocuments.createTemplate(es.httpUrl(), "restart-it");

            Configuration config = new Configuration();
            config.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
            config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 2);
            config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(1));
            StreamExecutionEnvironment env = GeneratedDocuments.environment(config);
            env.enableCheckpointing(500);
            env.fromSequence(0, DOCUMENTS - 1).name("numbers").uid("numbers")
                    .map(new GeneratedDocuments.Counting("restart")).name("count").uid("count")
                    .map(new FailOnceAfterACheckpoint(DOCUMENTS / 2)).name("fail once").uid("fail-once")
                    .rebalance()
                    .sinkTo(new ElasticsearchSink<>(ElasticsearchConnection.of(es.httpUrl()),
                            new GeneratedDocuments("restart-it"), BulkSettings.DEFAULTS))
                    .name("elasticsearch").uid("sink");
            long started = System.nanoTime();
            env.execute("elasticsearch-restart-it");
            long emitted = GeneratedDocuments.emitted("restart");
            System.out.printf("ElasticsearchRestartIT: finished after %.1f s; %,d records emitted in all (%,d replayed "
                    + "after the restart)%n", (System.nanoTime() - started) / 1e9, emitted, emitted - DOCUMENTS);

            // The failure happened, and the restart resumed from a checkpoint: only the records after it were
            // replayed, not the half before the failure.
            assertThat(FAILED).isTrue();
            // (From scratch would replay at least the DOCUMENTS / 2 before the failure.)
            assertThat(emitted).isGreaterThan(DOCUMENTS).isLessThan(DOCUMENTS + DOCUMENTS / 2);
            GeneratedDocuments.assertIndexHoldsExactly(es.httpUrl(), "restart-it", DOCUMENTS);
        }
    }

    /** Throws once, in one subtask, just after the first checkpoint that completes once {@code after} records passed. */
    static final class FailOnceAfterACheckpoint extends RichMapFunction<Long, Long> implements CheckpointListener {
        private final long after;

        FailOnceAfterACheckpoint(long after) {
            this.after = after;
        }

        @Override
        public Long map(Long n) {
            SEEN.incrementAndGet();
            if (CHECKPOINT_COMPLETED.get() && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure (ElasticsearchRestartIT)");
            }
            return n;
        }

        // Failing right after a checkpoint completes (past the middle) makes the replay small and predictable,
        // however long checkpoints take on a loaded machine.
        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            if (SEEN.get() > after) {
                CHECKPOINT_COMPLETED.set(true);
            }
        }
    }
}

package io.discoursetrends.job;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import io.discoursetrends.elasticsearch.ElasticsearchClients;
import io.discoursetrends.elasticsearch.IndexManagement;
import io.discoursetrends.elasticsearch.IndexTemplates;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts the trends job with the production connectors: what `discourse-trends run` does. */
public final class TrendsJobRunner {
    private static final Logger LOG = LoggerFactory.getLogger(TrendsJobRunner.class);

    private TrendsJobRunner() {}

    public static JobExecutionResult run(Configuration config, String jobName) throws Exception {
        return start(config, jobName).getJobExecutionResult().get();
    }

    /** Prepares Elasticsearch and Kafka, then submits the job without waiting for it to end. */
    public static JobClient start(Configuration config, String jobName) throws Exception {
        if (config.get(JobOptions.ES_INSTALL_TEMPLATES)) {
            installTemplates(config);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.enableCheckpointing(config.get(JobOptions.CHECKPOINT_INTERVAL).toMillis());
        Connectors connectors = new Connectors(config);
        connectors.ensureTopics();
        DiscourseTrendsJob.build(env, config, connectors, connectors);
        return env.executeAsync(jobName);
    }

    public static void installTemplates(Configuration config) {
        var connection = Connectors.elasticsearch(config);
        ElasticsearchClient client = ElasticsearchClients.create(connection);
        try {
            // With the job's settings (shards, replicas, retention), so a job start keeps what es-setup applied.
            IndexTemplates.install(client, config.toMap(), line -> {
                if (line.contains(IndexManagement.NO_ILM_MESSAGE)) {
                    LOG.warn(line);
                } else {
                    LOG.info(line);
                }
            });
        } catch (Exception e) {
            throw new IllegalStateException("cannot install the index templates on " + connection + ": " + e
                    + ". Check es.urls and the credentials variables, or set es.install-templates=false if "
                    + "an administrator installs them.", e);
        } finally {
            try {
                client._transport().close();
            } catch (Exception ignored) {
                // closing a client that failed to connect has nothing left to release
            }
        }
    }
}

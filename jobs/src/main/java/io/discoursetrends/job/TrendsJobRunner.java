package io.discoursetrends.job;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import io.discoursetrends.elasticsearch.ElasticsearchClients;
import io.discoursetrends.elasticsearch.IndexTemplates;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** Starts the trends job with the production connectors: what `discourse-trends run` does. */
public final class TrendsJobRunner {
    private TrendsJobRunner() {}

    /**
     * The job jar leaves Flink out (the cluster provides it), so subcommands that run Flink fail early and
     * say how to get it, instead of with a NoClassDefFoundError.
     */
    public static void requireFlink() {
        try {
            Class.forName("org.apache.flink.streaming.api.environment.StreamExecutionEnvironment", false,
                    TrendsJobRunner.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("this subcommand needs Flink's runtime, which the job jar leaves to the "
                    + "cluster: submit the jar to a Flink cluster, or run it locally with bin/discourse-trends "
                    + "(which adds Flink's classpath after `mvn package`)");
        }
    }

    public static JobExecutionResult run(Configuration config, String jobName) throws Exception {
        if (config.get(JobOptions.ES_INSTALL_TEMPLATES)) {
            installTemplates(config);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.enableCheckpointing(config.get(JobOptions.CHECKPOINT_INTERVAL).toMillis());
        Connectors connectors = new Connectors(config);
        DiscourseTrendsJob.build(env, config, connectors, connectors);
        return env.execute(jobName);
    }

    public static void installTemplates(Configuration config) {
        var connection = Connectors.elasticsearch(config);
        ElasticsearchClient client = ElasticsearchClients.create(connection);
        try {
            IndexTemplates.install(client);
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

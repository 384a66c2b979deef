package io.discoursetrends.job;

/**
 * Checks that Flink's runtime is on the classpath. A class of its own, loadable with nothing but the JDK: the
 * job jar leaves Flink (and the logging it brings) to the cluster, so the check must run before any class that
 * touches Flink or slf4j is loaded.
 */
public final class FlinkRuntime {
    private FlinkRuntime() {}

    /** Fails with what to do, instead of a NoClassDefFoundError, when Flink is missing ({@code java -jar}). */
    public static void require() {
        try {
            Class.forName("org.apache.flink.streaming.api.environment.StreamExecutionEnvironment", false,
                    FlinkRuntime.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("this subcommand needs Flink's runtime, which the job jar leaves to the "
                    + "cluster: submit the jar to a Flink cluster, or run it locally with bin/discourse-trends "
                    + "(which adds Flink's classpath after `mvn package`)");
        }
    }
}

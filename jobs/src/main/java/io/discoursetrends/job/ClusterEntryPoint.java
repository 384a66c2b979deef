package io.discoursetrends.job;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The entry class for a submission to a Flink cluster (REST {@code /jars/:id/run}, {@code flink run -c}, or
 * application mode): submits the trends job and returns, leaving the job to the cluster.
 *
 * <p>Not the CLI's {@code Main}: picocli's main ends in {@code System.exit}, which in a JobManager running the
 * submitted main would stop the JobManager itself, and {@code run} waits for the job's result, which a web
 * submission cannot fetch. Arguments are {@code run}'s: {@code [run] [--conf FILE] [-Dkey=value ...]} (the
 * leading {@code run} is accepted so both entry classes take the same arguments).
 */
public final class ClusterEntryPoint {
    public static final String JOB_NAME = "discourse-trends";

    private ClusterEntryPoint() {}

    public static void main(String[] args) throws Exception {
        Path conf = null;
        Map<String, String> overrides = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (i == 0 && arg.equals("run")) {
                continue;
            }
            if (arg.equals("--conf") && i + 1 < args.length) {
                conf = Path.of(args[++i]);
            } else if (arg.startsWith("--conf=")) {
                conf = Path.of(arg.substring("--conf=".length()));
            } else if (arg.startsWith("-D") && arg.indexOf('=') > 2) {
                overrides.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
            } else if (arg.equals("-D") && i + 1 < args.length && args[i + 1].indexOf('=') > 0) {
                String kv = args[++i];
                overrides.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
            } else {
                throw new IllegalArgumentException("unexpected argument '" + arg
                        + "'; expected [run] [--conf FILE] [-Dkey=value ...]");
            }
        }
        TrendsJobRunner.start(JobConfiguration.load(conf, overrides), JOB_NAME);
    }
}

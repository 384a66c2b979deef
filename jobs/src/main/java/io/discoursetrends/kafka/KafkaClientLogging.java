package io.discoursetrends.kafka;

/**
 * The jar carries slf4j-api (the Kafka client logs through it) but no binding: a Flink cluster brings its own (and
 * loads org.slf4j parent-first, so the jar's copy is never used there), and bin/discourse-trends adds Flink's log4j.
 * From plain {@code java -jar} there is none, and SLF4J 1.7 says so on standard error in three lines before falling
 * back to no logging; the commands that run a Kafka client there (topics/events publish, the ingest bridges) say
 * themselves what went wrong, so those lines are only noise.
 */
public final class KafkaClientLogging {
    private KafkaClientLogging() {}

    /** SLF4J picks its binding once, on first use: do that here with standard error muted, if there is none. */
    public static void quietWithoutBinding() {
        if (KafkaClientLogging.class.getClassLoader().getResource("org/slf4j/impl/StaticLoggerBinder.class")
                != null) {
            return; // a binding is there: it may have things to say
        }
        java.io.PrintStream err = System.err;
        System.setErr(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        try {
            org.slf4j.LoggerFactory.getILoggerFactory();
        } finally {
            System.setErr(err);
        }
    }
}

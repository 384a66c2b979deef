package io.discoursetrends.ingest;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * A bridge's counters: read by the progress line and over JMX. Counters only ever grow, so a monitoring system
 * takes rates from them.
 */
public final class BridgeMetrics implements BridgeMetricsMXBean {

    public final AtomicLong received = new AtomicLong();
    public final AtomicLong sent = new AtomicLong();
    public final AtomicLong duplicates = new AtomicLong();
    public final AtomicLong malformed = new AtomicLong();
    public final AtomicLong reconnects = new AtomicLong();
    public final AtomicLong rateLimited = new AtomicLong();
    public final AtomicLong commits = new AtomicLong();
    public final AtomicLong requests = new AtomicLong();
    public final AtomicReference<String> cursor = new AtomicReference<>("-");

    private final String bridgeId;
    private long lastReceived;
    private long lastSent;
    private long lastAt = System.nanoTime();

    public BridgeMetrics(String bridgeId) {
        this.bridgeId = bridgeId;
    }

    /** Registers these counters with the platform MBean server; a second bridge of the same id is refused. */
    public void register() {
        try {
            ManagementFactory.getPlatformMBeanServer().registerMBean(this, objectName());
        } catch (JMException e) {
            throw new IllegalStateException("cannot register the metrics of bridge " + bridgeId + ": " + e);
        }
    }

    public void unregister() {
        try {
            ManagementFactory.getPlatformMBeanServer().unregisterMBean(objectName());
        } catch (JMException e) {
            // not registered: nothing to undo
        }
    }

    private ObjectName objectName() throws JMException {
        return new ObjectName("io.discoursetrends:type=IngestBridge,name=" + ObjectName.quote(bridgeId));
    }

    /** One line of progress with the rates since the previous line. */
    public synchronized String progressLine() {
        long now = System.nanoTime();
        double seconds = Math.max(1e-3, (now - lastAt) / 1e9);
        long r = received.get();
        long s = sent.get();
        String line = String.format(java.util.Locale.ROOT,
                "%s: received %d (%.1f/s), sent %d (%.1f/s), duplicates %d, malformed %d, reconnects %d,"
                        + " rate-limited %d, commits %d, cursor %s",
                bridgeId, r, (r - lastReceived) / seconds, s, (s - lastSent) / seconds, duplicates.get(),
                malformed.get(), reconnects.get(), rateLimited.get(), commits.get(), cursor.get());
        lastReceived = r;
        lastSent = s;
        lastAt = now;
        return line;
    }

    @Override public long getReceived() { return received.get(); }
    @Override public long getSent() { return sent.get(); }
    @Override public long getDuplicates() { return duplicates.get(); }
    @Override public long getMalformed() { return malformed.get(); }
    @Override public long getReconnects() { return reconnects.get(); }
    @Override public long getRateLimited() { return rateLimited.get(); }
    @Override public long getCommits() { return commits.get(); }
    @Override public long getRequests() { return requests.get(); }
    @Override public String getCursor() { return cursor.get(); }
}

package io.discoursetrends.ingest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * For the last {@code capacity} things a polling bridge sent (by name), a hash of what counts about the version
 * sent (counters, edit time): a thing fetched again is sent only when that changed, so neither a re-listing, a
 * re-fetch nor a restart repeats a record. Ordered by when each was last sent; the least recently sent is
 * forgotten first. Saved in the cursor as two parallel arrays.
 */
public final class SentVersions {

    private final LinkedHashMap<String, Long> versions;

    public SentVersions(int capacity) {
        this.versions = new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
                return size() > capacity;
            }
        };
    }

    /** Whether exactly this version of the thing is the one sent last (then it is not sent again). */
    public boolean isSent(String name, long version) {
        Long last = versions.get(name);
        return last != null && last == version;
    }

    /** Notes a send: the thing becomes the most recently sent. */
    public void sent(String name, long version) {
        versions.remove(name);
        versions.put(name, version);
    }

    /** Stops remembering a thing (it was deleted). */
    public void forget(String name) {
        versions.remove(name);
    }

    /** The {@code n} things sent last, least recent first. */
    public List<String> last(int n) {
        List<String> all = new ArrayList<>(versions.keySet());
        return all.subList(Math.max(0, all.size() - n), all.size());
    }

    public int size() {
        return versions.size();
    }

    public String[] names() {
        return versions.keySet().toArray(new String[0]);
    }

    public long[] versions() {
        return versions.values().stream().mapToLong(Long::longValue).toArray();
    }

    /** What {@link #names()} and {@link #versions()} saved. */
    public void restore(String[] names, long[] saved) {
        for (int i = 0; i < names.length; i++) {
            versions.put(names[i], saved[i]);
        }
    }
}

package io.discoursetrends.ingest;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;

/**
 * The identities (64-bit hashes) of the last {@code capacity} records sent, oldest forgotten first: what a bridge
 * checks a replayed or re-listed record against. Saved in the cursor, so a restart remembers them too.
 */
public final class RecentSet {

    private final int capacity;
    private final ArrayDeque<Long> order = new ArrayDeque<>();
    private final Set<Long> members = new HashSet<>();

    public RecentSet(int capacity) {
        this.capacity = capacity;
    }

    public boolean contains(long id) {
        return members.contains(id);
    }

    /** Adds an identity; false if it was there already. */
    public boolean add(long id) {
        if (!members.add(id)) {
            return false;
        }
        order.addLast(id);
        while (order.size() > capacity) {
            members.remove(order.removeFirst());
        }
        return true;
    }

    /** Oldest first. */
    public long[] toArray() {
        return order.stream().mapToLong(Long::longValue).toArray();
    }

    public void addAll(long[] ids) {
        if (ids != null) {
            for (long id : ids) {
                add(id);
            }
        }
    }

    public int size() {
        return order.size();
    }
}

package io.discoursetrends.engagement;

import io.discoursetrends.classify.ClassifiedEvent;
import io.discoursetrends.model.Engagement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link EngagementAttribution} with a second event-time timer queue, {@value #EXPIRY_TIMERS}, for the
 * timers that end a post's or an engagement id's life (days away), apart from those that fire within the
 * out-of-orderness bound (an engagement waiting for its post, a drill-down rewrite).
 *
 * <p>Why two queues: a timer queue is a binary heap, and every timer the watermark fires is taken off its top
 * and costs a walk down the heap. In one queue the short timers walked past every expiry timer of the last
 * week, hundreds of thousands, at a cache miss per level; apart, they walk a heap of the few thousand that are
 * due soon. Each queue is kept in checkpoints under its own name; timers restored into {@code user-timers}
 * from a savepoint taken before the split still fire there, and {@link EngagementAttribution#onTimer} still
 * serves them.
 */
public final class AttributionOperator extends KeyedProcessOperator<String, ClassifiedEvent, AttributedEvent> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(AttributionOperator.class);

    /** The name of the expiry timer queue in checkpoints and savepoints. */
    static final String EXPIRY_TIMERS = "attribution-expiry";

    public AttributionOperator(EngagementAttribution attribution) {
        super(attribution);
    }

    @Override
    public void open() throws Exception {
        super.open();
        InternalTimerService<VoidNamespace> expiry = getInternalTimerService(EXPIRY_TIMERS,
                VoidNamespaceSerializer.INSTANCE, new Expiry((EngagementAttribution) userFunction));
        ((EngagementAttribution) userFunction).useExpiryTimers(expiry);
        adoptLegacyState();
    }

    /**
     * State restored from a savepoint taken before {@link PostState}, which kept four separate states (post,
     * pending engagement, drill-down document, its dirty flag) and every engagement id in the map state. Each key
     * that has any is moved into one {@link PostState} here, once, before the first event; the old states are
     * left empty, and the ids stay where they are, as spilled ids. Timers need no move: whatever a timer's
     * queue, {@link EngagementAttribution} tells by its time what it concerns.
     */
    private void adoptLegacyState() throws Exception {
        KeyedStateBackend<String> backend = getKeyedStateBackend();
        Set<String> keys = new LinkedHashSet<>();
        for (String name : LegacyState.NAMES) {
            keysOf(backend, name, keys);
        }
        ValueState<PostState> state = getPartitionedState(EngagementAttribution.postState());
        // Ids of a key without a PostState are from the old layout; ids spilled by this one have a PostState.
        Set<String> seenKeys = new LinkedHashSet<>();
        keysOf(backend, EngagementAttribution.seenEngagement().getName(), seenKeys);
        for (String key : seenKeys) {
            setCurrentKey(key);
            if (state.value() == null) {
                keys.add(key);
            }
        }
        if (keys.isEmpty()) {
            return;
        }
        LOG.info("Moving the attribution state of {} posts, restored from a savepoint of an older release, into "
                + "one state entry per post", keys.size());
        ValueState<TrackedPost> post = getPartitionedState(LegacyState.post());
        ListState<Engagement> pending = getPartitionedState(LegacyState.pending());
        ValueState<IndexedPost> indexed = getPartitionedState(LegacyState.indexed());
        ValueState<Boolean> dirty = getPartitionedState(LegacyState.indexedDirty());
        MapState<String, Long> seen = getPartitionedState(EngagementAttribution.seenEngagement());
        for (String key : keys) {
            setCurrentKey(key);
            List<Engagement> waiting = new ArrayList<>();
            Iterable<Engagement> restored = pending.get();
            if (restored != null) {
                restored.forEach(waiting::add);
            }
            PostState s = new PostState(post.value(), indexed.value(), dirty.value() != null,
                    waiting.toArray(PostState.NO_PENDING), null, null, !seen.isEmpty());
            if (!s.isEmpty()) {
                state.update(s);
            }
            post.clear();
            pending.clear();
            indexed.clear();
            dirty.clear();
        }
    }

    private static void keysOf(KeyedStateBackend<String> backend, String stateName, Set<String> into) {
        try (Stream<String> restored = backend.getKeys(stateName, VoidNamespace.INSTANCE)) {
            restored.forEach(into::add); // collected first: the heap backend's key stream is live
        }
    }

    /** Fires expiry timers; the timer service has already made the timer's key current. */
    private record Expiry(EngagementAttribution attribution) implements Triggerable<String, VoidNamespace> {
        @Override
        public void onEventTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
            attribution.expire(timer.getTimestamp());
        }

        @Override
        public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) {
            throw new IllegalStateException("attribution registers no processing-time expiry timers");
        }
    }
}

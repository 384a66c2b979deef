package io.discoursetrends.engagement;

import io.discoursetrends.classify.ClassifiedEvent;
import io.discoursetrends.model.Engagement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link EngagementAttribution} with its expiry (a post's end, its engagement ids' end) in queues of its
 * own, one per key group, apart from the timers that fire within the out-of-orderness bound (an engagement
 * waiting for its post, a drill-down rewrite), which stay on Flink's {@code user-timers}.
 *
 * <p>Why: Flink's timer queue is a binary heap per operator plus a hash set per key group that keeps each key's
 * timers unique. With a timer for every post of the last week, each new timer cost a miss in that set and each
 * fired one a walk down the heap, at a cache miss per level: together a third of the attribution task
 * (docs/benchmarks.md). Expiry needs neither: it is due in whole minutes (posts) or steps of {@code dedup.ttl}
 * (ids), so the keys due at one time are appended to a list in keyed state, {@value #DUE_KEYS}, under a queue
 * key of their key group and in the namespace of that time, and one Flink timer per key group and time fires
 * the list. The lists and their timers live in the key group of the keys they hold, so checkpoints, rescaling
 * and both state backends treat them like any keyed state.
 *
 * <p>Timers in {@value #EXPIRY_TIMERS} under a post's own key are still served: engagement ids spilled into
 * the map state use them (a popular post's ids come in thousands an hour, and Flink's per-key timers merge
 * those of one step where a list would not), and so do those restored from a savepoint taken before the
 * queues. Timers restored into {@code user-timers} from a savepoint taken before expiry had a queue at all
 * still fire there, and {@link EngagementAttribution#onTimer} still serves them.
 */
public final class AttributionOperator extends KeyedProcessOperator<String, ClassifiedEvent, AttributedEvent> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(AttributionOperator.class);

    /** The name of the expiry timer service in checkpoints and savepoints. */
    static final String EXPIRY_TIMERS = "attribution-expiry";
    /** The name of the keyed list state that holds the keys due to expire, per key group and time. */
    static final String DUE_KEYS = "attribution-due";
    /** Queue keys start with a character no post key has (they start with a platform id). */
    static final String QUEUE_KEY_PREFIX = "\u0000expiry-queue-";

    private transient ListStateDescriptor<String> due;
    private transient InternalTimerService<VoidNamespace> expiryTimers;
    private transient int keyGroups;
    private transient int firstKeyGroup;
    /** The queue key of each key group of this subtask, from its first. */
    private transient String[] queueKeys;
    /** The time of each key group's latest queue timer not fired yet, so the next of the same time skips Flink. */
    private transient long[] lastQueued;

    /**
     * In batch execution mode keyed state lives for one key at a time, and switching to a queue key would drop
     * the post's: there the queues are not used. Expiry is then moot, since a key's state goes when its input
     * ends (job/Backfill says what that means for the results).
     */
    private final boolean batch;

    public AttributionOperator(EngagementAttribution attribution) {
        this(attribution, false);
    }

    public AttributionOperator(EngagementAttribution attribution, boolean batchExecution) {
        super(attribution);
        this.batch = batchExecution;
    }

    @Override
    public void open() throws Exception {
        super.open();
        due = new ListStateDescriptor<>(DUE_KEYS, Types.STRING);
        TaskInfo task = getRuntimeContext().getTaskInfo();
        keyGroups = task.getMaxNumberOfParallelSubtasks();
        KeyGroupRange range = KeyGroupRangeAssignment.computeKeyGroupRangeForOperatorIndex(keyGroups,
                task.getNumberOfParallelSubtasks(), task.getIndexOfThisSubtask());
        firstKeyGroup = range.getStartKeyGroup();
        queueKeys = queueKeys(keyGroups, range);
        lastQueued = new long[queueKeys.length];
        Arrays.fill(lastQueued, Long.MIN_VALUE);
        expiryTimers = getInternalTimerService(EXPIRY_TIMERS, VoidNamespaceSerializer.INSTANCE, new Expiry());
        ((EngagementAttribution) userFunction).useExpiry(this);
        if (!batch) {
            adoptLegacyState(); // a batch run starts from no savepoint
        }
    }

    /**
     * The queue key of every key group in {@code range}: for each, the first of {@code QUEUE_KEY_PREFIX + i}
     * (i = 0, 1, ...) that falls into it. It depends on nothing else, so after a rescale a subtask finds the
     * same keys, and their lists, for the key groups it takes over.
     */
    static String[] queueKeys(int keyGroups, KeyGroupRange range) {
        String[] keys = new String[range.getNumberOfKeyGroups()];
        int left = keys.length;
        for (int i = 0; left > 0; i++) {
            String candidate = QUEUE_KEY_PREFIX + i;
            int group = KeyGroupRangeAssignment.assignToKeyGroup(candidate, keyGroups);
            if (range.contains(group) && keys[group - range.getStartKeyGroup()] == null) {
                keys[group - range.getStartKeyGroup()] = candidate;
                left--;
            }
        }
        return keys;
    }

    /** Queues the current key to expire at {@code atMillis} (a whole minute or step; see the class comment). */
    void expireAt(long atMillis) throws Exception {
        if (batch) {
            return;
        }
        KeyedStateBackend<String> backend = getKeyedStateBackend();
        String key = backend.getCurrentKey();
        int group = KeyGroupRangeAssignment.assignToKeyGroup(key, keyGroups);
        int index = group - firstKeyGroup;
        backend.setCurrentKeyAndKeyGroup(queueKeys[index], group);
        try {
            getPartitionedState(atMillis, LongSerializer.INSTANCE, due).add(key);
            // Keys come in order of time, mostly: most find their list's timer registered just before.
            if (lastQueued[index] != atMillis) {
                expiryTimers.registerEventTimeTimer(VoidNamespace.INSTANCE, atMillis);
                lastQueued[index] = atMillis;
            }
        } finally {
            backend.setCurrentKeyAndKeyGroup(key, group);
        }
    }

    /** A timer of the current key's own in {@value #EXPIRY_TIMERS} (see the class comment for which need one). */
    void expireOwnKeyAt(long atMillis) {
        if (batch) {
            return;
        }
        expiryTimers.registerEventTimeTimer(VoidNamespace.INSTANCE, atMillis);
    }

    /**
     * State restored from a savepoint taken before {@link PostState}, which kept four separate states (post,
     * pending engagement, drill-down document, its dirty flag) and every engagement id in the map state. Each key
     * that has any is moved into one {@link PostState} here, once, before the first event; the old states are
     * left empty, and the ids stay where they are, as spilled ids. Timers need no move: whatever a timer's
     * queue, {@link EngagementAttribution} tells by its time what it concerns.
     */
    private void adoptLegacyState() throws Exception {
        adoptPostStateV1();
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

    /**
     * State restored from a savepoint of the first {@link PostState} layout ({@code post-state}, Flink's POJO
     * serializer, engagement ids in full): each entry is moved into {@code post-state-v2}, its inline ids replaced by
     * their digests (the form new ids are compared in), and the old entry cleared. Ids in the map state stay in full.
     */
    private void adoptPostStateV1() throws Exception {
        Set<String> keys = new LinkedHashSet<>();
        keysOf(getKeyedStateBackend(), LegacyState.POST_STATE_V1, keys);
        if (keys.isEmpty()) {
            return;
        }
        LOG.info("Moving the attribution state of {} posts, restored from a savepoint of an older release, into its "
                + "compact layout", keys.size());
        ValueState<PostState> v1 = getPartitionedState(LegacyState.postStateV1());
        ValueState<PostState> v2 = getPartitionedState(EngagementAttribution.postState());
        for (String key : keys) {
            setCurrentKey(key);
            PostState s = v1.value();
            if (s != null) {
                String[] ids = s.seenIds().clone();
                for (int i = 0; i < ids.length; i++) {
                    ids[i] = PostStateSerializer.isDigest(ids[i]) ? ids[i] : PostStateSerializer.digest(ids[i]);
                }
                v2.update(new PostState(s.post(), s.indexed(), s.indexedDirty(), s.pending(), ids, s.seenUntil(),
                        s.seenSpilled()));
            }
            v1.clear();
        }
    }

    private static void keysOf(KeyedStateBackend<String> backend, String stateName, Set<String> into) {
        try (Stream<String> restored = backend.getKeys(stateName, VoidNamespace.INSTANCE)) {
            restored.forEach(into::add); // collected first: the heap backend's key stream is live
        }
    }

    /** Fires expiry: a queue key's list of keys due, or a post key's own timer. */
    private final class Expiry implements Triggerable<String, VoidNamespace> {
        @Override
        public void onEventTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
            EngagementAttribution attribution = (EngagementAttribution) userFunction;
            long at = timer.getTimestamp();
            String queue = timer.getKey(); // the timer service has made it the current key
            if (!queue.startsWith(QUEUE_KEY_PREFIX)) {
                write(attribution.expire(at), at);
                return;
            }
            int group = KeyGroupRangeAssignment.assignToKeyGroup(queue, keyGroups);
            if (lastQueued[group - firstKeyGroup] == at) {
                lastQueued[group - firstKeyGroup] = Long.MIN_VALUE; // a key queued for this time again needs a timer
            }
            ListState<String> list = getPartitionedState(at, LongSerializer.INSTANCE, due);
            List<String> keys = new ArrayList<>();
            Iterable<String> listed = list.get();
            if (listed != null) {
                listed.forEach(keys::add);
            }
            list.clear();
            KeyedStateBackend<String> backend = getKeyedStateBackend();
            for (String key : keys) {
                backend.setCurrentKeyAndKeyGroup(key, group);
                write(attribution.expire(at), at);
            }
        }

        /** A post's last drill-down rewrite, which its expiry would otherwise drop. */
        private void write(IndexedPost unwritten, long at) {
            if (unwritten != null) {
                output.collect(EngagementAttribution.POSTS, new StreamRecord<>(unwritten, at));
            }
        }

        @Override
        public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) {
            throw new IllegalStateException("attribution registers no processing-time expiry timers");
        }
    }
}

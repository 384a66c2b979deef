package io.discoursetrends.engagement;

import io.discoursetrends.classify.ClassifiedEvent;
import io.discoursetrends.model.Engagement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.base.ByteSerializer;
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
 * Runs {@link EngagementAttribution} with the state of all posts of a key group in one table under a key of that
 * key group's own, not under each post's key; with expiry in queues of the table's, and the timers that fire within
 * the out-of-orderness bound (an engagement waiting for its post, a drill-down rewrite) in a timer service of the
 * table's, in the post's namespace.
 *
 * <p>Why a table: a post key ({@code platform|id}, a Bluesky AT-URI of about 70 characters) was written into
 * every checkpoint twice per tracked post, once as the state's key and once in its expiry queue, about 160 of
 * the 500 bytes a post took (docs/benchmarks.md, "State"). Flink computes a record's key group from the keyBy key,
 * but the operator may make any key of the same key group the current one: so the posts of a key group are kept,
 * under that key group's table key ({@link #TABLE_KEY_PREFIX} and a number, a few bytes), in a map state
 * ({@code post-state-v3}) from the 64-bit digest of the post key ({@link PostStateSerializer#hash64}) to its
 * {@link PostState}, split into {@value #SHARDS} maps by the digest's top bits (the state's namespace) so that the
 * heap backend copies a small map, not the key group's, when a post changes while a checkpoint is written; on
 * RocksDB each post is a row of its own, read and written alone. Two posts of one key group share an entry only if
 * their digests collide: with a week of posts (12 million, 256 key groups) the chance that any two do is about
 * 10^-8. Spilled engagement ids ({@code seen-engagement-v3}) are under the table key too, in the post's digest
 * namespace. The table lives in the key group of its posts, so checkpoints, rescaling and both backends treat it like
 * any keyed state.
 *
 * <p>Expiry: a post's end and its engagement ids' end are due in whole minutes (posts) or steps of
 * {@code dedup.ttl} (ids), so the digests due at one time are appended to a list ({@value #DUE_POSTS}) under the
 * table key, in the namespace of that time, and one timer per key group and time ({@value #EXPIRY_TIMERS}) fires
 * the list: no timer per post (Flink's timer queue cost a third of the task when each post had one). Spilled ids
 * expire through the post's own timers ({@value #POST_TIMERS}), which Flink merges per post and step.
 *
 * <p>Topic ids and taxonomy versions, the same for nearly every post of a key group, are kept once per table, in its
 * {@link Words} ({@value #WORDS}), and each post refers to them by number ({@code post-state-v4},
 * {@link PostStateV4Serializer}); the table counts its posts ({@value #TABLE_SIZE}) so that its words go with its
 * last one. Attribution works on a post with its words as references and resolves them where they leave it
 * ({@link PostStore#topics}): engagement events and drill-down documents carry the words themselves.
 *
 * <p>Upgrades: the post tables of the layout before ({@code post-state-v3}, words in full in each post) are moved
 * into those of {@code post-state-v4} when the job starts from such a savepoint; queues, timers and spilled ids are
 * the same in both. State of the layout before that ({@code post-state-v2} and {@code seen-engagement} under each
 * post's key, with its queues of post keys and timers under post keys) is moved into the table once, when the job
 * starts from such a savepoint, before the first event; so is the state of older layouts, through {@code post-state-v2}
 * ({@link LegacyState}). The post key and the table key have the same key group, so the move stays inside the
 * subtask. The old timers stay where they are and are harmless: each is served by the post it concerns, now in the
 * table ({@link #onEventTime}, {@link Expiry}).
 *
 * <p>In batch execution keyed state lives for one key at a time, and switching to a table key would drop the
 * post's: there each post keeps its state under its own key ({@code post-state-v2}) and nothing is queued. Expiry is
 * then moot, since a key's state goes when its input ends (job/Backfill says what that means for the results).
 */
public final class AttributionOperator extends KeyedProcessOperator<String, ClassifiedEvent, AttributedEvent> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(AttributionOperator.class);

    /** The name of the expiry timer service (one timer per key group and time) in checkpoints and savepoints. */
    static final String EXPIRY_TIMERS = "attribution-expiry";
    /** The name of the posts' own timers (waits, rewrites, spilled ids' expiry), in the post's digest namespace. */
    static final String POST_TIMERS = "attribution-post-timers";
    /** The keyed list state of the digests due to expire, per key group (under its table key) and time. */
    static final String DUE_POSTS = "attribution-due-v3";
    /** The layout before's list state of the post keys due to expire, per key group (under a queue key). */
    static final String DUE_KEYS = "attribution-due";
    /** The layout before's queue keys start with this; no post key does (post keys start with a platform id). */
    static final String QUEUE_KEY_PREFIX = "\u0000expiry-queue-";
    /** Table keys are this and a decimal number: short, and neither a post key nor a queue key of the layout before. */
    static final String TABLE_KEY_PREFIX = "\u0000";
    /** Maps per key group's table: the digest's top 6 bits. */
    static final int SHARDS = 64;
    /** The list state of a table's {@link Words}, under its table key. */
    static final String WORDS = "attribution-words-v4";
    /** The value state of the number of posts in a table, under its table key: its words go with its last post. */
    static final String TABLE_SIZE = "attribution-table-size-v4";

    private transient ListStateDescriptor<Long> due;
    private transient ListStateDescriptor<String> dueKeys;
    private transient MapStateDescriptor<Long, PostState> table;
    private transient ListStateDescriptor<String> words;
    private transient ValueStateDescriptor<Long> tableSize;
    private transient MapStateDescriptor<String, Long> spilled;
    private transient InternalTimerService<VoidNamespace> expiryTimers;
    private transient InternalTimerService<Long> postTimers;
    private transient int keyGroups;
    private transient int firstKeyGroup;
    /** The table key of each key group of this subtask, from its first. */
    private transient String[] tableKeys;
    /** The time of each key group's latest queue timer not fired yet, so the next of the same time skips Flink. */
    private transient long[] lastQueued;
    /** Each key group's table words and number of posts, from its first; null and -1 until read from the state. */
    private transient Words[] tableWords;
    private transient long[] tableSizes;
    private transient Tables tables;
    private transient OutputEmitter emitter;

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
        due = new ListStateDescriptor<>(DUE_POSTS, LongSerializer.INSTANCE);
        dueKeys = new ListStateDescriptor<>(DUE_KEYS, Types.STRING);
        table = EngagementAttribution.postTable();
        words = new ListStateDescriptor<>(WORDS, Types.STRING);
        tableSize = new ValueStateDescriptor<>(TABLE_SIZE, LongSerializer.INSTANCE);
        spilled = EngagementAttribution.spilledIds();
        TaskInfo task = getRuntimeContext().getTaskInfo();
        keyGroups = task.getMaxNumberOfParallelSubtasks();
        KeyGroupRange range = KeyGroupRangeAssignment.computeKeyGroupRangeForOperatorIndex(keyGroups,
                task.getNumberOfParallelSubtasks(), task.getIndexOfThisSubtask());
        firstKeyGroup = range.getStartKeyGroup();
        tableKeys = tableKeys(keyGroups, range);
        lastQueued = new long[tableKeys.length];
        Arrays.fill(lastQueued, Long.MIN_VALUE);
        tableWords = new Words[tableKeys.length];
        tableSizes = new long[tableKeys.length];
        Arrays.fill(tableSizes, -1);
        expiryTimers = getInternalTimerService(EXPIRY_TIMERS, VoidNamespaceSerializer.INSTANCE, new Expiry());
        postTimers = getInternalTimerService(POST_TIMERS, LongSerializer.INSTANCE, new PostTimers());
        tables = new Tables();
        emitter = new OutputEmitter();
        ((EngagementAttribution) userFunction).useExpiry(this);
        if (!batch) {
            adoptLegacyState(); // a batch run starts from no savepoint
            adoptPostStateV2();
            adoptPostStateV3();
        }
    }

    /**
     * The table key of every key group in {@code range}: for each, the first of {@code TABLE_KEY_PREFIX + i}
     * (i = 0, 1, ...) that falls into it. It depends on nothing else, so after a rescale a subtask finds the
     * same keys, and their tables, for the key groups it takes over.
     */
    static String[] tableKeys(int keyGroups, KeyGroupRange range) {
        String[] keys = new String[range.getNumberOfKeyGroups()];
        int left = keys.length;
        for (int i = 0; left > 0; i++) {
            String candidate = TABLE_KEY_PREFIX + i;
            int group = KeyGroupRangeAssignment.assignToKeyGroup(candidate, keyGroups);
            if (range.contains(group) && keys[group - range.getStartKeyGroup()] == null) {
                keys[group - range.getStartKeyGroup()] = candidate;
                left--;
            }
        }
        return keys;
    }

    static boolean isTableKey(String key) {
        return key.length() > 1 && key.charAt(0) == '\u0000' && Character.isDigit(key.charAt(1));
    }

    /** An event: its post's state is in the table of the post key's key group. */
    @Override
    public void processElement(StreamRecord<ClassifiedEvent> element) throws Exception {
        if (batch) {
            super.processElement(element);
            return;
        }
        tables.select((String) getCurrentKey());
        emitter.at(element);
        ((EngagementAttribution) userFunction).process(element.getValue(), tables, emitter);
    }

    /**
     * A timer in {@code user-timers} under a post key: in batch execution every post's; otherwise one restored from a
     * savepoint of the layout before, for the post that is now in the table.
     */
    @Override
    public void onEventTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
        if (batch) {
            super.onEventTime(timer);
            return;
        }
        tables.select(timer.getKey());
        emitter.at(timer.getTimestamp());
        ((EngagementAttribution) userFunction).fire(timer.getTimestamp(), tables, emitter);
    }

    /** Expiry in batch execution: nothing is queued there (see the class comment). */
    void expireAt(long atMillis) {
        requireBatch();
    }

    void expireOwnKeyAt(long atMillis) {
        requireBatch();
    }

    private void requireBatch() {
        if (!batch) {
            throw new IllegalStateException("attribution keeps its posts in tables outside batch execution");
        }
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

    /**
     * State restored from a savepoint of the layout before (each post's {@code post-state-v2} and
     * {@code seen-engagement} under its own key, written there also by the moves from older layouts above): moved
     * into the table of the post's key group, and the old entries cleared.
     */
    private void adoptPostStateV2() throws Exception {
        KeyedStateBackend<String> backend = getKeyedStateBackend();
        Set<String> keys = new LinkedHashSet<>();
        keysOf(backend, EngagementAttribution.postState().getName(), keys);
        keysOf(backend, EngagementAttribution.seenEngagement().getName(), keys);
        if (keys.isEmpty()) {
            return;
        }
        LOG.info("Moving the attribution state of {} posts, restored from a savepoint of an older release, into the "
                + "post tables of their key groups", keys.size());
        ValueState<PostState> v2 = getPartitionedState(EngagementAttribution.postState());
        MapState<String, Long> seen = getPartitionedState(EngagementAttribution.seenEngagement());
        for (String key : keys) {
            setCurrentKey(key);
            PostState s = v2.value();
            List<Map.Entry<String, Long>> ids = new ArrayList<>();
            for (Map.Entry<String, Long> e : seen.entries()) {
                ids.add(Map.entry(e.getKey(), e.getValue()));
            }
            v2.clear();
            seen.clear();
            tables.select(key);
            if (s != null) {
                tables.value(); // whether the table has this entry (two digests the same) already
                tables.update(s);
            }
            if (!ids.isEmpty()) {
                MapState<String, Long> into = tables.spilledIds();
                for (Map.Entry<String, Long> e : ids) {
                    into.put(e.getKey(), e.getValue());
                }
            }
        }
    }

    /**
     * State restored from a savepoint of the layout before ({@code post-state-v3}: the same post tables, with topic
     * ids and taxonomy versions in full): each entry moved into {@code post-state-v4}, its words into its table's
     * {@link Words}, and the old entry cleared. Queues, timers and spilled ids are the same in both layouts.
     */
    private void adoptPostStateV3() throws Exception {
        MapStateDescriptor<Long, PostState> v3 = EngagementAttribution.postTableV3();
        List<org.apache.flink.api.java.tuple.Tuple2<String, Byte>> shards;
        try (Stream<org.apache.flink.api.java.tuple.Tuple2<String, Byte>> restored =
                this.<String>getKeyedStateBackend().<Byte>getKeysAndNamespaces(v3.getName())) {
            shards = restored.toList(); // collected first: the heap backend's key stream is live
        }
        if (shards.isEmpty()) {
            return;
        }
        long moved = 0;
        for (var shard : shards) {
            setCurrentKey(shard.f0);
            int group = KeyGroupRangeAssignment.assignToKeyGroup(shard.f0, keyGroups);
            MapState<Long, PostState> old = getPartitionedState(shard.f1, ByteSerializer.INSTANCE, v3);
            List<Map.Entry<Long, PostState>> entries = new ArrayList<>();
            for (Map.Entry<Long, PostState> e : old.entries()) {
                entries.add(Map.entry(e.getKey(), e.getValue()));
            }
            old.clear();
            for (Map.Entry<Long, PostState> e : entries) {
                tables.selectDigest(group, e.getKey());
                tables.value();
                tables.update(e.getValue());
                moved++;
            }
        }
        LOG.info("Moved the attribution state of {} posts, restored from a savepoint of the release before, into "
                + "post tables that keep topic ids and taxonomy versions once per table", moved);
    }

    private static void keysOf(KeyedStateBackend<String> backend, String stateName, Set<String> into) {
        try (Stream<String> restored = backend.getKeys(stateName, VoidNamespace.INSTANCE)) {
            restored.forEach(into::add); // collected first: the heap backend's key stream is live
        }
    }

    /**
     * The post table: {@link #select} or {@link #selectDigest} makes a post the current one (its key group's table
     * key the current Flink key); the rest works on that post.
     */
    private final class Tables implements PostStore {
        private long post;
        private int index;
        /** Whether the current post has an entry: known after {@link #value}, else null. */
        private Boolean present;

        void select(String postKey) {
            int group = KeyGroupRangeAssignment.assignToKeyGroup(postKey, keyGroups);
            index = group - firstKeyGroup;
            post = PostStateSerializer.hash64(postKey);
            present = null;
            getKeyedStateBackend().setCurrentKeyAndKeyGroup(tableKeys[index], group);
        }

        /** The current Flink key is already the table key of {@code group} (a timer of the table's). */
        void selectDigest(int group, long digest) {
            index = group - firstKeyGroup;
            post = digest;
            present = null;
        }

        private MapState<Long, PostState> shard() throws Exception {
            return getPartitionedState((byte) (post >>> 58), ByteSerializer.INSTANCE, table);
        }

        /** The post's state as kept: its words as references, resolved where they leave ({@link #topics}). */
        @Override
        public PostState value() throws Exception {
            PostState kept = shard().get(post);
            present = kept != null;
            return kept;
        }

        @Override
        public String[] topics(String[] kept) throws Exception {
            return resolve(kept, words());
        }

        @Override
        public String word(String kept) throws Exception {
            return words().resolve(kept);
        }

        /** A post table keeps a week of posts: their drill-down documents only as partial updates need them. */
        @Override
        public boolean stripsWrittenDocuments() {
            return true;
        }

        @Override
        public IndexedPost document(IndexedPost kept) throws Exception {
            Words w = words();
            String[] topics = resolve(kept.topics(), w);
            String version = w.resolve(kept.taxonomyVersion());
            return topics == kept.topics() && version == kept.taxonomyVersion() ? kept
                    : withWords(kept, topics, version);
        }

        /** Kept with its words as references to the table's (new words come with a new post, in full). */
        @Override
        public void update(PostState s) throws Exception {
            shard().put(post, kept(s));
            if (!isPresent()) {
                present = true;
                resize(1);
            }
        }

        @Override
        public void clear() throws Exception {
            boolean had = isPresent();
            shard().remove(post); // the heap backend drops an emptied map's entry itself
            present = false;
            if (had) {
                resize(-1);
            }
        }

        private boolean isPresent() throws Exception {
            if (present == null) {
                present = shard().contains(post);
            }
            return present;
        }

        /** Counts the table's posts; with its last one, its words go too (nothing refers to them any more). */
        private void resize(int by) throws Exception {
            ValueState<Long> size = getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                    tableSize);
            if (tableSizes[index] < 0) {
                Long restored = size.value();
                tableSizes[index] = restored == null ? 0 : restored;
            }
            long now = tableSizes[index] + by;
            tableSizes[index] = now;
            if (now > 0) {
                size.update(now);
            } else {
                size.clear();
                getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, words).clear();
                tableWords[index] = new Words(null);
            }
        }

        private Words words() throws Exception {
            Words w = tableWords[index];
            if (w == null) {
                w = new Words(getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, words)
                        .get());
                tableWords[index] = w;
            }
            return w;
        }

        /** {@code word} as kept in the table: a reference to it among the table's words, added if new. */
        private String keep(String word, Words w) throws Exception {
            if (word == null || Words.isRef(word)) {
                return word; // kept already (no taxonomy's topic id or version looks like one: Words)
            }
            int n = w.numberOf(word);
            if (n < 0) {
                if (!w.hasRoom()) {
                    return word;
                }
                n = w.add(word);
                getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, words).add(word);
            }
            return Words.ref(n);
        }

        private String[] keep(String[] topics, Words w) throws Exception {
            String[] kept = null;
            for (int i = 0; i < topics.length; i++) {
                String k = keep(topics[i], w);
                if (k != topics[i]) {
                    if (kept == null) {
                        kept = topics.clone();
                    }
                    kept[i] = k;
                }
            }
            return kept == null ? topics : kept;
        }

        private PostState kept(PostState s) throws Exception {
            TrackedPost p = s.post();
            IndexedPost d = s.indexed();
            if (p == null && d == null) {
                return s;
            }
            Words w = words();
            TrackedPost kp = p;
            if (p != null) {
                String[] topics = keep(p.topics(), w);
                String version = keep(p.taxonomyVersion(), w);
                if (topics != p.topics() || version != p.taxonomyVersion()) {
                    kp = new TrackedPost(topics, version, p.url(), p.snippet(), p.bot(), p.expiresAtMillis(),
                            p.likes(), p.reposts(), p.replies(), p.quotes(), p.score());
                }
            }
            IndexedPost kd = d;
            if (d != null) {
                String[] topics = keep(d.topics(), w);
                String version = keep(d.taxonomyVersion(), w);
                if (topics != d.topics() || version != d.taxonomyVersion()) {
                    kd = withWords(d, topics, version);
                }
            }
            return kp == p && kd == d ? s : new PostState(kp, kd, s.indexedDirty(), s.pending(), s.seenIds(),
                    s.seenUntil(), s.seenSpilled());
        }


        @Override
        public MapState<String, Long> spilledIds() throws Exception {
            return getPartitionedState(post, LongSerializer.INSTANCE, spilled);
        }

        @Override
        public void registerTimer(long atMillis) {
            postTimers.registerEventTimeTimer(post, atMillis);
        }

        @Override
        public void expireAt(long atMillis) throws Exception {
            getPartitionedState(atMillis, LongSerializer.INSTANCE, due).add(post);
            // Posts come in order of time, mostly: most find their list's timer registered just before.
            if (lastQueued[index] != atMillis) {
                expiryTimers.registerEventTimeTimer(VoidNamespace.INSTANCE, atMillis);
                lastQueued[index] = atMillis;
            }
        }

        @Override
        public void expireSpilledAt(long atMillis) {
            postTimers.registerEventTimeTimer(post, atMillis); // merged per post and step by Flink, unlike a queue
        }
    }

    private static String[] resolve(String[] topics, Words w) {
        String[] resolved = null;
        for (int i = 0; i < topics.length; i++) {
            String r = w.resolve(topics[i]);
            if (r != topics[i]) {
                if (resolved == null) {
                    resolved = topics.clone();
                }
                resolved[i] = r;
            }
        }
        return resolved == null ? topics : resolved;
    }

    private static IndexedPost withWords(IndexedPost d, String[] topics, String version) {
        return new IndexedPost(d.platform(), d.id(), d.url(), d.text(), topics, version, d.authorId(),
                d.authorHandle(), d.lang(), d.community(), d.createdAtMillis(), d.likes(), d.reposts(), d.replies(),
                d.quotes(), d.votes(), d.updatedAtMillis(), d.partial());
    }

    /** Emits with the timestamp of the element or timer being handled, as KeyedProcessOperator's collector does. */
    private final class OutputEmitter implements EngagementAttribution.Emitter {
        private long timestamp;
        private boolean hasTimestamp;

        void at(StreamRecord<?> element) {
            hasTimestamp = element.hasTimestamp();
            timestamp = element.getTimestamp();
        }

        void at(long time) {
            hasTimestamp = true;
            timestamp = time;
        }

        @Override
        public void emit(AttributedEvent e) {
            output.collect(hasTimestamp ? new StreamRecord<>(e, timestamp) : new StreamRecord<>(e));
        }

        @Override
        public void index(IndexedPost doc) {
            output.collect(EngagementAttribution.POSTS,
                    hasTimestamp ? new StreamRecord<>(doc, timestamp) : new StreamRecord<>(doc));
        }
    }

    /** A post's own timer: its key group's table key is the current key, the post's digest the namespace. */
    private final class PostTimers implements Triggerable<String, Long> {
        @Override
        public void onEventTime(InternalTimer<String, Long> timer) throws Exception {
            tables.selectDigest(KeyGroupRangeAssignment.assignToKeyGroup(timer.getKey(), keyGroups),
                    timer.getNamespace());
            emitter.at(timer.getTimestamp());
            ((EngagementAttribution) userFunction).fire(timer.getTimestamp(), tables, emitter);
        }

        @Override
        public void onProcessingTime(InternalTimer<String, Long> timer) {
            throw new IllegalStateException("attribution registers no processing-time timers");
        }
    }

    /**
     * Fires expiry: a table key's list of digests due; or, restored from a savepoint of the layout before, a queue
     * key's list of post keys, or a post key's own timer (spilled ids), each for the post now in the table.
     */
    private final class Expiry implements Triggerable<String, VoidNamespace> {
        @Override
        public void onEventTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
            EngagementAttribution attribution = (EngagementAttribution) userFunction;
            long at = timer.getTimestamp();
            String key = timer.getKey(); // the timer service has made it the current key
            emitter.at(at);
            if (isTableKey(key)) {
                int group = KeyGroupRangeAssignment.assignToKeyGroup(key, keyGroups);
                if (lastQueued[group - firstKeyGroup] == at) {
                    lastQueued[group - firstKeyGroup] = Long.MIN_VALUE; // one queued for this time again needs a timer
                }
                for (long post : drain(getPartitionedState(at, LongSerializer.INSTANCE, due))) {
                    tables.selectDigest(group, post);
                    write(attribution.expire(at, tables));
                }
            } else if (key.startsWith(QUEUE_KEY_PREFIX)) {
                for (String post : drain(getPartitionedState(at, LongSerializer.INSTANCE, dueKeys))) {
                    tables.select(post);
                    write(attribution.expire(at, tables));
                }
            } else {
                tables.select(key);
                write(attribution.expire(at, tables));
            }
        }

        /** A due list's entries, copied out and the list cleared before any is expired. */
        private <T> List<T> drain(ListState<T> list) throws Exception {
            List<T> entries = new ArrayList<>();
            Iterable<T> listed = list.get();
            if (listed != null) {
                listed.forEach(entries::add);
            }
            list.clear();
            return entries;
        }

        /** A post's last drill-down rewrite, which its expiry would otherwise drop. */
        private void write(IndexedPost unwritten) {
            if (unwritten != null) {
                emitter.index(unwritten);
            }
        }

        @Override
        public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) {
            throw new IllegalStateException("attribution registers no processing-time expiry timers");
        }
    }
}

package io.discoursetrends.engagement;

import io.discoursetrends.classify.ClassifiedEvent;
import io.discoursetrends.model.CanonicalEvent;
import io.discoursetrends.model.Engagement;
import io.discoursetrends.model.Metrics;
import io.discoursetrends.model.Post;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Deduplicates posts and engagement and attributes engagement to the topics of the post it touches. Keyed by
 * {@link ClassifiedEvent#postKey()}: a post and every engagement on it meet in the same key, so dedup and
 * attribution share one key and one state lifetime (a separate dedup stage would need a second shuffle).
 *
 * <p>Per key it keeps the post ({@link TrackedPost}) for {@code postTtl} after the post's creation, the ids of
 * the engagement events seen for {@code dedupTtl} after each event, and engagement that arrived before its
 * post, all in one {@link PostState} (a post engaged with more than a few times a day spills its ids into a map
 * state). Expiry runs in event time, not on wall-clock state TTL, so a replay or backfill ages state exactly
 * like the live stream did, and the result does not depend on how fast the job ran. It runs in an
 * {@link AttributionOperator}, which keeps expiry in queues of its own and moves state from older savepoints
 * into this layout.
 *
 * <p>Rules, in the order they apply:
 * <ul>
 *   <li>A post seen again is a duplicate (counted in {@code duplicatePosts}, dropped), unless it carries
 *       counters (Mastodon, Reddit, Hacker News snapshots): then the first sight set the base, and each later
 *       snapshot emits the change since the last one as engagement, at the time the snapshot was observed.</li>
 *   <li>An engagement event whose id was seen is a duplicate ({@code duplicateEngagement}).</li>
 *   <li>Engagement on a known post takes that post's topics. On a counter platform it also raises the stored
 *       base, so the next snapshot does not count the same like or reply a second time.</li>
 *   <li>Engagement on an unknown post waits until the watermark passes its time: a post is created before
 *       its engagement, so by then the post has arrived unless it was late. If it came, the engagement is
 *       attributed; if not, it is emitted as {@code unattributed} (counted in {@code engagementUnattributed}),
 *       never dropped. Waiting makes attribution independent of how Kafka partitions are interleaved.</li>
 *   <li>A post by an account flagged as a bot (when {@code excludeBots}) is emitted with no topics and marked,
 *       and so is the engagement it receives: it counts only in the all-posts figures as a bot post.</li>
 *   <li>A post that matched a topic also goes to {@link #POSTS}, the drill-down index, with its engagement so
 *       far: whole when it arrives, then once per minute of event time in which it was engaged with, as a partial
 *       update of its engagement (outside batch execution, the state keeps only what that update needs:
 *       {@link IndexedPost#stripped}).</li>
 * </ul>
 */
public final class EngagementAttribution extends KeyedProcessFunction<String, ClassifiedEvent, AttributedEvent> {
    private static final long serialVersionUID = 1L;

    /** Posts that matched a topic, for the drill-down index: at once, then at most once a minute as engaged. */
    public static final OutputTag<IndexedPost> POSTS = new OutputTag<>("indexed-posts") {};
    static final long MINUTE = 60_000;

    static final int SNIPPET_CHARS = 140;
    /** Expiry is rounded up to whole minutes: the posts of a minute share one queue and timer per key group. */
    static final long TIMER_GRANULARITY_MILLIS = 60_000;
    /**
     * Engagement ids are dropped in steps of a 24th of {@code dedup.ttl} (an hour for the default day): a post
     * liked all day is queued for 24 expiries rather than one per minute, for ids kept at most 4% longer.
     */
    static final int DEDUP_STEPS = 24;

    private final long postTtlMillis;
    private final long dedupTtlMillis;
    private final long dedupGranularityMillis;
    private final boolean excludeBots;
    private final boolean unmatchedSnippets;

    private transient ValueState<PostState> state;
    private transient MapState<String, Long> seenEngagement;
    /** The post's own key's states, for batch execution ({@link PostStore}). */
    private transient KeyedStore keyed;
    /** Where the current call's post lives: set on entry of each call. */
    private transient PostStore store;

    private transient Counter duplicatePosts;
    private transient Counter duplicateEngagement;
    private transient Counter unattributed;
    private transient Counter botPosts;
    private transient Counter snapshotDeltas;
    /** Set by {@link AttributionOperator}: where expiry goes (see there why it has queues of its own). */
    private transient AttributionOperator expiry;

    /** Without the snippets of posts that match no topic ({@code attribution.unmatched-snippets} false). */
    public EngagementAttribution(Duration postTtl, Duration dedupTtl, boolean excludeBots) {
        this(postTtl, dedupTtl, excludeBots, false);
    }

    /**
     * @param unmatchedSnippets keep the snippet of a post that matched no topic (a bot's post included), which only
     *     the {@code _all} buckets' top posts show: without it their entries for such posts have no text
     */
    public EngagementAttribution(Duration postTtl, Duration dedupTtl, boolean excludeBots, boolean unmatchedSnippets) {
        if (postTtl.isNegative() || postTtl.isZero() || dedupTtl.isNegative() || dedupTtl.isZero()) {
            throw new IllegalArgumentException("attribution.post-ttl and dedup.ttl must be positive");
        }
        this.postTtlMillis = postTtl.toMillis();
        this.dedupTtlMillis = dedupTtl.toMillis();
        // Whole minutes, like every expiry time (before expiry had a queue of its own, onTimer told its timers
        // from the other timers by that, and still does for those restored from an older savepoint).
        this.dedupGranularityMillis = Math.max(1, dedupTtlMillis / DEDUP_STEPS / TIMER_GRANULARITY_MILLIS)
                * TIMER_GRANULARITY_MILLIS;
        this.excludeBots = excludeBots;
        this.unmatchedSnippets = unmatchedSnippets;
    }

    @Override
    public void open(OpenContext context) {
        state = getRuntimeContext().getState(postState());
        seenEngagement = getRuntimeContext().getMapState(seenEngagement());
        keyed = new KeyedStore();
        var metrics = getRuntimeContext().getMetricGroup();
        duplicatePosts = metrics.counter("duplicatePosts");
        duplicateEngagement = metrics.counter("duplicateEngagement");
        unattributed = metrics.counter("engagementUnattributed");
        botPosts = metrics.counter("botPosts");
        snapshotDeltas = metrics.counter("snapshotDeltas");
    }

    /**
     * The key's {@link PostState}, in its compact serialized form ({@link PostStateSerializer}). The first layout,
     * {@code post-state} with Flink's POJO serializer, is moved into it on a restore ({@link LegacyState}).
     */
    static ValueStateDescriptor<PostState> postState() {
        return new ValueStateDescriptor<>("post-state-v2", new PostStateSerializer());
    }

    /**
     * The post table of a key group ({@code post-state-v4}, {@link AttributionOperator}): each post's
     * {@link PostState} under the 64-bit digest of its key, in one of {@link AttributionOperator#SHARDS} maps by the
     * digest's top bits (the namespace), all under the key group's table key; topic ids and taxonomy versions as
     * references to the table's {@link Words}.
     */
    static MapStateDescriptor<Long, PostState> postTable() {
        return new MapStateDescriptor<>("post-state-v4", LongSerializer.INSTANCE, new PostStateV4Serializer());
    }

    /**
     * The post tables of the layout before ({@code post-state-v3}): the same entries with every topic id and
     * taxonomy version in full, written by {@link PostStateSerializer}; moved into {@link #postTable} on a restore.
     */
    static MapStateDescriptor<Long, PostState> postTableV3() {
        return new MapStateDescriptor<>("post-state-v3", LongSerializer.INSTANCE, new PostStateSerializer());
    }

    /** A post's spilled engagement ids in the table layout: under the table key, in the post's digest namespace. */
    static MapStateDescriptor<String, Long> spilledIds() {
        return new MapStateDescriptor<>("seen-engagement-v3", Types.STRING, Types.LONG);
    }

    /** The engagement ids seen for the key, and when each is forgotten. */
    static MapStateDescriptor<String, Long> seenEngagement() {
        return new MapStateDescriptor<>("seen-engagement", Types.STRING, Types.LONG);
    }

    void useExpiry(AttributionOperator operator) {
        this.expiry = operator;
    }

    /** Batch execution, or a plain KeyedProcessOperator: the post's state under its own key. */
    @Override
    public void processElement(ClassifiedEvent in, Context ctx, Collector<AttributedEvent> out) throws Exception {
        process(in, keyed.at(ctx.timerService()), emitter(ctx, out));
    }

    /** Handles one event of the post that {@code store} is set to. */
    void process(ClassifiedEvent in, PostStore store, Emitter out) throws Exception {
        this.store = store;
        PostState before = store.value();
        PostState s = before == null ? PostState.EMPTY : before;
        PostState after = in.event().isPost()
                ? onPost(s, in, out)
                : onEngagement(s, in.event().engagement(), out);
        save(before, after);
    }

    private PostState onPost(PostState s, ClassifiedEvent in, Emitter out)
            throws Exception {
        Post p = in.event().post();
        TrackedPost known = s.post();
        Metrics counters = p.metrics() == null ? Metrics.NONE : p.metrics();
        if (known != null) {
            if (counters.isEmpty()) {
                duplicatePosts.inc();
                return s;
            }
            s = emitSnapshotDelta(s, p, in.event(), known, counters, out);
            return s.withPost(known.withCounters(counters));
        }
        boolean bot = excludeBots && Boolean.TRUE.equals(p.authorBot());
        String[] topics = bot ? AttributedEvent.NO_TOPICS : in.topics();
        long created = p.createdAt().toEpochMilli();
        // A url that follows from the post's id is not kept (PostUrls): the engagement carries the id to derive it.
        // Expiry rounded up to the minute it happens in (expiry runs at whole minutes): a shorter varint in state.
        // A post of no topic shows in the _all buckets' top posts only (the shipped dashboards leave those out):
        // its snippet would be 15 bytes of every tracked post's state on the generated mix (docs/benchmarks.md).
        String snippet = topics.length > 0 || unmatchedSnippets ? snippet(p.text()) : null;
        TrackedPost tracked = new TrackedPost(topics, in.taxonomyVersion(),
                PostUrls.kept(p.platform().id(), p.id(), p.url()), snippet, bot,
                roundUp(created + postTtlMillis, TIMER_GRANULARITY_MILLIS), counters.likes(), counters.reposts(),
                counters.replies(), counters.quotes(), counters.score());
        if (bot) {
            botPosts.inc();
        }
        // No url or snippet: the buckets show a post through the engagement it receives, which carries them.
        out.emit(new AttributedEvent(AttributedEvent.Kind.POST, p.platform().id(), created, topics,
                in.taxonomyVersion(), p.id(), null, null, authorKey(p.platform().id(), p.authorId()),
                p.replyTo() != null, p.quoteOf() != null, bot, false, p.lang(), p.community(),
                bot ? AttributedEvent.NO_TOPICS : in.terms(), 0, 0, 0, 0, 0));
        if (topics.length > 0) {
            IndexedPost doc = new IndexedPost(p.platform().id(), p.id(), p.url(), text(p.text()), topics,
                    in.taxonomyVersion(), p.authorId(), p.authorHandle(), p.lang(), p.community(), created, 0, 0, 0,
                    0, 0, created);
            out.index(doc);
            s = s.withIndexed(written(doc, s.indexedDirty()), s.indexedDirty());
        }
        // Engagement that arrived first is attributed now, in arrival order.
        for (Engagement e : s.pending()) {
            s = emitAttributed(s, attributed(e, tracked, store), out);
            tracked = raiseBase(tracked, e);
        }
        store.expireAt(roundUp(tracked.expiresAtMillis(), TIMER_GRANULARITY_MILLIS));
        return s.withPost(tracked).withPending(PostState.NO_PENDING);
    }

    private PostState onEngagement(PostState s, Engagement e, Emitter out)
            throws Exception {
        long time = e.createdAt().toEpochMilli();
        if (e.id() != null) {
            // Inline ids are kept as digests (8 bytes, not an AT-URI of 70); spilled ones in full, as map keys.
            String digest = PostStateSerializer.digest(e.id());
            if (s.seenInline(digest) || (s.seenSpilled() && store.spilledIds().contains(e.id()))) {
                duplicateEngagement.inc();
                return s;
            }
            long expires = roundUp(time + dedupTtlMillis, dedupGranularityMillis);
            if (!s.hasRoomInline()) {
                store.spilledIds().put(e.id(), expires);
                s = s.withSeenSpilled(true);
                store.expireSpilledAt(expires); // merged per key and step by Flink, unlike a queue
            } else {
                boolean queued = s.seenUntilIncludes(expires); // with an id of the same step
                s = s.plusSeen(digest, expires);
                if (!queued) {
                    store.expireAt(expires);
                }
            }
        }
        TrackedPost known = s.post();
        if (known != null) {
            s = emitAttributed(s, attributed(e, known, store), out);
            TrackedPost raised = raiseBase(known, e);
            // Only counter platforms change the post: a Bluesky like leaves it as it was.
            return raised == known ? s : s.withPost(raised);
        }
        // Fires once the watermark passes the engagement's time; by then its post has arrived if it ever will
        // in time (see the class comment).
        store.registerTimer(time);
        return s.plusPending(e);
    }

    /** Emits attributed engagement, and adds it to the post's drill-down document if it has one. */
    private PostState emitAttributed(PostState s, AttributedEvent e, Emitter out) {
        out.emit(e);
        IndexedPost doc = s.indexed();
        if (e.topics().length == 0 || doc == null) {
            return s; // only posts that matched a topic are indexed
        }
        if (!s.indexedDirty()) {
            // Merged per minute: one rewrite when the watermark leaves the minute of this engagement.
            store.registerTimer(Math.floorDiv(e.timeMillis(), MINUTE) * MINUTE + MINUTE - 1);
        }
        return s.withIndexed(doc.plus(e), true);
    }

    /**
     * What a timer concerns follows from its time: drill-down rewrites fall on a minute's last millisecond, the
     * wait for a post on the engagement's own time. Expiry has queues of its own ({@link AttributionOperator})
     * and comes to {@link #expire}; whole minutes here are engagement times, or expiry timers restored from a
     * savepoint taken before expiry had a queue.
     */
    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<AttributedEvent> out) throws Exception {
        fire(timestamp, keyed.at(ctx.timerService()), emitter(ctx, out));
    }

    /** A timer of the post that {@code store} is set to (see {@link #onTimer} for what its time says). */
    void fire(long timestamp, PostStore store, Emitter out) throws Exception {
        this.store = store;
        PostState before = store.value();
        PostState s = before == null ? PostState.EMPTY : before;
        // Engagement waits only while its post is unknown; a known post means there is none waiting.
        boolean postKnown = false;
        if (Math.floorMod(timestamp, MINUTE) == MINUTE - 1 && s.indexedDirty()) {
            IndexedPost doc = s.indexed();
            if (doc != null) {
                // Whole once more if restored so from a savepoint of the release before stripping; then stripped.
                out.index(store.document(doc));
                doc = written(doc, false);
                postKnown = true;
            }
            s = s.withIndexed(doc, false);
        }
        if (Math.floorMod(timestamp, TIMER_GRANULARITY_MILLIS) == 0) {
            postKnown |= s.post() != null;
            IndexedPost unwritten = unwritten(s, timestamp);
            if (unwritten != null) {
                out.index(store.document(unwritten));
            }
            s = expire(s, timestamp);
        }
        if (!postKnown) {
            s = releasePending(s, timestamp, out);
        }
        save(before, s);
    }

    /**
     * Expiry of the post {@code store} is set to: forgets the engagement ids and the post whose time is up. Returns
     * the post's drill-down document if it has engagement not written yet (its rewrite timer has not fired: the
     * watermark jumped past both at once, as at the end of a bounded input), for the caller to write; else null.
     */
    IndexedPost expire(long timestamp, PostStore store) throws Exception {
        this.store = store;
        PostState before = store.value();
        if (before == null) {
            return null;
        }
        IndexedPost unwritten = unwritten(before, timestamp);
        save(before, expire(before, timestamp));
        return unwritten == null ? null : store.document(unwritten);
    }

    /**
     * What is kept of a drill-down document just written (see {@link PostStore#stripsWrittenDocuments}): stripped,
     * and while {@code dirty} is false without its id, which the engagement that makes it dirty brings back
     * ({@link IndexedPost#withoutId}): a dirty document is written, and needs it.
     */
    private IndexedPost written(IndexedPost doc, boolean dirty) {
        if (!store.stripsWrittenDocuments()) {
            return doc;
        }
        return dirty ? doc.stripped() : doc.stripped().withoutId();
    }

    /** The drill-down document that expiring the post at {@code timestamp} would drop with changes unwritten. */
    private static IndexedPost unwritten(PostState s, long timestamp) {
        TrackedPost known = s.post();
        boolean expires = known != null && known.expiresAtMillis() <= timestamp;
        return expires && s.indexedDirty() ? s.indexed() : null;
    }

    private PostState expire(PostState s, long timestamp) throws Exception {
        s = s.forgetSeenUntil(timestamp);
        if (s.seenSpilled() && !expireSpilledSeen(timestamp)) {
            s = s.withSeenSpilled(false);
        }
        TrackedPost known = s.post();
        if (known != null && known.expiresAtMillis() <= timestamp) {
            s = s.withPost(null).withIndexed(null, s.indexedDirty());
        }
        return s;
    }

    /** Writes the key's state back if it changed, and clears it once nothing is left to keep. */
    private void save(PostState before, PostState after) throws Exception {
        if (after == before || (before == null && after.isEmpty())) {
            return;
        }
        if (after.isEmpty()) {
            store.clear();
        } else {
            store.update(after);
        }
    }

    /** Engagement whose time the watermark has passed without its post: emitted as unattributed. */
    private PostState releasePending(PostState s, long timestamp, Emitter out) {
        Engagement[] pending = s.pending();
        int due = 0;
        for (Engagement e : pending) {
            due += e.createdAt().toEpochMilli() <= timestamp ? 1 : 0;
        }
        if (due == 0) {
            return s; // the post came, or this timer is for engagement still waiting
        }
        Engagement[] waiting = new Engagement[pending.length - due];
        int w = 0;
        for (Engagement e : pending) {
            if (e.createdAt().toEpochMilli() <= timestamp) {
                unattributed.inc();
                out.emit(engagementEvent(e, AttributedEvent.NO_TOPICS, null, null, null, false, true));
            } else {
                waiting[w++] = e;
            }
        }
        return s.withPending(waiting);
    }

    /** Forgets the spilled engagement ids whose time is up; says whether any are left. */
    private boolean expireSpilledSeen(long timestamp) throws Exception {
        boolean seenLeft = false;
        boolean seenRemoved = false;
        for (Iterator<Map.Entry<String, Long>> it = store.spilledIds().iterator(); it.hasNext(); ) {
            if (it.next().getValue() <= timestamp) {
                it.remove();
                seenRemoved = true;
            } else {
                seenLeft = true;
            }
        }
        if (seenRemoved && !seenLeft) {
            store.spilledIds().clear(); // an emptied map still counts as a state entry until cleared
        }
        return seenLeft;
    }

    private PostState emitSnapshotDelta(PostState s, Post p, CanonicalEvent event, TrackedPost known, Metrics now,
            Emitter out) throws Exception {
        Metrics before = known.counters();
        long likes = increase(before.likes(), now.likes());
        long reposts = increase(before.reposts(), now.reposts());
        long replies = increase(before.replies(), now.replies());
        long quotes = increase(before.quotes(), now.quotes());
        long votes = increase(before.score(), now.score());
        if (likes == 0 && reposts == 0 && replies == 0 && quotes == 0 && votes == 0) {
            duplicatePosts.inc(); // a redelivered snapshot, or nothing happened since the last one
            return s;
        }
        snapshotDeltas.inc();
        long created = p.createdAt().toEpochMilli();
        long observed = event.observedAt() == null ? created : Math.max(created, event.observedAt().toEpochMilli());
        return emitAttributed(s, new AttributedEvent(AttributedEvent.Kind.ENGAGEMENT, p.platform().id(), observed,
                store.topics(known.topics()), store.word(known.taxonomyVersion()), p.id(),
                PostUrls.resolved(known.url(), p.platform().id(),
                p.id()), known.snippet(), null, false, false,
                known.bot(), false, null, null, AttributedEvent.NO_TOPICS, likes, reposts, replies, quotes, votes),
                out);
    }

    /** The change of a counter between two snapshots; a counter that appears or disappears sets no change. */
    private static long increase(Long before, Long now) {
        return before == null || now == null ? 0 : now - before;
    }

    /** {@code p}'s words as the store keeps them, resolved ({@link PostStore#topics}). */
    private static AttributedEvent attributed(Engagement e, TrackedPost p, PostStore store) throws Exception {
        return engagementEvent(e, store.topics(p.topics()), store.word(p.taxonomyVersion()),
                PostUrls.resolved(p.url(), e.platform().id(), e.subjectId()), p.snippet(), p.bot(), false);
    }

    private static AttributedEvent engagementEvent(Engagement e, String[] topics, String taxonomyVersion,
            String url, String snippet, boolean bot, boolean unattributed) {
        long d = e.delta();
        Engagement.Type t = e.type();
        return new AttributedEvent(AttributedEvent.Kind.ENGAGEMENT, e.platform().id(), e.createdAt().toEpochMilli(),
                topics, taxonomyVersion, e.subjectId(), url, snippet, authorKey(e.platform().id(), e.actorId()),
                false, false, bot, unattributed, null, null, AttributedEvent.NO_TOPICS,
                t == Engagement.Type.LIKE ? d : 0, t == Engagement.Type.REPOST ? d : 0,
                t == Engagement.Type.REPLY ? d : 0, t == Engagement.Type.QUOTE ? d : 0,
                t == Engagement.Type.VOTE ? d : 0);
    }

    /** A counted engagement event is part of the next snapshot's counters: raise the base so it counts once. */
    private static TrackedPost raiseBase(TrackedPost p, Engagement e) {
        Metrics m = p.counters();
        if (m.isEmpty()) {
            return p;
        }
        long d = e.delta();
        return p.withCounters(switch (e.type()) {
            case LIKE -> new Metrics(plus(m.likes(), d), m.reposts(), m.replies(), m.quotes(), m.score());
            case REPOST -> new Metrics(m.likes(), plus(m.reposts(), d), m.replies(), m.quotes(), m.score());
            case REPLY -> new Metrics(m.likes(), m.reposts(), plus(m.replies(), d), m.quotes(), m.score());
            case QUOTE -> new Metrics(m.likes(), m.reposts(), m.replies(), plus(m.quotes(), d), m.score());
            case VOTE -> new Metrics(m.likes(), m.reposts(), m.replies(), m.quotes(), plus(m.score(), d));
        });
    }

    private static Long plus(Long counter, long d) {
        return counter == null ? null : counter + d;
    }

    /** What attribution emits: events for the buckets, drill-down documents for {@link #POSTS}. */
    interface Emitter {
        void emit(AttributedEvent e);

        void index(IndexedPost doc);
    }

    private static Emitter emitter(Context ctx, Collector<AttributedEvent> out) {
        return new Emitter() {
            @Override
            public void emit(AttributedEvent e) {
                out.collect(e);
            }

            @Override
            public void index(IndexedPost doc) {
                ctx.output(POSTS, doc);
            }
        };
    }

    /**
     * The post's state under its own Flink key ({@code post-state-v2}, {@code seen-engagement}, the key's timers):
     * batch execution, where keyed state lives for one key at a time, so a post cannot share a table.
     */
    private final class KeyedStore implements PostStore {
        private TimerService timers;

        KeyedStore at(TimerService timerService) {
            this.timers = timerService;
            return this;
        }

        @Override
        public PostState value() throws Exception {
            return state.value();
        }

        @Override
        public void update(PostState s) throws Exception {
            state.update(s);
        }

        @Override
        public void clear() {
            state.clear();
        }

        @Override
        public MapState<String, Long> spilledIds() {
            return seenEngagement;
        }

        @Override
        public void registerTimer(long atMillis) {
            timers.registerEventTimeTimer(atMillis);
        }

        @Override
        public void expireAt(long atMillis) throws Exception {
            expiry().expireAt(atMillis);
        }

        @Override
        public void expireSpilledAt(long atMillis) {
            expiry().expireOwnKeyAt(atMillis);
        }
    }

    private AttributionOperator expiry() {
        if (expiry == null) {
            throw new IllegalStateException("EngagementAttribution needs its expiry queues: run it in an "
                    + AttributionOperator.class.getSimpleName() + ", not a plain KeyedProcessOperator");
        }
        return expiry;
    }

    private static long roundUp(long millis, long granularity) {
        return Math.floorDiv(millis + granularity - 1, granularity) * granularity;
    }

    static String authorKey(String platform, String authorId) {
        return authorId == null ? null : platform + "|" + authorId;
    }

    static String text(String text) {
        if (text == null || text.length() <= IndexedPost.MAX_TEXT_CHARS) {
            return text;
        }
        int end = IndexedPost.MAX_TEXT_CHARS;
        return text.substring(0, Character.isHighSurrogate(text.charAt(end - 1)) ? end - 1 : end) + "…";
    }

    static String snippet(String text) {
        if (text == null) {
            return null;
        }
        String t = text.strip();
        if (t.length() <= SNIPPET_CHARS) {
            return t;
        }
        int end = SNIPPET_CHARS;
        if (Character.isHighSurrogate(t.charAt(end - 1))) {
            end--; // never cut a character in half
        }
        return t.substring(0, end) + "…";
    }
}

package io.discoursetrends.classify;

import io.discoursetrends.model.CanonicalEvent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Classifies posts with the taxonomy in force; engagement passes through (it takes its post's topics later).
 *
 * <p>Taxonomies arrive on a broadcast stream (the control topic {@code topics publish} writes to) and are kept
 * in broadcast state, so every parallel instance switches without a restart and a restored job goes on with
 * the taxonomy it had. The job's configured taxonomy applies until the first update arrives.
 *
 * <p>Which taxonomy classifies a post: the most recently received one whose {@code effective_from} is not
 * after the post's time. An update without {@code effective_from} applies to every post processed after it
 * arrives (a live switch); one with it switches by event time, which makes a backfill reproducible and lets an
 * update apply to history ({@code --effective-from} in the past). The last {@value #KEPT_VERSIONS} versions
 * are kept for that lookup. Every output carries the version that classified it.
 *
 * <p>Keyed by {@link CanonicalEvent#postKey()} although it keeps no keyed state: the stream is then already
 * partitioned the way dedup and attribution need it, so they run chained to this operator in the same task
 * and every event crosses the network once on its way there instead of twice.
 *
 * <p>An update that does not parse (only possible when something other than {@code topics publish} wrote to
 * the control topic) is logged with its problems, counted in {@code taxonomyRejected}, and ignored: the job
 * keeps classifying with the taxonomy it has.
 */
public final class ClassifyPosts
        extends KeyedBroadcastProcessFunction<String, CanonicalEvent, TaxonomyUpdate, ClassifiedEvent> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ClassifyPosts.class);

    static final int KEPT_VERSIONS = 8;
    private static final String HISTORY = "history";

    public static final MapStateDescriptor<String, TaxonomyUpdate[]> TAXONOMIES = new MapStateDescriptor<>(
            "taxonomies", Types.STRING, TypeInformation.of(TaxonomyUpdate[].class));

    /** Each taxonomy an instance starts to use, for the {@code discourse-taxonomies} index (labels, versions). */
    public static final OutputTag<TaxonomyUpdate> APPLIED = new OutputTag<>("applied-taxonomies") {};

    private final TaxonomyUpdate initial;

    private transient Map<String, CompiledTaxonomy> compiled;
    private transient TaxonomyUpdate[] history;
    private transient boolean initialAnnounced;
    private transient Counter rejected;
    private transient Counter classified;

    /** {@code initial}: the configured taxonomy, already validated (the job refuses to start otherwise). */
    public ClassifyPosts(TaxonomyUpdate initial) {
        this.initial = initial;
    }

    @Override
    public void open(OpenContext context) {
        compiled = new HashMap<>();
        rejected = getRuntimeContext().getMetricGroup().counter("taxonomyRejected");
        classified = getRuntimeContext().getMetricGroup().counter("postsClassified");
    }

    @Override
    public void processElement(CanonicalEvent event, ReadOnlyContext ctx, Collector<ClassifiedEvent> out)
            throws Exception {
        if (!initialAnnounced) {
            initialAnnounced = true;
            ctx.output(APPLIED, initial);
        }
        if (!event.isPost()) {
            out.collect(ClassifiedEvent.unclassified(event, ctx.getCurrentKey()));
            return;
        }
        if (history == null) {
            // After a restore the broadcast state is there before any element; read it once, then keep it
            // current in processBroadcastElement.
            history = currentHistory(ctx.getBroadcastState(TAXONOMIES));
            String restored = history[history.length - 1].version();
            if (!restored.equals(initial.version())) {
                // The state wins over the configuration, so an edited taxonomy.file alone changes nothing.
                LOG.warn("Classifying with taxonomy {} restored from the job's state, not {} from the configuration;"
                        + " publish it with `discourse-trends topics publish` to switch.", restored, initial.version());
            }
        }
        TaxonomyUpdate t = select(history, event.post().createdAt().toEpochMilli());
        CompiledTaxonomy matcher = compiled.get(t.version());
        if (matcher == null) { // once per version; no lambda allocated per post
            matcher = compile(t);
            compiled.put(t.version(), matcher);
        }
        Classification c = matcher.classify(event.post());
        classified.inc();
        out.collect(new ClassifiedEvent(event, c.topics(), c.terms(), matcher.version(), ctx.getCurrentKey()));
    }

    @Override
    public void processBroadcastElement(TaxonomyUpdate update, Context ctx, Collector<ClassifiedEvent> out)
            throws Exception {
        Taxonomy parsed;
        try {
            parsed = TaxonomyParser.parse(update.yaml(), "control topic, version " + update.version());
        } catch (TaxonomyException e) {
            rejected.inc();
            LOG.error("Ignoring taxonomy update {}: {}. The job keeps its current taxonomy; publish with "
                    + "`discourse-trends topics publish`, which validates first.", update.version(), e.getMessage());
            return;
        }
        BroadcastState<String, TaxonomyUpdate[]> state = ctx.getBroadcastState(TAXONOMIES);
        TaxonomyUpdate[] next = append(currentHistory(state), update);
        state.put(HISTORY, next);
        history = next;
        compiled.keySet().retainAll(Arrays.stream(next).map(TaxonomyUpdate::version).toList());
        compiled.put(update.version(), CompiledTaxonomy.compile(parsed));
        LOG.info("Taxonomy {} ({} topics) received{}", update.version(), parsed.topics().size(),
                update.effectiveFromMillis() == null ? ", in force from now on"
                        : ", in force for posts from " + java.time.Instant.ofEpochMilli(update.effectiveFromMillis()));
        ctx.output(APPLIED, update);
    }

    private TaxonomyUpdate[] currentHistory(ReadOnlyBroadcastState<String, TaxonomyUpdate[]> state) throws Exception {
        TaxonomyUpdate[] h = state.get(HISTORY);
        return h == null ? new TaxonomyUpdate[] {initial} : h;
    }

    /**
     * The history with {@code update} last. An update without an effective time overrides everything before
     * it for every post to come, so what came before is dropped; otherwise the oldest beyond the limit go.
     */
    static TaxonomyUpdate[] append(TaxonomyUpdate[] history, TaxonomyUpdate update) {
        if (update.effectiveFromMillis() == null) {
            return new TaxonomyUpdate[] {update};
        }
        List<TaxonomyUpdate> next = new ArrayList<>(Arrays.asList(history));
        next.add(update);
        while (next.size() > KEPT_VERSIONS) {
            next.remove(0);
        }
        return next.toArray(new TaxonomyUpdate[0]);
    }

    /** The latest-received taxonomy in force at {@code timeMillis}; the oldest kept if none is yet. */
    static TaxonomyUpdate select(TaxonomyUpdate[] history, long timeMillis) {
        for (int i = history.length - 1; i >= 0; i--) {
            Long from = history[i].effectiveFromMillis();
            if (from == null || from <= timeMillis) {
                return history[i];
            }
        }
        return history[0];
    }

    private static CompiledTaxonomy compile(TaxonomyUpdate t) {
        try {
            return CompiledTaxonomy.compile(TaxonomyParser.parse(t.yaml(), "taxonomy " + t.version()));
        } catch (TaxonomyException e) {
            // Only validated taxonomies enter the history, so this is a bug, not a user error.
            throw new IllegalStateException("taxonomy " + t.version() + " in state no longer parses", e);
        }
    }
}

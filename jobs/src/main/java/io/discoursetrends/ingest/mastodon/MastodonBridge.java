package io.discoursetrends.ingest.mastodon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.discoursetrends.ingest.Backoff;
import io.discoursetrends.ingest.Bridge;
import io.discoursetrends.ingest.BridgeContext;
import io.discoursetrends.ingest.CursorJson;
import io.discoursetrends.ingest.Hashes;
import io.discoursetrends.ingest.HttpJson;
import io.discoursetrends.ingest.RateLimitBudget;
import io.discoursetrends.ingest.RecordKeys;
import io.discoursetrends.ingest.RetryAfter;
import io.discoursetrends.ingest.SentVersions;
import io.discoursetrends.model.Platform;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.sse.EventSource;
import okhttp3.sse.EventSourceListener;
import okhttp3.sse.EventSources;

/**
 * A Mastodon instance's streaming API (server-sent events, read with OkHttp's SSE client) into the Mastodon topic:
 * the statuses of one timeline (public, public:local, public:remote, hashtag, hashtag:local), each {@code update}
 * and {@code status.update} event's {@code data} (a REST Status entity) sent as it came, keyed by the post it
 * concerns, stamped with the time it arrived. Every {@code refreshInterval} the last {@code maxTracked} statuses
 * sent are fetched again over REST ({@code GET /api/v1/statuses?id[]=..}, 20 at a time, or one by one through
 * {@code /api/v1/statuses/:id} where the instance predates 4.3) so their replies, boosts and favourites move
 * (Mastodon streams no counter changes). A {@code delete} event stops the re-fetching of its status; it is not
 * forwarded (the job does not act on deletions).
 *
 * <p>Resuming: the streaming API has no replay cursor. After a disconnect or a restart the bridge opens the
 * stream first (events queue up), then reads what it missed from the matching REST timeline: pages of 40 with
 * {@code min_id}, oldest first, from the newest status id it sent minus {@code rewind} (status ids are Snowflakes:
 * milliseconds since the epoch shifted left by 16 bits), so a status federated in slightly out of id order is
 * not missed either; what it already sent (same id, same counters) is dropped. Then it works through the queued
 * events, dropping the overlap the same way. At most {@code catchUpPages} pages are read: a longer outage leaves a
 * gap, and the bridge says so. A status the instance files under an older id than the rewind reaches (a remote
 * status arriving hours late) while the bridge is down is not caught up.
 *
 * <p>Cursor: the newest status id sent, and for the 100,000 statuses sent last a hash of their counters (replies,
 * boosts, favourites, quotes) and edit time: a status is sent again only when those changed. An event whose data
 * is not a status (not JSON, no id, or a status the job's normalizer rejects) is forwarded raw for the job to
 * dead-letter, counted as malformed, and remembered by its bytes.
 */
public final class MastodonBridge implements Bridge {

    private static final int REMEMBERED = 100_000;
    /** Mastodon's limit of ids per {@code GET /api/v1/statuses} (DEFAULT_STATUSES_LIMIT). */
    static final int BATCH = 20;
    /** Mastodon's largest timeline page. */
    static final int PAGE = 40;
    private static final String REBLOG = "reblog:";
    private static final String MALFORMED = "?";

    /** A timeline by its streaming name, with its streaming path and its REST counterpart. */
    public enum Timeline {
        PUBLIC("public", "public", "api/v1/timelines/public?", false),
        PUBLIC_LOCAL("public:local", "public/local", "api/v1/timelines/public?local=true&", false),
        PUBLIC_REMOTE("public:remote", "public/remote", "api/v1/timelines/public?remote=true&", false),
        HASHTAG("hashtag", "hashtag", "api/v1/timelines/tag/%s?", true),
        HASHTAG_LOCAL("hashtag:local", "hashtag/local", "api/v1/timelines/tag/%s?local=true&", true);

        public final String streamName;
        final String streamPath;
        final String restPath;
        public final boolean needsTag;

        Timeline(String streamName, String streamPath, String restPath, boolean needsTag) {
            this.streamName = streamName;
            this.streamPath = streamPath;
            this.restPath = restPath;
            this.needsTag = needsTag;
        }

        public static Timeline of(String name) {
            for (Timeline t : values()) {
                if (t.streamName.equals(name)) {
                    return t;
                }
            }
            List<String> names = new ArrayList<>();
            for (Timeline t : values()) {
                names.add(t.streamName);
            }
            throw new IllegalArgumentException("--timeline must be one of " + String.join(", ", names) + ", got "
                    + name);
        }

        /** The streaming endpoint, relative to the streaming base. */
        String stream(String tag) {
            return "api/v1/streaming/" + streamPath + (needsTag ? "?tag=" + encode(tag) : "");
        }

        /** The REST timeline, relative to the instance, ready for more query parameters. */
        String rest(String tag) {
            return needsTag ? String.format(Locale.ROOT, restPath, encode(tag)) : restPath;
        }
    }

    record State(String lastId, String[] names, long[] versions) {}

    /** What a connection delivered: it opened, an event, or it ended (with a server's request to wait). */
    private record Event(String type, String data, boolean opened, String endedBecause, Response failed) {}

    private final URI instance;
    private final URI streaming;
    private final Timeline timeline;
    private final String tag;
    private final String token;
    private final Duration refreshInterval;
    private final int maxTracked;
    private final Duration rewind;
    private final int catchUpPages;
    private final Backoff backoff;
    private final Function<BridgeContext, HttpJson> http;
    private final OkHttpClient sse;
    private final ObjectMapper mapper = new ObjectMapper();
    private final RecordKeys keys = new RecordKeys(Platform.MASTODON);
    private final SentVersions sent = new SentVersions(REMEMBERED);

    private String lastId;
    /** Null until known: whether the instance answers the batched GET /api/v1/statuses (Mastodon 4.3+). */
    private Boolean batched;

    public MastodonBridge(URI instance, URI streaming, Timeline timeline, String tag, String token,
            Duration refreshInterval, int maxTracked, Duration rewind, int catchUpPages, Duration idleTimeout,
            Backoff backoff, Function<BridgeContext, HttpJson> http) {
        this.instance = withSlash(instance);
        this.streaming = withSlash(streaming == null ? instance : streaming);
        this.timeline = timeline;
        this.tag = tag;
        this.token = token;
        this.refreshInterval = refreshInterval;
        this.maxTracked = maxTracked;
        this.rewind = rewind;
        this.catchUpPages = catchUpPages;
        this.backoff = backoff;
        this.http = http;
        // The read timeout is the idle timeout: Mastodon sends a heartbeat comment every 15 s or so.
        this.sse = new OkHttpClient.Builder().connectTimeout(Duration.ofSeconds(10)).readTimeout(idleTimeout)
                .build();
    }

    private static URI withSlash(URI u) {
        String s = u.toString();
        return URI.create(s.endsWith("/") ? s : s + "/");
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Override
    public String describe() {
        return "Mastodon " + streaming.resolve(timeline.stream(tag)).getRawPath()
                + (tag == null ? "" : " #" + tag) + " at " + streaming.getHost() + " ("
                + (token == null ? "anonymous" : "with an access token") + "; the last " + maxTracked
                + " statuses re-fetched from " + instance.getHost() + " every " + refreshInterval.toMillis() / 1000.0
                + " s)";
    }

    @Override
    public void restore(byte[] cursor) {
        if (cursor == null) {
            return;
        }
        State s = CursorJson.read(cursor, State.class, "Mastodon");
        lastId = s.lastId();
        sent.restore(s.names(), s.versions());
    }

    @Override
    public byte[] cursor() {
        return CursorJson.write(new State(lastId, sent.names(), sent.versions()));
    }

    @Override
    public String cursorText() {
        return (lastId == null ? "-" : "status " + lastId) + ", " + sent.size() + " statuses known";
    }

    private Map<String, String> auth() {
        return token == null ? Map.of() : Map.of("Authorization", "Bearer " + token);
    }

    @Override
    public void run(BridgeContext context) throws InterruptedException {
        HttpJson rest = http.apply(context);
        long lastRefresh = System.nanoTime();
        try {
            while (!context.stopping()) {
                BlockingQueue<Event> events = new LinkedBlockingQueue<>(10_000);
                Request.Builder request = new Request.Builder().url(streaming.resolve(timeline.stream(tag)).toString())
                        .header("User-Agent", "discourse-trends bridge");
                auth().forEach(request::header);
                EventSource source = EventSources.createFactory(sse).newEventSource(request.build(),
                        new Listener(events));
                String ended = null;
                Response failed = null;
                try {
                    boolean open = false;
                    while (!context.stopping()) {
                        Event e = events.poll(200, TimeUnit.MILLISECONDS);
                        if (e != null && e.endedBecause() != null) {
                            ended = e.endedBecause();
                            failed = e.failed();
                            break;
                        }
                        if (e != null && e.opened()) {
                            open = true;
                            backoff.reset();
                            context.log("mastodon: streaming " + timeline.streamName + (tag == null ? "" : " #" + tag)
                                    + (lastId == null ? "" : ", catching up from status " + lastId + " over REST"));
                            catchUp(context, rest);
                        } else if (e != null) {
                            handleEvent(context, e);
                        }
                        if (open && System.nanoTime() - lastRefresh >= refreshInterval.toNanos()) {
                            refresh(context, rest);
                            lastRefresh = System.nanoTime();
                        }
                        context.commitIfDue();
                    }
                } finally {
                    source.cancel();
                }
                if (ended != null) {
                    reconnectAfter(context, rest, ended, failed);
                }
            }
        } catch (HttpJson.Stopping stopping) {
            // the runner commits what was sent
        }
    }

    /** Waits before the next connection: Retry-After or the rate-limit reset on a 429, else a backoff. */
    private void reconnectAfter(BridgeContext context, HttpJson rest, String ended, Response failed)
            throws InterruptedException {
        Duration asked = null;
        int code = failed == null ? 0 : failed.code();
        if (code == 401 || code == 403) {
            throw new IllegalStateException(streaming.getHost() + " refused the access token (HTTP " + code
                    + " on the streaming API): check MASTODON_ACCESS_TOKEN or --token-file, and its read:statuses"
                    + " scope (many instances stream public timelines to authenticated apps only)");
        }
        if (code == 429) {
            context.metrics().rateLimited.incrementAndGet();
            Instant now = Instant.now();
            asked = RetryAfter.parse(failed.header("Retry-After"), now);
            rest.budget().read(failed.header(RateLimitBudget.REMAINING), failed.header(RateLimitBudget.RESET), now);
            Duration reset = rest.budget().remaining();
            if (asked == null || reset.compareTo(asked) > 0) {
                asked = reset.isZero() ? asked : reset;
            }
        } else if (failed != null && failed.isSuccessful()
                && !String.valueOf(failed.header("Content-Type")).startsWith("text/event-stream")) {
            throw new IllegalStateException(streaming.getHost() + " answered " + failed.header("Content-Type")
                    + ", not server-sent events, on " + timeline.stream(tag) + ": check --instance and"
                    + " --streaming-url (GET /api/v2/instance names the streaming host: configuration.urls.streaming)");
        } else if (code >= 400 && code < 500) {
            throw new IllegalStateException(streaming.getHost() + " answered HTTP " + code + " on "
                    + timeline.stream(tag) + ": check --instance, --streaming-url (GET /api/v2/instance names the"
                    + " streaming host as configuration.urls.streaming), --timeline and --tag");
        } else {
            context.metrics().reconnects.incrementAndGet();
        }
        Duration wait = backoff.next(asked);
        context.log("mastodon: stream ended (" + ended + (asked == null ? "" : ", asked to wait "
                + asked.toSeconds() + " s") + "); reconnecting in " + wait.toMillis() + " ms"
                + (lastId == null ? "" : ", then catching up from status " + lastId));
        context.sleep(wait);
    }

    private void handleEvent(BridgeContext context, Event e) {
        switch (e.type() == null ? "message" : e.type()) {
            case "update", "status.update" -> handleStatus(context, e.data().getBytes(StandardCharsets.UTF_8));
            case "delete" -> {
                context.metrics().received.incrementAndGet();
                sent.forget(e.data().strip().replace("\"", ""));
            }
            default -> {
                // notifications, announcements, filters_changed: not on a public timeline, nothing for the job
            }
        }
    }

    /** What the stream missed: the REST timeline from the rewound newest id sent, oldest page first. */
    private void catchUp(BridgeContext context, HttpJson rest) throws InterruptedException, HttpJson.Stopping {
        if (lastId == null || catchUpPages == 0) {
            return;
        }
        String min = rewound(lastId, rewind);
        for (int page = 0; page < catchUpPages; page++) {
            List<JsonNode> statuses = getArray(rest, timeline.rest(tag) + "limit=" + PAGE + "&min_id=" + encode(min));
            if (statuses.isEmpty()) {
                return;
            }
            statuses.sort((a, b) -> compareIds(a.path("id").asText(), b.path("id").asText()));
            for (JsonNode s : statuses) {
                handleStatus(context, bytes(s));
                context.commitIfDue();
            }
            String next = statuses.get(statuses.size() - 1).path("id").asText();
            if (compareIds(next, min) <= 0) {
                return;
            }
            min = next;
        }
        context.log("mastodon: caught up " + catchUpPages + " pages (--catch-up-pages) up to status " + min
                + " and stopped; statuses between it and the live stream may be missing");
    }

    /** The statuses sent last, fetched again so their counters move; a deleted or hidden one is forgotten. */
    private void refresh(BridgeContext context, HttpJson rest) throws InterruptedException, HttpJson.Stopping {
        List<String> ids = sent.last(maxTracked).stream()
                .filter(n -> !n.startsWith(REBLOG) && !n.startsWith(MALFORMED)).toList();
        int i = 0;
        while (i < ids.size() && !Boolean.FALSE.equals(batched) && !context.stopping()) {
            List<String> chunk = ids.subList(i, Math.min(ids.size(), i + BATCH));
            HttpResponse<byte[]> r = rest.get(instance.resolve(batchPath(chunk)), auth());
            if (r.statusCode() != 200) {
                if (batched == null) {
                    batched = false;
                    context.log("mastodon: " + instance.getHost() + " answered " + r.statusCode() + " to the"
                            + " batched GET /api/v1/statuses (Mastodon before 4.3): re-fetching one by one");
                    break;
                }
                context.log("mastodon: " + instance.getHost() + " answered " + r.statusCode() + " to a batched"
                        + " re-fetch; trying again at the next refresh");
                return;
            }
            batched = true;
            Set<String> answered = new HashSet<>();
            for (JsonNode s : array(r)) {
                answered.add(s.path("id").asText());
                handleStatus(context, bytes(s));
                context.commitIfDue();
            }
            chunk.stream().filter(id -> !answered.contains(id)).forEach(sent::forget);
            i += chunk.size();
        }
        for (; i < ids.size() && !context.stopping(); i++) {
            HttpResponse<byte[]> r = rest.get(instance.resolve("api/v1/statuses/" + encode(ids.get(i))), auth());
            if (r.statusCode() == 404 || r.statusCode() == 410) {
                sent.forget(ids.get(i));
            } else if (r.statusCode() == 200) {
                handleStatus(context, r.body());
                context.commitIfDue();
            }
        }
    }

    static String batchPath(List<String> ids) {
        StringBuilder p = new StringBuilder("api/v1/statuses");
        for (int i = 0; i < ids.size(); i++) {
            p.append(i == 0 ? '?' : '&').append("id%5B%5D=").append(encode(ids.get(i)));
        }
        return p.toString();
    }

    /** One status (or what should have been one): sent unless this version of it was sent already. */
    private void handleStatus(BridgeContext context, byte[] status) {
        context.metrics().received.incrementAndGet();
        JsonNode n;
        try {
            n = mapper.readTree(status);
        } catch (IOException notJson) {
            n = null;
        }
        JsonNode idNode = n == null ? null : n.get("id");
        String id = idNode != null && (idNode.isTextual() || idNode.isIntegralNumber()) ? idNode.asText() : null;
        RecordKeys.Keyed keyed = keys.key(status);
        boolean malformed = id == null || keyed.malformed();
        // A record the job cannot read is remembered by its bytes and never re-fetched; a boost never changes.
        String name = malformed ? MALFORMED + Hashes.fnv1a64(status) : n.path("reblog").isObject() ? REBLOG + id : id;
        long version = malformed ? 0 : Hashes.fnv1a64(n.path("replies_count").asText() + '|'
                + n.path("reblogs_count").asText() + '|' + n.path("favourites_count").asText() + '|'
                + n.path("quotes_count").asText() + '|' + n.path("edited_at").asText());
        if (sent.isSent(name, version)) {
            context.metrics().duplicates.incrementAndGet();
            return;
        }
        if (malformed) {
            context.metrics().malformed.incrementAndGet();
        }
        context.send(keyed.key(), status, null);
        sent.sent(name, version);
        if (!malformed && (lastId == null || compareIds(id, lastId) > 0)) {
            lastId = id;
        }
    }

    /**
     * The id {@code rewind} before {@code id}: Mastodon ids are Snowflakes (milliseconds since the epoch, shifted
     * left 16 bits, plus a sequence); an id that is not a number (another server's software) is not rewound.
     */
    static String rewound(String id, Duration rewind) {
        try {
            BigInteger v = new BigInteger(id);
            BigInteger ms = v.shiftRight(16).subtract(BigInteger.valueOf(rewind.toMillis()));
            return ms.signum() <= 0 ? "0" : ms.shiftLeft(16).toString();
        } catch (NumberFormatException notSnowflake) {
            return id;
        }
    }

    /** Mastodon ids are decimal strings of growing numbers; compared as numbers, else as text. */
    static int compareIds(String a, String b) {
        try {
            return new BigInteger(a).compareTo(new BigInteger(b));
        } catch (NumberFormatException notNumbers) {
            return a.compareTo(b);
        }
    }

    private List<JsonNode> getArray(HttpJson rest, String pathAndQuery) throws InterruptedException,
            HttpJson.Stopping {
        HttpResponse<byte[]> r = rest.get(instance.resolve(pathAndQuery), auth());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(instance.getHost() + " answered " + r.statusCode() + " for "
                    + r.uri().getRawPath() + ": check --instance, --timeline and --tag");
        }
        return array(r);
    }

    private List<JsonNode> array(HttpResponse<byte[]> r) {
        JsonNode n;
        try {
            n = mapper.readTree(r.body());
        } catch (IOException e) {
            n = null;
        }
        if (n == null || !n.isArray()) {
            throw new IllegalStateException(r.uri().getRawPath() + " did not answer a JSON array of statuses:"
                    + " check --instance");
        }
        List<JsonNode> out = new ArrayList<>();
        n.forEach(out::add);
        return out;
    }

    private byte[] bytes(JsonNode n) {
        try {
            return mapper.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Hands the SSE client's callbacks (on its own thread) to the bridge loop, blocking when it is behind. */
    private static final class Listener extends EventSourceListener {
        private final BlockingQueue<Event> events;

        Listener(BlockingQueue<Event> events) {
            this.events = events;
        }

        @Override
        public void onOpen(EventSource source, Response response) {
            put(new Event(null, null, true, null, null));
        }

        @Override
        public void onEvent(EventSource source, String id, String type, String data) {
            put(new Event(type, data, false, null, null));
        }

        @Override
        public void onClosed(EventSource source) {
            put(new Event(null, null, false, "closed by the server", null));
        }

        @Override
        public void onFailure(EventSource source, Throwable t, Response response) {
            String why = response != null && !response.isSuccessful() ? "HTTP " + response.code()
                    : String.valueOf(t);
            put(new Event(null, null, false, why, response));
        }

        private void put(Event e) {
            try {
                events.put(e);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

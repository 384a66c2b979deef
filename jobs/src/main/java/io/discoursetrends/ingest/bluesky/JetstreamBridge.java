package io.discoursetrends.ingest.bluesky;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.discoursetrends.ingest.Backoff;
import io.discoursetrends.ingest.Bridge;
import io.discoursetrends.ingest.BridgeContext;
import io.discoursetrends.ingest.CursorJson;
import io.discoursetrends.ingest.Hashes;
import io.discoursetrends.ingest.RecordKeys;
import io.discoursetrends.ingest.RetryAfter;
import io.discoursetrends.model.Platform;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Bluesky's Jetstream ({@code /subscribe} over WebSocket) into the Bluesky topic: the collections asked for with
 * {@code wantedCollections} (posts, likes and reposts by default), each event as the JSON text frame Jetstream
 * sent, keyed by the post it concerns, with its {@code time_us} as the Kafka timestamp.
 *
 * <p>Cursor: the largest {@code time_us} sent. Jetstream replays from a cursor, but events near it may arrive in a
 * slightly different order, so a reconnect asks for {@code rewind} (3 s) earlier and drops what it already sent:
 * the identities (did, time, collection, rkey, rev) of everything sent within that window are kept, and saved with
 * the cursor, so a restart drops them too. Frames that are not a Jetstream event (not JSON, no {@code time_us})
 * are forwarded raw, for the job to dead-letter with a reason, and counted as malformed; they are remembered by
 * their bytes, so a replay does not forward them twice.
 *
 * <p>Compression: not requested. Jetstream's zstd frames are compressed with a custom dictionary that ships with
 * Jetstream's source, not with any library on Maven Central, so this bridge cannot decode them; it asks for plain
 * JSON (no {@code compress=true}, no {@code Socket-Encoding} header). A binary frame is forwarded raw as malformed.
 */
public final class JetstreamBridge implements Bridge {

    /** What a connection delivered: a whole message, or the end of the connection. */
    private record Frame(byte[] bytes, boolean text, String closedBecause) {}

    private record Sent(long timeUs, long identity) {}

    /** The cursor as saved: the largest time sent, and what was sent within the rewind window before it. */
    record State(long timeUs, long[] times, long[] identities) {}

    private final URI endpoint;
    private final List<String> collections;
    private final Duration rewind;
    private final Long startCursor;
    private final Duration idleTimeout;
    private final Backoff backoff;
    private final ObjectMapper mapper = new ObjectMapper();
    private final RecordKeys keys = new RecordKeys(Platform.BLUESKY);
    private final HttpClient client = HttpClient.newHttpClient();

    private long maxTimeUs;
    private final ArrayDeque<Sent> window = new ArrayDeque<>();
    private final Set<Long> windowIds = new HashSet<>();

    public JetstreamBridge(URI endpoint, List<String> collections, Duration rewind, Long startCursor,
            Duration idleTimeout, Backoff backoff) {
        this.endpoint = endpoint;
        this.collections = List.copyOf(collections);
        this.rewind = rewind;
        this.startCursor = startCursor;
        this.idleTimeout = idleTimeout;
        this.backoff = backoff;
    }

    @Override
    public String describe() {
        return "Jetstream " + endpoint + " collections " + collections + " (uncompressed)";
    }

    @Override
    public void restore(byte[] cursor) {
        if (cursor == null) {
            return;
        }
        State s = CursorJson.read(cursor, State.class, "Jetstream");
        maxTimeUs = s.timeUs();
        for (int i = 0; i < s.times().length; i++) {
            remember(new Sent(s.times()[i], s.identities()[i]));
        }
    }

    @Override
    public byte[] cursor() {
        long[] times = new long[window.size()];
        long[] ids = new long[window.size()];
        int i = 0;
        for (Sent s : window) {
            times[i] = s.timeUs();
            ids[i++] = s.identity();
        }
        return CursorJson.write(new State(maxTimeUs, times, ids));
    }

    @Override
    public String cursorText() {
        return maxTimeUs == 0 ? "-" : "time_us " + maxTimeUs + " (" + Instant.EPOCH.plusNanos(maxTimeUs * 1000) + ")";
    }

    /** The {@code /subscribe} URI for the next connection: a rewound cursor once something was sent. */
    URI subscribeUri() {
        StringBuilder q = new StringBuilder();
        for (String c : collections) {
            q.append(q.length() == 0 ? "" : "&").append("wantedCollections=")
                    .append(URLEncoder.encode(c, StandardCharsets.UTF_8));
        }
        Long cursor = maxTimeUs > 0 ? Long.valueOf(Math.max(0, maxTimeUs - rewind.toNanos() / 1000)) : startCursor;
        if (cursor != null) {
            q.append(q.length() == 0 ? "" : "&").append("cursor=").append(cursor);
        }
        String base = endpoint.toString();
        return URI.create(base + (base.contains("?") ? "&" : "?") + q);
    }

    @Override
    public void run(BridgeContext context) throws InterruptedException {
        while (!context.stopping()) {
            BlockingQueue<Frame> frames = new LinkedBlockingQueue<>(10_000);
            URI uri = subscribeUri();
            WebSocket ws;
            try {
                ws = client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                        .buildAsync(uri, new Listener(frames)).get(30, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
                Duration asked = null;
                if (cause instanceof WebSocketHandshakeException h && h.getResponse().statusCode() == 429) {
                    context.metrics().rateLimited.incrementAndGet();
                    asked = RetryAfter.parse(h.getResponse().headers().firstValue("Retry-After").orElse(null),
                            Instant.now());
                } else {
                    context.metrics().reconnects.incrementAndGet();
                }
                Duration wait = backoff.next(asked);
                context.log("bluesky: cannot connect to " + endpoint + " (" + describe(cause) + "); retrying in "
                        + wait.toMillis() + " ms");
                context.sleep(wait);
                continue;
            }
            context.log("bluesky: connected, " + uri.getRawQuery());
            String closed = consume(context, ws, frames);
            if (closed != null) {
                context.metrics().reconnects.incrementAndGet();
                Duration wait = backoff.next();
                context.log("bluesky: connection lost (" + closed + "); reconnecting in " + wait.toMillis()
                        + " ms from " + cursorText() + " minus " + rewind.toSeconds() + " s");
                context.sleep(wait);
            }
        }
    }

    private static String describe(Throwable t) {
        if (t instanceof WebSocketHandshakeException h) {
            return "HTTP " + h.getResponse().statusCode();
        }
        return String.valueOf(t);
    }

    /** Handles one connection's frames; returns why it ended, or null when the bridge is stopping. */
    private String consume(BridgeContext context, WebSocket ws, BlockingQueue<Frame> frames)
            throws InterruptedException {
        long lastFrame = System.nanoTime();
        while (true) {
            if (context.stopping()) {
                ws.sendClose(WebSocket.NORMAL_CLOSURE, "bridge stopping");
                return null;
            }
            Frame f = frames.poll(200, TimeUnit.MILLISECONDS);
            if (f == null) {
                context.commitIfDue();
                if (System.nanoTime() - lastFrame > idleTimeout.toNanos()) {
                    ws.abort();
                    return "nothing received for " + idleTimeout.toSeconds() + " s";
                }
                continue;
            }
            if (f.closedBecause() != null) {
                return f.closedBecause();
            }
            lastFrame = System.nanoTime();
            backoff.reset();
            handle(context, f);
            context.commitIfDue();
        }
    }

    void handle(BridgeContext context, Frame frame) {
        context.metrics().received.incrementAndGet();
        byte[] bytes = frame.bytes();
        long timeUs = 0;
        String identity = null;
        if (frame.text()) {
            try {
                JsonNode n = mapper.readTree(bytes);
                JsonNode t = n == null ? null : n.get("time_us");
                if (t != null && t.canConvertToLong() && t.asLong() > 0) {
                    timeUs = t.asLong();
                    JsonNode c = n.path("commit");
                    identity = n.path("did").asText() + '|' + timeUs + '|' + n.path("kind").asText() + '|'
                            + c.path("operation").asText() + '|' + c.path("collection").asText() + '|'
                            + c.path("rkey").asText() + '|' + c.path("rev").asText();
                }
            } catch (IOException notJson) {
                // malformed: handled below
            }
        }
        if (identity == null) {
            long id = Hashes.fnv1a64(bytes);
            if (!windowIds.contains(id)) {
                context.metrics().malformed.incrementAndGet();
                context.send(null, bytes, null);
                remember(new Sent(maxTimeUs, id));
            } else {
                context.metrics().duplicates.incrementAndGet();
            }
            return;
        }
        long id = Hashes.fnv1a64(identity);
        if (windowIds.contains(id)) {
            context.metrics().duplicates.incrementAndGet();
            return;
        }
        RecordKeys.Keyed keyed = keys.key(bytes);
        if (keyed.malformed()) {
            context.metrics().malformed.incrementAndGet();
        }
        context.send(keyed.key(), bytes, timeUs / 1000);
        maxTimeUs = Math.max(maxTimeUs, timeUs);
        remember(new Sent(timeUs, id));
    }

    /** Keeps what was sent within the rewind window (plus a second) before the cursor, and at most 200,000. */
    private void remember(Sent s) {
        if (windowIds.add(s.identity())) {
            window.addLast(s);
        }
        long oldest = maxTimeUs - rewind.toNanos() / 1000 - 1_000_000;
        while (!window.isEmpty() && (window.peekFirst().timeUs() < oldest || window.size() > 200_000)) {
            windowIds.remove(window.removeFirst().identity());
        }
    }

    /** Collects whole messages (Jetstream sends one event per text frame, possibly in parts) into the queue. */
    private static final class Listener implements WebSocket.Listener {
        private final BlockingQueue<Frame> frames;
        private StringBuilder text = new StringBuilder();
        private ByteArrayOutputStream binary = new ByteArrayOutputStream();

        Listener(BlockingQueue<Frame> frames) {
            this.frames = frames;
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                put(new Frame(text.toString().getBytes(StandardCharsets.UTF_8), true, null));
                text = new StringBuilder();
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            binary.writeBytes(b);
            if (last) {
                put(new Frame(binary.toByteArray(), false, null));
                binary = new ByteArrayOutputStream();
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            put(new Frame(null, false, "closed by the server: " + statusCode + (reason.isEmpty() ? "" : " " + reason)));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            put(new Frame(null, false, "error: " + error));
        }

        /** Blocks the socket's reader while the bridge is behind: back-pressure instead of unbounded memory. */
        private void put(Frame f) {
            try {
                frames.put(f);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

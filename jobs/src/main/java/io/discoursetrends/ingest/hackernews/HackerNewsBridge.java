package io.discoursetrends.ingest.hackernews;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.discoursetrends.ingest.Bridge;
import io.discoursetrends.ingest.BridgeContext;
import io.discoursetrends.ingest.CursorJson;
import io.discoursetrends.ingest.Hashes;
import io.discoursetrends.ingest.HttpJson;
import io.discoursetrends.ingest.RecordKeys;
import io.discoursetrends.model.Platform;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Hacker News's Firebase API into the Hacker News topic: every new item ({@code /v0/maxitem.json}, then
 * {@code /v0/item/<id>.json} for each id not fetched yet) and, every {@code updatesInterval}, the items named by
 * {@code /v0/updates.json} again, so their score and descendants move (the API has no vote events: engagement is
 * the change between two sightings of an item). Each item is sent as the API's JSON, keyed by the post it
 * concerns, with the time it was fetched as the Kafka timestamp.
 *
 * <p>Cursor: the next id to fetch, and for the last 100,000 items sent a hash of the JSON sent; an item is sent
 * again only when its JSON changed, so neither a restart nor an unchanged update repeats a record. An id the API
 * answers {@code null} for (not yet visible, or never filled) is skipped. A body that is not an item (not JSON, no
 * id) is forwarded raw for the job to dead-letter, counted as malformed, and remembered like an item.
 */
public final class HackerNewsBridge implements Bridge {

    private static final int REMEMBERED = 100_000;

    record State(long nextId, long[] ids, long[] versions) {}

    private final URI base;
    private final Long startId;
    private final Duration pollInterval;
    private final Duration updatesInterval;
    private final HttpJsonFactory http;
    private final ObjectMapper mapper = new ObjectMapper();
    private final RecordKeys keys = new RecordKeys(Platform.HACKERNEWS);

    private long nextId = -1;
    /** Item id -> hash of the JSON last sent, in the order last sent (the oldest is forgotten first). */
    private final LinkedHashMap<Long, Long> sentVersions = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Long> eldest) {
            return size() > REMEMBERED;
        }
    };

    /** Makes the HTTP client once the context (stop signal, counters) exists. */
    public interface HttpJsonFactory {
        HttpJson create(BridgeContext context);
    }

    public HackerNewsBridge(URI base, Long startId, Duration pollInterval, Duration updatesInterval,
            HttpJsonFactory http) {
        String b = base.toString();
        this.base = URI.create(b.endsWith("/") ? b : b + "/");
        this.startId = startId;
        this.pollInterval = pollInterval;
        this.updatesInterval = updatesInterval;
        this.http = http;
    }

    @Override
    public String describe() {
        return "Hacker News " + base + " (new items every " + pollInterval.toSeconds() + " s, updates every "
                + updatesInterval.toSeconds() + " s)";
    }

    @Override
    public void restore(byte[] cursor) {
        if (cursor == null) {
            return;
        }
        State s = CursorJson.read(cursor, State.class, "Hacker News");
        nextId = s.nextId();
        for (int i = 0; i < s.ids().length; i++) {
            sentVersions.put(s.ids()[i], s.versions()[i]);
        }
    }

    @Override
    public byte[] cursor() {
        long[] ids = new long[sentVersions.size()];
        long[] versions = new long[sentVersions.size()];
        int i = 0;
        for (Map.Entry<Long, Long> e : sentVersions.entrySet()) {
            ids[i] = e.getKey();
            versions[i++] = e.getValue();
        }
        return CursorJson.write(new State(nextId, ids, versions));
    }

    @Override
    public String cursorText() {
        return nextId < 0 ? "-" : "next item " + nextId;
    }

    @Override
    public void run(BridgeContext context) throws InterruptedException {
        HttpJson client = http.create(context);
        long lastUpdates = 0;
        try {
            while (!context.stopping()) {
                long max = readLong(client.get(base.resolve("maxitem.json"), Map.of()), "maxitem.json");
                if (nextId < 0) {
                    nextId = startId != null ? startId : max + 1;
                }
                while (nextId <= max && !context.stopping()) {
                    fetch(context, client, nextId);
                    nextId++; // only after the item was sent: a cursor committed now matches the sends
                    context.commitIfDue();
                }
                if (System.nanoTime() - lastUpdates >= updatesInterval.toNanos()) {
                    lastUpdates = System.nanoTime();
                    JsonNode updates = readJson(client.get(base.resolve("updates.json"), Map.of()));
                    for (JsonNode id : updates.path("items")) {
                        if (context.stopping()) {
                            break;
                        }
                        if (id.canConvertToLong()) {
                            fetch(context, client, id.asLong());
                            context.commitIfDue();
                        }
                    }
                }
                context.commitIfDue();
                context.sleep(pollInterval);
            }
        } catch (HttpJson.Stopping stopping) {
            // the runner commits what was sent
        }
    }

    private void fetch(BridgeContext context, HttpJson client, long id) throws InterruptedException,
            HttpJson.Stopping {
        HttpResponse<byte[]> r = client.get(base.resolve("item/" + id + ".json"), Map.of());
        byte[] body = r.body();
        if (r.statusCode() == 404 || "null".equals(new String(body, StandardCharsets.UTF_8).strip())) {
            return; // not (yet) an item
        }
        context.metrics().received.incrementAndGet();
        long version = Hashes.fnv1a64(body);
        Long last = sentVersions.get(id);
        if (last != null && last == version) {
            context.metrics().duplicates.incrementAndGet();
            return;
        }
        RecordKeys.Keyed keyed = keys.key(body);
        if (keyed.malformed() || r.statusCode() != 200) {
            context.metrics().malformed.incrementAndGet();
        }
        context.send(keyed.key(), body, null);
        sentVersions.remove(id); // re-inserted last: the most recently sent is forgotten last
        sentVersions.put(id, version);
    }

    private long readLong(HttpResponse<byte[]> r, String what) {
        JsonNode n = readJson(r);
        if (!n.canConvertToLong()) {
            throw new IllegalStateException(what + " is not a number: check --url");
        }
        return n.asLong();
    }

    private JsonNode readJson(HttpResponse<byte[]> r) {
        try {
            return mapper.readTree(r.body());
        } catch (IOException e) {
            throw new IllegalStateException(r.uri() + " answered " + r.statusCode() + " with something that is not"
                    + " JSON: check --url");
        }
    }
}

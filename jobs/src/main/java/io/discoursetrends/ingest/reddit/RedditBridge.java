package io.discoursetrends.ingest.reddit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.discoursetrends.ingest.Bridge;
import io.discoursetrends.ingest.BridgeContext;
import io.discoursetrends.ingest.CursorJson;
import io.discoursetrends.ingest.Hashes;
import io.discoursetrends.ingest.HttpJson;
import io.discoursetrends.ingest.RecordKeys;
import io.discoursetrends.ingest.SentVersions;
import io.discoursetrends.model.Platform;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Reddit into the Reddit topic: the newest submissions ({@code /r/A+B/new}) and comments ({@code /r/A+B/comments})
 * of the configured subreddits every {@code pollInterval}, and the most recently sent {@code maxTracked} things
 * again through {@code /api/info} every {@code refreshInterval}, so their score and comment counts move (Reddit
 * has no vote events). Each thing is sent as its listing child {@code {"kind":"t3"|"t1","data":{...}}}, keyed
 * by the post it concerns, stamped with the time it was fetched.
 *
 * <p>OAuth: an application-only token (client credentials grant) from the client id and secret, renewed a minute
 * before it expires. Rate limits: after every answer the {@code X-Ratelimit-Remaining/Reset} headers are read
 * ({@link io.discoursetrends.ingest.RateLimitBudget}); when fewer than one request remains, the bridge waits for
 * the reset.
 *
 * <p>Cursor: for the 100,000 things sent last, a hash of what counts (score, comment count, edited, removed): a
 * thing is sent again only when that changed, so neither a restart nor a re-listing repeats a record. A child
 * the job cannot read is forwarded raw for the job to dead-letter, counted as malformed.
 */
public final class RedditBridge implements Bridge {

    private static final int REMEMBERED = 100_000;

    record State(String[] names, long[] versions) {}

    /** Makes the HTTP client once the context exists. */
    public interface HttpJsonFactory {
        HttpJson create(BridgeContext context);
    }

    private final URI authUrl;
    private final URI apiUrl;
    private final List<String> subreddits;
    private final String clientId;
    private final String clientSecret;
    private final Duration pollInterval;
    private final Duration refreshInterval;
    private final int maxTracked;
    private final HttpJsonFactory http;
    private final ObjectMapper mapper = new ObjectMapper();
    private final RecordKeys keys = new RecordKeys(Platform.REDDIT);
    private final SentVersions sentVersions = new SentVersions(REMEMBERED);

    private String token;
    private long tokenExpiresNanos;

    public RedditBridge(URI authUrl, URI apiUrl, List<String> subreddits, String clientId, String clientSecret,
            Duration pollInterval, Duration refreshInterval, int maxTracked, HttpJsonFactory http) {
        this.authUrl = authUrl;
        String a = apiUrl.toString();
        this.apiUrl = URI.create(a.endsWith("/") ? a : a + "/");
        this.subreddits = List.copyOf(subreddits);
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        this.pollInterval = pollInterval;
        this.refreshInterval = refreshInterval;
        this.maxTracked = maxTracked;
        this.http = http;
    }

    @Override
    public String describe() {
        return "Reddit r/" + String.join("+", subreddits) + " via " + apiUrl + " (new every "
                + pollInterval.toSeconds() + " s, " + maxTracked + " tracked re-polled every "
                + refreshInterval.toSeconds() + " s)";
    }

    @Override
    public void restore(byte[] cursor) {
        if (cursor == null) {
            return;
        }
        State s = CursorJson.read(cursor, State.class, "Reddit");
        sentVersions.restore(s.names(), s.versions());
    }

    @Override
    public byte[] cursor() {
        return CursorJson.write(new State(sentVersions.names(), sentVersions.versions()));
    }

    @Override
    public String cursorText() {
        return sentVersions.size() + " things known";
    }

    @Override
    public void run(BridgeContext ctx) throws InterruptedException {
        HttpJson client = http.create(ctx);
        String path = "r/" + String.join("+", subreddits);
        long lastRefresh = System.nanoTime();
        try {
            while (!ctx.stopping()) {
                for (String listing : List.of("/new", "/comments")) {
                    for (JsonNode child : get(client, path + listing + "?limit=100&raw_json=1")
                            .path("data").path("children")) {
                        handle(ctx, child);
                        ctx.commitIfDue();
                    }
                }
                if (System.nanoTime() - lastRefresh >= refreshInterval.toNanos()) {
                    lastRefresh = System.nanoTime();
                    List<String> tracked = sentVersions.last(maxTracked).stream()
                            .filter(n -> n.startsWith("t1_") || n.startsWith("t3_")).toList();
                    for (int i = 0; i < tracked.size() && !ctx.stopping(); i += 100) {
                        String ids = String.join(",", tracked.subList(i, Math.min(tracked.size(), i + 100)));
                        for (JsonNode child : get(client, "api/info?raw_json=1&id="
                                + URLEncoder.encode(ids, StandardCharsets.UTF_8)).path("data").path("children")) {
                            handle(ctx, child);
                            ctx.commitIfDue();
                        }
                    }
                }
                ctx.commitIfDue();
                ctx.sleep(pollInterval);
            }
        } catch (HttpJson.Stopping stopping) {
            // the runner commits what was sent
        }
    }

    private void handle(BridgeContext ctx, JsonNode child) {
        ctx.metrics().received.incrementAndGet();
        byte[] bytes;
        try {
            bytes = mapper.writeValueAsBytes(child);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        JsonNode d = child.path("data");
        String name = d.path("name").isTextual() ? d.path("name").asText() : "?" + Hashes.fnv1a64(bytes);
        long version = Hashes.fnv1a64(d.path("score").asText() + '|' + d.path("num_comments").asText() + '|'
                + d.path("edited").asText() + '|' + d.path("removed_by_category").asText());
        if (sentVersions.isSent(name, version)) {
            ctx.metrics().duplicates.incrementAndGet();
            return;
        }
        RecordKeys.Keyed keyed = keys.key(bytes);
        if (keyed.malformed()) {
            ctx.metrics().malformed.incrementAndGet();
        }
        ctx.send(keyed.key(), bytes, null);
        sentVersions.sent(name, version);
    }

    private JsonNode get(HttpJson client, String pathAndQuery) throws InterruptedException, HttpJson.Stopping {
        HttpResponse<byte[]> r = client.get(apiUrl.resolve(pathAndQuery),
                Map.of("Authorization", "bearer " + token(client)));
        if (r.statusCode() != 200) {
            throw new IllegalStateException(apiUrl.getHost() + " answered " + r.statusCode() + " for "
                    + r.uri().getRawPath() + ": check --subreddits");
        }
        try {
            return mapper.readTree(r.body());
        } catch (IOException e) {
            throw new IllegalStateException(r.uri().getRawPath() + " did not answer JSON: check --api-url");
        }
    }

    /** The application-only token, fetched again a minute before it expires. Never logged. */
    private String token(HttpJson client) throws InterruptedException, HttpJson.Stopping {
        if (token == null || System.nanoTime() > tokenExpiresNanos) {
            String basic = Base64.getEncoder().encodeToString((clientId + ":" + clientSecret)
                    .getBytes(StandardCharsets.UTF_8));
            HttpResponse<byte[]> r = client.post(authUrl, Map.of("Authorization", "Basic " + basic,
                    "Content-Type", "application/x-www-form-urlencoded"), "grant_type=client_credentials");
            JsonNode n;
            try {
                n = mapper.readTree(r.body());
            } catch (IOException e) {
                n = null;
            }
            if (r.statusCode() != 200 || n == null || !n.path("access_token").isTextual()) {
                throw new IllegalStateException("Reddit refused the client credentials (HTTP " + r.statusCode()
                        + "): check REDDIT_CLIENT_ID and REDDIT_CLIENT_SECRET (or their files)");
            }
            token = n.get("access_token").asText();
            long seconds = n.path("expires_in").asLong(3600);
            tokenExpiresNanos = System.nanoTime() + Duration.ofSeconds(Math.max(0, seconds - 60)).toNanos();
        }
        return token;
    }
}

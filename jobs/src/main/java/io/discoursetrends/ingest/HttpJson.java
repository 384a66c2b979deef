package io.discoursetrends.ingest;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * Requests to a platform's HTTP API with the bridge's error rules: a 429 waits at least what Retry-After says
 * (counted as rate-limited), a 5xx or a network error waits a capped, jittered, growing delay (counted as a
 * reconnect), and both try again until the bridge stops; 401 and 403 fail with what to fix, since waiting does
 * not mend a credential. Every other status is the caller's to judge (a 404 is an answer for an item API).
 * The {@code X-RateLimit-*} headers of every answer feed a {@link RateLimitBudget}: once it is used up, the next
 * request waits for its reset (and a 429 waits for the later of Retry-After and the reset).
 */
public final class HttpJson {

    /** Thrown out of a request when the bridge is stopping. */
    public static final class Stopping extends Exception {
        public Stopping() {
            super("stopping", null, false, false);
        }
    }

    private final HttpClient client;
    private final BridgeContext context;
    private final Backoff backoff;
    private final Duration requestTimeout;
    private final String userAgent;
    private final RateLimitBudget budget = new RateLimitBudget();

    public HttpJson(BridgeContext context, Backoff backoff, Duration requestTimeout, String userAgent) {
        this.client = HttpClient.newBuilder().connectTimeout(requestTimeout)
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        this.context = context;
        this.backoff = backoff;
        this.requestTimeout = requestTimeout;
        this.userAgent = userAgent;
    }

    /** The budget the answers' rate-limit headers state; a bridge's other connections may feed it too. */
    public RateLimitBudget budget() {
        return budget;
    }

    public HttpResponse<byte[]> get(URI uri, Map<String, String> headers) throws InterruptedException, Stopping {
        return send(HttpRequest.newBuilder(uri).GET(), uri, headers);
    }

    public HttpResponse<byte[]> post(URI uri, Map<String, String> headers, String form)
            throws InterruptedException, Stopping {
        return send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString(form)), uri, headers);
    }

    private HttpResponse<byte[]> send(HttpRequest.Builder builder, URI uri, Map<String, String> headers)
            throws InterruptedException, Stopping {
        builder.timeout(requestTimeout).header("User-Agent", userAgent).header("Accept", "application/json");
        headers.forEach(builder::header);
        HttpRequest request = builder.build();
        while (true) {
            if (!budget.await(context, uri.getHost())) {
                throw new Stopping();
            }
            HttpResponse<byte[]> response;
            try {
                context.metrics().requests.incrementAndGet();
                response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException e) {
                context.metrics().reconnects.incrementAndGet();
                pause(backoff.next(), "GET " + path(uri) + " failed (" + e + ")");
                continue;
            }
            Instant now = Instant.now();
            budget.read(response.headers().firstValue(RateLimitBudget.REMAINING).orElse(null),
                    response.headers().firstValue(RateLimitBudget.RESET).orElse(null), now);
            int status = response.statusCode();
            if (status == 429) {
                context.metrics().rateLimited.incrementAndGet();
                Duration asked = RetryAfter.parse(response.headers().firstValue("Retry-After").orElse(null), now);
                String why = asked == null ? "" : ", Retry-After " + asked.toSeconds() + " s";
                Duration reset = budget.remaining();
                if (!reset.isZero() && (asked == null || reset.compareTo(asked) > 0)) {
                    asked = reset;
                    why = ", " + RateLimitBudget.RESET + " in " + reset.toSeconds() + " s";
                }
                pause(backoff.next(asked), path(uri) + " answered 429 (rate limited" + why + ")");
                continue;
            }
            if (status >= 500) {
                context.metrics().reconnects.incrementAndGet();
                pause(backoff.next(), path(uri) + " answered " + status);
                continue;
            }
            if (status == 401 || status == 403) {
                throw new IllegalStateException(uri.getHost() + " refused the credentials (HTTP " + status
                        + " on " + path(uri) + "): check the token or client id and secret, and their scopes");
            }
            backoff.reset();
            return response;
        }
    }

    /** Only the path: a query may hold something the log should not (it never holds credentials here). */
    private static String path(URI uri) {
        return uri.getRawPath();
    }

    private void pause(Duration d, String why) throws InterruptedException, Stopping {
        context.log(why + "; retrying in " + d.toMillis() + " ms");
        if (!context.sleep(d)) {
            throw new Stopping();
        }
    }
}

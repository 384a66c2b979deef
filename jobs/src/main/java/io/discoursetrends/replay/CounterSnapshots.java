package io.discoursetrends.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Later sightings of a Mastodon status, Reddit thing or Hacker News item: the same raw record with higher
 * counters, as the next poll of the platform returns it. These platforms report engagement only as counters,
 * so a stream that re-polls posts is how their likes, boosts, replies and votes reach the job.
 */
public final class CounterSnapshots {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> COUNTERS = List.of("favourites_count", "reblogs_count", "replies_count",
            "num_comments", "descendants");

    private CounterSnapshots() {}

    /**
     * The record with each counter it has raised by 0 to 5 and its score moved by -2 to +6. Works on REST
     * entities, Mastodon streaming messages (whose status is a JSON string in {@code payload}) and Reddit
     * things ({@code data}).
     */
    public static byte[] raised(byte[] raw, SplittableRandom r) {
        try {
            JsonNode copy = JSON.readTree(raw);
            if (copy.has("payload")) {
                ObjectNode status = (ObjectNode) JSON.readTree(copy.get("payload").asText());
                raise(status, r);
                ((ObjectNode) copy).put("payload", JSON.writeValueAsString(status));
            } else {
                raise((ObjectNode) (copy.has("data") ? copy.get("data") : copy), r);
            }
            return JSON.writeValueAsString(copy).getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("not a platform record with counters: " + e.getMessage(), e);
        }
    }

    /**
     * The record with its counters grown in proportion to what they are, as engagement grows on a real post:
     * each counter by a random share of itself (up to 60%, rounded at random) and the score by -10% to +50%;
     * one time in four the first counter (or the score) one more, so a post nobody engaged with still gets an
     * occasional first like.
     * Growth in proportion to size (Gibrat's law) keeps the counters' heavy tail: a post with thousands gains
     * hundreds, most posts nothing. {@link #raised} instead adds a few to every counter whatever its size.
     */
    public static byte[] grown(byte[] raw, SplittableRandom r) {
        try {
            JsonNode copy = JSON.readTree(raw);
            if (copy.has("payload")) {
                ObjectNode status = (ObjectNode) JSON.readTree(copy.get("payload").asText());
                grow(status, r);
                ((ObjectNode) copy).put("payload", JSON.writeValueAsString(status));
            } else {
                grow((ObjectNode) (copy.has("data") ? copy.get("data") : copy), r);
            }
            return JSON.writeValueAsString(copy).getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("not a platform record with counters: " + e.getMessage(), e);
        }
    }

    private static void grow(ObjectNode n, SplittableRandom r) {
        boolean trickle = r.nextInt(4) == 0;
        for (String field : COUNTERS) {
            if (n.hasNonNull(field)) {
                long v = n.get(field).asLong();
                n.put(field, v + (long) Math.floor(v * 0.6 * r.nextDouble() + r.nextDouble()) + (trickle ? 1 : 0));
                trickle = false; // the first counter (favourites, comments) gets it
            }
        }
        if (n.hasNonNull("score")) {
            long v = n.get("score").asLong();
            long score = Math.max(0, v + (long) Math.floor(v * (0.6 * r.nextDouble() - 0.1) + r.nextDouble())
                    + (trickle ? 1 : 0));
            n.put("score", score);
            if (n.has("ups")) {
                n.put("ups", score);
            }
        }
    }

    private static void raise(ObjectNode n, SplittableRandom r) {
        for (String field : COUNTERS) {
            if (n.hasNonNull(field)) {
                n.put(field, n.get(field).asLong() + r.nextInt(6));
            }
        }
        if (n.hasNonNull("score")) {
            long score = n.get("score").asLong() + r.nextInt(9) - 2;
            n.put("score", score);
            if (n.has("ups")) {
                n.put("ups", score);
            }
        }
    }
}

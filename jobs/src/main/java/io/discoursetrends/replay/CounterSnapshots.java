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

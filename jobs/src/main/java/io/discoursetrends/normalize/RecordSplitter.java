package io.discoursetrends.normalize;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.discoursetrends.model.Platform;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Turns a platform API response into the raw records an ingest bridge puts on the platform's Kafka topic,
 * one compact JSON document each (what {@code discourse-trends jsonl} prints, one per line):
 * <ul>
 *   <li>Reddit: a Listing, or an array of Listings (a comments page: the submission's Listing, then the
 *       comment tree's) → every child thing {@code {"kind","data"}}, comments' {@code replies} walked
 *       depth-first. A thing is emitted with {@code "replies": ""} (Reddit's own "no replies"), since each
 *       reply is emitted as a record of its own; a lone thing is emitted as it is.</li>
 *   <li>Mastodon: a Status, an array of Statuses (a timeline), a context ({@code ancestors} then
 *       {@code descendants}), search results ({@code statuses}), or a streaming message → each status.
 *       Array elements that are not statuses (trends tags, preview cards) are skipped with a note.</li>
 *   <li>Hacker News: an item, or an array of items → each item. Id lists (/v0/topstories, /v0/updates,
 *       /v0/maxitem) and user profiles hold no items: nothing is emitted, and a note says so.</li>
 *   <li>Bluesky: Jetstream JSON Lines → each non-blank line, unchanged.</li>
 * </ul>
 * Responses are read whole (the platforms page them to a few hundred kilobytes), with deeper nesting
 * allowed than for one record, since a Reddit comment tree nests five levels per reply.
 */
public final class RecordSplitter {

    /** The records found, and notes on what was skipped and why (for a person; never for a program). */
    public record Split(List<String> records, List<String> notes) {}

    private final ObjectMapper mapper = CanonicalJson.newMapper(StreamReadConstraints.builder()
            .maxNestingDepth(2_000)
            .maxStringLength(CanonicalJson.MAX_STRING_CHARS)
            .maxDocumentLength(256L * 1024 * 1024)
            .build());

    /**
     * Splits one response document.
     *
     * @throws IllegalArgumentException if the document is not JSON (for Bluesky: never, lines are kept as
     *     they are), with a message that says where it broke
     */
    public Split split(Platform platform, byte[] document) {
        if (platform == Platform.BLUESKY) {
            return jsonLines(document);
        }
        JsonNode root = parse(document);
        List<String> records = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        switch (platform) {
            case REDDIT -> reddit(root, records, notes);
            case MASTODON -> mastodon(root, records, notes);
            case HACKERNEWS -> hackerNews(root, records, notes);
            default -> throw new IllegalStateException("unhandled platform " + platform);
        }
        return new Split(records, notes);
    }

    private JsonNode parse(byte[] document) {
        try {
            JsonNode root = mapper.readTree(document);
            if (root == null || root.isMissingNode()) {
                throw new IllegalArgumentException("the document is empty");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not valid JSON: " + JsonNormalizer.describe(e), e);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot parse: " + e.getMessage(), e);
        }
    }

    private String compact(JsonNode n) {
        try {
            return mapper.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a parsed tree back as JSON", e);
        }
    }

    private static Split jsonLines(byte[] document) {
        List<String> records = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= document.length; i++) {
            if (i == document.length || document[i] == '\n') {
                int end = i;
                if (end > start && document[end - 1] == '\r') {
                    end--;
                }
                String line = new String(document, start, end - start, StandardCharsets.UTF_8);
                if (!line.isBlank()) {
                    records.add(line);
                }
                start = i + 1;
            }
        }
        return new Split(records, List.of());
    }

    private void reddit(JsonNode root, List<String> records, List<String> notes) {
        Deque<JsonNode> stack = new ArrayDeque<>();
        stack.push(root);
        int skipped = 0;
        while (!stack.isEmpty()) {
            JsonNode n = stack.pop();
            if (n.isArray()) {
                pushReversed(stack, n);
            } else if (n.isObject() && "Listing".equals(n.path("kind").asText(null))) {
                JsonNode children = n.path("data").path("children");
                if (children.isArray()) {
                    pushReversed(stack, children);
                }
            } else if (n.isObject() && n.path("kind").isTextual() && n.path("data").isObject()) {
                ObjectNode data = (ObjectNode) n.get("data");
                JsonNode replies = data.get("replies");
                if (replies != null && replies.isObject()) {
                    data.set("replies", TextNode.valueOf(""));
                }
                records.add(compact(n));
                if (replies != null && replies.isObject()) {
                    stack.push(replies);
                }
            } else {
                skipped++;
            }
        }
        if (skipped > 0) {
            notes.add("skipped " + skipped + " JSON value(s) that are neither a Listing nor a thing");
        }
    }

    private void mastodon(JsonNode root, List<String> records, List<String> notes) {
        if (root.isObject() && (root.has("ancestors") || root.has("descendants"))) {
            statuses(root.path("ancestors"), "context ancestors", records, notes);
            statuses(root.path("descendants"), "context descendants", records, notes);
        } else if (root.isObject() && root.path("statuses").isArray()) {
            statuses(root.get("statuses"), "search results", records, notes);
        } else if (root.isArray()) {
            statuses(root, "array", records, notes);
        } else if (isStatus(root) || (root.isObject() && root.has("event"))) {
            records.add(compact(root));
        } else {
            notes.add("the document is neither a status, an array of statuses, a context nor a streaming message;"
                    + " nothing emitted");
        }
    }

    private void statuses(JsonNode array, String where, List<String> records, List<String> notes) {
        if (!array.isArray()) {
            return;
        }
        int skipped = 0;
        String example = null;
        for (JsonNode n : array) {
            if (isStatus(n)) {
                records.add(compact(n));
            } else {
                skipped++;
                if (example == null) {
                    example = describeNonStatus(n);
                }
            }
        }
        if (skipped > 0) {
            notes.add("skipped " + skipped + " element(s) of the " + where + " that are not statuses (e.g. "
                    + example + ")");
        }
    }

    private static boolean isStatus(JsonNode n) {
        return n.isObject() && n.has("uri") && n.has("account") && n.has("created_at");
    }

    private static String describeNonStatus(JsonNode n) {
        if (n.isObject() && n.has("history") && n.has("name")) {
            return "a trends tag";
        }
        if (n.isObject() && n.has("history") && "link".equals(n.path("type").asText(null))) {
            return "a trends link preview card";
        }
        return "a JSON " + Fields.typeOf(n);
    }

    private void hackerNews(JsonNode root, List<String> records, List<String> notes) {
        if (root.isObject() && isItem(root)) {
            records.add(compact(root));
        } else if (root.isArray() && !root.isEmpty() && root.get(0).isObject()) {
            int skipped = 0;
            for (JsonNode n : root) {
                if (n.isObject() && isItem(n)) {
                    records.add(compact(n));
                } else {
                    skipped++;
                }
            }
            if (skipped > 0) {
                notes.add("skipped " + skipped + " array element(s) that are not items");
            }
        } else if (root.isNumber()) {
            notes.add("a bare number (the /v0/maxitem response) holds no items; nothing emitted");
        } else if (root.isArray()) {
            notes.add("a list of item ids (e.g. /v0/topstories) holds no items: fetch each /v0/item/<id>.json;"
                    + " nothing emitted");
        } else if (root.isObject() && root.has("items") && root.has("profiles")) {
            notes.add("an /v0/updates list holds item ids, not items: fetch each /v0/item/<id>.json;"
                    + " nothing emitted");
        } else if (root.isObject() && root.has("karma")) {
            notes.add("a user profile (/v0/user) holds no items; nothing emitted");
        } else {
            notes.add("the document is not a Hacker News item; nothing emitted");
        }
    }

    private static boolean isItem(JsonNode n) {
        return n.path("id").isIntegralNumber() && (n.has("type") || n.has("deleted"));
    }

    private static void pushReversed(Deque<JsonNode> stack, JsonNode array) {
        for (int i = array.size() - 1; i >= 0; i--) {
            stack.push(array.get(i));
        }
    }
}

package io.discoursetrends.spikes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The events calendar: a YAML file of known events, and the JSON form each event takes on the events control
 * topic (one event per record, key = its id; a later record with the same id replaces it).
 *
 * <pre>
 * events:
 *   - id: qwen3-release                  # [A-Za-z0-9._-]+, unique
 *     name: Qwen3 released with open weights
 *     time: 2025-04-29T00:00:00Z
 *     topics: [open-weight-models]       # the first is the topic its impact is measured on
 *     url: https://qwenlm.github.io/blog/qwen3/
 * </pre>
 */
public final class EventCalendar {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    private static final Set<String> KEYS = Set.of("id", "name", "time", "topics", "url");

    private EventCalendar() {}

    /** Every event of a calendar file; all problems at once, each naming the event, in the exception. */
    public static List<CalendarEvent> parse(String yaml, String source) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (IOException e) {
            throw new IllegalArgumentException(source + ": not valid YAML: " + e.getMessage());
        }
        if (root == null || !root.isObject() || !root.path("events").isArray()) {
            throw new IllegalArgumentException(source + ": expected a top-level 'events:' list");
        }
        List<String> problems = new ArrayList<>();
        List<CalendarEvent> events = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        int i = 0;
        for (JsonNode n : root.get("events")) {
            i++;
            try {
                CalendarEvent e = event(n);
                if (!ids.add(e.id())) {
                    throw new IllegalArgumentException("duplicate id '" + e.id() + "'");
                }
                events.add(e);
            } catch (IllegalArgumentException e) {
                problems.add("event " + i + ": " + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(source + ": " + String.join("; ", problems));
        }
        return events;
    }

    /** One event from its JSON (the control topic) or YAML node; says what is wrong otherwise. */
    public static CalendarEvent event(JsonNode n) {
        if (!n.isObject()) {
            throw new IllegalArgumentException("an event must be a mapping with id, name, time and topics");
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException("unknown key '" + key + "' (expected " + KEYS + ")");
            }
        }
        String id = text(n, "id");
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("id '" + id + "' must match " + ID.pattern());
        }
        String name = text(n, "name");
        long time;
        try {
            time = Instant.parse(text(n, "time")).toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("event '" + id + "': time '" + n.get("time").asText()
                    + "' is not an ISO-8601 instant such as 2025-04-29T00:00:00Z");
        }
        JsonNode topics = n.path("topics");
        if (!topics.isArray() || topics.isEmpty()) {
            throw new IllegalArgumentException("event '" + id + "': topics must be a non-empty list of topic ids");
        }
        List<String> t = new ArrayList<>();
        topics.forEach(x -> t.add(x.asText()));
        String url = n.hasNonNull("url") ? n.get("url").asText() : null;
        return new CalendarEvent(id, name, time, t.toArray(new String[0]), url);
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull() || !v.isValueNode() || v.asText().isBlank()) {
            throw new IllegalArgumentException("'" + field + "' is missing or empty");
        }
        return v.asText();
    }

    public static byte[] toJson(CalendarEvent e) {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", e.id());
        n.put("name", e.name());
        n.put("time", Instant.ofEpochMilli(e.timeMillis()).toString());
        ArrayNode topics = n.putArray("topics");
        for (String t : e.topics()) {
            topics.add(t);
        }
        if (e.url() != null) {
            n.put("url", e.url());
        }
        return n.toString().getBytes(StandardCharsets.UTF_8);
    }

    public static CalendarEvent fromJson(byte[] json) {
        try {
            return event(JSON.readTree(json));
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage());
        }
    }
}

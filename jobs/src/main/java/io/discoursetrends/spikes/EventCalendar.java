package io.discoursetrends.spikes;

import com.fasterxml.jackson.core.JsonProcessingException;
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
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
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
    private static final List<String> KEYS = List.of("id", "name", "time", "topics", "url");
    /** What SnakeYAML reads at most (its code point limit), said as a size limit instead of a syntax error. */
    public static final int MAX_CODE_POINTS = 3 * 1024 * 1024;
    /** Event times outside these are a typo or a unit mix-up; the same bounds as a post's time. */
    public static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");
    public static final Instant LATEST = Instant.parse("2200-01-01T00:00:00Z");

    private EventCalendar() {}

    /** Every event of a calendar file; all problems at once, each naming the event, in the exception. */
    public static List<CalendarEvent> parse(String yaml, String source) {
        Checked c = check(yaml, topic -> null);
        if (!c.problems().isEmpty()) {
            throw new IllegalArgumentException(source + ": " + String.join("; ", c.problems().stream()
                    .map(Problem::toString).toList()));
        }
        return c.events();
    }

    /**
     * One problem of a calendar: {@code event} is its 1-based position in the list (0: the file as a whole),
     * {@code line} and {@code column} where the YAML parser stopped (0 when not known).
     */
    public record Problem(int event, int line, int column, String message) {
        /** "SOURCE: event N: message", "SOURCE:LINE:COLUMN: message" or "SOURCE: message". */
        public String format(String source) {
            return source + (line > 0 ? ":" + line + ":" + column + ": " : ": ") + this;
        }

        @Override
        public String toString() {
            return (event > 0 ? "event " + event + ": " : "") + message;
        }
    }

    /** The events of a file, and every problem found in it: the events are usable only if there is none. */
    public record Checked(List<CalendarEvent> events, List<Problem> problems) {}

    /**
     * Checks a calendar and reports every problem, not the first of each event: unknown keys, each field, a
     * duplicate id (also of an event that has other problems) and, through {@code topicProblem}, each topic
     * (null when the topic is fine, else why not).
     */
    public static Checked check(String yaml, Function<String, String> topicProblem) {
        List<Problem> problems = new ArrayList<>();
        if (yaml.length() > MAX_CODE_POINTS && yaml.codePointCount(0, yaml.length()) > MAX_CODE_POINTS) {
            problems.add(new Problem(0, 0, 0, "the file has " + yaml.codePointCount(0, yaml.length())
                    + " characters, over the size limit of a calendar (" + MAX_CODE_POINTS + " characters, 3 MiB)"));
            return new Checked(List.of(), problems);
        }
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (IOException e) {
            problems.add(yamlProblem(e));
            return new Checked(List.of(), problems);
        }
        if (root == null || !root.isObject() || !root.path("events").isArray()) {
            problems.add(new Problem(0, 0, 0, "expected a top-level 'events:' list"));
            return new Checked(List.of(), problems);
        }
        List<CalendarEvent> events = new ArrayList<>();
        Map<String, Integer> firstById = new HashMap<>();
        int i = 0;
        for (JsonNode n : root.get("events")) {
            i++;
            List<String> found = new ArrayList<>();
            CalendarEvent e = event(n, found);
            String id = n.isObject() ? validId(n.get("id")) : null;
            if (id != null) {
                Integer first = firstById.putIfAbsent(id, i);
                if (first != null) {
                    found.add("duplicate id '" + id + "' (first in event " + first + ")");
                }
            }
            JsonNode topics = n.path("topics");
            if (topics.isArray()) {
                for (JsonNode t : topics) {
                    String why = t.isTextual() && !t.asText().isBlank() ? topicProblem.apply(t.asText()) : null;
                    if (why != null) {
                        found.add((id != null ? "event '" + id + "': " : "") + why);
                    }
                }
            }
            for (String f : found) {
                problems.add(new Problem(i, 0, 0, f));
            }
            if (found.isEmpty()) {
                events.add(e);
            }
        }
        return new Checked(problems.isEmpty() ? events : List.of(), problems);
    }

    /** A YAML syntax error where SnakeYAML saw it, in words (Jackson's own location is often a line early). */
    @SuppressWarnings("deprecation") // the snakeyaml wrapper is the only way to its problem mark
    private static Problem yamlProblem(IOException e) {
        if (e instanceof com.fasterxml.jackson.dataformat.yaml.snakeyaml.error.MarkedYAMLException m
                && m.getProblemMark() != null) {
            String problem = String.valueOf(m.getProblem());
            String message = problem.contains("(TAB)")
                    ? "a tab character: YAML is indented with spaces, never tabs"
                    : "not valid YAML: " + problem.replaceAll("\\s*\\R\\s*", " ").strip();
            return new Problem(0, m.getProblemMark().getLine() + 1, m.getProblemMark().getColumn() + 1, message);
        }
        String message = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
        return new Problem(0, 0, 0, "not valid YAML: " + String.valueOf(message).replaceAll("\\s*\\R\\s*", " ")
                .strip());
    }

    private static String validId(JsonNode id) {
        return id != null && id.isValueNode() && ID.matcher(id.asText()).matches() ? id.asText() : null;
    }

    /** One event from its JSON (the control topic) or YAML node; says what is wrong otherwise. */
    public static CalendarEvent event(JsonNode n) {
        List<String> problems = new ArrayList<>();
        CalendarEvent e = event(n, problems);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        return e;
    }

    /** The event, or null with every reason why not added to {@code problems}. */
    private static CalendarEvent event(JsonNode n, List<String> problems) {
        if (!n.isObject()) {
            problems.add("an event must be a mapping with id, name, time and topics");
            return null;
        }
        int before = problems.size();
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!KEYS.contains(key)) {
                problems.add("unknown key '" + key + "' (expected " + KEYS + ")");
            }
        }
        String id = text(n, "id", problems);
        if (id != null && !ID.matcher(id).matches()) {
            problems.add("id '" + id + "' must match " + ID.pattern());
        }
        String event = id != null ? "event '" + id + "': " : "";
        String name = text(n, "name", problems);
        String timeText = text(n, "time", problems);
        long time = 0;
        if (timeText != null) {
            try {
                Instant t = Instant.parse(timeText);
                if (t.isBefore(EARLIEST) || t.isAfter(LATEST)) {
                    problems.add(event + "time '" + timeText + "' is not a plausible event time (between "
                            + EARLIEST + " and " + LATEST + ")");
                } else {
                    time = t.toEpochMilli();
                }
            } catch (DateTimeParseException e) {
                problems.add(event + "time '" + timeText + "' is not an ISO-8601 instant such as 2025-04-29T00:00:00Z");
            }
        }
        JsonNode topics = n.path("topics");
        List<String> t = new ArrayList<>();
        if (!topics.isArray() || topics.isEmpty()) {
            problems.add(event + "topics must be a non-empty list of topic ids");
        } else {
            for (JsonNode x : topics) {
                if (!x.isTextual() || x.asText().isBlank()) {
                    problems.add(event + "topics must be a list of topic ids, not " + x);
                } else {
                    t.add(x.asText());
                }
            }
        }
        JsonNode urlNode = n.get("url");
        if (urlNode != null && !urlNode.isNull() && !urlNode.isValueNode()) {
            problems.add(event + "url must be a string");
        }
        if (problems.size() > before) {
            return null;
        }
        String url = n.hasNonNull("url") ? n.get("url").asText() : null;
        return new CalendarEvent(id, name, time, t.toArray(new String[0]), url);
    }

    private static String text(JsonNode n, String field, List<String> problems) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull() || !v.isValueNode() || v.asText().isBlank()) {
            problems.add("'" + field + "' is missing or empty");
            return null;
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

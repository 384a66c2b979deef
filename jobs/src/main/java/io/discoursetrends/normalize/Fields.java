package io.discoursetrends.normalize;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * Typed reads of JSON fields that fail with a reason a person can act on ("reddit t3 has no name",
 * "bluesky event time_us is a string, expected an integer"). {@code what} names the object being read,
 * so the reason says where the problem is. Absent and JSON null are treated alike: platforms use both.
 */
final class Fields {
    private Fields() {}

    static boolean absent(JsonNode n) {
        return n == null || n.isNull() || n.isMissingNode();
    }

    static String typeOf(JsonNode n) {
        return absent(n) ? "null" : n.getNodeType().name().toLowerCase(Locale.ROOT);
    }

    static Malformed wrongType(String what, String field, JsonNode n, String expected) {
        return new Malformed(what + " " + field + " is " + article(typeOf(n)) + ", expected " + expected);
    }

    static String article(String type) {
        return (type.startsWith("a") || type.startsWith("o") ? "an " : "a ") + type;
    }

    /** A required non-empty string. */
    static String text(JsonNode obj, String field, String what) {
        JsonNode n = obj.get(field);
        if (absent(n)) {
            throw new Malformed(what + " has no " + field);
        }
        if (!n.isTextual()) {
            throw wrongType(what, field, n, "a string");
        }
        String s = n.textValue();
        if (s.isEmpty()) {
            throw new Malformed(what + " has an empty " + field);
        }
        return PlainText.clean(s);
    }

    /** An optional string: null when absent; a present value of another type is an error. */
    static String optText(JsonNode obj, String field, String what) {
        JsonNode n = obj.get(field);
        if (absent(n)) {
            return null;
        }
        if (!n.isTextual()) {
            throw wrongType(what, field, n, "a string");
        }
        return PlainText.clean(n.textValue());
    }

    /** An optional string for display only (a language, a handle): another type is ignored, not an error. */
    static String looseText(JsonNode obj, String field) {
        JsonNode n = obj == null ? null : obj.get(field);
        return n != null && n.isTextual() && !n.textValue().isEmpty() ? PlainText.clean(n.textValue()) : null;
    }

    static Boolean looseBoolean(JsonNode obj, String field) {
        JsonNode n = obj == null ? null : obj.get(field);
        return n != null && n.isBoolean() ? n.booleanValue() : null;
    }

    /** A required object. */
    static JsonNode object(JsonNode obj, String field, String what) {
        JsonNode n = obj.get(field);
        if (absent(n)) {
            throw new Malformed(what + " has no " + field);
        }
        if (!n.isObject()) {
            throw wrongType(what, field, n, "an object");
        }
        return n;
    }

    /** An optional object: null when absent; a present value of another type is an error. */
    static JsonNode optObject(JsonNode obj, String field, String what) {
        JsonNode n = obj.get(field);
        if (absent(n)) {
            return null;
        }
        if (!n.isObject()) {
            throw wrongType(what, field, n, "an object");
        }
        return n;
    }

    /** A required integer that fits a long. */
    static long integer(JsonNode obj, String field, String what) {
        Long v = optInteger(obj, field, what);
        if (v == null) {
            throw new Malformed(what + " has no " + field);
        }
        return v;
    }

    /** An optional integer (a counter): null when absent; a string or a fraction is an error. */
    static Long optInteger(JsonNode obj, String field, String what) {
        JsonNode n = obj.get(field);
        if (absent(n)) {
            return null;
        }
        if (!n.isIntegralNumber() && !(n.isFloatingPointNumber() && isWhole(n.doubleValue()))) {
            throw wrongType(what, field, n, "an integer");
        }
        if (!n.canConvertToLong()) {
            throw new Malformed(what + " " + field + " " + n.asText() + " is out of range");
        }
        return n.longValue();
    }

    private static boolean isWhole(double d) {
        return Double.isFinite(d) && d == Math.rint(d);
    }

    /** A counter, which cannot be negative (a score can: use {@link #optInteger}). */
    static Long optCounter(JsonNode obj, String field, String what) {
        Long v = optInteger(obj, field, what);
        if (v != null && v < 0) {
            throw new Malformed(what + " " + field + " is negative (" + v + ")");
        }
        return v;
    }

    /** Required epoch seconds, possibly with a fraction (Reddit writes 1410935671.0). */
    static Instant epochSeconds(JsonNode obj, String field, String what) {
        JsonNode n = obj.get(field);
        if (absent(n)) {
            throw new Malformed(what + " has no " + field);
        }
        if (!n.isNumber()) {
            throw wrongType(what, field, n, "a number (seconds since the epoch)");
        }
        double d = n.doubleValue();
        // Before 2000 or after 2200 is not a post time but a unit mix-up (milliseconds), a zero or garbage.
        if (!Double.isFinite(d) || d < EARLIEST.getEpochSecond() || d > LATEST.getEpochSecond()) {
            throw new Malformed(what + " " + field + " " + n.asText() + " is not a plausible epoch second " + RANGE);
        }
        long seconds = (long) Math.floor(d);
        long nanos = Math.round((d - seconds) * 1_000_000) * 1_000L;
        return Instant.ofEpochSecond(seconds, Math.min(nanos, 999_999_000L));
    }

    /** A required ISO-8601 date-time string with an offset or 'Z'. */
    static Instant instant(JsonNode obj, String field, String what) {
        return parseInstant(text(obj, field, what), what + " " + field);
    }

    static Instant parseInstant(String s, String what) {
        Instant t;
        try {
            t = Instant.parse(s);
        } catch (DateTimeParseException e) {
            throw new Malformed(what + " '" + abbreviate(s) + "' is not an ISO-8601 date-time");
        }
        return plausible(t, what);
    }

    /** The latest time we accept: a later one is a unit mix-up or garbage (and year 10000 has no ISO form). */
    static final Instant LATEST = Instant.parse("2200-01-01T00:00:00Z");

    /**
     * The earliest time we accept. None of the platforms existed before 2005 (Reddit), and a client's backdated
     * createdAt (an imported archive) does not go further back; earlier is a zero, an unset field or garbage:
     * epoch 0 would otherwise be counted as a post of 1970.
     */
    static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");

    private static final String RANGE = "(before 2000-01-01 or after 2200-01-01)";

    /** {@code t} if it lies between 2000 and 2200, else a {@link Malformed} naming {@code what}. */
    static Instant plausible(Instant t, String what) {
        if (t.isBefore(EARLIEST) || t.isAfter(LATEST)) {
            throw new Malformed(what + " " + t + " is not a plausible post time " + RANGE);
        }
        return t;
    }

    /** An absolute http(s) URL that java.net.URI (and so a JSON Schema "uri" check) accepts. */
    static boolean isHttpUrl(String s) {
        if (s == null) {
            return false;
        }
        int authority = s.startsWith("https://") ? 8 : s.startsWith("http://") ? 7 : -1;
        if (authority < 0) {
            return false;
        }
        if (isPlainHttpUrl(s, authority)) {
            return true;
        }
        try {
            URI u = new URI(s);
            return u.getHost() != null && !u.getHost().isEmpty();
        } catch (URISyntaxException e) {
            return false;
        }
    }

    /** Characters java.net.URI takes as they are in a path, query or fragment (RFC 2396 unreserved and reserved). */
    private static final boolean[] PLAIN_URL_CHARS = plainUrlChars();

    private static boolean[] plainUrlChars() {
        boolean[] plain = new boolean[128];
        for (char c : ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789" + "-_.!~*'()" + ";:@&=+$,/?")
                .toCharArray()) {
            plain[c] = true;
        }
        return plain;
    }

    /**
     * True for the URLs that make up nearly all of them: a host name (labels of letters, digits and inner hyphens,
     * the last starting with a letter; no user, no port), then a path, query and fragment of plain characters and
     * %-escapes. java.net.URI finds that host in all of these; parsing one costs more than normalizing the rest of a
     * Mastodon status. False means "ask java.net.URI", not "invalid".
     */
    static boolean isPlainHttpUrl(String s, int authority) {
        int n = s.length();
        int i = authority;
        int label = i;
        for (; i < n; i++) {
            char c = s.charAt(i);
            if (c == '/' || c == '?' || c == '#') {
                break;
            }
            if (c == '.') {
                if (i == label || s.charAt(i - 1) == '-') {
                    return false;
                }
                label = i + 1;
            } else if (c == '-' ? i == label : !isAsciiLetterOrDigit(c)) {
                return false;
            }
        }
        if (label >= i || s.charAt(i - 1) == '-' || !isAsciiLetter(s.charAt(label))) {
            return false; // empty host or label, a trailing dot or hyphen, a top label not starting with a letter
        }
        boolean fragment = false;
        for (; i < n; i++) {
            char c = s.charAt(i);
            if (c == '#') {
                if (fragment) {
                    return false;
                }
                fragment = true;
            } else if (c == '%') {
                if (i + 2 >= n || !isAsciiHexDigit(s.charAt(i + 1)) || !isAsciiHexDigit(s.charAt(i + 2))) {
                    return false;
                }
                i += 2;
            } else if (c >= 128 || !PLAIN_URL_CHARS[c]) {
                return false;
            }
        }
        return true;
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean isAsciiHexDigit(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static boolean isAsciiLetterOrDigit(char c) {
        return isAsciiLetter(c) || (c >= '0' && c <= '9');
    }

    /** A value to quote in a reason: reasons stay one short line even for a hostile value. */
    static String abbreviate(String s) {
        String cut = s.length() <= 80 ? s : s.substring(0, 77) + "...";
        StringBuilder b = new StringBuilder(cut.length());
        for (int i = 0; i < cut.length(); i++) {
            char c = cut.charAt(i);
            b.append(Character.isISOControl(c) || Character.isSurrogate(c) ? '?' : c);
        }
        return b.toString();
    }
}

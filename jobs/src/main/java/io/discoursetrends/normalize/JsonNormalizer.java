package io.discoursetrends.normalize;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * What every platform's normalizer does before it looks at fields: reject bytes that are not strict UTF-8,
 * parse with the limits of {@link CanonicalJson}, require a JSON object, and turn every failure (including
 * a bug of ours) into a malformed result, so nothing a record contains can throw out of
 * {@link #normalize(byte[])}.
 */
abstract class JsonNormalizer implements Normalizer {

    /** Reasons of failures that are our bugs, not the record's, start with this; tests look for it. */
    static final String BUG_PREFIX = "normalizer bug: ";

    private final ObjectMapper mapper = CanonicalJson.newMapper();

    @Override
    public final NormalizeResult normalize(byte[] raw) {
        if (raw == null || raw.length == 0) {
            return NormalizeResult.malformed("empty record");
        }
        int bad = Utf8.firstInvalid(raw);
        if (bad >= 0) {
            return NormalizeResult.malformed(String.format("invalid UTF-8 at byte %d (0x%02X)", bad, raw[bad] & 0xFF));
        }
        JsonNode root;
        try {
            root = parse(raw);
        } catch (Malformed m) {
            return NormalizeResult.malformed(m.getMessage());
        }
        if (root == null || root.isMissingNode()) {
            return NormalizeResult.malformed("empty record");
        }
        if (!root.isObject()) {
            return NormalizeResult.malformed("not a JSON object but " + Fields.article(Fields.typeOf(root)));
        }
        try {
            NormalizeResult r = normalizeObject(root);
            if (!r.isMalformed() && !r.isIgnored() && r.events().isEmpty()) {
                return NormalizeResult.malformed(BUG_PREFIX + "no events and no reason to ignore the record");
            }
            return r;
        } catch (Malformed m) {
            return NormalizeResult.malformed(m.getMessage());
        } catch (RuntimeException | StackOverflowError e) {
            // Our bug, not the record's: a dead letter with the cause beats a failed job, and keeps the record.
            return NormalizeResult.malformed(BUG_PREFIX + e);
        }
    }

    /** Parses a JSON document with the record limits; failures are {@link Malformed} with a reason. */
    final JsonNode parse(byte[] json) {
        try {
            return mapper.readTree(json);
        } catch (StreamConstraintsException e) {
            throw new Malformed("record exceeds a parser limit: " + withoutJavaNames(e.getOriginalMessage()));
        } catch (JsonProcessingException e) {
            String why = describe(e);
            throw new Malformed(why.startsWith("duplicate key") ? why : "not valid JSON: " + why);
        } catch (IOException e) {
            throw new Malformed("not valid JSON: " + e.getMessage());
        }
    }

    /** Parses JSON held in a string (a Mastodon streaming payload), with the same limits and reasons. */
    final JsonNode parse(String json) {
        return parse(json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /**
     * Jackson's message without the "[Source: ...]" suffix, plus where it happened; the messages that name
     * Jackson's classes or settings ("not allowed as per `DeserializationFeature.FAIL_ON_TRAILING_TOKENS`")
     * are said in words.
     */
    static String describe(JsonProcessingException e) {
        String msg = e.getOriginalMessage();
        if (msg == null) {
            msg = "unreadable JSON";
        }
        int nl = msg.indexOf('\n');
        if (nl >= 0) {
            msg = msg.substring(0, nl);
        }
        if (msg.startsWith("Trailing token")) {
            msg = "more text after the JSON object (a record is one JSON value)";
        } else if (msg.startsWith("Duplicate field '")) {
            int end = msg.indexOf("' for `");
            msg = "duplicate key '" + (end > 0 ? msg.substring("Duplicate field '".length(), end) : "?")
                    + "' (a key may appear once per object)";
        } else {
            msg = withoutJavaNames(msg);
        }
        JsonLocation loc = e.getLocation();
        if (loc != null && loc.getLineNr() > 0) {
            msg += " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")";
        }
        return msg;
    }

    /** Jackson quotes its types and settings in backticks ("from `StreamReadConstraints.getMaxNestingDepth()`"). */
    static String withoutJavaNames(String msg) {
        return msg.indexOf('`') < 0 ? msg : msg.replaceAll(",? ?(?:from |for |bound as |as per |of type )?`[^`]*`", "")
                .replace(" ()", "");
    }

    /** Normalizes a parsed record, which is a JSON object. May throw {@link Malformed}. */
    abstract NormalizeResult normalizeObject(JsonNode record);
}

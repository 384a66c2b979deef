package io.discoursetrends.normalize;

import com.fasterxml.jackson.databind.JsonNode;
import io.discoursetrends.model.CanonicalEvent;
import io.discoursetrends.model.Engagement;
import io.discoursetrends.model.Metrics;
import io.discoursetrends.model.Platform;
import io.discoursetrends.model.Post;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Bluesky Jetstream v1 events ({@code {"did","time_us","kind":"commit","commit":{...}}}).
 *
 * <p>Jetstream carries no counters, so engagement is the records themselves: a created like or repost of a
 * post is an engagement event; a created post is a post, plus a reply engagement on its parent if it
 * replies and a quote engagement on the quoted post if it embeds one ({@code app.bsky.embed.record}, or the
 * record of {@code app.bsky.embed.recordWithMedia}, naming an {@code app.bsky.feed.post}).
 *
 * <p>Everything else is ignored, not malformed: deletes and updates, follows, blocks, profiles, identity
 * and account events, likes of feed generators, and other apps' collections.
 *
 * <p>Event time is {@code time_us}, when Jetstream saw the commit; {@code record.createdAt} is set by the
 * client and can be skewed or backdated, so it is used only when {@code time_us} is absent (a record that
 * did not come through Jetstream).
 */
public final class BlueskyNormalizer extends JsonNormalizer {

    static final String POST = "app.bsky.feed.post";
    static final String LIKE = "app.bsky.feed.like";
    static final String REPOST = "app.bsky.feed.repost";
    private static final String TAG_FACET = "app.bsky.richtext.facet#tag";
    private static final String EMBED_RECORD = "app.bsky.embed.record";
    private static final String EMBED_RECORD_WITH_MEDIA = "app.bsky.embed.recordWithMedia";

    @Override
    NormalizeResult normalizeObject(JsonNode e) {
        String kind = Fields.text(e, "kind", "bluesky event");
        String did = Fields.text(e, "did", "bluesky event");
        if (!isDid(did)) {
            throw new Malformed("bluesky event did '" + Fields.abbreviate(did) + "' is not a DID");
        }
        if (!"commit".equals(kind)) {
            return NormalizeResult.ignored("bluesky " + Fields.abbreviate(kind) + " event carries no post or engagement");
        }
        JsonNode commit = Fields.object(e, "commit", "bluesky commit event");
        String operation = Fields.text(commit, "operation", "bluesky commit");
        String collection = Fields.text(commit, "collection", "bluesky commit");
        if (!"create".equals(operation)) {
            return NormalizeResult.ignored("bluesky commit " + Fields.abbreviate(operation) + " of "
                    + Fields.abbreviate(collection) + " is not counted (only creates are new posts or engagement)");
        }
        if (!POST.equals(collection) && !LIKE.equals(collection) && !REPOST.equals(collection)) {
            return NormalizeResult.ignored("bluesky commit create of " + Fields.abbreviate(collection)
                    + " is not a post, like or repost");
        }
        String what = "bluesky commit create of " + collection;
        String rkey = Fields.text(commit, "rkey", what);
        if (!isRecordKey(rkey)) {
            throw new Malformed(what + " rkey '" + Fields.abbreviate(rkey) + "' is not a record key");
        }
        JsonNode record = Fields.object(commit, "record", what);
        Instant time = eventTime(e, record, what);
        String uri = "at://" + did + "/" + collection + "/" + rkey;
        if (POST.equals(collection)) {
            return post(did, rkey, uri, record, time, what);
        }
        JsonNode subject = Fields.object(record, "subject", what + " record");
        String subjectUri = Fields.text(subject, "uri", what + " record.subject");
        if (!POST.equals(collectionOf(subjectUri))) {
            // Feed generators, lists and starter packs can be liked too; they are not posts.
            return NormalizeResult.ignored("bluesky " + (LIKE.equals(collection) ? "like" : "repost") + " of "
                    + Fields.abbreviate(subjectUri) + ", which is not a post");
        }
        Engagement.Type type = LIKE.equals(collection) ? Engagement.Type.LIKE : Engagement.Type.REPOST;
        return NormalizeResult.events(List.of(CanonicalEvent.of(
                new Engagement(Platform.BLUESKY, type, uri, subjectUri, did, time, 1))));
    }

    private static Instant eventTime(JsonNode e, JsonNode record, String what) {
        JsonNode t = e.get("time_us");
        if (!Fields.absent(t)) {
            if (!t.isIntegralNumber() || !t.canConvertToLong() || t.longValue() < 0) {
                throw Fields.wrongType("bluesky event", "time_us", t,
                        "a non-negative integer (microseconds since the epoch)");
            }
            long us = t.longValue();
            return Fields.plausible(Instant.ofEpochSecond(us / 1_000_000, (us % 1_000_000) * 1_000),
                    "bluesky event time_us");
        }
        String createdAt = Fields.optText(record, "createdAt", what + " record");
        if (createdAt == null) {
            throw new Malformed(what + " has no record.createdAt nor time_us");
        }
        return Fields.parseInstant(createdAt, what + " record.createdAt");
    }

    private static NormalizeResult post(String did, String rkey, String uri, JsonNode record, Instant time,
            String what) {
        JsonNode textNode = record.get("text");
        if (Fields.absent(textNode)) {
            throw new Malformed(what + " has no record.text");
        }
        if (!textNode.isTextual()) {
            throw Fields.wrongType(what, "record.text", textNode, "a string");
        }
        String replyTo = null;
        JsonNode reply = Fields.optObject(record, "reply", what + " record");
        if (reply != null) {
            JsonNode parent = Fields.object(reply, "parent", what + " record.reply");
            replyTo = Fields.text(parent, "uri", what + " record.reply.parent");
            if (!POST.equals(collectionOf(replyTo))) {
                throw new Malformed(what + " record.reply.parent.uri '" + Fields.abbreviate(replyTo)
                        + "' is not the AT URI of a post");
            }
        }
        String quoteOf = quotedPost(record.get("embed"));
        List<CanonicalEvent> events = new ArrayList<>(3);
        events.add(CanonicalEvent.of(new Post(
                Platform.BLUESKY,
                uri,
                "https://bsky.app/profile/" + did + "/post/" + rkey,
                did,
                null,
                null,
                null,
                PlainText.cap(textNode.textValue()),
                firstLang(record.get("langs")),
                time,
                replyTo,
                quoteOf,
                hashtags(record),
                Metrics.NONE)));
        if (replyTo != null) {
            events.add(CanonicalEvent.of(new Engagement(Platform.BLUESKY, Engagement.Type.REPLY, uri, replyTo, did,
                    time, 1)));
        }
        if (quoteOf != null) {
            events.add(CanonicalEvent.of(new Engagement(Platform.BLUESKY, Engagement.Type.QUOTE, uri, quoteOf, did,
                    time, 1)));
        }
        return NormalizeResult.events(events);
    }

    /** The at:// URI of the quoted post, or null if the embed quotes nothing or something else. */
    private static String quotedPost(JsonNode embed) {
        if (embed == null || !embed.isObject()) {
            return null;
        }
        String type = Fields.looseText(embed, "$type");
        JsonNode ref;
        if (EMBED_RECORD.equals(type)) {
            ref = embed.get("record");
        } else if (EMBED_RECORD_WITH_MEDIA.equals(type)) {
            JsonNode inner = embed.get("record");
            ref = inner != null && inner.isObject() ? inner.get("record") : null;
        } else {
            return null;
        }
        String quoted = ref != null && ref.isObject() ? Fields.looseText(ref, "uri") : null;
        return quoted != null && POST.equals(collectionOf(quoted)) ? quoted : null;
    }

    /** AT Protocol DID syntax: did:method:id, method lower-case letters, id of A-Z a-z 0-9 . _ : % -. */
    static boolean isDid(String d) {
        if (d.length() > 2048 || !d.startsWith("did:")) {
            return false;
        }
        int colon = d.indexOf(':', 4);
        if (colon <= 4 || colon == d.length() - 1 || d.endsWith(":") || d.endsWith("%")) {
            return false;
        }
        for (int i = 4; i < colon; i++) {
            char c = d.charAt(i);
            if (c < 'a' || c > 'z') {
                return false;
            }
        }
        for (int i = colon + 1; i < d.length(); i++) {
            char c = d.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == ':' || c == '%' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** AT Protocol record key syntax: 1-512 of A-Z a-z 0-9 . - _ : ~, and not "." or "..". */
    static boolean isRecordKey(String k) {
        if (k.length() > 512 || k.equals(".") || k.equals("..")) {
            return false;
        }
        for (int i = 0; i < k.length(); i++) {
            char c = k.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '-' || c == '_' || c == ':' || c == '~';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** The collection (NSID) of an at://authority/collection/rkey URI, or null if it is not one. */
    static String collectionOf(String atUri) {
        if (!atUri.startsWith("at://")) {
            return null;
        }
        int a = atUri.indexOf('/', 5);
        if (a < 0) {
            return null;
        }
        int b = atUri.indexOf('/', a + 1);
        return b < 0 ? null : atUri.substring(a + 1, b);
    }

    private static String firstLang(JsonNode langs) {
        if (langs != null && langs.isArray() && !langs.isEmpty() && langs.get(0).isTextual()) {
            String l = langs.get(0).textValue();
            return l.isEmpty() ? null : PlainText.clean(l);
        }
        return null;
    }

    /** Facet tags then record.tags, lower-cased, without '#', each once, in order of appearance. */
    private static String[] hashtags(JsonNode record) {
        Set<String> tags = new LinkedHashSet<>();
        JsonNode facets = record.get("facets");
        if (facets != null && facets.isArray()) {
            for (JsonNode facet : facets) {
                JsonNode features = facet.get("features");
                if (features == null || !features.isArray()) {
                    continue;
                }
                for (JsonNode f : features) {
                    if (TAG_FACET.equals(Fields.looseText(f, "$type"))) {
                        PlainText.addHashtag(tags, Fields.looseText(f, "tag"));
                    }
                }
            }
        }
        JsonNode extra = record.get("tags");
        if (extra != null && extra.isArray()) {
            for (JsonNode t : extra) {
                PlainText.addHashtag(tags, t.isTextual() ? t.textValue() : null);
            }
        }
        return tags.toArray(new String[0]);
    }
}

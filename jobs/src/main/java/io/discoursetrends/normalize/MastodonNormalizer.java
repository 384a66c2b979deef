package io.discoursetrends.normalize;

import com.fasterxml.jackson.databind.JsonNode;
import io.discoursetrends.model.CanonicalEvent;
import io.discoursetrends.model.Engagement;
import io.discoursetrends.model.Metrics;
import io.discoursetrends.model.Platform;
import io.discoursetrends.model.Post;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Mastodon statuses: a REST Status entity, or a streaming message {@code {"event":"update"|"status.update",
 * "payload":"<Status JSON as a string>"}}. Other streaming events (delete, notification, ...) are ignored.
 *
 * <p>A status is a post with the counters the serving instance reports (federated counts are partial).
 * A boost ({@code reblog} set) is a repost engagement on the wrapped status, not a post. Replies give only
 * the post: engagement on Mastodon comes from counter changes. Followers-only and direct statuses
 * ({@code visibility} private, direct, limited) are ignored: they are not public discourse, and an index
 * that anyone on the team can search is no place for them.
 *
 * <p>Ids are ActivityPub URIs ({@code uri}), the same for a status on every instance. A reply names its
 * parent only by the serving instance's local {@code in_reply_to_id}; the parent's URI can be derived only
 * when it is the same author's status on the same server (a thread), so other replies have no
 * {@code reply_to}.
 */
public final class MastodonNormalizer extends JsonNormalizer {

    @Override
    NormalizeResult normalizeObject(JsonNode root) {
        JsonNode event = root.get("event");
        if (event != null && !root.has("uri")) {
            return streaming(root, event);
        }
        return status(root, "mastodon status");
    }

    private NormalizeResult streaming(JsonNode root, JsonNode event) {
        if (!event.isTextual()) {
            throw Fields.wrongType("mastodon streaming message", "event", event, "a string");
        }
        String name = event.textValue();
        if (!"update".equals(name) && !"status.update".equals(name)) {
            return NormalizeResult.ignored("mastodon streaming " + Fields.abbreviate(name)
                    + " event carries no status");
        }
        String what = "mastodon streaming " + name + " event";
        JsonNode payload = root.get("payload");
        if (Fields.absent(payload)) {
            throw new Malformed(what + " has no payload");
        }
        JsonNode status;
        if (payload.isTextual()) {
            try {
                status = parse(payload.textValue());
            } catch (Malformed m) {
                throw new Malformed(what + " payload: " + m.getMessage());
            }
        } else {
            status = payload;
        }
        if (status == null || !status.isObject()) {
            throw Fields.wrongType(what, "payload", status, "a status object (or its JSON as a string)");
        }
        return status(status, "mastodon status");
    }

    private static NormalizeResult status(JsonNode s, String what) {
        String uri = httpUrl(Fields.text(s, "uri", what), what + " uri");
        what = what + " " + Fields.abbreviate(uri);
        String visibility = Fields.optText(s, "visibility", what);
        if ("private".equals(visibility) || "direct".equals(visibility) || "limited".equals(visibility)) {
            return NormalizeResult.ignored("mastodon status visibility is " + visibility + ", not public");
        }
        Instant createdAt = Fields.instant(s, "created_at", what);
        JsonNode account = Fields.object(s, "account", what);
        String authorId = accountUrl(account, what + " account");

        JsonNode reblog = Fields.optObject(s, "reblog", what);
        if (reblog != null) {
            String subject = httpUrl(Fields.text(reblog, "uri", what + " reblog"), what + " reblog uri");
            return NormalizeResult.events(List.of(CanonicalEvent.of(new Engagement(
                    Platform.MASTODON, Engagement.Type.REPOST, uri, subject, authorId, createdAt, 1))));
        }

        String url = Fields.optText(s, "url", what);
        if (url != null && !Fields.isHttpUrl(url)) {
            url = null; // a display link we cannot use; the uri is a link too
        }
        String community = instanceDomain(account, authorId);
        return NormalizeResult.events(List.of(CanonicalEvent.of(new Post(
                Platform.MASTODON,
                uri,
                url == null || url.isEmpty() ? uri : url,
                authorId,
                handle(account, community),
                Fields.looseBoolean(account, "bot"),
                community,
                text(s, what),
                Fields.looseText(s, "language"),
                createdAt,
                parentUri(s, account, uri, what),
                quotedUri(s),
                hashtags(s),
                new Metrics(
                        Fields.optCounter(s, "favourites_count", what),
                        Fields.optCounter(s, "reblogs_count", what),
                        Fields.optCounter(s, "replies_count", what),
                        Fields.optCounter(s, "quotes_count", what),
                        null)))));
    }

    private static String accountUrl(JsonNode account, String what) {
        String url = Fields.optText(account, "url", what);
        if (url == null || url.isEmpty()) {
            url = Fields.optText(account, "uri", what);
        }
        if (url == null || url.isEmpty()) {
            throw new Malformed(what + " has no url nor uri");
        }
        return httpUrl(url, what + " url");
    }

    /** Ids and links must be absolute http(s) URLs: they are joined on and shown as links. */
    private static String httpUrl(String s, String what) {
        if (!Fields.isHttpUrl(s)) {
            throw new Malformed(what + " '" + Fields.abbreviate(s) + "' is not an http(s) URL");
        }
        return s;
    }

    /** The author's instance: the domain of a remote acct ("user@domain"), else the host of the account URL. */
    private static String instanceDomain(JsonNode account, String accountUrl) {
        String acct = Fields.looseText(account, "acct");
        if (acct != null) {
            int at = acct.lastIndexOf('@');
            if (at >= 0 && at < acct.length() - 1) {
                return acct.substring(at + 1).toLowerCase(Locale.ROOT);
            }
        }
        return host(accountUrl);
    }

    private static String host(String url) {
        try {
            String h = new URI(url).getHost();
            return h == null ? null : h.toLowerCase(Locale.ROOT);
        } catch (URISyntaxException e) {
            return null;
        }
    }

    /** "user@domain", the form people type to mention someone anywhere in the fediverse. */
    private static String handle(JsonNode account, String domain) {
        String acct = Fields.looseText(account, "acct");
        if (acct != null && acct.indexOf('@') > 0) {
            return acct;
        }
        String user = acct != null ? acct : Fields.looseText(account, "username");
        if (user == null) {
            return null;
        }
        return domain == null ? user : user + "@" + domain;
    }

    /** The content warning (it often names the topic) then the content, as plain text. */
    private static String text(JsonNode s, String what) {
        String content = Fields.optText(s, "content", what);
        String spoiler = Fields.looseText(s, "spoiler_text");
        String body = PlainText.fromHtml(content == null ? "" : content);
        if (spoiler == null || spoiler.isBlank()) {
            return body;
        }
        return PlainText.cap(body.isEmpty() ? spoiler : spoiler + "\n\n" + body);
    }

    /**
     * The parent's URI when it can be known: the status replies to its own author, and its URI ends in its
     * local id (a status of the serving instance), so the parent's URI is the same with the parent's id.
     */
    private static String parentUri(JsonNode s, JsonNode account, String uri, String what) {
        String parentId = idString(s, "in_reply_to_id", what);
        if (parentId == null) {
            return null;
        }
        String id = idString(s, "id", what);
        String parentAccount = idString(s, "in_reply_to_account_id", what);
        String accountId = idString(account, "id", what + " account");
        if (id == null || accountId == null || !accountId.equals(parentAccount) || !uri.endsWith("/" + id)) {
            return null;
        }
        return uri.substring(0, uri.length() - id.length()) + parentId;
    }

    /** Mastodon ids are strings; some servers and bridges write numbers. */
    private static String idString(JsonNode obj, String field, String what) {
        JsonNode n = obj.get(field);
        if (Fields.absent(n)) {
            return null;
        }
        if (n.isTextual()) {
            return n.textValue().isEmpty() ? null : n.textValue();
        }
        if (n.isIntegralNumber()) {
            return n.asText();
        }
        throw Fields.wrongType(what, field, n, "a string id");
    }

    /** Mastodon 4.5 quotes: {@code quote.quoted_status} is the quoted Status when it may be shown. */
    private static String quotedUri(JsonNode s) {
        JsonNode quote = s.get("quote");
        if (quote == null || !quote.isObject()) {
            return null;
        }
        JsonNode quoted = quote.get("quoted_status");
        String uri = quoted != null && quoted.isObject() ? Fields.looseText(quoted, "uri") : null;
        return Fields.isHttpUrl(uri) ? uri : null;
    }

    private static String[] hashtags(JsonNode s) {
        JsonNode tags = s.get("tags");
        if (tags == null || !tags.isArray()) {
            return new String[0];
        }
        Set<String> out = new LinkedHashSet<>();
        for (JsonNode t : tags) {
            PlainText.addHashtag(out, t.isObject() ? Fields.looseText(t, "name") : null);
        }
        return out.toArray(new String[0]);
    }
}

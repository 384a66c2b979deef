package io.discoursetrends.normalize;

import com.fasterxml.jackson.databind.JsonNode;
import io.discoursetrends.model.CanonicalEvent;
import io.discoursetrends.model.Metrics;
import io.discoursetrends.model.Platform;
import io.discoursetrends.model.Post;
import java.time.Instant;
import java.util.List;

/**
 * Reddit things as they appear among a Listing's children: {@code {"kind":"t3"|"t1","data":{...}}}.
 * Submissions (t3) and comments (t1) are posts; "more" stubs, Listings and every other kind are ignored.
 *
 * <p>Reddit has no vote events: a thing carries its (fuzzed) score and, for a submission, its comment count,
 * and engagement comes from re-polling the same fullname. A comment's {@code num_comments} (present in
 * user-overview listings) counts its submission's comments, not the comment's, so it is not used; a hidden
 * score ({@code score_hidden}) is a placeholder and is left out.
 *
 * <p>Text is markdown as Reddit stores it (responses fetched with raw_json=1, as PRAW does, carry no HTML
 * escapes): a submission's title, a blank line and its selftext; a comment's body.
 */
public final class RedditNormalizer extends JsonNormalizer {

    private static final String WEB = "https://www.reddit.com";

    /** The kinds of thing Reddit's API returns besides t1 and t3: ignored, since they are not posts. */
    private static final java.util.Set<String> OTHER_KINDS = java.util.Set.of("t2", "t4", "t5", "t6", "Listing",
            "more", "LabeledMulti", "LabeledMultiDescription", "KarmaList", "TrophyList", "UserList", "wikipage",
            "wikipagelisting", "modaction", "LiveUpdate", "LiveUpdateEvent", "subreddit_settings", "stylesheet");

    @Override
    NormalizeResult normalizeObject(JsonNode thing) {
        String kind = Fields.text(thing, "kind", "reddit thing");
        if (!"t3".equals(kind) && !"t1".equals(kind)) {
            if (!OTHER_KINDS.contains(kind)) {
                // Not something Reddit sends: another platform's record on this topic, or garbage. Ignoring it
                // would hide a wiring mistake among the "more" stubs and Listings.
                throw new Malformed("not a reddit thing: kind '" + Fields.abbreviate(kind) + "' is none of Reddit's"
                        + " (t1..t6, Listing, more, ...)"
                        + (thing.has("did") ? "; this looks like a Bluesky event" : ""));
            }
            return NormalizeResult.ignored("reddit " + Fields.abbreviate(kind)
                    + " is not a submission (t3) or comment (t1)");
        }
        boolean submission = "t3".equals(kind);
        JsonNode data = Fields.object(thing, "data", "reddit " + kind);
        String name = Fields.text(data, "name", "reddit " + kind);
        if (!isFullname(name, kind)) {
            throw new Malformed("reddit " + kind + " name '" + Fields.abbreviate(name) + "' is not a " + kind
                    + "_ fullname");
        }
        String what = "reddit " + kind + " " + name;
        Instant created = Fields.epochSeconds(data, "created_utc", what);
        String author = Fields.text(data, "author", what);
        String authorFullname = Fields.looseText(data, "author_fullname");
        String subreddit = Fields.optText(data, "subreddit", what);
        if (subreddit != null && subreddit.isEmpty()) {
            subreddit = null;
        }
        String permalink = Fields.optText(data, "permalink", what);
        if (permalink != null && !(permalink.startsWith("/") && Fields.isHttpUrl(WEB + permalink))) {
            permalink = null; // a link we cannot use: the fallback below is built from ids and always works
        }
        boolean scoreHidden = Boolean.TRUE.equals(Fields.looseBoolean(data, "score_hidden"));
        Long score = scoreHidden ? null : Fields.optInteger(data, "score", what);

        String text;
        String replyTo;
        String quoteOf;
        Long replies;
        String url;
        if (submission) {
            String title = Fields.optText(data, "title", what);
            if (title == null) {
                throw new Malformed(what + " has no title");
            }
            String selftext = Fields.optText(data, "selftext", what);
            text = selftext == null || selftext.isBlank() ? title : title + "\n\n" + selftext;
            replyTo = null;
            quoteOf = crosspostParent(data);
            replies = Fields.optCounter(data, "num_comments", what);
            url = permalink != null ? WEB + permalink : WEB + "/comments/" + name.substring(3) + "/";
        } else {
            String body = Fields.optText(data, "body", what);
            if (body == null) {
                throw new Malformed(what + " has no body");
            }
            text = body;
            replyTo = Fields.text(data, "parent_id", what);
            if (!isFullname(replyTo, "t1") && !isFullname(replyTo, "t3")) {
                throw new Malformed(what + " parent_id '" + Fields.abbreviate(replyTo) + "' is not a t1_ or t3_ fullname");
            }
            quoteOf = null;
            replies = null;
            url = permalink != null ? WEB + permalink : commentUrl(data, name, subreddit, what);
        }
        return NormalizeResult.events(List.of(CanonicalEvent.of(new Post(
                Platform.REDDIT,
                name,
                url,
                authorFullname != null ? authorFullname : author,
                author,
                null,
                subreddit,
                PlainText.cap(text.strip()),
                null,
                created,
                replyTo,
                quoteOf,
                new String[0],
                new Metrics(null, null, replies, null, score)))));
    }

    private static String crosspostParent(JsonNode data) {
        String parent = Fields.looseText(data, "crosspost_parent");
        return parent != null && isFullname(parent, "t3") ? parent : null;
    }

    /** kind + "_" + a base-36 id, as Reddit writes them (lower case). */
    static boolean isFullname(String s, String kind) {
        if (s.length() < 4 || s.length() > 32 || !s.startsWith(kind) || s.charAt(2) != '_') {
            return false;
        }
        for (int i = 3; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'))) {
                return false;
            }
        }
        return true;
    }

    /** Comments fetched before 2017 carry no permalink; Reddit resolves this form (the slug is free text). */
    private static String commentUrl(JsonNode data, String name, String subreddit, String what) {
        String link = Fields.text(data, "link_id", what);
        if (!isFullname(link, "t3")) {
            throw new Malformed(what + " link_id '" + Fields.abbreviate(link) + "' is not a t3_ fullname");
        }
        String linkId = link.substring(3);
        String prefix = subreddit != null && subreddit.chars().allMatch(c -> Character.isLetterOrDigit(c) && c < 128 || c == '_')
                ? WEB + "/r/" + subreddit : WEB;
        return prefix + "/comments/" + linkId + "/_/" + name.substring(3) + "/";
    }
}

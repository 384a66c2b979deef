package io.discoursetrends.normalize;

import com.fasterxml.jackson.databind.JsonNode;
import io.discoursetrends.model.CanonicalEvent;
import io.discoursetrends.model.Metrics;
import io.discoursetrends.model.Platform;
import io.discoursetrends.model.Post;
import java.time.Instant;
import java.util.List;

/**
 * Hacker News items (/v0/item/&lt;id&gt;.json). Stories, Ask HN ("ask"), polls, jobs and comments are posts;
 * deleted and dead items are ignored, and so are poll options ({@code pollopt}): an option is one answer
 * of a poll, its score is that answer's votes, and counting it as a post would count the poll several
 * times. A user profile or an /v0/updates list on the topic is ignored too (it holds no item).
 *
 * <p>Counters are those the API gives: {@code score} and {@code descendants} (total comments) as replies.
 * Comments expose neither. Text is the title and/or the HTML text reduced to plain text.
 */
public final class HackerNewsNormalizer extends JsonNormalizer {

    @Override
    NormalizeResult normalizeObject(JsonNode item) {
        if (Fields.absent(item.get("type"))) {
            if (item.has("karma") && item.has("created")) {
                return NormalizeResult.ignored("hackernews user profile, not an item");
            }
            if (item.has("items") && item.has("profiles")) {
                return NormalizeResult.ignored("hackernews updates list (item ids, not items)");
            }
        }
        long id = Fields.integer(item, "id", "hackernews item");
        String what = "hackernews item " + id;
        if (Boolean.TRUE.equals(Fields.looseBoolean(item, "deleted"))) {
            return NormalizeResult.ignored(what + " is deleted");
        }
        if (Boolean.TRUE.equals(Fields.looseBoolean(item, "dead"))) {
            return NormalizeResult.ignored(what + " is dead (flagged or killed)");
        }
        String type = Fields.text(item, "type", what);
        switch (type) {
            case "story", "ask", "poll", "job", "comment" -> {
                return NormalizeResult.events(List.of(CanonicalEvent.of(post(item, id, type, what + " (" + type + ")"))));
            }
            case "pollopt" -> {
                return NormalizeResult.ignored(what + " is a poll option; its votes belong to its poll");
            }
            default -> {
                return NormalizeResult.ignored(what + " has type '" + Fields.abbreviate(type) + "', not a post type");
            }
        }
    }

    private static Post post(JsonNode item, long id, String type, String what) {
        String by = Fields.text(item, "by", what);
        Instant created = Fields.epochSeconds(item, "time", what);
        String title = Fields.optText(item, "title", what);
        String html = Fields.optText(item, "text", what);
        String reduced = PlainText.fromHtml(html);
        String titleText = PlainText.fromHtml(title);
        String text;
        if (titleText == null || titleText.isEmpty()) {
            text = reduced == null ? "" : reduced;
        } else if (reduced == null || reduced.isEmpty()) {
            text = titleText;
        } else {
            text = PlainText.cap(titleText + "\n\n" + reduced);
        }
        String replyTo = null;
        if ("comment".equals(type)) {
            replyTo = "hn:" + Fields.integer(item, "parent", what);
        }
        return new Post(
                Platform.HACKERNEWS,
                "hn:" + id,
                "https://news.ycombinator.com/item?id=" + id,
                by,
                by,
                null,
                null,
                text,
                null,
                created,
                replyTo,
                null,
                new String[0],
                new Metrics(null, null, Fields.optCounter(item, "descendants", what), null,
                        Fields.optInteger(item, "score", what)));
    }
}

package io.discoursetrends.engagement;

/**
 * The web address of a post that follows from its platform and id, as the normalizers build it (Bluesky:
 * {@code https://bsky.app/profile/DID/post/RKEY} from {@code at://DID/app.bsky.feed.post/RKEY}; Hacker News:
 * {@code https://news.ycombinator.com/item?id=N} from {@code hn:N}). Attribution keeps such a url as
 * {@link #FROM_ID} instead of about 80 characters per tracked post, and derives it again where it is used; a url that
 * differs from the derived one (another platform, another form) is kept as it is.
 */
final class PostUrls {
    /** Stands for "the url derived from the post's platform and id"; no url is this string. */
    static final String FROM_ID = "\u0000";

    private static final String AT_POST = "/app.bsky.feed.post/";

    private PostUrls() {}

    /** The url that {@code platform} and {@code id} give, or null where they give none. */
    static String derived(String platform, String id) {
        if (id == null) {
            return null;
        }
        if ("bluesky".equals(platform) && id.startsWith("at://")) {
            int post = id.indexOf(AT_POST);
            if (post > 5 && id.indexOf('/', post + AT_POST.length()) < 0) {
                return "https://bsky.app/profile/" + id.substring(5, post) + "/post/"
                        + id.substring(post + AT_POST.length());
            }
        } else if ("hackernews".equals(platform) && id.startsWith("hn:")) {
            return "https://news.ycombinator.com/item?id=" + id.substring(3);
        }
        return null;
    }

    /** What to keep of {@code url}: {@link #FROM_ID} where it is the derived one, else the url itself. */
    static String kept(String platform, String id, String url) {
        return url != null && url.equals(derived(platform, id)) ? FROM_ID : url;
    }

    /** The url a kept one stands for. */
    static String resolved(String kept, String platform, String id) {
        return FROM_ID.equals(kept) ? derived(platform, id) : kept;
    }
}

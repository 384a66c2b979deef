package io.discoursetrends.normalize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class PlainTextTest {

    @Test
    void paragraphsBecomeBlankLinesAndBreaksNewlines() {
        assertThat(PlainText.fromHtml("<p>first</p><p>second</p>")).isEqualTo("first\n\nsecond");
        assertThat(PlainText.fromHtml("a<br>b<br/><br />c")).isEqualTo("a\nb\n\nc");
        assertThat(PlainText.fromHtml("intro<p>para one<p>para two")).isEqualTo("intro\n\npara one\n\npara two");
        assertThat(PlainText.fromHtml("<ul><li>one</li><li>two</li></ul>after")).isEqualTo("one\ntwo\nafter");
    }

    @Test
    void tagsAreDroppedAndLinkTextKept() {
        assertThat(PlainText.fromHtml("<p><a href=\"https://x.example/@a\" class=\"u-url mention\">@<span>a</span></a>"
                + " see <a href=\"https://halcy.de/\"><span class=\"invisible\">https://</span><span class=\"\">halcy.de/"
                + "</span><span class=\"invisible\"></span></a></p>"))
                .isEqualTo("@a see https://halcy.de/");
    }

    @Test
    void characterReferencesAreDecoded() {
        assertThat(PlainText.fromHtml("a &amp; b &lt;c&gt; &quot;d&quot; it&#39;s it&#x27;s&nbsp;x &hellip;"))
                .isEqualTo("a & b <c> \"d\" it's it's x \u2026");
        assertThat(PlainText.fromHtml("&#128512;")).isEqualTo("\uD83D\uDE00");
        assertThat(PlainText.fromHtml("&#0; &#xD800; &#x110000;")).isEqualTo("\uFFFD \uFFFD \uFFFD");
    }

    @Test
    void unknownOrUnterminatedReferencesAndStrayBracketsStayText() {
        assertThat(PlainText.fromHtml("AT&T &bogus; & x &#12a;")).isEqualTo("AT&T &bogus; & x &#12a;");
        assertThat(PlainText.fromHtml("1 < 2 and 3 <4")).isEqualTo("1 < 2 and 3 <4");
        assertThat(PlainText.fromHtml("<<<")).isEqualTo("<<<");
    }

    @Test
    void textIsCappedWithoutSplittingASurrogatePair() {
        assertThat(PlainText.cap("x".repeat(20_000))).hasSize(PlainText.MAX_CHARS);
        String s = "x".repeat(PlainText.MAX_CHARS - 1) + "\uD83D\uDE00tail";
        assertThat(PlainText.cap(s)).isEqualTo("x".repeat(PlainText.MAX_CHARS - 1));
        assertThat(PlainText.fromHtml("<p>" + "y".repeat(30_000) + "</p>")).hasSize(PlainText.MAX_CHARS);
    }

    @Test
    void unpairedSurrogatesAreReplaced() {
        assertThat(PlainText.clean("a\uD800b\uDC00c\uD83D\uDE00")).isEqualTo("a\uFFFDb\uFFFDc\uD83D\uDE00");
        String ok = "plain";
        assertThat(PlainText.clean(ok)).isSameAs(ok);
    }

    @Test
    void hostileMarkupTakesLinearTime() {
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            // Each of these makes a naive regex or a rescanning parser quadratic.
            PlainText.fromHtml("<".repeat(1_000_000));
            PlainText.fromHtml("&".repeat(1_000_000));
            PlainText.fromHtml("<a ".repeat(300_000) + ">");
            PlainText.fromHtml("&#1234567".repeat(100_000));
            PlainText.fromHtml("<br>".repeat(250_000) + "x");
        });
        assertThat(PlainText.fromHtml("<br>".repeat(1_000) + "x")).isEqualTo("x");
    }
}

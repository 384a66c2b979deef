package io.discoursetrends.normalize;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URISyntaxException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@link Fields#isHttpUrl}'s fast path for plain URLs says yes only where java.net.URI finds a host: over
 * strings built from the characters that matter to URI's grammar, its answer is always java.net.URI's.
 */
class HttpUrlPropertyTest {

    @Property(tries = 20_000)
    void shouldAnswerAsJavaNetUriDoes(@ForAll("urlLike") String s) {
        assertThat(Fields.isHttpUrl(s)).as("%s", s).isEqualTo(byUri(s));
    }

    @Property(tries = 2_000)
    void shouldTakeTheFastPathForUsualUrls(@ForAll("usual") String s) {
        assertThat(Fields.isPlainHttpUrl(s, s.indexOf("//") + 2)).as("%s", s).isTrue();
        assertThat(byUri(s)).as("%s", s).isTrue();
    }

    @Example
    void shouldLeaveUnusualUrlsToJavaNetUri() {
        for (String s : new String[] {"https://127.0.0.1/x", "https://user@host.example/", "https://host.example:8443/",
                "https://[::1]/", "https://host_name.example/", "https://host.example./", "https://-a.example/",
                "https://a-.example/", "https://a..example/", "https:///path", "https://host.example/a b",
                "https://host.example/%zz", "https://host.example/é", "https://host.example/#a#b"}) {
            int authority = s.indexOf("//") + 2;
            assertThat(Fields.isPlainHttpUrl(s, authority)).as("%s", s).isFalse();
            assertThat(Fields.isHttpUrl(s)).as("%s", s).isEqualTo(byUri(s));
        }
    }

    /** The check as it was before the fast path. */
    private static boolean byUri(String s) {
        if (!(s.startsWith("https://") || s.startsWith("http://"))) {
            return false;
        }
        try {
            URI u = new URI(s);
            return u.getHost() != null && !u.getHost().isEmpty();
        } catch (URISyntaxException e) {
            return false;
        }
    }

    @Provide
    Arbitrary<String> urlLike() {
        Arbitrary<String> prefix = Arbitraries.of("https://", "http://", "https:/", "ftp://", "HTTPS://", "");
        Arbitrary<String> host = Arbitraries.oneOf(hosts(), Arbitraries.strings().withChars("ab0-._:@[]%é")
                .ofMaxLength(12));
        Arbitrary<String> rest = Arbitraries.strings()
                .withChars("aZ09-._~!*'();:@&=+$,/?#%[]|\\^`{}<> \"é０")
                .withChars("abcfAF")
                .ofMaxLength(30);
        return Combinators.combine(prefix, host, rest).as((p, h, r) -> p + h + r);
    }

    /** Host names, mostly valid, some with a label that starts or ends with a hyphen, or is all digits. */
    private static Arbitrary<String> hosts() {
        Arbitrary<String> label = Arbitraries.strings().withCharRange('a', 'c').withChars("09-").ofMinLength(1)
                .ofMaxLength(6);
        return label.list().ofMinSize(1).ofMaxSize(3).map(labels -> String.join(".", labels));
    }

    @Provide
    Arbitrary<String> usual() {
        Arbitrary<String> label = Arbitraries.strings().withCharRange('a', 'z').withCharRange('0', '9')
                .ofMinLength(1).ofMaxLength(12).map(l -> "x" + l);
        Arbitrary<String> path = Arbitraries.strings().withCharRange('a', 'z').withChars("/-_.~?=&+")
                .ofMaxLength(40).map(p -> p.replace('+', ' ').replace(" ", "%20"));
        return Combinators.combine(Arbitraries.of("https://", "http://"), label.list().ofMinSize(1)
                .ofMaxSize(4), path).as((scheme, labels, p) -> scheme + String.join(".", labels) + "/" + p);
    }
}

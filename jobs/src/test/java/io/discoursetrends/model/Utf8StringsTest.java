package io.discoursetrends.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.StringLength;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/** The serializers' string codec writes exactly the JDK's UTF-8 and reads back what the JDK would. */
class Utf8StringsTest {

    @Property(tries = 500)
    void shouldWriteTheJdksUtf8BytesForAnyString(@ForAll @StringLength(max = 300) String s) throws IOException {
        assertSameAsJdk(s);
    }

    @Property(tries = 300)
    void shouldWriteTheJdksUtf8BytesForSurrogatesPairedOrNot(
            @ForAll @CharRange(from = '\uD7F0', to = '\uE010') @StringLength(max = 40) String s) throws IOException {
        assertSameAsJdk(s); // unpaired surrogates become '?', as String.getBytes does
    }

    private static void assertSameAsJdk(String s) throws IOException {
        Utf8Strings strings = new Utf8Strings();
        DataOutputSerializer out = new DataOutputSerializer(16);
        strings.write(out, s);
        strings.write(out, null);
        byte[] jdk = s.getBytes(StandardCharsets.UTF_8);
        DataInputDeserializer in = new DataInputDeserializer(out.getSharedBuffer(), 0, out.length());
        assertThat(Utf8Strings.readVarInt(in)).isEqualTo(jdk.length + 1);
        byte[] written = new byte[jdk.length];
        in.readFully(written);
        assertThat(Arrays.equals(written, jdk)).as("bytes of %s", s).isTrue();

        in = new DataInputDeserializer(out.getSharedBuffer(), 0, out.length());
        assertThat(strings.read(in)).isEqualTo(new String(jdk, StandardCharsets.UTF_8));
        assertThat(strings.read(in)).isNull();
        assertThat(in.available()).isZero();
    }
}

package io.discoursetrends.engagement;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** The post state's text code reads back every string exactly, and shortens English. */
class TextCodeTest {

    @Test
    void shouldReadBackEveryStringExactly() throws Exception {
        SplittableRandom r = new SplittableRandom(7);
        String[] samples = {null, "", "a", "\u0000", "Llama 4 Scout on a single RTX 3090: honestly impressive",
            "日本語のポスト 😀 with emoji", "https://www.reddit.com/r/LocalLLaMA/comments/1abcde/qwen3_235b/",
            "x".repeat(5_000), "\uD83D\uDE00".repeat(300)};
        for (String s : samples) {
            assertThat(roundTrip(s)).isEqualTo(s);
        }
        for (int i = 0; i < 2_000; i++) {
            StringBuilder b = new StringBuilder();
            int n = r.nextInt(300);
            for (int k = 0; k < n; k++) {
                // mostly ASCII, some Latin-1, some of the rest of the BMP (no lone surrogates)
                int kind = r.nextInt(10);
                char c = kind < 7 ? (char) (32 + r.nextInt(95)) : kind < 9 ? (char) (160 + r.nextInt(96))
                        : (char) (0x3040 + r.nextInt(0x5000));
                b.append(c);
            }
            String s = b.toString();
            assertThat(roundTrip(s)).isEqualTo(s);
        }
    }

    @Test
    void shouldWriteEnglishShorterThanUtf8AndNothingLonger() throws Exception {
        String english = "The EU AI Act's rules for general-purpose models start to apply in August; the code of "
                + "practice is still being negotiated with the vendors.";
        int utf8 = english.getBytes(StandardCharsets.UTF_8).length;
        assertThat(size(english)).isLessThan(utf8 * 3 / 4).isEqualTo(TextCode.size(english));
        String cjk = "日本語のポストです。".repeat(5);
        int cjkBytes = cjk.getBytes(StandardCharsets.UTF_8).length;
        assertThat(size(cjk)).isLessThanOrEqualTo(cjkBytes + 2).isEqualTo(TextCode.size(cjk)); // kept as it is
    }

    private static String roundTrip(String s) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        TextCode.write(out, s);
        out.writeByte(0x5A); // what follows is read where it was written
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        String back = TextCode.read(in);
        assertThat(in.readByte()).isEqualTo((byte) 0x5A);
        return back;
    }

    private static int size(String s) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        TextCode.write(out, s);
        return out.length();
    }
}

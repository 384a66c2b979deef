package io.discoursetrends.normalize;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Utf8Test {

    @Test
    void acceptsEveryWellFormedSequenceLength() {
        assertThat(Utf8.firstInvalid("a é € 😀".getBytes(StandardCharsets.UTF_8))).isEqualTo(-1);
        assertThat(Utf8.firstInvalid(new byte[0])).isEqualTo(-1);
    }

    @Test
    void pointsAtTheFirstBadByte() {
        assertThat(Utf8.firstInvalid(bytes(0x61, 0xC0, 0x80))).as("overlong NUL").isEqualTo(1);
        assertThat(Utf8.firstInvalid(bytes(0x61, 0x62, 0xED, 0xA0, 0x80))).as("encoded surrogate").isEqualTo(2);
        assertThat(Utf8.firstInvalid(bytes(0xF4, 0x90, 0x80, 0x80))).as("above U+10FFFF").isEqualTo(0);
        assertThat(Utf8.firstInvalid(bytes(0x7B, 0xE2, 0x82))).as("cut short").isEqualTo(1);
        assertThat(Utf8.firstInvalid(bytes(0x80))).as("lone continuation").isEqualTo(0);
        assertThat(Utf8.firstInvalid(bytes(0xE0, 0x9F, 0xBF))).as("overlong 3-byte").isEqualTo(0);
        assertThat(Utf8.firstInvalid(bytes(0xC3, 0x28))).as("missing continuation").isEqualTo(0);
    }

    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }
}

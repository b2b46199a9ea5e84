package io.kiln.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import org.junit.jupiter.api.Test;

import com.google.common.hash.Hashing;

class ContentKeyTest {
    @Test
    void murmurIsTheReferenceMurmur3x64of128() {
        Random random = new Random(7);
        for (int length = 0; length < 100; length++) {
            byte[] data = new byte[length];
            random.nextBytes(data);
            long[] mine = Murmur3.hash128(data, 0);
            ByteBuffer guava = ByteBuffer.wrap(Hashing.murmur3_128(0).hashBytes(data).asBytes()).order(ByteOrder.LITTLE_ENDIAN);
            assertThat(mine).as("length %d", length).containsExactly(guava.getLong(), guava.getLong());
        }
    }

    @Test
    void keyIsMurmurOfTheNormalizedUtf8() {
        byte[] utf8 = "hello world".getBytes(StandardCharsets.UTF_8);
        ByteBuffer guava = ByteBuffer.wrap(Hashing.murmur3_128(0).hashBytes(utf8).asBytes()).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(ContentKey.of("  Hello\n\tWORLD ")).isEqualTo(new ContentKey(guava.getLong(), guava.getLong()));
    }

    @Test
    void sameKeyForCaseWidthSpacingAndInvisibleVariants() {
        ContentKey key = ContentKey.of("Straße fine café 42");
        assertThat(ContentKey.of("STRASSE  ﬁne   café\u00a0４２")).isEqualTo(key);
        assertThat(ContentKey.of("\ufeffstrasse fi\u200bne cafe\u0301 42\n")).isEqualTo(key);
    }

    @Test
    void differentKeyForDifferentText() {
        assertThat(ContentKey.of("version 1.2.3")).isNotEqualTo(ContentKey.of("version 1.2.4"));
        assertThat(ContentKey.of("a b")).isNotEqualTo(ContentKey.of("ab"));
        assertThat(ContentKey.of("hello, world")).isNotEqualTo(ContentKey.of("hello world"));
    }

    @Test
    void hexRoundTrips() {
        ContentKey key = ContentKey.of("round trip");
        assertThat(key.toHex()).hasSize(32).matches("[0-9a-f]{32}");
        assertThat(ContentKey.fromHex(key.toHex())).isEqualTo(key);
        assertThatThrownBy(() -> ContentKey.fromHex("abc")).hasMessageContaining("expected 32 hex digits");
    }

    @Test
    void asciiTextNormalizesLikeAnyOther() {
        Random random = new Random(11);
        for (int i = 0; i < 200; i++) {
            StringBuilder ascii = new StringBuilder();
            for (int c = 0; c < 40; c++) {
                ascii.append((char) random.nextInt(0x80));
            }
            // a trailing non-ASCII letter sends the text through the general path
            String general = TextNormalizer.normalize(ascii + "\u00e9");
            assertThat(TextNormalizer.normalize(ascii)).isEqualTo(general.substring(0, general.length() - 1).stripTrailing());
        }
    }

    @Test
    void normalizationFoldsCaseCompatibilityFormsAndWhiteSpace() {
        assertThat(TextNormalizer.normalize("  Ｆｕｌｌ\u2003WIDTH\r\n\r\nΣΟΦΟΣ  ")).isEqualTo("full width \u03c3\u03bf\u03c6\u03bf\u03c2");
        assertThat(TextNormalizer.normalize("soft\u00adhyphen zero\u200bwidth")).isEqualTo("softhyphen zerowidth");
        assertThat(TextNormalizer.normalize(" \n\t ")).isEmpty();
    }
}

package io.kiln.contamination;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import org.junit.jupiter.api.Test;

class NgramTextTest {
    @Test
    void offsetsMapBackToTheWordsAsWritten() {
        String text = "Hello, World! café\t東京タワー😀emoji — ＡＢＣ-123 Straße";

        assertThat(wordsAsWritten(text)).containsExactly("Hello", "World", "café", "東京タワー", "emoji", "ＡＢＣ", "123", "Straße");
    }

    @Test
    void emojiAndPunctuationSeparateWords() {
        assertThat(wordsAsWritten("one😀two🎉three...four")).containsExactly("one", "two", "three", "four");
        assertThat(wordsAsWritten("  ,;!? 😀 ")).isEmpty();
        assertThat(NgramText.words("").count()).isZero();
    }

    @Test
    void punctuationAndCaseDoNotChangeTheHashes() {
        assertThat(hashes("Hello, World!")).containsExactly(hashes("hello world"));
        assertThat(hashes("THE (quick) brown-fox")).containsExactly(hashes("the quick brown fox"));
    }

    @Test
    void compatibilityFormsFoldToTheirPlainLetters() {
        assertThat(hashes("ＡＢＣ")).containsExactly(hashes("abc"));
        assertThat(hashes("ｆｕｌｌ ｗｉｄｔｈ ４２")).containsExactly(hashes("full width 42"));
        assertThat(hashes("ﬁne")).containsExactly(hashes("fine"));
    }

    @Test
    void decomposedAccentsHashLikePrecomposedOnes() {
        assertThat(hashes("cafe\u0301 CAFÉ")).containsExactly(hashes("café café"));
        assertThat(wordsAsWritten("un cafe\u0301!")).containsExactly("un", "cafe\u0301");
        assertThat(hashes("cafe café")[0]).isNotEqualTo(hashes("café")[0]);
    }

    @Test
    void scriptsWithCombiningMarksKeepTheirWordsWhole() {
        assertThat(wordsAsWritten("नमस्ते दुनिया")).containsExactly("नमस्ते", "दुनिया");
    }

    @Test
    void lettersOutsideTheBasicPlaneKeepTheirOffsets() {
        NgramText.Words words = NgramText.words("x 𝐀𝐁 y");

        assertThat(words.count()).isEqualTo(3);
        assertThat(words.starts()[1]).isEqualTo(2);
        assertThat(words.ends()[1]).isEqualTo(6);
        assertThat(words.hashes()[1]).isEqualTo(hashes("ab")[0]);
    }

    @Test
    void wordHashesFollowTheDocumentedRule() {
        Random random = new Random(5);
        String[] alphabet = {"a", "Z", "7", "é", "É", "ß", "ж", "東", "Ａ", "𝐀", "ﬁ", "e\u0301", "ς", "Σ"};
        for (int i = 0; i < 2000; i++) {
            StringBuilder word = new StringBuilder();
            int length = 1 + random.nextInt(20);
            for (int c = 0; c < length; c++) {
                word.append(random.nextInt(3) == 0 ? alphabet[random.nextInt(alphabet.length)] : String.valueOf((char) ('a' + random.nextInt(26))));
            }
            NgramText.Words words = NgramText.words(" " + word + ".");
            assertThat(words.count()).as(word.toString()).isEqualTo(1);
            assertThat(words.hashes()[0]).as(word.toString()).isEqualTo(referenceWordHash(word.toString()));
        }
    }

    @Test
    void hashesNeverChange() {
        assertThat(hashes("hello")).containsExactly(0x9325d96cf977e4c9L);
        assertThat(hashes("Internationalization")).containsExactly(0xf051905246de2709L);
        assertThat(hashes("ünïcödé")).containsExactly(0xdd1207cada402519L);
        assertThat(hashes("東京タワー")).containsExactly(0xfc81db68f878bfa1L);
        assertThat(NgramText.ngramHash(hashes("The quick brown fox"), 0, 4)).isEqualTo(0xa67d4f8adcc1cfd6L);
        assertThat(NgramText.RULE).isEqualTo("ngram-normalize@1");
    }

    @Test
    void ngramHashDependsOnOrderAndOnEveryWord() {
        long[] words = hashes("alpha beta gamma delta");
        long[] swapped = hashes("beta alpha gamma delta");
        long[] changed = hashes("alpha beta gamma epsilon");

        assertThat(NgramText.ngramHash(words, 0, 4)).isNotEqualTo(NgramText.ngramHash(swapped, 0, 4));
        assertThat(NgramText.ngramHash(words, 0, 4)).isNotEqualTo(NgramText.ngramHash(changed, 0, 4));
        assertThat(NgramText.ngramHash(words, 1, 2)).isEqualTo(NgramText.ngramHash(hashes("beta gamma"), 0, 2));
    }

    @Test
    void rolledNgramHashesEqualThoseComputedOneByOne() {
        Random random = new Random(3);
        for (int n = 1; n <= 20; n++) {
            long[] wordHashes = random.longs(57).toArray();
            NgramText.Words words = new NgramText.Words(wordHashes, new int[57], new int[57], 50);
            long[] rolled = NgramText.ngramHashes(words, n);

            assertThat(rolled).hasSize(50 - n + 1);
            for (int i = 0; i < rolled.length; i++) {
                assertThat(rolled[i]).as("n %d at %d", n, i).isEqualTo(NgramText.ngramHash(wordHashes, i, n));
            }
        }
        assertThat(NgramText.ngramHashes(NgramText.words("too short"), 3)).isEmpty();
    }

    @Test
    void rejectsNgramsOutsideTheWords() {
        assertThatThrownBy(() -> NgramText.ngramHash(new long[5], 3, 3)).hasMessage("Cannot hash the 3-gram at 3 of 5 word hashes");
        assertThatThrownBy(() -> NgramText.ngramHash(new long[5], 0, 0)).hasMessage("Cannot hash the 0-gram at 0 of 5 word hashes");
        assertThatThrownBy(() -> NgramText.ngramHashes(NgramText.words("a b"), 0)).hasMessage("n must be at least 1, got 0");
        assertThatThrownBy(() -> new NgramText.Words(new long[2], new int[2], new int[1], 2))
                .hasMessage("count 2 is negative or exceeds the arrays (2 hashes, 2 starts, 1 ends)");
    }

    private static List<String> wordsAsWritten(String text) {
        NgramText.Words words = NgramText.words(text);
        List<String> written = new ArrayList<>();
        for (int i = 0; i < words.count(); i++) {
            written.add(text.substring(words.starts()[i], words.ends()[i]));
        }
        return written;
    }

    private static long[] hashes(String text) {
        NgramText.Words words = NgramText.words(text);
        return Arrays.copyOf(words.hashes(), words.count());
    }

    /** The word hash as the rule states it, from the UTF-8 bytes of the normalized word. */
    private static long referenceWordHash(String word) {
        byte[] bytes = Normalizer.normalize(word, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8);
        ByteBuffer padded = ByteBuffer.allocate((bytes.length + 7) / 8 * 8).order(ByteOrder.LITTLE_ENDIAN).put(bytes);
        padded.flip().limit(padded.capacity());
        long h = 0;
        while (padded.hasRemaining()) {
            long k = padded.getLong();
            k *= 0x87c37b91114253d5L;
            k = Long.rotateLeft(k, 31);
            k *= 0x4cf5ad432745937fL;
            h ^= k;
            h = Long.rotateLeft(h, 27);
            h = h * 5 + 0x52dce729;
        }
        h ^= bytes.length;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}

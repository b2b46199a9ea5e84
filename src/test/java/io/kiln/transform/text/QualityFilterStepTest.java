package io.kiln.transform.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.kiln.transform.InvalidStepParameterException;
import io.kiln.transform.Outcome;
import io.kiln.transform.Row;
import io.kiln.transform.Transform;

class QualityFilterStepTest {
    /** The preamble of the GNU GPL version 3 (/usr/share/common-licenses/GPL-3), one paragraph per line. */
    static final String PROSE = String.join("\n",
            "The GNU General Public License is a free, copyleft license for software and other kinds of works.",
            "The licenses for most software and other practical works are designed to take away your freedom to share and change "
                    + "the works. By contrast, the GNU General Public License is intended to guarantee your freedom to share and change all "
                    + "versions of a program--to make sure it remains free software for all its users. We, the Free Software Foundation, use "
                    + "the GNU General Public License for most of our software; it applies also to any other work released this way by its "
                    + "authors. You can apply it to your programs, too.",
            "When we speak of free software, we are referring to freedom, not price. Our General Public Licenses are designed to make "
                    + "sure that you have the freedom to distribute copies of free software (and charge for them if you wish), that you "
                    + "receive source code or can get it if you want it, that you can change the software or use pieces of it in new free "
                    + "programs, and that you know you can do these things.",
            "To protect your rights, we need to prevent others from denying you these rights or asking you to surrender the rights. "
                    + "Therefore, you have certain responsibilities if you distribute copies of the software, or if you modify it: "
                    + "responsibilities to respect the freedom of others.");

    private final Transform filter = new QualityFilterStep().bind(Map.of());

    private static Outcome.Drop dropped(Transform transform, String text) {
        Outcome outcome = transform.apply(Row.text("r", text));
        assertThat(outcome).isInstanceOf(Outcome.Drop.class);
        return (Outcome.Drop) outcome;
    }

    @Test
    void keepsOrdinaryProseUnchanged() {
        Row row = Row.text("gpl", PROSE);
        Outcome outcome = filter.apply(row);
        assertThat(outcome).isEqualTo(Outcome.emit(row));
    }

    @Test
    void dropsDocumentWithMostlyDuplicateLines() {
        StringBuilder text = new StringBuilder(PROSE);
        for (int i = 0; i < 6; i++) {
            text.append("\nBuy cheap watches online today, the best offer of the year!");
        }
        Outcome.Drop drop = dropped(filter, text.toString());
        assertThat(drop.by()).hasToString("quality-filter@1");
        assertThat(drop.reason()).isEqualTo("gopher-dup-line-fraction");
        assertThat(drop.detail()).isEqualTo("duplicate lines 0.5000 > max 0.3000 (maxDuplicateLineFraction)");
    }

    @Test
    void dropsDocumentWithDuplicateParagraphs() {
        String paragraph = "Kiln writes every row once.\nIt never changes a snapshot.";
        String text = String.join("\n\n", paragraph, paragraph, "Something else entirely.", paragraph);
        assertThat(dropped(filter, text).reason()).isEqualTo("gopher-dup-paragraph-fraction");
    }

    @Test
    void dropsDocumentDominatedByOneBigram() {
        StringBuilder spam = new StringBuilder(PROSE.replace("\n", " "));
        for (int i = 0; i < 80; i++) {
            spam.append(" item").append(i).append(" buy now");
        }
        String text = spam.toString();
        Outcome.Drop drop = dropped(new QualityFilterStep().bind(Map.of("c4", false)), text);
        assertThat(drop.reason()).isEqualTo("gopher-top-2-gram-fraction");
        assertThat(drop.detail()).startsWith("characters in the most frequent 2-gram 0.2").endsWith(" > max 0.2000 (maxTopNgramCharFraction.2)");
    }

    @Test
    void dropsDocumentWithRepeatedLongPassages() {
        String passage = "the quick brown fox jumps over the lazy dog near the river bank while birds sing";
        String text = PROSE.replace("\n", " ") + " " + passage + " one " + passage + " two " + passage + " three " + passage
                + " four " + passage + " five " + passage;
        assertThat(dropped(new QualityFilterStep().bind(Map.of("c4", false)), text).reason()).isEqualTo("gopher-dup-5-gram-fraction");
    }

    @Test
    void dropsShortDocumentWithMeasuredValueAndThreshold() {
        Outcome.Drop drop = dropped(filter, "Kiln turns raw data into immutable snapshots of the lake.");
        assertThat(drop.reason()).isEqualTo("gopher-word-count");
        assertThat(drop.detail()).isEqualTo("10 words < min 50 (minWords)");
    }

    @Test
    void dropsDocumentWithoutStopWords() {
        String text = "Apples, pears, plums, cherries, lemons, oranges, grapes, melons, peaches, apricots. "
                + "Carrots, onions, leeks, potatoes, turnips, radishes, beets, cabbages, lettuces, spinach. "
                + "Rivers, lakes, oceans, mountains, valleys, forests, deserts, islands, glaciers, volcanoes. "
                + "Violins, cellos, flutes, oboes, trumpets, horns, drums, harps, pianos, organs. "
                + "Sparrows, robins, eagles, falcons, herons, swans, geese, ducks, owls, crows.";
        Outcome.Drop drop = dropped(new QualityFilterStep().bind(Map.of("repetition", false)), text);
        assertThat(drop.reason()).isEqualTo("gopher-stop-words");
        assertThat(drop.detail()).isEqualTo("0 stop words < min 2 (minStopWords; stop words: and be have of that the to with)");
    }

    @Test
    void dropsHashtagSoup() {
        String text = PROSE.replace("\n", " ") + " #kiln #data #lake #iceberg #etl #ml #ai #gpu #trino #spark #deequ #onnx #bpe #pii #dedup".repeat(2);
        assertThat(dropped(filter, text).reason()).isEqualTo("gopher-hash-ratio");
    }

    @Test
    void dropsBulletListsAndEllipsisLines() {
        StringBuilder bullets = new StringBuilder();
        StringBuilder teasers = new StringBuilder();
        for (String sentence : PROSE.replace("\n", " ").split("(?<=\\.) ")) {
            bullets.append("• ").append(sentence).append('\n');
            teasers.append(sentence, 0, sentence.length() / 2).append("...\n");
        }
        assertThat(dropped(filter, bullets.toString()).reason()).isEqualTo("gopher-bullet-lines");
        assertThat(dropped(filter, teasers.toString()).reason()).isEqualTo("gopher-ellipsis-lines");
    }

    @Test
    void dropsDocumentOfMostlyNumbers() {
        StringBuilder text = new StringBuilder("The table of the values that we have measured with care:");
        for (int i = 0; i < 60; i++) {
            text.append(' ').append(1000 + i * 7).append(".5");
        }
        assertThat(dropped(filter, text.toString()).reason()).isEqualTo("gopher-alphabetic-words");
    }

    @Test
    void dropsLoremIpsumAndCurlyBracketsButNotWhenDisabled() {
        String lorem = PROSE + "\nLorem ipsum dolor sit amet, consectetur adipiscing elit.";
        assertThat(dropped(filter, lorem).reason()).isEqualTo("c4-lorem-ipsum");
        String code = PROSE + "\nThe block {return x;} is Java.";
        Outcome.Drop drop = dropped(filter, code);
        assertThat(drop.reason()).isEqualTo("c4-curly-bracket");
        assertThat(drop.detail()).isEqualTo("a line contains '{' (c4CurlyBracket): The block {return x;} is Java.");

        Transform lenient = new QualityFilterStep().bind(Map.of("c4LoremIpsum", false, "c4CurlyBracket", false));
        assertThat(lenient.apply(Row.text("r", code))).isInstanceOf(Outcome.Emit.class);
    }

    @Test
    void c4KeepsOnlySentenceLinesAndCountsTheRest() {
        String text = "Preamble\n" + PROSE + "\nPlease enable JavaScript to view this page.\nRead our privacy policy before you continue.\n"
                + "See the text [1] for more.\nToo short.\n";
        Outcome.Emit emit = (Outcome.Emit) filter.apply(Row.text("r", text));
        assertThat(emit.row().string(Row.TEXT).orElseThrow()).isEqualTo(PROSE + "\nSee the text  for more.");
        assertThat(emit.counts()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "c4-line-no-terminal-punctuation", 1L, "c4-line-javascript", 1L, "c4-line-policy", 1L,
                "c4-citation", 1L, "c4-line-too-few-words", 1L));
    }

    @Test
    void c4DropsDocumentWithTooFewSentences() {
        String text = "A title without a full stop\nOne sentence that ends properly.\nAnother line without an end";
        Outcome.Drop drop = dropped(new QualityFilterStep().bind(Map.of("gopher", false)), text);
        assertThat(drop.reason()).isEqualTo("c4-too-few-sentences");
        assertThat(drop.detail()).isEqualTo("1 sentences in the kept lines < min 5 (c4MinSentences)");
    }

    @Test
    void everyGroupCanBeTurnedOff() {
        Transform none = new QualityFilterStep().bind(Map.of("gopher", false, "repetition", false, "c4", false));
        Row row = Row.text("r", "x\nx\nx {");
        assertThat(none.apply(row)).isEqualTo(Outcome.emit(row));
    }

    @Test
    void thresholdsAreParameters() {
        Transform strict = new QualityFilterStep().bind(Map.of("minWords", 500));
        assertThat(dropped(strict, PROSE).detail()).isEqualTo("230 words < min 500 (minWords)");
        Transform custom = new QualityFilterStep().bind(Map.of("maxTopNgramCharFraction", Map.of("2", 0.001), "c4", false));
        assertThat(dropped(custom, PROSE).reason()).isEqualTo("gopher-top-2-gram-fraction");
    }

    @Test
    void givesTheSameOutcomeWhateverTheThread() throws Exception {
        String text = PROSE + "\n" + PROSE;
        Outcome first = filter.apply(Row.text("r", text));
        var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            var futures = new java.util.ArrayList<java.util.concurrent.Future<Outcome>>();
            for (int i = 0; i < 16; i++) {
                futures.add(pool.submit(() -> filter.apply(Row.text("r", text))));
            }
            for (var future : futures) {
                assertThat(future.get()).isEqualTo(first);
            }
        }
        finally {
            pool.shutdown();
        }
    }

    @Test
    void rejectsBadParametersByName() {
        assertThatThrownBy(() -> new QualityFilterStep().bind(Map.of("maxTopNgramCharFraction", Map.of("two", 0.2))))
                .isInstanceOfSatisfying(InvalidStepParameterException.class, e -> {
                    assertThat(e.parameter()).isEqualTo("maxTopNgramCharFraction");
                    assertThat(e.getMessage()).isEqualTo("keys must be n-gram sizes (whole numbers), was two");
                });
        assertThatThrownBy(() -> new QualityFilterStep().bind(Map.of("maxDuplicateLineFraction", 1.5)))
                .hasMessage("must be between 0.0 and 1.0, was 1.5");
        assertThatThrownBy(() -> new QualityFilterStep().bind(Map.of("minWords", 100, "maxWords", 10)))
                .isInstanceOfSatisfying(InvalidStepParameterException.class, e -> assertThat(e.parameter()).isEqualTo("maxWords"));
        assertThatThrownBy(() -> new QualityFilterStep().bind(Map.of("minWordz", 1)))
                .isInstanceOfSatisfying(InvalidStepParameterException.class, e -> assertThat(e.parameter()).isEqualTo("minWordz"));
    }

    @Test
    void splitsWordsAtWhiteSpaceAndTrimsPunctuationForTheCore() {
        assertThat(QualityFilterStep.words(" (hello),  world!\tnaïve\u00a0x ")).containsExactly("(hello),", "world!", "naïve\u00a0x");
        assertThat(QualityFilterStep.core("(hello),")).isEqualTo("hello");
        assertThat(QualityFilterStep.core("--")).isEmpty();
    }
}

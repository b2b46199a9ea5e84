package io.kiln.transform.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;

import io.kiln.transform.InvalidStepParameterException;
import io.kiln.transform.Outcome;
import io.kiln.transform.Row;
import io.kiln.transform.Transform;
import io.kiln.transform.TransformChain;

class ChunkStepTest {
    private static final Encoding CL100K = BpeEncodings.encoding(EncodingType.CL100K_BASE);

    @Test
    void keepsATextThatFitsAsOneChunkWithIndexZero() {
        List<Row> chunks = chunks(Map.of(), Row.text("doc", "A short text.\n\nTwo paragraphs."));
        assertThat(chunks).singleElement().satisfies(chunk -> {
            assertThat(chunk.id()).isEqualTo("doc#0");
            assertThat(chunk.string(Row.TEXT).orElseThrow()).isEqualTo("A short text.\n\nTwo paragraphs.");
            assertThat(chunk.columns()).containsEntry("parent_id", "doc").containsEntry("chunk_index", 0).containsEntry("chunk_count", 1);
        });
    }

    @Test
    void namesChunksAfterTheirParentInOrder() {
        List<Row> chunks = chunks(Map.of("maxTokens", 40, "overlapTokens", 5), Row.text("doc-7", paragraphs(6, 3)));
        assertThat(chunks).hasSizeGreaterThan(3);
        for (int index = 0; index < chunks.size(); index++) {
            Row chunk = chunks.get(index);
            assertThat(chunk.id()).isEqualTo("doc-7#" + index);
            assertThat(chunk.columns()).containsEntry("parent_id", "doc-7").containsEntry("chunk_index", index).containsEntry("chunk_count", chunks.size());
        }
    }

    @Test
    void chunksRespectParagraphBoundaries() {
        String text = paragraphs(12, 3); // about 40 tokens a paragraph
        for (int overlap : new int[] {0, 20}) {
            List<Row> chunks = chunks(Map.of("maxTokens", 130, "overlapTokens", overlap), Row.text("doc", text));
            assertThat(chunks).hasSizeGreaterThan(3);
            for (int[] span : locate(text, chunks)) {
                assertThat(span[1] == text.length() || text.startsWith("\n\n", span[1])).as("chunk %s ends at a paragraph end", text.substring(span[0], span[1])).isTrue();
                if (overlap == 0) {
                    assertThat(span[0] == 0 || text.startsWith("\n\n", span[0] - 2)).as("chunk %s starts a paragraph", text.substring(span[0], span[1])).isTrue();
                }
            }
        }
    }

    @Test
    void packsSentencesWhenAParagraphExceedsTheBudget() {
        String text = paragraphs(1, 40);
        List<Row> chunks = chunks(Map.of("maxTokens", 64, "overlapTokens", 0), Row.text("doc", text));
        assertThat(chunks).hasSizeGreaterThan(5);
        for (Row chunk : chunks) {
            assertThat(chunk.string(Row.TEXT).orElseThrow()).startsWith("Sentence ").endsWith(".");
            assertThat(CL100K.countTokensOrdinary(chunk.string(Row.TEXT).orElseThrow())).isLessThanOrEqualTo(64).isGreaterThan(32);
        }
    }

    @Test
    void cutsASentenceLongerThanTheBudgetAtWordStarts() {
        StringBuilder words = new StringBuilder();
        for (int i = 0; i < 400; i++) {
            words.append(i == 0 ? "" : " ").append("word").append(i);
        }
        String text = words.toString();
        List<Row> chunks = chunks(Map.of("maxTokens", 50, "overlapTokens", 10), Row.text("doc", text));
        assertThat(chunks).hasSizeGreaterThan(10);
        for (int[] span : locate(text, chunks)) {
            assertThat(span[0] == 0 || text.charAt(span[0] - 1) == ' ').isTrue();
            assertThat(span[1] == text.length() || text.charAt(span[1]) == ' ').isTrue();
            assertThat(CL100K.countTokensOrdinary(text.substring(span[0], span[1]))).isLessThanOrEqualTo(50);
        }
    }

    @Test
    void overlapRepeatsTheTailOfThePreviousChunk() {
        String text = paragraphs(3, 20);
        List<Row> chunks = chunks(Map.of("maxTokens", 60, "overlapTokens", 15), Row.text("doc", text));
        List<int[]> spans = locate(text, chunks);
        assertThat(spans).hasSizeGreaterThan(5);
        for (int i = 1; i < spans.size(); i++) {
            int[] previous = spans.get(i - 1);
            int[] current = spans.get(i);
            assertThat(current[0]).as("chunk %s starts inside chunk %s", i, i - 1).isGreaterThan(previous[0]).isLessThan(previous[1]);
            String repeated = text.substring(current[0], previous[1]);
            assertThat(chunks.get(i - 1).string(Row.TEXT).orElseThrow()).endsWith(repeated);
            assertThat(chunks.get(i).string(Row.TEXT).orElseThrow()).startsWith(repeated);
            assertThat(CL100K.countTokensOrdinary(repeated)).isBetween(1, 15);
        }
    }

    @Test
    void everyChunkIsAnExactSubstringOfAtMostMaxTokensAndTogetherTheyCoverTheText() {
        String text = mixedText();
        for (int[] setting : new int[][] {{16, 0}, {16, 15}, {33, 8}, {100, 30}, {512, 64}}) {
            List<Row> chunks = chunks(Map.of("maxTokens", setting[0], "overlapTokens", setting[1]), Row.text("doc", text));
            boolean[] covered = new boolean[text.length()];
            for (int[] span : locate(text, chunks)) {
                String chunk = text.substring(span[0], span[1]);
                assertThat(CL100K.countTokensOrdinary(chunk)).as("tokens of %s with %s", chunk, setting[0]).isLessThanOrEqualTo(setting[0]);
                assertThat(Character.isLowSurrogate(chunk.charAt(0)) || Character.isHighSurrogate(chunk.charAt(chunk.length() - 1))).isFalse();
                java.util.Arrays.fill(covered, span[0], span[1], true);
            }
            for (int i = 0; i < text.length(); i++) {
                assertThat(covered[i] || Character.isWhitespace(text.charAt(i))).as("character %s (%s) is in a chunk with %s", i, text.charAt(i), setting[0]).isTrue();
            }
        }
    }

    @Test
    void neverCutsInsideACharacter() {
        String text = "😀🤖🎉 日本語のテキスト 🧪🧬 émigré façade 😀🤖🎉 中文文本 ".repeat(20);
        List<Row> chunks = chunks(Map.of("maxTokens", 5, "overlapTokens", 2), Row.text("doc", text));
        assertThat(chunks).hasSizeGreaterThan(20);
        for (Row chunk : chunks) {
            assertThat(text).contains(chunk.string(Row.TEXT).orElseThrow());
            assertThat(chunk.string(Row.TEXT).orElseThrow().codePoints().noneMatch(codePoint -> codePoint >= Character.MIN_SURROGATE && codePoint <= Character.MAX_SURROGATE))
                    .as("no lone surrogate in %s", chunk.string(Row.TEXT).orElseThrow()).isTrue();
        }
    }

    @Test
    void removesStaleTokenColumnsAndKeepsTheOthers() {
        Row row = Row.text("doc", paragraphs(4, 4)).with(Map.of("token_ids", List.of(1, 2, 3), "token_count", 3, "language", "en"));
        List<Row> chunks = chunks(Map.of("maxTokens", 50, "overlapTokens", 0), row);
        assertThat(chunks).hasSizeGreaterThan(1).allSatisfy(chunk -> assertThat(chunk.columns())
                .containsEntry("language", "en")
                .doesNotContainKeys("token_ids", "token_count"));
    }

    @Test
    void dropsTextOfWhiteSpaceOnly() {
        Outcome outcome = new ChunkStep().bind(Map.of()).apply(Row.text("doc", " \n\n\t "));
        assertThat(outcome).isInstanceOfSatisfying(Outcome.Drop.class, drop -> {
            assertThat(drop.by()).hasToString("chunk@1");
            assertThat(drop.reason()).isEqualTo("empty-text");
        });
    }

    @Test
    void minTokensLengthensAShortLastChunk() {
        String text = paragraphs(1, 3) + "\n\nTail."; // 36 tokens, a blank line, 2 tokens
        List<Row> plain = chunks(Map.of("maxTokens", 37, "overlapTokens", 0), Row.text("doc", text));
        assertThat(plain).extracting(row -> row.string(Row.TEXT).orElseThrow()).containsExactly(paragraphs(1, 3), "Tail.");
        List<Row> lengthened = chunks(Map.of("maxTokens", 37, "overlapTokens", 0, "minTokens", 8), Row.text("doc", text));
        assertThat(lengthened).hasSize(2);
        assertThat(lengthened.get(0).string(Row.TEXT).orElseThrow()).isEqualTo(paragraphs(1, 3));
        String tail = lengthened.get(1).string(Row.TEXT).orElseThrow();
        assertThat(tail).endsWith(" here.\n\nTail.");
        assertThat(text).endsWith(tail);
        assertThat(CL100K.countTokensOrdinary(tail)).isBetween(8, 16);
    }

    @Test
    void tokenizeAfterChunkCountsAtMostMaxTokensPerChunk() {
        TransformChain chain = new TransformChain(List.of(
                new ChunkStep().bind(Map.of("maxTokens", 64, "overlapTokens", 8)),
                new TokenizeStep().bind(Map.of())));
        List<Row> rows = chain.run(Row.text("doc", mixedText())).rows();
        assertThat(rows).hasSizeGreaterThan(3).allSatisfy(row -> assertThat((Integer) row.columns().get("token_count")).isBetween(1, 64));
    }

    @Test
    void givesTheSameChunksEveryTime() {
        Transform chunk = new ChunkStep().bind(Map.of("maxTokens", 30, "overlapTokens", 5));
        Row row = Row.text("doc", mixedText());
        assertThat(chunk.apply(row)).isEqualTo(new ChunkStep().bind(Map.of("maxTokens", 30, "overlapTokens", 5)).apply(row));
    }

    @Test
    void givesTheSameChunksFromManyThreadsAtOnce() throws Exception {
        // p50k_edit: no other test loads it, so its token lengths are learned while the threads race
        Transform chunk = new ChunkStep().bind(Map.of("encoding", "p50k_edit", "maxTokens", 24, "overlapTokens", 6));
        Row row = Row.text("doc", mixedText());
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<Outcome>> outcomes = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                outcomes.add(pool.submit(() -> chunk.apply(row)));
            }
            Outcome expected = chunk.apply(row);
            for (java.util.concurrent.Future<Outcome> outcome : outcomes) {
                assertThat(outcome.get()).isEqualTo(expected);
            }
        }
        finally {
            pool.shutdownNow();
        }
    }

    @Test
    void rejectsParametersThatCannotWorkByName() {
        assertThatThrownBy(() -> new ChunkStep().bind(Map.of("maxTokens", 64, "overlapTokens", 64)))
                .isInstanceOfSatisfying(InvalidStepParameterException.class, e -> assertThat(e.parameter()).isEqualTo("overlapTokens"))
                .hasMessage("must be less than maxTokens (64), was 64");
        assertThatThrownBy(() -> new ChunkStep().bind(Map.of("maxTokens", 64, "overlapTokens", 0, "minTokens", 65)))
                .isInstanceOfSatisfying(InvalidStepParameterException.class, e -> assertThat(e.parameter()).isEqualTo("minTokens"));
        assertThatThrownBy(() -> new ChunkStep().bind(Map.of("maxTokens", "512")))
                .isInstanceOfSatisfying(InvalidStepParameterException.class, e -> assertThat(e.parameter()).isEqualTo("maxTokens"))
                .hasMessage("must be an integer of at least 1, was 512");
        assertThatThrownBy(() -> new ChunkStep().bind(Map.of("encoding", "bert")))
                .isInstanceOfSatisfying(InvalidStepParameterException.class, e -> assertThat(e.parameter()).isEqualTo("encoding"));
        assertThatThrownBy(() -> new ChunkStep().bind(Map.of("size", 5)))
                .isInstanceOfSatisfying(InvalidStepParameterException.class, e -> assertThat(e.parameter()).isEqualTo("size"));
    }

    @Test
    void recordsTheEncodingInTheFingerprint() {
        assertThat(new ChunkStep().bind(Map.of("encoding", "o200k_base")).fingerprint()).containsEntry("tokenizer", "o200k_base");
    }

    @Test
    void chunksTheColumnItIsGivenAndPassesOnARowWithoutIt() {
        String text = paragraphs(6, 3);
        List<Row> chunks = chunks(Map.of("column", "body", "maxTokens", 40, "overlapTokens", 5), new Row("doc", Map.of("body", text, "lang", "en")));
        List<Row> fromText = chunks(Map.of("maxTokens", 40, "overlapTokens", 5), Row.text("doc", text));
        assertThat(chunks).hasSizeGreaterThan(1);
        assertThat(chunks).extracting(chunk -> chunk.string("body").orElseThrow()).containsExactlyElementsOf(fromText.stream().map(chunk -> chunk.string(Row.TEXT).orElseThrow()).toList());
        assertThat(chunks).allSatisfy(chunk -> {
            assertThat(chunk.value("lang")).contains("en");
            assertThat(chunk.value(Row.TEXT)).isEmpty();
        });
        assertThat(chunks).extracting(Row::id).isEqualTo(fromText.stream().map(Row::id).toList());

        Row without = Row.text("plain", "No body here.");
        assertThat(chunks(Map.of("column", "body"), without)).containsExactly(without);
    }

    private static List<Row> chunks(Map<String, Object> parameters, Row row) {
        return ((Outcome.Emit) new ChunkStep().bind(parameters).apply(row)).rows();
    }

    /** Where each chunk lies in the text: chunks start in order, each after the start of the one before. */
    private static List<int[]> locate(String text, List<Row> chunks) {
        List<int[]> spans = new ArrayList<>();
        int from = 0;
        for (Row chunk : chunks) {
            int start = text.indexOf(chunk.string(Row.TEXT).orElseThrow(), from);
            assertThat(start).as("chunk %s is a substring of the text after the start of the chunk before", chunk.id()).isNotNegative();
            spans.add(new int[] {start, start + chunk.string(Row.TEXT).orElseThrow().length()});
            from = start + 1;
        }
        return spans;
    }

    /** Paragraphs of distinct sentences, each sentence about 10 tokens. */
    private static String paragraphs(int paragraphs, int sentences) {
        StringBuilder text = new StringBuilder();
        for (int p = 0; p < paragraphs; p++) {
            if (p > 0) {
                text.append("\n\n");
            }
            for (int s = 0; s < sentences; s++) {
                text.append(s == 0 ? "" : " ").append("Sentence ").append(p).append('-').append(s).append(" is about item ").append(p * 100 + s).append(" here.");
            }
        }
        return text.toString();
    }

    private static String mixedText() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 12; i++) {
            text.append("Section ").append(i).append(": the quick brown fox jumps over the lazy dog ").append(i).append(" times. Is that true? Yes!\n");
            text.append("  Indented line ").append(i).append(" with   spaces, tabs\tand a URL https://example.org/").append(i).append("?q=1.\n\n");
            text.append("Emoji 😀 ").append(i).append(", Japanese 日本語の文章です。続きの文").append(i).append("。 Français: élève n°").append(i).append(".\n");
            text.append("code: for (int k = 0; k < ").append(i).append("; k++) { sum += k; }\n\n\n");
        }
        return text.toString();
    }
}

package io.kiln.transform.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.kiln.transform.InvalidStepParameterException;
import io.kiln.transform.Outcome;
import io.kiln.transform.Row;
import io.kiln.transform.Transform;

class TokenizeStepTest {
    private final Transform cl100k = new TokenizeStep().bind(Map.of());

    @Test
    void tokenIdsMatchTiktokenReference() {
        // ids as tiktoken gives them (OpenAI cookbook "How to count tokens with tiktoken")
        assertThat(tokens(cl100k, "hello world")).containsExactly(15339, 1917);
        assertThat(tokens(cl100k, "tiktoken is great!")).containsExactly(83, 1609, 5963, 374, 2294, 0);
        assertThat(tokens(bind("o200k_base"), "tiktoken is great!")).containsExactly(83, 8251, 2488, 382, 2212, 0);
        assertThat(tokens(bind("p50k_base"), "tiktoken is great!")).containsExactly(83, 1134, 30001, 318, 1049, 0);
        assertThat(tokens(bind("r50k_base"), "hello world")).containsExactly(31373, 995);
    }

    @Test
    void setsTokenCountBesideTheIdsAndKeepsTextAndColumns() {
        Row row = Row.text("1", "hello world").with("language", "en");
        Row tokenized = ((Outcome.Emit) cl100k.apply(row)).row();
        assertThat(tokenized.string(Row.TEXT).orElseThrow()).isEqualTo("hello world");
        assertThat(tokenized.columns()).containsEntry("language", "en").containsEntry("token_count", 2);
        assertThat(tokenized.intListColumn("token_ids")).contains(List.of(15339, 1917));
    }

    @Test
    void encodesSpecialTokensAsOrdinaryText() {
        assertThat(tokens(cl100k, "<|endoftext|>")).containsExactly(27, 91, 8862, 728, 428, 91, 29).doesNotContain(100257);
    }

    @Test
    void tokenizesEmptyTextToNoTokens() {
        Row tokenized = ((Outcome.Emit) cl100k.apply(Row.text("1", ""))).row();
        assertThat(tokenized.columns()).containsEntry("token_count", 0).containsEntry("token_ids", List.of());
    }

    @Test
    void dropsTextOfMoreThanMaxTokens() {
        Transform atMostTwo = new TokenizeStep().bind(Map.of("maxTokens", 2));
        assertThat(atMostTwo.apply(Row.text("1", "hello world"))).isInstanceOf(Outcome.Emit.class);
        Outcome outcome = atMostTwo.apply(Row.text("2", "hello big world"));
        assertThat(outcome).isInstanceOfSatisfying(Outcome.Drop.class, drop -> {
            assertThat(drop.by()).hasToString("tokenize@1");
            assertThat(drop.reason()).isEqualTo("too-many-tokens");
            assertThat(drop.detail()).isEqualTo("more than 2 cl100k_base tokens");
        });
    }

    @Test
    void tokenIdsAreAnUnmodifiableListEqualToAPlainList() {
        List<Integer> ids = tokens(cl100k, "hello world");
        assertThat(ids).isEqualTo(List.of(15339, 1917)).hasSameHashCodeAs(List.of(15339, 1917));
        assertThat(List.of(15339, 1917)).isEqualTo(ids);
        assertThatThrownBy(() -> ids.set(0, 1)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> ids.add(1)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> ids.get(2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(((TokenIds) ids).toIntArray()).containsExactly(15339, 1917);
    }

    @Test
    void recordsTheEncodingInTheFingerprintAndDeclaresItsColumns() {
        assertThat(bind("o200k_base").fingerprint()).containsEntry("tokenizer", "o200k_base").containsEntry("tokenizer-library", "jtokkit 1.1.0");
        assertThat(cl100k.fingerprint()).containsEntry("tokenizer", "cl100k_base");
        assertThat(cl100k.columns()).extracting(column -> column.name()).containsExactly("token_ids", "token_count");
    }

    @Test
    void rejectsUnknownEncodingsAndBadMaxTokensByName() {
        assertThatThrownBy(() -> bind("gpt2"))
                .isInstanceOfSatisfying(InvalidStepParameterException.class, e -> assertThat(e.parameter()).isEqualTo("encoding"))
                .hasMessage("must be one of cl100k_base, o200k_base, p50k_base, p50k_edit, r50k_base, was gpt2");
        assertThatThrownBy(() -> new TokenizeStep().bind(Map.of("maxTokens", 0)))
                .isInstanceOfSatisfying(InvalidStepParameterException.class, e -> assertThat(e.parameter()).isEqualTo("maxTokens"))
                .hasMessage("must be a positive integer, was 0");
        assertThatThrownBy(() -> new TokenizeStep().bind(Map.of("model", "gpt-4")))
                .isInstanceOfSatisfying(InvalidStepParameterException.class, e -> assertThat(e.parameter()).isEqualTo("model"));
    }

    private static Transform bind(String encoding) {
        return new TokenizeStep().bind(Map.of("encoding", encoding));
    }

    private static List<Integer> tokens(Transform tokenize, String text) {
        return ((Outcome.Emit) tokenize.apply(Row.text("t", text))).row().intListColumn("token_ids").orElseThrow();
    }
}

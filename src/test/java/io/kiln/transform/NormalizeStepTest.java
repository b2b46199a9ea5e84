package io.kiln.transform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.kiln.transform.text.NormalizeStep;

class NormalizeStepTest {
    private final Transform normalize = new NormalizeStep().bind(Map.of());

    @Test
    void composesFoldsWhitespaceAndUnifiesLineEndings() {
        Outcome outcome = normalize.apply(Row.text("1", " cafe\u0301\r\n\r\n\r\n  au\u00a0\u00a0lait\u0007 "));
        assertThat(outcome).isEqualTo(Outcome.emit(Row.text("1", "caf\u00e9\n\nau lait")));
    }

    @Test
    void dropsTextThatIsEmptyAfterNormalization() {
        Outcome outcome = normalize.apply(Row.text("2", " \u200b\t\r\n"));
        assertThat(outcome).isInstanceOf(Outcome.Drop.class);
        Outcome.Drop drop = (Outcome.Drop) outcome;
        assertThat(drop.by()).hasToString("normalize@1");
        assertThat(drop.reason()).isEqualTo("empty-text");
    }

    @Test
    void neverMutatesItsInput() {
        Row input = Row.text("3", "a  b");
        normalize.apply(input);
        assertThat(input.string(Row.TEXT).orElseThrow()).isEqualTo("a  b");
    }

    @Test
    void rejectsUnknownParametersByName() {
        assertThatThrownBy(() -> new NormalizeStep().bind(Map.of("lowercase", true)))
                .isInstanceOfSatisfying(InvalidStepParameterException.class, e -> {
                    assertThat(e.parameter()).isEqualTo("lowercase");
                    assertThat(e.getMessage()).contains("known parameters are column, form");
                });
        assertThatThrownBy(() -> new NormalizeStep().bind(Map.of("form", "NFD")))
                .hasMessage("must be one of NFC, NFKC, was NFD");
    }

    @Test
    void chainCountsForwardedAndDroppedByReason() {
        TransformChain chain = new TransformChain(java.util.List.of(normalize));
        chain.apply(Row.text("a", "x"));
        chain.apply(Row.text("b", " "));
        chain.apply(Row.text("c", "y"));
        assertThat(chain.statistics()).hasSize(1);
        TransformChain.StepStatistics statistics = chain.statistics().get(0);
        assertThat(statistics.step()).isEqualTo("normalize@1");
        assertThat(statistics.forwarded()).isEqualTo(2);
        assertThat(statistics.dropped()).isEqualTo(Map.of("empty-text", 1L));
        assertThat(statistics.rowsIn()).isEqualTo(3);
    }

    @Test
    void chainTurnsAStepExceptionIntoADrop() {
        Transform broken = new Transform() {
            @Override
            public StepId id() {
                return new StepId("broken", 1);
            }

            @Override
            public Outcome apply(Row row) {
                throw new IllegalStateException("boom on " + row.id());
            }
        };
        Outcome outcome = new TransformChain(java.util.List.of(broken)).apply(Row.text("r", "t"));
        assertThat(outcome).isEqualTo(Outcome.drop(new StepId("broken", 1), TransformChain.STEP_ERROR, "boom on r"));
    }
}

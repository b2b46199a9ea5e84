package io.kiln.transform.label;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

import org.junit.jupiter.api.Test;

import io.kiln.transform.label.LabelEvaluation.FunctionEvaluation;
import io.kiln.transform.label.LabelEvaluation.LabelScores;
import io.kiln.transform.label.LabelEvaluation.ModelEvaluation;

/**
 * Four functions, three labels (label 2 never voted nor gold), eight rows, evaluated with the majority vote:
 * <pre>
 *      votes           gold  majority
 * r1   0  0  -  -      0     0
 * r2   0  1  -  -      1     0 (tie)
 * r3   1  1  1  -      1     1
 * r4   -  -  -  -      0     none
 * r5   -  1  0  1      -     1
 * r6   1  -  -  -      0     1
 * r7   0  0  -  -      0     0
 * r8   -  -  1  -      1     1
 * </pre>
 */
class LabelEvaluationTest {
    private static final double EXACT = 1e-15;

    private static VoteCounts votes() {
        VoteCounts votes = new VoteCounts(4, 3);
        votes.add(new int[] {0, 0, -1, -1}, 0);
        votes.add(new int[] {0, 1, -1, -1}, 1);
        votes.add(new int[] {1, 1, 1, -1}, 1);
        votes.add(new int[] {-1, -1, -1, -1}, 0);
        votes.add(new int[] {-1, 1, 0, 1});
        votes.add(new int[] {1, -1, -1, -1}, 0);
        votes.add(new int[] {0, 0, -1, -1}, 0);
        votes.add(new int[] {-1, -1, 1, -1}, 1);
        return votes;
    }

    @Test
    void countsRowsAndGoldRows() {
        LabelEvaluation evaluation = LabelEvaluation.of(votes(), new MajorityVote(3));
        assertThat(evaluation.rows()).isEqualTo(8);
        assertThat(evaluation.goldRows()).isEqualTo(7);
    }

    @Test
    void measuresCoverageOverlapConflictAndAccuracyOfEachFunction() {
        List<FunctionEvaluation> functions = LabelEvaluation.of(votes(), new MajorityVote(3)).functions();

        // function 0 votes on r1 r2 r3 r6 r7; others vote too on r1 r2 r3 r7; a different label on r2; right on r1 r3 r7 of 5 gold rows
        assertThat(functions.get(0)).isEqualTo(new FunctionEvaluation(5.0 / 8, 4.0 / 8, 1.0 / 8, OptionalDouble.of(3.0 / 5), 5));
        // function 1 votes on r1 r2 r3 r5 r7, never alone; a different label on r2 and r5; right on all 4 gold rows (r5 has none)
        assertThat(functions.get(1)).isEqualTo(new FunctionEvaluation(5.0 / 8, 5.0 / 8, 2.0 / 8, OptionalDouble.of(1.0), 4));
        // function 2 votes on r3 r5 r8; with others on r3 r5; a different label on r5; right on r3 r8
        assertThat(functions.get(2)).isEqualTo(new FunctionEvaluation(3.0 / 8, 2.0 / 8, 1.0 / 8, OptionalDouble.of(1.0), 2));
        // function 3 votes only on r5, which has no gold label: no accuracy
        assertThat(functions.get(3)).isEqualTo(new FunctionEvaluation(1.0 / 8, 1.0 / 8, 1.0 / 8, OptionalDouble.empty(), 0));
    }

    @Test
    void buildsTheConfusionMatrixOfTheModelOnGoldRowsWithALastColumnForNoLabel() {
        ModelEvaluation model = LabelEvaluation.of(votes(), new MajorityVote(3)).model();

        assertThat(model.confusionMatrix()).isDeepEqualTo(new long[][] {{2, 1, 0, 1}, {1, 2, 0, 0}, {0, 0, 0, 0}});
        assertThat(model.confusion(0, -1)).isEqualTo(1);
        assertThat(model.confusion(1, 0)).isEqualTo(1);
        assertThatThrownBy(() -> model.confusion(3, 0))
                .hasMessage("gold must be from 0 to 2 and predicted from -1 to 2, were 3 and 0");
    }

    @Test
    void scoresTheModelPerLabelWithZeroWhereUndefinedAndAveragesOverAllLabels() {
        ModelEvaluation model = LabelEvaluation.of(votes(), new MajorityVote(3)).model();

        assertThat(model.coverage()).isEqualTo(7.0 / 8);
        // right: r1 r7 (label 0), r3 r8 (label 1) of the 6 gold rows that got a label (r4 got none)
        assertThat(model.accuracy().getAsDouble()).isCloseTo(4.0 / 6, within(EXACT));

        LabelScores zero = model.labels().get(0);
        assertThat(zero.precision()).isCloseTo(2.0 / 3, within(EXACT));
        assertThat(zero.recall()).isEqualTo(2.0 / 4);
        assertThat(zero.f1()).isCloseTo(4.0 / 7, within(EXACT));
        assertThat(zero.support()).isEqualTo(4);

        LabelScores one = model.labels().get(1);
        assertThat(one.precision()).isCloseTo(2.0 / 3, within(EXACT));
        assertThat(one.recall()).isCloseTo(2.0 / 3, within(EXACT));
        assertThat(one.f1()).isCloseTo(2.0 / 3, within(EXACT));
        assertThat(one.support()).isEqualTo(3);

        assertThat(model.labels().get(2)).isEqualTo(new LabelScores(0, 0, 0, 0));

        assertThat(model.macroPrecision()).isCloseTo(4.0 / 9, within(EXACT));
        assertThat(model.macroRecall()).isCloseTo(7.0 / 18, within(EXACT));
        assertThat(model.macroF1()).isCloseTo(26.0 / 63, within(EXACT));
    }

    @Test
    void leavesAccuracyEmptyWhenNoGoldRowGetsALabel() {
        VoteCounts votes = new VoteCounts(2, 2);
        votes.add(new int[] {-1, -1}, 1);
        votes.add(new int[] {0, 0});
        LabelEvaluation evaluation = LabelEvaluation.of(votes, new MajorityVote(2));

        assertThat(evaluation.model().accuracy()).isEmpty();
        assertThat(evaluation.model().coverage()).isEqualTo(0.5);
        assertThat(evaluation.model().macroF1()).isZero();
    }

    @Test
    void writesPlainMapsWithTheCallersNames() {
        Map<String, Object> map = LabelEvaluation.of(votes(), new MajorityVote(3))
                .toMap(List.of("keywords", "sender", "links", "regex"), List.of("spam", "ham", "other"));

        assertThat(map).containsEntry("rows", 8L).containsEntry("goldRows", 7L);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> functions = (List<Map<String, Object>>) map.get("functions");
        assertThat(functions.get(0)).containsEntry("function", "keywords").containsEntry("coverage", 0.625)
                .containsEntry("accuracy", 0.6).containsEntry("goldVotes", 5L);
        Map<String, Object> regex = new HashMap<>(functions.get(3));
        assertThat(regex).containsEntry("accuracy", null);
        @SuppressWarnings("unchecked")
        Map<String, Object> model = (Map<String, Object>) map.get("model");
        assertThat(model).containsEntry("coverage", 0.875).containsKeys("macroPrecision", "macroRecall", "macroF1");
        assertThat(model.get("labels")).asList().first().isEqualTo(Map.of("label", "spam", "precision", 2.0 / 3,
                "recall", 0.5, "f1", 2 * (2.0 / 3) * 0.5 / (2.0 / 3 + 0.5), "support", 4L));
        assertThat(model.get("confusion")).asList().first().isEqualTo(Map.of("gold", "spam",
                "predicted", Map.of("spam", 2L, "ham", 1L, "other", 0L), "noLabel", 1L));
    }

    @Test
    void rejectsMismatchedModelsAndNames() {
        assertThatThrownBy(() -> LabelEvaluation.of(votes(), new MajorityVote(2)))
                .hasMessage("model has 2 labels, the votes 3");
        LabelEvaluation evaluation = LabelEvaluation.of(votes(), new MajorityVote(3));
        assertThatThrownBy(() -> evaluation.toMap(List.of("a", "b")))
                .hasMessage("expected 3 label names, got 2");
        assertThatThrownBy(() -> evaluation.toMap(List.of("a", "b", "a")))
                .hasMessage("label names must be distinct, were [a, b, a]");
        assertThat(Arrays.asList(evaluation.toMap(List.of("a", "b", "c")).keySet().toArray()))
                .containsExactly("rows", "goldRows", "functions", "model");
    }
}

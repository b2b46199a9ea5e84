package io.kiln.transform.label;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import io.kiln.transform.label.LabelModel.Prediction;

class LabelModelsTest {
    private record Row(int[] votes, int gold) {}

    /** Rows whose true label is drawn from {@code priors}; function f votes with probability coverages[f], right with probability accuracies[f], else a uniformly drawn wrong label. */
    private static List<Row> synthetic(long seed, int rows, double[] priors, double[] accuracies, double[] coverages) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Row> result = new ArrayList<>(rows);
        for (int row = 0; row < rows; row++) {
            double draw = random.nextDouble();
            int truth = 0;
            while (truth < priors.length - 1 && draw >= priors[truth]) {
                draw -= priors[truth];
                truth++;
            }
            int[] votes = new int[accuracies.length];
            for (int function = 0; function < votes.length; function++) {
                if (random.nextDouble() >= coverages[function]) {
                    votes[function] = -1;
                } else if (random.nextDouble() < accuracies[function]) {
                    votes[function] = truth;
                } else {
                    int wrong = random.nextInt(priors.length - 1);
                    votes[function] = wrong >= truth ? wrong + 1 : wrong;
                }
            }
            result.add(new Row(votes, truth));
        }
        return result;
    }

    private static VoteCounts counts(List<Row> rows, int functions, int labels) {
        VoteCounts votes = new VoteCounts(functions, labels);
        for (Row row : rows) {
            votes.add(row.votes(), row.gold());
        }
        return votes;
    }

    private static double accuracy(LabelModel model, VoteCounts votes) {
        long right = 0;
        for (VoteCounts.Pattern pattern : votes.patterns()) {
            if (model.predict(pattern.votes()).label() == pattern.gold()) {
                right += pattern.count();
            }
        }
        return (double) right / votes.rows();
    }

    @Test
    void dawidSkeneLearnsFromWhenFunctionsThatVoteOneLabelAbstain() {
        // four functions that each vote one label or abstain, as keyword functions do: P(vote | true label)
        double[][] voteRates = {{0.7, 0.05}, {0.05, 0.6}, {0.4, 0.1}, {0.1, 0.5}};
        int[] votesFor = {0, 1, 0, 1};
        SplittableRandom random = new SplittableRandom(17);
        VoteCounts counts = new VoteCounts(4, 2);
        List<int[]> rows = new ArrayList<>();
        List<Integer> truths = new ArrayList<>();
        for (int row = 0; row < 10_000; row++) {
            int truth = random.nextDouble() < 0.5 ? 0 : 1;
            int[] votes = new int[4];
            for (int function = 0; function < 4; function++) {
                votes[function] = random.nextDouble() < voteRates[function][truth] ? votesFor[function] : VoteCounts.ABSTAIN;
            }
            counts.add(votes);
            rows.add(votes);
            truths.add(truth);
        }
        DawidSkene model = DawidSkene.fit(counts, 50, DawidSkene.DEFAULT_SMOOTHING);
        MajorityVote majority = new MajorityVote(2);
        assertThat(model.predict(new int[] {0, -1, -1, -1}).label()).isEqualTo(0);
        assertThat(model.predict(new int[] {-1, 1, -1, -1}).label()).isEqualTo(1);
        long modelRight = 0;
        long majorityRight = 0;
        for (int row = 0; row < rows.size(); row++) {
            modelRight += model.predict(rows.get(row)).label() == truths.get(row) ? 1 : 0;
            majorityRight += majority.predict(rows.get(row)).label() == truths.get(row) ? 1 : 0;
        }
        assertThat(modelRight).isGreaterThanOrEqualTo(majorityRight);
        assertThat(model.confusion(0)[1][2]).as("function 0 mostly abstains on label 1").isGreaterThan(0.9);
    }

    @Test
    void majorityVoteGivesTiesToTheLowestLabel() {
        MajorityVote model = new MajorityVote(3);
        assertThat(model.predict(new int[] {2, 0, 2, 0, -1})).isEqualTo(new Prediction(0, 0.5));
        assertThat(model.predict(new int[] {2, 1, -1})).isEqualTo(new Prediction(1, 0.5));
    }

    @Test
    void majorityVoteConfidenceIsTheShareOfTheVotesThatDidNotAbstain() {
        MajorityVote model = new MajorityVote(3);
        assertThat(model.predict(new int[] {1, -1, 1, 2})).isEqualTo(new Prediction(1, 2.0 / 3));
        assertThat(model.predict(new int[] {-1, 2, -1})).isEqualTo(new Prediction(2, 1.0));
    }

    @Test
    void majorityVoteGivesNoLabelWhenEveryFunctionAbstains() {
        assertThat(new MajorityVote(2).predict(new int[] {-1, -1, -1})).isEqualTo(new Prediction(-1, 0));
    }

    @Test
    void majorityVoteRejectsVotesOutOfRange() {
        assertThatThrownBy(() -> new MajorityVote(2).predict(new int[] {0, 2}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("vote of function 1 must be -1 (abstain) or from 0 to 1, was 2");
        assertThatThrownBy(() -> new MajorityVote(1)).hasMessage("labels must be 2 or more, was 1");
    }

    @Test
    void dawidSkeneRecoversTheAccuraciesOfFunctionsOnTwoLabels() {
        double[] accuracies = {0.95, 0.85, 0.75, 0.65, 0.55};
        List<Row> rows = synthetic(20240611L, 20_000, new double[] {0.6, 0.4}, accuracies, new double[] {0.9, 0.75, 0.6, 0.45, 0.3});
        VoteCounts votes = counts(rows, 5, 2);

        DawidSkene model = DawidSkene.fit(votes);

        double[] estimated = model.accuracies();
        for (int function = 0; function < accuracies.length; function++) {
            assertThat(estimated[function]).as("accuracy of function %d", function).isCloseTo(accuracies[function], within(0.03));
        }
        assertThat(model.priors()[0]).isCloseTo(0.6, within(0.03));
        assertThat(accuracy(model, votes)).isGreaterThan(accuracy(new MajorityVote(2), votes));
    }

    @Test
    void dawidSkeneRecoversTheAccuraciesOfFunctionsOnThreeLabels() {
        double[] accuracies = {0.9, 0.8, 0.7, 0.6, 0.5};
        List<Row> rows = synthetic(7L, 20_000, new double[] {0.5, 0.3, 0.2}, accuracies, new double[] {0.9, 0.75, 0.6, 0.45, 0.3});
        VoteCounts votes = counts(rows, 5, 3);

        DawidSkene model = DawidSkene.fit(votes);

        double[] estimated = model.accuracies();
        for (int function = 0; function < accuracies.length; function++) {
            assertThat(estimated[function]).as("accuracy of function %d", function).isCloseTo(accuracies[function], within(0.03));
        }
        assertThat(model.priors()).containsExactly(new double[] {0.5, 0.3, 0.2}, within(0.03));
        assertThat(accuracy(model, votes)).isGreaterThan(accuracy(new MajorityVote(3), votes));
    }

    @Test
    void dawidSkeneGivesTheSameBitsWhateverTheOrderOfTheRows() {
        List<Row> rows = synthetic(99L, 5_000, new double[] {0.5, 0.3, 0.2}, new double[] {0.9, 0.7, 0.6}, new double[] {0.8, 0.6, 0.5});
        List<Row> shuffled = new ArrayList<>(rows);
        Collections.shuffle(shuffled, new Random(3));
        VoteCounts inOrder = counts(rows, 3, 3);
        VoteCounts outOfOrder = counts(shuffled, 3, 3);

        DawidSkene first = DawidSkene.fit(inOrder);
        DawidSkene second = DawidSkene.fit(outOfOrder);

        assertThat(second.describe()).isEqualTo(first.describe());
        for (Row row : rows) {
            assertThat(second.predict(row.votes())).isEqualTo(first.predict(row.votes()));
        }
        WeightedVote weightedFirst = WeightedVote.fit(inOrder);
        WeightedVote weightedSecond = WeightedVote.fit(outOfOrder);
        assertThat(weightedSecond.describe()).isEqualTo(weightedFirst.describe());
        for (Row row : rows) {
            assertThat(weightedSecond.predict(row.votes())).isEqualTo(weightedFirst.predict(row.votes()));
        }
    }

    @Test
    void dawidSkenePredictsTheLabelOfHighestPosteriorWithItAsConfidence() {
        List<Row> rows = synthetic(5L, 2_000, new double[] {0.6, 0.4}, new double[] {0.9, 0.8, 0.7}, new double[] {0.9, 0.8, 0.7});
        DawidSkene model = DawidSkene.fit(counts(rows, 3, 2));

        int[] votes = {1, 0, 1};
        double[] posteriors = model.posteriors(votes);
        Prediction prediction = model.predict(votes);

        assertThat(posteriors[0] + posteriors[1]).isCloseTo(1.0, within(1e-12));
        assertThat(prediction.label()).isEqualTo(posteriors[1] > posteriors[0] ? 1 : 0);
        assertThat(prediction.confidence()).isEqualTo(Math.max(posteriors[0], posteriors[1]));
        assertThat(model.predict(new int[] {-1, -1, -1})).isEqualTo(new Prediction(-1, 0));
        assertThat(model.describe()).containsKeys("model", "priors", "accuracies", "confusions", "iterations", "smoothing")
                .containsEntry("model", "dawid-skene").containsEntry("iterations", 50).containsEntry("smoothing", 0.01);
    }

    @Test
    void dawidSkeneRejectsNoRowsAndParametersOutOfRange() {
        VoteCounts empty = new VoteCounts(2, 2);
        assertThatThrownBy(() -> DawidSkene.fit(empty)).hasMessage("Cannot fit Dawid-Skene: no rows");
        empty.add(new int[] {0, 1});
        assertThatThrownBy(() -> DawidSkene.fit(empty, 0, 0.01)).hasMessage("iterations must be 1 or more, was 0");
        assertThatThrownBy(() -> DawidSkene.fit(empty, 10, 0)).hasMessage("smoothing must be more than 0 and finite, was 0.0");
        assertThatThrownBy(() -> DawidSkene.fit(empty).predict(new int[] {0}))
                .hasMessage("expected 2 votes, one per function, got 1");
    }

    /** 98 gold rows, labels alternating: function 0 right on 89 of them, functions 1 and 2 on 54 each. */
    private static VoteCounts goldRowsForWeights() {
        VoteCounts votes = new VoteCounts(3, 2);
        for (int row = 0; row < 98; row++) {
            int gold = row % 2;
            votes.add(new int[] {row < 89 ? gold : 1 - gold, row < 54 ? gold : 1 - gold, row >= 44 ? gold : 1 - gold}, gold);
        }
        votes.add(new int[] {0, 0, 0});
        return votes;
    }

    @Test
    void weightedVoteLetsOneAccurateFunctionOutweighTwoWeakOnes() {
        WeightedVote model = WeightedVote.fit(goldRowsForWeights());

        assertThat(model.accuracies()).containsExactly(0.9, 0.55, 0.55);
        assertThat(model.weights()).containsExactly(new double[] {Math.log(9), Math.log(11.0 / 9), Math.log(11.0 / 9)}, within(1e-12));
        Prediction prediction = model.predict(new int[] {0, 1, 1});
        assertThat(prediction.label()).isEqualTo(0);
        assertThat(prediction.confidence()).isCloseTo(729.0 / 850, within(1e-12));
        assertThat(new MajorityVote(2).predict(new int[] {0, 1, 1}).label()).isEqualTo(1);
        assertThat(model.predict(new int[] {-1, 1, -1})).satisfies(alone -> {
            assertThat(alone.label()).isEqualTo(1);
            assertThat(alone.confidence()).isCloseTo(0.55, within(1e-12));
        });
        assertThat(model.predict(new int[] {-1, -1, -1})).isEqualTo(new Prediction(-1, 0));
        assertThat(model.describe()).containsEntry("model", "weighted-vote").containsEntry("goldRows", 98L)
                .containsEntry("voted", List.of(98L, 98L, 98L)).containsEntry("right", List.of(89L, 54L, 54L));
    }

    @Test
    void weightedVoteRefusesRowsWithoutGold() {
        VoteCounts votes = new VoteCounts(2, 2);
        votes.add(new int[] {0, 1});
        votes.add(new int[] {1, 1});
        assertThatThrownBy(() -> WeightedVote.fit(votes))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot fit a weighted vote: none of the 2 rows has a gold label");
    }
}

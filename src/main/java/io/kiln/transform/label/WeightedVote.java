package io.kiln.transform.label;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A vote weighted by each function's log-odds of being right, fitted on the rows that have a gold
 * label: accuracy (right + 1) / (voted + 2) (Laplace smoothing over the gold rows where it votes),
 * weight ln(accuracy / (1 - accuracy)), negative for a function that is wrong more often than right.
 * The prediction is the label of highest summed weight over the votes that did not abstain (a label
 * nobody voted for sums to 0; ties to the lowest index), with confidence the softmax of the summed
 * weights of all labels at that label.
 *
 * <p>Immutable once fitted; deterministic (counts are exact, weights summed in function order) and
 * thread-safe.
 */
public final class WeightedVote implements LabelModel {
    private final int labels;
    private final long goldRows;
    private final long[] voted;
    private final long[] right;
    private final double[] accuracies;
    private final double[] weights;

    private WeightedVote(int labels, long goldRows, long[] voted, long[] right) {
        this.labels = labels;
        this.goldRows = goldRows;
        this.voted = voted;
        this.right = right;
        this.accuracies = new double[voted.length];
        this.weights = new double[voted.length];
        for (int function = 0; function < voted.length; function++) {
            accuracies[function] = (right[function] + 1.0) / (voted[function] + 2.0);
            weights[function] = StrictMath.log(accuracies[function] / (1 - accuracies[function]));
        }
    }

    /**
     * Fits on the rows of {@code votes} that have a gold label.
     *
     * @throws IllegalArgumentException when no row has a gold label
     */
    public static WeightedVote fit(VoteCounts votes) {
        requireNonNull(votes, "votes is null");
        if (votes.goldRows() == 0) {
            throw new IllegalArgumentException(
                    "Cannot fit a weighted vote: none of the " + votes.rows() + " rows has a gold label");
        }
        long[] voted = new long[votes.functions()];
        long[] right = new long[votes.functions()];
        for (VoteCounts.Pattern pattern : votes.patterns()) {
            if (!pattern.hasGold()) {
                continue;
            }
            for (int function = 0; function < voted.length; function++) {
                int vote = pattern.vote(function);
                if (vote != VoteCounts.ABSTAIN) {
                    voted[function] += pattern.count();
                    if (vote == pattern.gold()) {
                        right[function] += pattern.count();
                    }
                }
            }
        }
        return new WeightedVote(votes.labels(), votes.goldRows(), voted, right);
    }

    @Override
    public int labels() {
        return labels;
    }

    public int functions() {
        return weights.length;
    }

    /** A copy of the smoothed accuracy of each function on the gold rows. */
    public double[] accuracies() {
        return accuracies.clone();
    }

    /** A copy of the weight (log-odds of the smoothed accuracy) of each function. */
    public double[] weights() {
        return weights.clone();
    }

    @Override
    public Prediction predict(int[] votes) {
        VoteCounts.checkVotes(votes, weights.length, labels);
        double[] sums = new double[labels];
        boolean anyVote = false;
        for (int function = 0; function < votes.length; function++) {
            if (votes[function] != VoteCounts.ABSTAIN) {
                sums[votes[function]] += weights[function];
                anyVote = true;
            }
        }
        if (!anyVote) {
            return Prediction.NONE;
        }
        int best = 0;
        for (int label = 1; label < labels; label++) {
            if (sums[label] > sums[best]) {
                best = label;
            }
        }
        double normalizer = 0;
        for (double sum : sums) {
            normalizer += StrictMath.exp(sum - sums[best]);
        }
        return new Prediction(best, 1 / normalizer);
    }

    /**
     * {@code model} ("weighted-vote"), {@code labels}, {@code functions}, {@code goldRows} (fitted
     * on), and per function {@code voted} (gold rows it voted on), {@code right}, {@code accuracies}
     * (smoothed) and {@code weights}.
     */
    @Override
    public Map<String, Object> describe() {
        Map<String, Object> description = new LinkedHashMap<>();
        description.put("model", "weighted-vote");
        description.put("labels", labels);
        description.put("functions", weights.length);
        description.put("goldRows", goldRows);
        description.put("voted", longs(voted));
        description.put("right", longs(right));
        description.put("accuracies", DawidSkene.list(accuracies));
        description.put("weights", DawidSkene.list(weights));
        return Collections.unmodifiableMap(description);
    }

    private static List<Long> longs(long[] values) {
        List<Long> list = new ArrayList<>(values.length);
        for (long value : values) {
            list.add(value);
        }
        return List.copyOf(list);
    }
}

package io.kiln.transform.label;

import java.util.Map;

/**
 * Turns the votes of the labeling functions on one row into one label. A vote is a label index
 * from 0 to {@code labels() - 1}, or {@value VoteCounts#ABSTAIN}; the functions are in the same
 * canonical order as when the model was fitted.
 *
 * <p>Implementations are immutable once built: {@link #predict} is deterministic and thread-safe,
 * and fitting the same rows, in whatever order they were added, gives bit-identical parameters.
 */
public sealed interface LabelModel permits MajorityVote, DawidSkene, WeightedVote {
    /** The number of labels. */
    int labels();

    /**
     * The label of a row, or label {@value VoteCounts#ABSTAIN} with confidence 0 when every
     * function abstains. Ties between labels go to the lowest label index.
     *
     * @throws IllegalArgumentException when a vote is out of range or, for a fitted model, the
     *     number of votes is not the number of functions
     */
    Prediction predict(int[] votes);

    /** The kind of model and its fitted parameters, as plain maps, lists, strings and numbers for a JSON artifact. */
    Map<String, Object> describe();

    /** A label index (or {@value VoteCounts#ABSTAIN} for none) and the model's confidence in it, from 0 to 1. */
    record Prediction(int label, double confidence) {
        public static final Prediction NONE = new Prediction(VoteCounts.ABSTAIN, 0);

        public Prediction {
            if (label < VoteCounts.ABSTAIN) {
                throw new IllegalArgumentException("label must be -1 (none) or more, was " + label);
            }
            if (!(confidence >= 0 && confidence <= 1)) {
                throw new IllegalArgumentException("confidence must be between 0 and 1, was " + confidence);
            }
            if (label == VoteCounts.ABSTAIN && confidence != 0) {
                throw new IllegalArgumentException("confidence of no label must be 0, was " + confidence);
            }
        }

        public boolean hasLabel() {
            return label != VoteCounts.ABSTAIN;
        }
    }
}

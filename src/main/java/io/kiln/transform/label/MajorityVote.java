package io.kiln.transform.label;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The label with the most votes; its confidence is its share of the votes that did not abstain.
 * Ties go to the lowest label index, so the caller's order of the labels decides them. Nothing is
 * fitted. Immutable, deterministic and thread-safe.
 */
public record MajorityVote(int labels) implements LabelModel {
    public MajorityVote {
        if (labels < 2) {
            throw new IllegalArgumentException("labels must be 2 or more, was " + labels);
        }
    }

    @Override
    public Prediction predict(int[] votes) {
        VoteCounts.checkVoteValues(votes, labels);
        long[] tally = new long[labels];
        long voted = 0;
        for (int vote : votes) {
            if (vote != VoteCounts.ABSTAIN) {
                tally[vote]++;
                voted++;
            }
        }
        if (voted == 0) {
            return Prediction.NONE;
        }
        int best = 0;
        for (int label = 1; label < labels; label++) {
            if (tally[label] > tally[best]) {
                best = label;
            }
        }
        return new Prediction(best, (double) tally[best] / voted);
    }

    /** {@code model} ("majority-vote"), {@code labels} and {@code ties} ("lowest-label"). */
    @Override
    public Map<String, Object> describe() {
        Map<String, Object> description = new LinkedHashMap<>();
        description.put("model", "majority-vote");
        description.put("labels", labels);
        description.put("ties", "lowest-label");
        return Collections.unmodifiableMap(description);
    }
}

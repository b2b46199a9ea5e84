package io.kiln.transform.label;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The votes of {@code functions} labeling functions over {@code labels} labels, held as distinct
 * patterns with a count each: memory grows with the distinct (votes, gold) pairs, not with the rows.
 * A vote is a label index from 0 to {@code labels - 1}, or {@value #ABSTAIN}; a gold label is a
 * label index, or {@value #ABSTAIN} when unknown. The functions are in the caller's canonical order.
 *
 * <p>{@link #patterns()} lists the patterns in a canonical order (votes lexicographically, then the
 * gold label), whatever the order the rows were added in, so that every floating-point sum over the
 * patterns is done in the same order and gives bit-identical results.
 *
 * <p>Not thread-safe: meant to be filled by one thread, then read.
 */
public final class VoteCounts {
    /** The vote of a function that abstains, and the gold label of a row whose label is unknown. */
    public static final int ABSTAIN = -1;

    private static final Comparator<Pattern> CANONICAL =
            Comparator.<Pattern, int[]>comparing(pattern -> pattern.votes, Arrays::compare).thenComparingInt(Pattern::gold);

    private final int functions;
    private final int labels;
    private final Map<Key, long[]> counts = new HashMap<>();
    private long rows;
    private long goldRows;
    private List<Pattern> sorted;

    public VoteCounts(int functions, int labels) {
        if (functions < 1) {
            throw new IllegalArgumentException("functions must be 1 or more, was " + functions);
        }
        if (labels < 2) {
            throw new IllegalArgumentException("labels must be 2 or more, was " + labels);
        }
        this.functions = functions;
        this.labels = labels;
    }

    /** One distinct (votes, gold) pair and the number of rows that had it; immutable. */
    public static final class Pattern {
        private final int[] votes;
        private final int gold;
        private final long count;

        private Pattern(int[] votes, int gold, long count) {
            this.votes = votes;
            this.gold = gold;
            this.count = count;
        }

        /** The vote of {@code function}, or {@value VoteCounts#ABSTAIN}. */
        public int vote(int function) {
            return votes[function];
        }

        /** A copy of the votes, one per function. */
        public int[] votes() {
            return votes.clone();
        }

        /** The gold label, or {@value VoteCounts#ABSTAIN} when unknown. */
        public int gold() {
            return gold;
        }

        public boolean hasGold() {
            return gold != ABSTAIN;
        }

        /** The number of rows with these votes and this gold label. */
        public long count() {
            return count;
        }

        /** Whether these votes equal the other pattern's, gold labels aside. */
        public boolean sameVotes(Pattern other) {
            return Arrays.equals(votes, other.votes);
        }

        @Override
        public String toString() {
            return "Pattern" + Arrays.toString(votes) + " gold " + gold + " x" + count;
        }
    }

    private record Key(int[] votes, int gold) {
        @Override
        public boolean equals(Object other) {
            return other instanceof Key key && gold == key.gold && Arrays.equals(votes, key.votes);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(votes) + gold;
        }
    }

    /** Adds one row whose gold label is unknown. */
    public void add(int[] votes) {
        add(votes, ABSTAIN);
    }

    /** Adds one row: a vote per function, and its gold label or {@value #ABSTAIN}. The array is copied. */
    public void add(int[] votes, int gold) {
        checkVotes(votes, functions, labels);
        if (gold < ABSTAIN || gold >= labels) {
            throw new IllegalArgumentException("gold label must be -1 (unknown) or from 0 to " + (labels - 1) + ", was " + gold);
        }
        counts.computeIfAbsent(new Key(votes.clone(), gold), ignored -> new long[1])[0]++;
        rows++;
        if (gold != ABSTAIN) {
            goldRows++;
        }
        sorted = null;
    }

    public int functions() {
        return functions;
    }

    public int labels() {
        return labels;
    }

    /** The number of rows added. */
    public long rows() {
        return rows;
    }

    /** The number of rows added with a gold label. */
    public long goldRows() {
        return goldRows;
    }

    /** The distinct patterns in canonical order: votes lexicographically (abstentions first), then the gold label. */
    public List<Pattern> patterns() {
        if (sorted == null) {
            List<Pattern> patterns = new ArrayList<>(counts.size());
            counts.forEach((key, count) -> patterns.add(new Pattern(key.votes, key.gold, count[0])));
            patterns.sort(CANONICAL);
            sorted = List.copyOf(patterns);
        }
        return sorted;
    }

    static void checkVotes(int[] votes, int functions, int labels) {
        requireNonNull(votes, "votes is null");
        if (votes.length != functions) {
            throw new IllegalArgumentException("expected " + functions + " votes, one per function, got " + votes.length);
        }
        checkVoteValues(votes, labels);
    }

    static void checkVoteValues(int[] votes, int labels) {
        requireNonNull(votes, "votes is null");
        for (int function = 0; function < votes.length; function++) {
            int vote = votes[function];
            if (vote < ABSTAIN || vote >= labels) {
                throw new IllegalArgumentException("vote of function " + function + " must be -1 (abstain) or from 0 to "
                        + (labels - 1) + ", was " + vote);
            }
        }
    }
}

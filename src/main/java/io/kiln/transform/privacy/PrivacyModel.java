package io.kiln.transform.privacy;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * What every equivalence class (rows equal on all quasi-identifiers, after generalization) must
 * satisfy: at least {@code k} rows and, optionally, l-diversity of one sensitive column; and the
 * share of rows that may be suppressed (rejected) to get there.
 *
 * @param diversity empty for k-anonymity alone
 * @param maxSuppression between 0 and 1
 */
public record PrivacyModel(int k, Optional<Diversity> diversity, double maxSuppression) {
    public PrivacyModel {
        requireNonNull(diversity, "diversity is null");
        if (k < 1) {
            throw new IllegalArgumentException("k must be 1 or more, was " + k);
        }
        if (!(maxSuppression >= 0 && maxSuppression <= 1)) {
            throw new IllegalArgumentException("maxSuppression must be between 0 and 1, was " + maxSuppression);
        }
    }

    /**
     * l-diversity of the sensitive column in every class (Machanavajjhala et al., "l-Diversity: Privacy
     * Beyond k-Anonymity", 2007): {@code distinct}, at least l distinct values (a null counts as a
     * value); {@code entropy}, the entropy -sum p ln p of the values at least ln l.
     */
    public record Diversity(String column, Kind kind, double l) {
        public enum Kind { DISTINCT, ENTROPY }

        public Diversity {
            requireNonNull(column, "column is null");
            requireNonNull(kind, "kind is null");
            if (!(l >= 1)) {
                throw new IllegalArgumentException("l must be 1 or more, was " + l);
            }
        }

        /** Whether a class whose sensitive values occur {@code counts} times each (any order) is diverse enough. */
        public boolean holds(long[] counts) {
            if (kind == Kind.DISTINCT) {
                return counts.length >= l;
            }
            return entropy(counts) >= StrictMath.log(l) - 1e-12;
        }

        /** The entropy in nats, summed in ascending order of the counts so that it does not depend on their order. */
        public static double entropy(long[] counts) {
            long[] sorted = counts.clone();
            java.util.Arrays.sort(sorted);
            long total = 0;
            for (long count : sorted) {
                total += count;
            }
            double entropy = 0;
            for (long count : sorted) {
                double p = (double) count / total;
                entropy -= p * StrictMath.log(p);
            }
            return entropy;
        }
    }
}

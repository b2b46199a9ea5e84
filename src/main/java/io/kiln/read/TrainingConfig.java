package io.kiln.read;

import java.util.List;

/**
 * What a training run reads, as a small file (YAML or JSON) that lives beside the training code:
 * <pre>
 * table: demo.docs
 * pin: train-2026-11        # or: snapshot: 5409525145113053029
 * columns: [id, text]       # optional; default all
 * filter: "id != 'de-0001'" # optional; the row filter of the rows and export endpoints
 * split:                    # optional; a deterministic, group-aware split (the rows endpoint's split.* parameters,
 *                           # an export's split)
 *   fractions: {train: 0.8, validation: 0.1, test: 0.1}   # disjoint, covering every row, in this order
 *   name: validation        # the split to read
 *   by: sender              # optional; every row with the same sender lands in the same split (default: the row id)
 *   seed: 17
 * </pre>
 * A split may also be one side of a cut by id: {@code split: {name: train, fraction: 0.9, seed: 17}}
 * reads the rows whose position is below 0.9.
 */
public record TrainingConfig(String table, Long snapshot, String pin, List<String> columns, String filter, Split split) {
    public TrainingConfig {
        columns = columns == null ? List.of() : List.copyOf(columns);
    }

    /**
     * A deterministic split, see {@link SplitRule} for the rule: {@code fractions} (the named splits,
     * in order) and the {@code name} of one, or {@code fraction} alone; {@code by} the group column
     * (default the row id); {@code seed} defaults to 0.
     */
    public record Split(String name, Double fraction, java.util.Map<String, Double> fractions, Long seed, String by) {
        public Split {
            fractions = fractions == null ? null : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(fractions));
        }

        /** One side of a split by id, as before named splits. */
        public Split(String name, Double fraction, Long seed) {
            this(name, fraction, null, seed, null);
        }
    }
}

package io.kiln.read;

import java.util.List;

/**
 * What a training run reads, as a small file (YAML or JSON) that lives beside the training code:
 * <pre>
 * table: demo.docs
 * pin: train-2026-11        # or: snapshot: 5409525145113053029
 * columns: [id, text]       # optional; default all
 * filter: "id != 'de-0001'" # optional; the row filter of the rows and export endpoints
 * split:                    # optional; a deterministic split by row id (the rows endpoint's split.fraction and
 *                           # split.seed, an export's split)
 *   name: train
 *   fraction: 0.9
 *   seed: 17
 * </pre>
 */
public record TrainingConfig(String table, Long snapshot, String pin, List<String> columns, String filter, Split split) {
    public TrainingConfig {
        columns = columns == null ? List.of() : List.copyOf(columns);
    }

    /** A deterministic split by row id; see {@link SplitRule} for the rule. {@code seed} defaults to 0. */
    public record Split(String name, Double fraction, Long seed) {}
}

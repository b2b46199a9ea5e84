package io.kiln.job;

import java.util.Map;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A lookup that enriches every row of the job: the records of another {@code source}, or the rows
 * of a published Kiln {@code table} at a {@code pin} or {@code snapshot}, matched on key columns
 * ({@code on}: a list of names both sides have, or {@code {"row_column": "lookup_column"}}).
 * {@code type}: {@code inner} (a row without a match is a reject, the default) or {@code left} (it
 * keeps nulls). {@code duplicates}: what a key that the lookup holds twice means: {@code reject}
 * (the default: every record with it, and every row that looks it up, is a reject), {@code first}
 * or {@code last} (by source order; the others are rejects). {@code columns} renames or (null)
 * drops lookup columns; {@code maxRows} bounds the lookup held in memory.
 */
public record JoinSpec(
        @Valid SourceSpec source,
        @Pattern(regexp = JobSpec.TABLE_PATTERN, message = "must be <namespace>.<name>") String table,
        String pin,
        Long snapshot,
        JsonNode on,
        @Pattern(regexp = "inner|left", message = "must be one of inner, left") String type,
        @Pattern(regexp = "reject|first|last", message = "must be one of reject, first, last") String duplicates,
        Map<String, String> columns,
        @Min(value = 1, message = "must be at least 1") @Max(value = Joins.MAX_ROWS_LIMIT, message = "must be at most " + Joins.MAX_ROWS_LIMIT) Integer maxRows) {
    public JoinSpec {
        on = on == null || on.isNull() || on.isMissingNode() ? null : on;
        columns = columns == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(columns));
    }
}

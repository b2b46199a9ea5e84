package io.kiln.transform.tabular;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.kiln.transform.Column;
import io.kiln.transform.InvalidStepParameterException;
import io.kiln.transform.Outcome;
import io.kiln.transform.Row;
import io.kiln.transform.StepContext;
import io.kiln.transform.StepDefinition;
import io.kiln.transform.StepId;
import io.kiln.transform.StepParameters;
import io.kiln.transform.Transform;

/**
 * {@code select}: keeps only the columns {@code columns} names (the id and Kiln's lineage columns
 * always stay), or removes those {@code drop} names. The table does not get the removed columns and
 * later steps cannot read them. Every column named must reach the step.
 */
public final class SelectStep implements StepDefinition {
    public static final String NAME = "select";
    private static final StepId ID = new StepId(NAME, 1);

    @Override
    public StepId id() {
        return ID;
    }

    @Override
    public Transform bind(Map<String, Object> parameters, StepContext context) {
        StepParameters.requireOnly(parameters, Set.of("columns", "drop"));
        if (parameters.containsKey("columns") == parameters.containsKey("drop")) {
            throw new InvalidStepParameterException("columns", "give columns (the columns to keep) or drop (the columns to remove)");
        }
        String field = parameters.containsKey("columns") ? "columns" : "drop";
        List<String> named = StepParameters.strings(parameters, field, List.of());
        if (named.isEmpty()) {
            throw new InvalidStepParameterException(field, "name at least one column");
        }
        Set<String> available = new LinkedHashSet<>();
        context.columnsBefore().forEach(column -> available.add(column.name()));
        for (String column : named) {
            if (!available.contains(column)) {
                throw new InvalidStepParameterException(field, "the rows have no column '" + column + "' at this step; they have " + String.join(", ", available));
            }
            if (column.equals("id")) {
                throw new InvalidStepParameterException(field, "the id always stays");
            }
        }
        Set<String> removed = new TreeSet<>();
        if (field.equals("drop")) {
            removed.addAll(named);
        }
        else {
            available.stream().filter(column -> !column.equals("id") && !named.contains(column)).forEach(removed::add);
        }
        return new Select(Set.copyOf(removed));
    }

    private record Select(Set<String> removes) implements Transform {
        @Override
        public StepId id() {
            return ID;
        }

        @Override
        public Outcome apply(Row row) {
            return Outcome.emit(row.without(removes));
        }

        @Override
        public List<Column> columns() {
            return List.of();
        }
    }
}

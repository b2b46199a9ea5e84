package io.kiln.transform.tabular;

import java.util.List;
import java.util.Map;
import java.util.Set;

import io.kiln.error.KilnException;
import io.kiln.read.RowFilter;
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
 * {@code filter}: drops the rows that match {@code drop} (or that do not match {@code keep}), a
 * condition in the rows endpoint's filter language ({@code "stars < 2 and verified = false"}),
 * with the reason {@code reason} (default {@code filtered}) and the condition in the reject's
 * detail. The condition is checked when the job is created against the columns that reach the step;
 * a row without a column's value has a null there ({@code is null} matches it).
 */
public final class FilterStep implements StepDefinition {
    public static final String NAME = "filter";
    private static final StepId ID = new StepId(NAME, 1);

    @Override
    public StepId id() {
        return ID;
    }

    @Override
    public Transform bind(Map<String, Object> parameters, StepContext context) {
        StepParameters.requireOnly(parameters, Set.of("drop", "keep", "reason"));
        if (parameters.containsKey("drop") == parameters.containsKey("keep")) {
            throw new InvalidStepParameterException("drop", "give drop (a condition the rows to drop match) or keep (one the rows to keep match)");
        }
        String field = parameters.containsKey("drop") ? "drop" : "keep";
        if (!(parameters.get(field) instanceof String condition) || condition.isBlank()) {
            throw new InvalidStepParameterException(field, "must be a condition, such as \"stars < 2 and verified = false\"");
        }
        Object reason = parameters.getOrDefault("reason", "filtered");
        if (!(reason instanceof String text) || !text.matches("[a-z][a-z0-9-]{0,63}")) {
            throw new InvalidStepParameterException("reason", "must be a reason code (lower-case letters, digits and -), was " + reason);
        }
        RowFilter filter;
        try {
            filter = RowFilter.parse(condition, io.kiln.lake.IcebergTypes.schema(context.columnsBefore()));
        }
        catch (KilnException e) {
            throw new InvalidStepParameterException(field, e.getMessage() + "; the rows have the columns "
                    + String.join(", ", context.columnsBefore().stream().map(Column::name).toList()));
        }
        return new Filter(filter, filter.valuesPredicate(), field.equals("drop"), text);
    }

    private record Filter(RowFilter filter, java.util.function.Predicate<java.util.function.Function<String, Object>> test, boolean dropMatches, String reason)
            implements Transform {
        @Override
        public StepId id() {
            return ID;
        }

        @Override
        public Outcome apply(Row row) {
            boolean matches = test.test(name -> name.equals("id") ? row.id() : row.value(name).orElse(null));
            if (matches == dropMatches) {
                return Outcome.drop(ID, reason, (dropMatches ? "matches " : "does not match ") + filter.text());
            }
            return Outcome.emit(row);
        }

        @Override
        public Set<String> readsAnyType() {
            Set<String> columns = new java.util.TreeSet<>(filter.columns());
            columns.remove("id");
            return columns;
        }

        @Override
        public List<Column> columns() {
            return List.of();
        }
    }
}

package io.kiln.transform.tabular;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

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
 * {@code log}: the natural logarithm of a numeric column ({@code function}: {@code log}, or
 * {@code log1p}, {@code ln(1 + x)}), as a double into {@code into} (default: the column itself).
 * A value outside the domain (at or below 0 for log, at or below -1 for log1p) follows
 * {@code outOfDomain}: {@code reject} (default: the row is a reject, {@code log-domain}, naming the
 * value) or {@code null}. Nulls stay null. Uses {@link StrictMath}, so results are the same bits on
 * every machine.
 */
public final class LogStep implements StepDefinition {
    public static final String NAME = "log";
    private static final StepId ID = new StepId(NAME, 1);

    @Override
    public StepId id() {
        return ID;
    }

    @Override
    public Transform bind(Map<String, Object> parameters, StepContext context) {
        StepParameters.requireOnly(parameters, Set.of("column", "function", "outOfDomain", "into"));
        String column = ScaleStep.Features.requiredColumn(parameters, "the numeric column to take the logarithm of");
        ScaleStep.Features.requireNumeric(context, "column", column);
        boolean plusOne = StepParameters.oneOf(parameters, "function", "log", Set.of("log", "log1p")).equals("log1p");
        boolean reject = StepParameters.oneOf(parameters, "outOfDomain", "reject", Set.of("reject", "null")).equals("reject");
        return new Log(column, plusOne, reject, StepParameters.column(parameters, "into", column));
    }

    private record Log(String column, boolean plusOne, boolean reject, String into) implements Transform {
        @Override
        public StepId id() {
            return ID;
        }

        @Override
        public Outcome apply(Row row) {
            Optional<Double> value = ScaleStep.Features.number(row, column);
            if (value.isEmpty()) {
                return Outcome.emit(row.with(into, null));
            }
            double x = value.get();
            if (plusOne ? !(x > -1) : !(x > 0)) {
                if (reject) {
                    return Outcome.drop(ID, "log-domain", column + " is " + x + ", outside the domain of " + (plusOne ? "log1p (above -1)" : "log (above 0)"));
                }
                return Outcome.emit(row.with(into, null));
            }
            return Outcome.emit(row.with(into, plusOne ? StrictMath.log1p(x) : StrictMath.log(x)));
        }

        @Override
        public Set<String> readsAnyType() {
            return Set.of(column);
        }

        @Override
        public List<Column> columns() {
            return List.of(Column.doubleColumn(into, (plusOne ? "log1p" : "log") + " of " + column));
        }
    }
}

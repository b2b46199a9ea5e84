package io.kiln.checks;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.OptionalDouble;

/**
 * An anomaly rule from a suite's {@code Anomalies = [ ... ]} block: the ratio of this run's metric to the
 * metric of the previous passed run of the same table must stay within bounds.
 *
 * @param maxIncrease fails when current / previous is above it
 * @param maxDecrease fails when current / previous is below it
 */
public record AnomalyRule(AnomalyMetric metric, Optional<String> column, OptionalDouble maxIncrease,
                          OptionalDouble maxDecrease) {
    public AnomalyRule {
        requireNonNull(metric, "metric is null");
        requireNonNull(column, "column is null");
        requireNonNull(maxIncrease, "maxIncrease is null");
        requireNonNull(maxDecrease, "maxDecrease is null");
        if (metric.needsColumn() != column.isPresent()) {
            throw new IllegalArgumentException(metric.needsColumn()
                    ? metric.dqdlName() + " needs a column, e.g. " + metric.dqdlName() + " \"text\""
                    : metric.dqdlName() + " takes no column");
        }
        if (maxIncrease.isEmpty() && maxDecrease.isEmpty()) {
            throw new IllegalArgumentException(metric.dqdlName() + " needs maxIncrease and/or maxDecrease");
        }
        if (maxIncrease.isPresent() && !(maxIncrease.getAsDouble() > 0)) {
            throw new IllegalArgumentException("maxIncrease must be above 0, was " + maxIncrease.getAsDouble());
        }
        if (maxDecrease.isPresent() && !(maxDecrease.getAsDouble() >= 0)) {
            throw new IllegalArgumentException("maxDecrease must be 0 or more, was " + maxDecrease.getAsDouble());
        }
    }

    /** The rule in suite syntax, e.g. {@code RowCount maxIncrease 3.0}. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(metric.dqdlName());
        column.ifPresent(name -> text.append(" \"").append(name.replace("\\", "\\\\").replace("\"", "\\\"")).append('"'));
        maxIncrease.ifPresent(value -> text.append(" maxIncrease ").append(value));
        maxDecrease.ifPresent(value -> text.append(" maxDecrease ").append(value));
        return text.toString();
    }
}

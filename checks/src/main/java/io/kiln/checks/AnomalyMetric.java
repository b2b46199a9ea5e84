package io.kiln.checks;

import com.amazon.deequ.analyzers.Analyzer;
import com.amazon.deequ.analyzers.Completeness;
import com.amazon.deequ.analyzers.CountDistinct;
import com.amazon.deequ.analyzers.Mean;
import com.amazon.deequ.analyzers.Size;
import com.amazon.deequ.analyzers.StandardDeviation;
import com.amazon.deequ.analyzers.Sum;
import com.amazon.deequ.analyzers.Uniqueness;
import com.amazon.deequ.metrics.Metric;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;
import scala.Option;

/**
 * A metric an anomaly rule can watch, named as in DQDL, and the Deequ analyzer that computes it.
 */
public enum AnomalyMetric {
    ROW_COUNT("RowCount", false),
    COMPLETENESS("Completeness", true),
    UNIQUENESS("Uniqueness", true),
    DISTINCT_VALUES_COUNT("DistinctValuesCount", true),
    MEAN("Mean", true),
    SUM("Sum", true),
    STANDARD_DEVIATION("StandardDeviation", true);

    private final String dqdlName;
    private final boolean needsColumn;

    AnomalyMetric(String dqdlName, boolean needsColumn) {
        this.dqdlName = dqdlName;
        this.needsColumn = needsColumn;
    }

    public String dqdlName() {
        return dqdlName;
    }

    public boolean needsColumn() {
        return needsColumn;
    }

    public static Optional<AnomalyMetric> fromDqdlName(String name) {
        return Arrays.stream(values()).filter(metric -> metric.dqdlName.equals(name)).findFirst();
    }

    public static String names() {
        return Arrays.stream(values()).map(AnomalyMetric::dqdlName).collect(Collectors.joining(", "));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    Analyzer<?, Metric<?>> analyzer(Optional<String> column) {
        Option<String> noFilter = Option.empty();
        Analyzer analyzer = switch (this) {
            case ROW_COUNT -> new Size(noFilter);
            case COMPLETENESS -> new Completeness(column.orElseThrow(), noFilter, Option.empty());
            case UNIQUENESS -> new Uniqueness(Scala.seq(java.util.List.of(column.orElseThrow())), noFilter, Option.empty());
            case DISTINCT_VALUES_COUNT -> new CountDistinct(Scala.seq(java.util.List.of(column.orElseThrow())));
            case MEAN -> new Mean(column.orElseThrow(), noFilter);
            case SUM -> new Sum(column.orElseThrow(), noFilter);
            case STANDARD_DEVIATION -> new StandardDeviation(column.orElseThrow(), noFilter);
        };
        return analyzer;
    }
}

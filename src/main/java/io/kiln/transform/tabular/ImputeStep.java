package io.kiln.transform.tabular;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import io.kiln.transform.Column;
import io.kiln.transform.DataType;
import io.kiln.transform.FittedStep;
import io.kiln.transform.InvalidStepParameterException;
import io.kiln.transform.Outcome;
import io.kiln.transform.Row;
import io.kiln.transform.StepContext;
import io.kiln.transform.StepDefinition;
import io.kiln.transform.StepId;
import io.kiln.transform.StepParameters;
import io.kiln.transform.Transform;
import io.kiln.transform.Values;

/**
 * {@code impute}: a fitted step that fills a column's missing values (null, or a number that is NaN
 * or infinite) with a statistic of the job's rows, globally or per group ({@code groupBy}).
 * {@code strategy}: {@code mean} or {@code median} (numbers; the column becomes a double), {@code mode}
 * (the most frequent value, the least by its JSON text on a tie; any type) or {@code constant}
 * ({@code value}). With {@code "indicator": true} the column {@code <into>_missing} says which rows were
 * filled. The result goes to {@code into} (default: the column itself). A group with no value to learn
 * from (or a constant of the wrong type) keeps its nulls.
 *
 * <p>The statistics are exact and order-independent ({@link ExactStatistics}), and the step's state is
 * a JSON file kept with the snapshot, as for {@code scale}.
 */
public final class ImputeStep implements StepDefinition {
    public static final String NAME = "impute";
    private static final StepId ID = new StepId(NAME, 1);

    @Override
    public StepId id() {
        return ID;
    }

    @Override
    public Transform bind(Map<String, Object> parameters, StepContext context) {
        StepParameters.requireOnly(parameters, Set.of("column", "strategy", "value", "indicator", "groupBy", "into", "fitFrom"));
        String column = ScaleStep.Features.requiredColumn(parameters, "the column whose missing values to fill");
        String strategy = StepParameters.oneOf(parameters, "strategy", "mean", Set.of("mean", "median", "mode", "constant"));
        if (strategy.equals("constant") != parameters.containsKey("value")) {
            throw new InvalidStepParameterException("value", strategy.equals("constant") ? "is required with strategy constant" : "is only for strategy constant");
        }
        boolean numeric = strategy.equals("mean") || strategy.equals("median");
        if (numeric) {
            ScaleStep.Features.requireNumeric(context, "column", column);
        }
        DataType type = numeric ? DataType.DOUBLE : context.columnsBefore().stream().filter(candidate -> candidate.name().equals(column)).map(Column::type)
                .findFirst().orElseThrow(() -> new InvalidStepParameterException("column", "the rows have no column '" + column + "' at this step"));
        if (strategy.equals("constant") && !fits(type, parameters.get("value"))) {
            throw new InvalidStepParameterException("value", "must be a value of column " + column + "'s type " + type + ", was " + parameters.get("value"));
        }
        List<String> groupBy = StepParameters.strings(parameters, "groupBy", List.of());
        String into = StepParameters.column(parameters, "into", column);
        Optional<Preset> preset = ScaleStep.Features.reused(parameters, context, "features-impute-" + into).map(state -> {
            ScaleStep.Features.requireSame(state, "column", column);
            ScaleStep.Features.requireSame(state, "strategy", strategy);
            ScaleStep.Features.requireSame(state, "groupBy", groupBy);
            Map<String, Object> fills = new TreeMap<>();
            state.json().path("fills").fields().forEachRemaining(fill -> fills.put(fill.getKey(), typed(type, fill.getValue())));
            return new Preset(state.snapshotId(), state.sha256(), fills);
        });
        return new Impute(column, strategy, Optional.ofNullable(parameters.get("value")).map(value -> typed(type, value)), StepParameters.flag(parameters, "indicator", false),
                groupBy, into, type, preset);
    }

    /** Fill values reused from an earlier snapshot ({@code fitFrom}). */
    private record Preset(long snapshotId, String sha256, Map<String, Object> fills) {}

    /** A fill value read back from a state, as the column's values are held. */
    private static Object typed(DataType type, com.fasterxml.jackson.databind.JsonNode value) {
        if (value.isNull()) {
            return null;
        }
        if (type == DataType.STRING) {
            return value.asText();
        }
        if (type == DataType.BOOLEAN) {
            return value.asBoolean();
        }
        return typed(type, value.numberValue());
    }

    /** A constant as the column's values are held: Integer, Long, Float or Double for numbers. */
    private static Object typed(DataType type, Object value) {
        if (type == DataType.INT) {
            return ((Number) value).intValue();
        }
        if (type == DataType.LONG) {
            return ((Number) value).longValue();
        }
        if (type == DataType.FLOAT) {
            return ((Number) value).floatValue();
        }
        if (type == DataType.DOUBLE) {
            return ((Number) value).doubleValue();
        }
        return value;
    }

    private static boolean fits(DataType type, Object value) {
        if (type == DataType.STRING) {
            return value instanceof String;
        }
        if (type == DataType.BOOLEAN) {
            return value instanceof Boolean;
        }
        if (type == DataType.INT || type == DataType.LONG) {
            return value instanceof Integer || value instanceof Long;
        }
        if (type == DataType.FLOAT || type == DataType.DOUBLE) {
            return value instanceof Number;
        }
        return false;
    }

    private record Impute(String column, String strategy, Optional<Object> constant, boolean indicator, List<String> groupBy, String into, DataType type,
            Optional<Preset> preset) implements FittedStep {
        @Override
        public StepId id() {
            return ID;
        }

        @Override
        public String stateName() {
            return "features-impute-" + into;
        }

        @Override
        public Map<String, String> fingerprint() {
            return preset.map(reused -> ScaleStep.Features.fingerprint(reused.snapshotId(), reused.sha256())).orElse(Map.of());
        }

        @Override
        public Object observe(Row row) {
            if (preset.isPresent()) {
                return null;
            }
            Optional<Object> value = present(row);
            return value.<Object>map(present -> new Object[] {ScaleStep.Features.groupKey(row, groupBy), present}).orElse(null);
        }

        Optional<Object> present(Row row) {
            return row.value(column).filter(value -> !(value instanceof Double wide && !Double.isFinite(wide))
                    && !(value instanceof Float narrow && !Float.isFinite(narrow)));
        }

        @Override
        public List<Column> columns() {
            List<Column> columns = new ArrayList<>();
            columns.add(Column.optional(into, type, column + " with its missing values filled (" + strategy + ")"));
            if (indicator) {
                columns.add(Column.optional(into + "_missing", DataType.BOOLEAN, "whether " + column + " was missing and filled"));
            }
            return columns;
        }

        @Override
        public java.util.Set<String> readsAnyType() {
            java.util.Set<String> read = new java.util.TreeSet<>(groupBy);
            read.add(column);
            return read;
        }

        @Override
        public Fit newFit() {
            return new ImputeFit(this);
        }
    }

    private static final class ImputeFit implements FittedStep.Fit {
        private final Impute step;
        private final Map<String, ExactStatistics> numbers = new TreeMap<>();
        /** Per group, per value's JSON text: the value and its count. */
        private final Map<String, Map<String, Object[]>> counts = new TreeMap<>();
        private final Map<String, Object> fills = new TreeMap<>();
        private final String indicatorColumn;

        ImputeFit(Impute step) {
            this.step = step;
            this.indicatorColumn = step.into() + "_missing";
        }

        @Override
        public void loadHistory(InputStream states) {
            // every job fits on its own rows
        }

        @Override
        public synchronized void add(long occurrence, String id, Object observation) {
            Object[] observed = (Object[]) observation;
            String group = (String) observed[0];
            switch (step.strategy()) {
                case "mean", "median" -> numbers.computeIfAbsent(group, any -> new ExactStatistics()).add(((Number) observed[1]).doubleValue());
                case "mode" -> {
                    Object[] entry = counts.computeIfAbsent(group, any -> new TreeMap<>()).computeIfAbsent(Values.json(observed[1]), any -> new Object[] {observed[1], 0L});
                    entry[1] = (Long) entry[1] + 1;
                }
                default -> counts.computeIfAbsent(group, any -> new TreeMap<>());
            }
        }

        @Override
        public void fit() {
            if (step.preset().isPresent()) {
                fills.putAll(step.preset().get().fills());
                return;
            }
            numbers.forEach((group, values) -> {
                ExactStatistics.Summary summary = values.summarize();
                fills.put(group, step.strategy().equals("mean") ? summary.mean() : summary.quantile(0.5));
            });
            counts.forEach((group, values) -> {
                Object best = null;
                long bestCount = 0;
                for (Object[] entry : values.values()) {
                    if ((Long) entry[1] > bestCount) {
                        best = entry[0];
                        bestCount = (Long) entry[1];
                    }
                }
                if (best != null) {
                    fills.put(group, best);
                }
            });
            numbers.clear();
            counts.clear();
        }

        @Override
        public Outcome apply(long occurrence, Row row) {
            Optional<Object> value = step.present(row);
            Object imputed;
            if (value.isPresent()) {
                imputed = step.type() == DataType.DOUBLE ? ((Number) value.get()).doubleValue() : value.get();
            }
            else {
                Object fill = step.strategy().equals("constant") ? step.constant().orElse(null) : fills.get(ScaleStep.Features.groupKey(row, step.groupBy()));
                imputed = fill instanceof Number number && step.type() == DataType.DOUBLE ? number.doubleValue() : fill;
            }
            Row imputedRow = row.with(step.into(), imputed);
            return Outcome.emit(step.indicator() ? imputedRow.with(indicatorColumn, value.isEmpty()) : imputedRow);
        }

        @Override
        public void writeState(OutputStream out) throws IOException {
            Map<String, Object> written = new LinkedHashMap<>();
            written.put("step", ID.toString());
            written.put("column", step.column());
            written.put("into", step.into());
            written.put("strategy", step.strategy());
            written.put("groupBy", step.groupBy());
            step.preset().ifPresent(reused -> written.put("fittedBy", Long.toString(reused.snapshotId())));
            written.put("fills", step.strategy().equals("constant") ? Map.of("[]", step.constant().orElse("")) : fills);
            out.write(Values.json(written).getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public long estimatedBytes() {
            return numbers.values().stream().mapToLong(ExactStatistics::bytes).sum() + counts.size() * 64L + fills.size() * 64L;
        }

        @Override
        public Map<String, String> summary() {
            return Map.of("kiln.features.impute." + step.into(), step.strategy() + " of " + step.column()
                    + (step.groupBy().isEmpty() ? "" : " by " + String.join(", ", step.groupBy())) + ", " + fills.size() + " groups");
        }
    }
}

package io.kiln.transform.tabular;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
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
 * {@code scale}: a fitted step that rescales a numeric column with statistics of the job's rows,
 * globally or per group ({@code groupBy}: columns whose values make the group, such as
 * {@code ["species"]}). {@code method}: {@code zscore} (default: {@code (x - mean) / std}, the sample
 * standard deviation, as Spark ML's StandardScaler), {@code minmax} ({@code (x - min) / (max - min)}) or
 * {@code robust} ({@code (x - median) / (q3 - q1)}). A zero spread gives 0. Nulls stay null and are not
 * counted. The result, a double, goes to {@code into} (default: the column itself).
 *
 * <p>The statistics are exact and do not depend on threads, batches or row order
 * ({@link ExactStatistics}); they are the step's state, a JSON file kept with the snapshot (its location
 * and sha256 in the summary), which {@code GET .../snapshots/{id}/features} returns.
 */
public final class ScaleStep implements StepDefinition {
    public static final String NAME = "scale";
    private static final StepId ID = new StepId(NAME, 1);
    private static final Set<String> NUMERIC = Set.of("INT", "LONG", "FLOAT", "DOUBLE");

    @Override
    public StepId id() {
        return ID;
    }

    @Override
    public Transform bind(Map<String, Object> parameters, StepContext context) {
        StepParameters.requireOnly(parameters, Set.of("column", "method", "groupBy", "into", "fitFrom"));
        String column = Features.requiredColumn(parameters, "the numeric column to scale");
        String method = StepParameters.oneOf(parameters, "method", "zscore", Set.of("zscore", "minmax", "robust"));
        List<String> groupBy = StepParameters.strings(parameters, "groupBy", List.of());
        String into = StepParameters.column(parameters, "into", column);
        Features.requireNumeric(context, "column", column);
        for (String group : groupBy) {
            if (context.columnsBefore().stream().noneMatch(candidate -> candidate.name().equals(group)) && !context.columnsBefore().isEmpty()) {
                throw new InvalidStepParameterException("groupBy", "the rows have no column '" + group + "' at this step");
            }
        }
        Optional<Preset> preset = Features.reused(parameters, context, "features-scale-" + into).map(state -> {
            Features.requireSame(state, "column", column);
            Features.requireSame(state, "method", method);
            Features.requireSame(state, "groupBy", groupBy);
            Map<String, Parameters> fitted = new TreeMap<>();
            state.json().path("groups").fields().forEachRemaining(group -> {
                com.fasterxml.jackson.databind.JsonNode values = group.getValue();
                long count = values.path("count").asLong();
                fitted.put(group.getKey(), switch (method) {
                    case "minmax" -> new Parameters(count, values.path("min").asDouble(), values.path("max").asDouble() - values.path("min").asDouble());
                    case "robust" -> new Parameters(count, values.path("median").asDouble(), values.path("q3").asDouble() - values.path("q1").asDouble());
                    default -> new Parameters(count, values.path("mean").asDouble(), values.path("std").asDouble());
                });
            });
            return new Preset(state.snapshotId(), state.sha256(), fitted, Features.JSON.convertValue(state.json().path("groups"), Map.class));
        });
        return new Scale(column, method, groupBy, into, preset);
    }

    /** Statistics reused from an earlier snapshot ({@code fitFrom}) instead of fitted on the job's rows. */
    private record Preset(long snapshotId, String sha256, Map<String, Parameters> parameters, Map<?, ?> groups) {}

    private record Scale(String column, String method, List<String> groupBy, String into, Optional<Preset> preset) implements FittedStep {
        @Override
        public StepId id() {
            return ID;
        }

        @Override
        public String stateName() {
            return "features-scale-" + into;
        }

        @Override
        public Map<String, String> fingerprint() {
            return preset.map(reused -> Features.fingerprint(reused.snapshotId(), reused.sha256())).orElse(Map.of());
        }

        @Override
        public Object observe(Row row) {
            if (preset.isPresent()) {
                return null;
            }
            Optional<Double> value = Features.number(row, column);
            return value.<Object>map(number -> new Object[] {Features.groupKey(row, groupBy), number}).orElse(null);
        }

        @Override
        public List<Column> columns() {
            return List.of(Column.doubleColumn(into, "the scaled " + column + " (" + method + (groupBy.isEmpty() ? "" : " by " + String.join(", ", groupBy)) + ")"));
        }

        @Override
        public java.util.Set<String> readsAnyType() {
            java.util.Set<String> read = new java.util.TreeSet<>(groupBy);
            read.add(column);
            return read;
        }

        @Override
        public Fit newFit() {
            return new ScaleFit(this);
        }
    }

    /** Per group: what the method needs, from the group's exact statistics. */
    private record Parameters(long count, double center, double spread) {}

    private static final class ScaleFit implements FittedStep.Fit {
        private final Scale step;
        private final Map<String, ExactStatistics> groups = new TreeMap<>();
        private final Map<String, Parameters> fitted = new TreeMap<>();
        private final Map<String, Map<String, Object>> state = new TreeMap<>();

        ScaleFit(Scale step) {
            this.step = step;
        }

        @Override
        public void loadHistory(InputStream states) {
            // every job fits on its own rows
        }

        @Override
        public synchronized void add(long occurrence, String id, Object observation) {
            Object[] observed = (Object[]) observation;
            groups.computeIfAbsent((String) observed[0], any -> new ExactStatistics()).add((Double) observed[1]);
        }

        @Override
        @SuppressWarnings("unchecked")
        public void fit() {
            if (step.preset().isPresent()) {
                fitted.putAll(step.preset().get().parameters());
                step.preset().get().groups().forEach((group, values) -> state.put((String) group, (Map<String, Object>) values));
                return;
            }
            groups.forEach((group, values) -> {
                ExactStatistics.Summary summary = values.summarize();
                Map<String, Object> described = new LinkedHashMap<>();
                described.put("count", summary.count());
                Parameters parameters = switch (step.method()) {
                    case "minmax" -> {
                        described.put("min", summary.min());
                        described.put("max", summary.max());
                        yield new Parameters(summary.count(), summary.min(), summary.max() - summary.min());
                    }
                    case "robust" -> {
                        double median = summary.quantile(0.5);
                        double q1 = summary.quantile(0.25);
                        double q3 = summary.quantile(0.75);
                        described.put("median", median);
                        described.put("q1", q1);
                        described.put("q3", q3);
                        yield new Parameters(summary.count(), median, q3 - q1);
                    }
                    default -> {
                        double[] meanAndStd = summary.meanAndStandardDeviation();
                        double mean = meanAndStd[0];
                        double std = meanAndStd[1];
                        described.put("mean", mean);
                        described.put("std", std);
                        yield new Parameters(summary.count(), mean, std);
                    }
                };
                fitted.put(group, parameters);
                state.put(group, described);
            });
            groups.clear();
        }

        @Override
        public Outcome apply(long occurrence, Row row) {
            Optional<Double> value = Features.number(row, step.column());
            Parameters parameters = fitted.get(Features.groupKey(row, step.groupBy()));
            Double scaled = value.isEmpty() || parameters == null ? null
                    : parameters.spread() == 0 ? 0.0 : (value.get() - parameters.center()) / parameters.spread();
            return Outcome.emit(row.with(step.into(), scaled));
        }

        @Override
        public void writeState(OutputStream out) throws IOException {
            Map<String, Object> written = new LinkedHashMap<>();
            written.put("step", ID.toString());
            written.put("column", step.column());
            written.put("into", step.into());
            written.put("method", step.method());
            written.put("groupBy", step.groupBy());
            step.preset().ifPresent(reused -> written.put("fittedBy", Long.toString(reused.snapshotId())));
            written.put("groups", state);
            out.write(Values.json(written).getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public long estimatedBytes() {
            return groups.values().stream().mapToLong(ExactStatistics::bytes).sum() + fitted.size() * 64L;
        }

        @Override
        public Map<String, String> summary() {
            return Map.of("kiln.features.scale." + step.into(), String.format(Locale.ROOT, "%s of %s%s, %d groups", step.method(), step.column(),
                    step.groupBy().isEmpty() ? "" : " by " + String.join(", ", step.groupBy()), fitted.size()));
        }
    }

    /** Helpers the feature steps share. */
    static final class Features {
        static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

        private Features() {}

        /** A state read back for {@code fitFrom}. */
        record Reused(long snapshotId, String sha256, com.fasterxml.jackson.databind.JsonNode json) {}

        /** The state {@code stateName} of the snapshot parameter {@code fitFrom} names (a pin or a snapshot id of the job's table), when it is given. */
        static Optional<Reused> reused(Map<String, Object> parameters, StepContext context, String stateName) {
            Object reference = parameters.get("fitFrom");
            if (reference == null) {
                return Optional.empty();
            }
            if (!(reference instanceof String) && !(reference instanceof Number)) {
                throw new InvalidStepParameterException("fitFrom", "must be a pin or a snapshot id of the table, was " + reference);
            }
            StepContext.PublishedState state = context.publishedState(String.valueOf(reference), stateName).orElseThrow(() -> new InvalidStepParameterException("fitFrom",
                    "the table has no published snapshot or pin '" + reference + "' with the state " + stateName + " to reuse"));
            try {
                return Optional.of(new Reused(state.snapshotId(), state.sha256(), JSON.readTree(state.json())));
            }
            catch (java.io.IOException e) {
                throw new InvalidStepParameterException("fitFrom", "the state " + stateName + " of snapshot " + state.snapshotId() + " is not JSON: " + e.getMessage());
            }
        }

        /** The column parameter {@code column}, which these steps require; {@code what} says what it must be. */
        static String requiredColumn(Map<String, Object> parameters, String what) {
            if (!parameters.containsKey("column")) {
                throw new InvalidStepParameterException("column", "is required: " + what);
            }
            return StepParameters.column(parameters, "column");
        }

        /** What the recipe records of a reused state: the snapshot it was read from and its sha256. */
        static Map<String, String> fingerprint(long snapshotId, String sha256) {
            return Map.of("fit-from", snapshotId + " sha256 " + sha256);
        }

        /** A reused state must have been fitted with the same {@code field}. */
        static void requireSame(Reused state, String field, Object expected) {
            Object fitted = JSON.convertValue(state.json().path(field), Object.class);
            if (!java.util.Objects.equals(fitted, expected)) {
                throw new InvalidStepParameterException("fitFrom", "the state of snapshot " + state.snapshotId() + " was fitted with " + field + " " + fitted
                        + ", this step has " + expected);
            }
        }

        static Optional<Double> number(Row row, String column) {
            return row.value(column).filter(Number.class::isInstance).map(value -> ((Number) value).doubleValue()).filter(Double::isFinite);
        }

        /** The group of a row: its values of the group columns, as JSON ({@code []} without groups). */
        static String groupKey(Row row, List<String> groupBy) {
            List<Object> key = new ArrayList<>(groupBy.size());
            for (String column : groupBy) {
                key.add(row.value(column).orElse(null));
            }
            return Values.json(key);
        }

        /** The column must reach the step as a number (when the step knows the columns). */
        static void requireNumeric(StepContext context, String parameter, String column) {
            if (context.columnsBefore().isEmpty()) {
                return;
            }
            Column found = context.columnsBefore().stream().filter(candidate -> candidate.name().equals(column)).findFirst()
                    .orElseThrow(() -> new InvalidStepParameterException(parameter, "the rows have no column '" + column + "' at this step"));
            if (!(found.type() instanceof DataType.Primitive primitive) || !NUMERIC.contains(primitive.name())) {
                throw new InvalidStepParameterException(parameter, "column '" + column + "' is " + found.type() + ", not a number");
            }
        }
    }
}

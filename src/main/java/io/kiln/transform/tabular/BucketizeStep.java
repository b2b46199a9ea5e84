package io.kiln.transform.tabular;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.kiln.transform.Column;
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
 * {@code bucketize} and {@code clip}: numeric columns cut at edges, given or fitted as exact quantiles
 * of the job's rows ({@link ExactStatistics}).
 *
 * <p>{@code bucketize}: the bucket index of each value, how many edges are at or below it (so
 * {@code edges: [10, 20]} gives 0 below 10, 1 in [10, 20), 2 from 20), into {@code into} (default
 * {@code <column>_bucket}); edges are {@code edges} or, with {@code quantiles: n}, the n - 1 inner
 * quantiles that cut the values into n buckets of equal share. {@code clip}: values below {@code min}
 * become {@code min}, above {@code max} become {@code max}, as doubles into {@code into} (default the
 * column); with {@code quantiles: [0.01, 0.99]} the bounds are those quantiles of the job's rows
 * (winsorizing). Nulls stay null. Fitted edges and bounds are the step's state, kept with the snapshot.
 */
public final class BucketizeStep implements StepDefinition {
    private final StepId id;

    private BucketizeStep(String name) {
        this.id = new StepId(name, 1);
    }

    public static BucketizeStep bucketize() {
        return new BucketizeStep("bucketize");
    }

    public static BucketizeStep clip() {
        return new BucketizeStep("clip");
    }

    @Override
    public StepId id() {
        return id;
    }

    @Override
    public Transform bind(Map<String, Object> parameters, StepContext context) {
        boolean clip = id.name().equals("clip");
        StepParameters.requireOnly(parameters, clip ? Set.of("column", "min", "max", "quantiles", "into", "fitFrom") : Set.of("column", "edges", "quantiles", "into", "fitFrom"));
        String column = ScaleStep.Features.requiredColumn(parameters, "the numeric column");
        ScaleStep.Features.requireNumeric(context, "column", column);
        String into = StepParameters.column(parameters, "into", clip ? column : column + "_bucket");
        Optional<double[]> fixed;
        double[] quantiles;
        Optional<ScaleStep.Features.Reused> reused = ScaleStep.Features.reused(parameters, context, "features-" + id.name() + "-" + into);
        if (reused.isPresent()) {
            ScaleStep.Features.requireSame(reused.get(), "column", column);
            List<Double> cut = new ArrayList<>();
            reused.get().json().path(clip ? "bounds" : "edges").forEach(edge -> cut.add(edge.isNumber() ? edge.asDouble()
                    : edge.asText().startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY));
            return new Cut(id, clip, column, into, Optional.of(cut.stream().mapToDouble(Double::doubleValue).toArray()), new double[0],
                    ScaleStep.Features.fingerprint(reused.get().snapshotId(), reused.get().sha256()));
        }
        if (clip) {
            boolean bounds = parameters.containsKey("min") || parameters.containsKey("max");
            if (bounds == parameters.containsKey("quantiles")) {
                throw new InvalidStepParameterException("quantiles", "give min and max, or quantiles: [lower, upper] to fit them");
            }
            if (bounds) {
                double min = StepParameters.number(parameters, "min", Double.NEGATIVE_INFINITY, -Double.MAX_VALUE, Double.MAX_VALUE);
                double max = StepParameters.number(parameters, "max", Double.POSITIVE_INFINITY, -Double.MAX_VALUE, Double.MAX_VALUE);
                if (!(min <= max)) {
                    throw new InvalidStepParameterException("max", "must be at least min (" + min + "), was " + max);
                }
                fixed = Optional.of(new double[] {min, max});
                quantiles = new double[0];
            }
            else {
                quantiles = numbers(parameters.get("quantiles"), "quantiles");
                if (quantiles.length != 2 || !(0 <= quantiles[0] && quantiles[0] < quantiles[1] && quantiles[1] <= 1)) {
                    throw new InvalidStepParameterException("quantiles", "must be [lower, upper] with 0 <= lower < upper <= 1, such as [0.01, 0.99]");
                }
                fixed = Optional.empty();
            }
        }
        else {
            if (parameters.containsKey("edges") == parameters.containsKey("quantiles")) {
                throw new InvalidStepParameterException("edges", "give edges (ascending), or quantiles: n to cut the values into n buckets of equal share");
            }
            if (parameters.containsKey("edges")) {
                double[] edges = numbers(parameters.get("edges"), "edges");
                for (int i = 1; i < edges.length; i++) {
                    if (!(edges[i - 1] < edges[i])) {
                        throw new InvalidStepParameterException("edges", "must be strictly ascending, was " + Arrays.toString(edges));
                    }
                }
                fixed = Optional.of(edges);
                quantiles = new double[0];
            }
            else {
                int buckets = StepParameters.integer(parameters, "quantiles", 4, 2, 10_000);
                quantiles = new double[buckets - 1];
                for (int i = 1; i < buckets; i++) {
                    quantiles[i - 1] = i / (double) buckets;
                }
                fixed = Optional.empty();
            }
        }
        return new Cut(id, clip, column, into, fixed, quantiles, Map.of());
    }

    private static double[] numbers(Object value, String parameter) {
        if (!(value instanceof List<?> list) || list.isEmpty() || !list.stream().allMatch(Number.class::isInstance)) {
            throw new InvalidStepParameterException(parameter, "must be a list of numbers, was " + value);
        }
        return list.stream().mapToDouble(element -> ((Number) element).doubleValue()).toArray();
    }

    /** {@code fixed}: the edges (bucketize) or {min, max} (clip) given; else fitted at {@code quantiles}. */
    private record Cut(StepId id, boolean clip, String column, String into, Optional<double[]> fixed, double[] quantiles, Map<String, String> fingerprint)
            implements FittedStep {
        @Override
        public String stateName() {
            return "features-" + id.name() + "-" + into;
        }

        @Override
        public Object observe(Row row) {
            return fixed.isPresent() ? null : ScaleStep.Features.number(row, column).orElse(null);
        }

        @Override
        public Set<String> readsAnyType() {
            return Set.of(column);
        }

        @Override
        public List<Column> columns() {
            return List.of(clip ? Column.doubleColumn(into, column + " clipped") : Column.integer(into, "the bucket of " + column));
        }

        @Override
        public Fit newFit() {
            return new CutFit(this);
        }
    }

    private static final class CutFit implements FittedStep.Fit {
        private final Cut step;
        private final ExactStatistics values = new ExactStatistics();
        private double[] edges;

        CutFit(Cut step) {
            this.step = step;
        }

        @Override
        public void loadHistory(InputStream states) {
            // every job fits on its own rows
        }

        @Override
        public synchronized void add(long occurrence, String id, Object observation) {
            values.add((Double) observation);
        }

        @Override
        public void fit() {
            if (step.fixed().isPresent()) {
                edges = step.fixed().get();
                return;
            }
            if (values.count() == 0) {
                edges = step.clip() ? new double[] {Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY} : new double[0];
                return;
            }
            ExactStatistics.Summary summary = values.summarize();
            List<Double> cut = new ArrayList<>();
            for (double q : step.quantiles()) {
                double edge = summary.quantile(q);
                if (step.clip() || cut.isEmpty() || edge > cut.get(cut.size() - 1)) {
                    cut.add(edge);
                }
            }
            edges = cut.stream().mapToDouble(Double::doubleValue).toArray();
        }

        @Override
        public Outcome apply(long occurrence, Row row) {
            Optional<Double> value = ScaleStep.Features.number(row, step.column());
            if (value.isEmpty()) {
                return Outcome.emit(row.with(step.into(), null));
            }
            if (step.clip()) {
                return Outcome.emit(row.with(step.into(), Math.min(Math.max(value.get(), edges[0]), edges[1])));
            }
            return Outcome.emit(row.with(step.into(), Buckets.of(edges, value.get())));
        }

        @Override
        public void writeState(OutputStream out) throws IOException {
            Map<String, Object> written = new LinkedHashMap<>();
            written.put("step", step.id().toString());
            written.put("column", step.column());
            written.put("into", step.into());
            written.put(step.clip() ? "bounds" : "edges", Arrays.stream(edges).boxed().toList());
            out.write(Values.json(written).getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public long estimatedBytes() {
            return values.bytes();
        }
    }
}

package io.kiln.transform;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The bound steps of a job, applied in order. Counts, per step, the rows forwarded and the rows
 * dropped by reason. Thread-safe.
 */
public final class TransformChain {
    public static final String STEP_ERROR = "step-error";

    private final List<Transform> steps;
    private final Map<StepId, StepCounters> counters = new LinkedHashMap<>();

    public TransformChain(List<Transform> steps) {
        this.steps = List.copyOf(steps);
        for (Transform step : this.steps) {
            counters.put(step.id(), new StepCounters());
        }
    }

    public List<StepId> stepIds() {
        return steps.stream().map(Transform::id).toList();
    }

    /** The extra columns that the steps set, in step order; a later step's column of the same name wins, and a column a later step removes is gone. */
    public List<Column> columns() {
        Map<String, Column> byName = new LinkedHashMap<>();
        for (Transform step : steps) {
            step.removes().forEach(byName::remove);
            step.columns().forEach(column -> byName.put(column.name(), column));
        }
        return List.copyOf(byName.values());
    }

    /** The columns a step removes and no later step sets again: the table does not get them. */
    public java.util.Set<String> removedColumns() {
        java.util.Set<String> removed = new java.util.TreeSet<>();
        for (Transform step : steps) {
            removed.addAll(step.removes());
            step.columns().forEach(column -> removed.remove(column.name()));
        }
        return java.util.Collections.unmodifiableSet(removed);
    }

    /** The table properties the steps' columns need. */
    public Map<String, String> tableProperties() {
        Map<String, String> properties = new TreeMap<>();
        steps.forEach(step -> properties.putAll(step.tableProperties()));
        return properties;
    }

    /** The {@code kiln.*} entries of the steps' fingerprints and their runtime properties, for the snapshot summary. */
    public Map<String, String> summaryProperties() {
        Map<String, String> properties = new TreeMap<>();
        for (Transform step : steps) {
            step.fingerprint().forEach((key, value) -> {
                if (key.startsWith("kiln.")) {
                    properties.put(key, value);
                }
            });
            properties.putAll(step.runtime());
        }
        return properties;
    }

    /**
     * Runs one source row through every step. A step that splits a row sends each part through
     * the remaining steps; so one row may end as several rows written and several dropped.
     */
    public Result run(Row row) {
        return runAll(List.of(row)).get(0);
    }

    /**
     * Runs source rows through every step, each step over all rows still alive before the next
     * step, so that a {@link BatchTransform} sees them together. Gives one result per source row,
     * in order; each is what {@link #run} gives for that row alone.
     */
    public List<Result> runAll(List<Row> rows) {
        return runAll(rows, null);
    }

    /** Decides, for a {@link FittedStep}, what becomes of a row that came from source row {@code source} of the batch. */
    public interface FitGate {
        Outcome decide(FittedStep step, int source, Row row);
    }

    /** A run of consecutive fitted steps, {@code from} (inclusive) to {@code to} (exclusive): they are observed in one pass. */
    public record FittedGroup(int from, int to) {}

    /** The chain's fitted steps, grouped into runs of consecutive ones, in chain order. */
    public List<FittedGroup> fittedGroups() {
        List<FittedGroup> groups = new ArrayList<>();
        int start = -1;
        for (int i = 0; i <= steps.size(); i++) {
            boolean fitted = i < steps.size() && steps.get(i) instanceof FittedStep;
            if (fitted && start < 0) {
                start = i;
            }
            else if (!fitted && start >= 0) {
                groups.add(new FittedGroup(start, i));
                start = -1;
            }
        }
        return List.copyOf(groups);
    }

    public List<Transform> steps() {
        return steps;
    }

    /**
     * The rows that reach step {@code until} (exclusive), per source row, without counting
     * anything: a first pass of a job with fitted steps. {@code gate} decides for the fitted steps
     * before {@code until}, which are fitted by then.
     */
    public List<List<Row>> preview(List<Row> rows, int until, FitGate gate) {
        return advance(rows, until, gate, false).stream().map(Result::rows).toList();
    }

    /** As {@link #runAll(List)}, with {@code gate} deciding for the fitted steps (required when the chain has any). */
    public List<Result> runAll(List<Row> rows, FitGate gate) {
        return advance(rows, steps.size(), gate, true);
    }

    /** Runs the first {@code until} steps, each over all rows still alive; counts into the step counters when {@code counted}. */
    private List<Result> advance(List<Row> rows, int until, FitGate gate, boolean counted) {
        requireNonNull(rows, "rows is null");
        List<List<Row>> alive = new ArrayList<>(rows.size());
        List<List<Dropped>> dropped = new ArrayList<>(rows.size());
        for (Row row : rows) {
            alive.add(List.of(requireNonNull(row, "row is null")));
            // most rows are never dropped: a list is made at a row's first drop
            dropped.add(List.of());
        }
        for (Transform step : steps.subList(0, until)) {
            List<Row> inputs = new ArrayList<>(rows.size());
            alive.forEach(inputs::addAll);
            if (inputs.isEmpty()) {
                break;
            }
            long started = System.nanoTime();
            List<Outcome> outcomes;
            if (step instanceof FittedStep fitted && gate != null) {
                outcomes = new ArrayList<>(inputs.size());
                for (int source = 0; source < alive.size(); source++) {
                    for (Row input : alive.get(source)) {
                        outcomes.add(gate.decide(fitted, source, input));
                    }
                }
            }
            else {
                outcomes = outcomes(step, inputs);
            }
            StepCounters stepCounters = counted ? counters.get(step.id()) : null;
            if (counted) {
                stepCounters.nanos.add(System.nanoTime() - started);
                stepCounters.rowsIn.add(inputs.size());
            }
            int next = 0;
            for (int source = 0; source < alive.size(); source++) {
                List<Row> parts = alive.get(source);
                // one row in (the common case): its emit's rows, immutable, are the survivors as they are
                List<Row> survivors = parts.size() == 1 ? null : new ArrayList<>(parts.size());
                for (Row input : parts) {
                    Outcome outcome = outcomes.get(next++);
                    if (outcome instanceof Outcome.Drop drop) {
                        if (dropped.get(source).isEmpty()) {
                            dropped.set(source, new ArrayList<>(2));
                        }
                        dropped.get(source).add(new Dropped(drop, input));
                        if (counted) {
                            stepCounters.dropped.computeIfAbsent(drop.reason(), reason -> new LongAdder()).increment();
                        }
                        continue;
                    }
                    Outcome.Emit emit = (Outcome.Emit) outcome;
                    if (survivors == null) {
                        survivors = emit.rows();
                    }
                    else {
                        survivors.addAll(emit.rows());
                    }
                    if (counted) {
                        stepCounters.forwarded.add(emit.rows().size());
                        emit.counts().forEach((kind, amount) -> stepCounters.counted.computeIfAbsent(kind, key -> new LongAdder()).add(amount));
                    }
                }
                alive.set(source, survivors == null ? List.of() : survivors);
            }
        }
        List<Result> results = new ArrayList<>(rows.size());
        for (int source = 0; source < alive.size(); source++) {
            results.add(new Result(alive.get(source), dropped.get(source)));
        }
        return results;
    }

    private static List<Outcome> outcomes(Transform step, List<Row> inputs) {
        if (step instanceof BatchTransform batch) {
            try {
                List<Outcome> outcomes = batch.applyAll(inputs);
                if (outcomes.size() != inputs.size()) {
                    throw new IllegalStateException(step.id() + " gave " + outcomes.size() + " outcomes for " + inputs.size() + " rows");
                }
                return outcomes;
            }
            catch (RuntimeException e) {
                // one bad row must not sink its batch: find it by running the rows one by one
                List<Outcome> outcomes = new ArrayList<>(inputs.size());
                inputs.forEach(input -> outcomes.add(safely(step, input)));
                return outcomes;
            }
        }
        List<Outcome> outcomes = new ArrayList<>(inputs.size());
        inputs.forEach(input -> outcomes.add(safely(step, input)));
        return outcomes;
    }

    private static Outcome safely(Transform step, Row input) {
        try {
            return step.apply(input);
        }
        catch (RuntimeException e) {
            return Outcome.drop(step.id(), STEP_ERROR, String.valueOf(e.getMessage()));
        }
    }

    /** Convenience for one-row steps and tests: the outcome of {@link #run} as one {@link Outcome}. */
    public Outcome apply(Row row) {
        Result result = run(row);
        if (!result.dropped().isEmpty() && result.rows().isEmpty()) {
            return result.dropped().get(0).drop();
        }
        return Outcome.emitAll(result.rows());
    }

    /** What became of one source row: the rows to write, and the rows dropped (as the dropping step saw them). */
    public record Result(List<Row> rows, List<Dropped> dropped) {
        public Result {
            rows = List.copyOf(rows);
            dropped = List.copyOf(dropped);
        }

        /** Rows beyond the one that came in: read + expanded = written + rejected. */
        public int expanded() {
            return rows.size() + dropped.size() - 1;
        }
    }

    public record Dropped(Outcome.Drop drop, Row row) {
        public Dropped {
            requireNonNull(drop, "drop is null");
            requireNonNull(row, "row is null");
        }
    }

    public List<StepStatistics> statistics() {
        return counters.entrySet().stream()
                .map(entry -> entry.getValue().snapshot(entry.getKey()))
                .toList();
    }

    /** Counts of one step. */
    /**
     * Counts of one step: rows forwarded (a split forwards each part), dropped by reason, what the
     * step counted by kind, and the rows it was given and the CPU-thread seconds it spent on them,
     * summed over the job's threads.
     */
    public record StepStatistics(String step, long forwarded, Map<String, Long> dropped, Map<String, Long> counted, long rowsIn, double seconds,
            double rowsPerSecond) {
        public StepStatistics(String step, long forwarded, Map<String, Long> dropped, Map<String, Long> counted) {
            this(step, forwarded, dropped, counted, 0, 0, 0);
        }

        public StepStatistics(String step, long forwarded, Map<String, Long> dropped, Map<String, Long> counted, long rowsIn, double seconds) {
            this(step, forwarded, dropped, counted, rowsIn, seconds, 0);
        }

        /** {@code rowsPerSecond} is always derived: rows per second of one thread's work. */
        public StepStatistics {
            requireNonNull(step, "step is null");
            rowsPerSecond = seconds <= 0 ? 0 : Math.round(rowsIn / seconds * 10) / 10.0;
            dropped = Map.copyOf(dropped);
            counted = Map.copyOf(counted);
        }
    }

    private static final class StepCounters {
        private final LongAdder forwarded = new LongAdder();
        private final Map<String, LongAdder> dropped = new ConcurrentHashMap<>();
        private final Map<String, LongAdder> counted = new ConcurrentHashMap<>();
        private final LongAdder nanos = new LongAdder();
        private final LongAdder rowsIn = new LongAdder();

        StepStatistics snapshot(StepId id) {
            Map<String, Long> drops = new TreeMap<>();
            dropped.forEach((reason, count) -> drops.put(reason, count.sum()));
            Map<String, Long> counts = new TreeMap<>();
            counted.forEach((kind, count) -> counts.put(kind, count.sum()));
            return new StepStatistics(id.toString(), forwarded.sum(), drops, counts, rowsIn.sum(), Math.round(nanos.sum() / 1e6) / 1e3);
        }
    }
}

package io.kiln.transform;

import static java.util.Objects.requireNonNull;

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

    public Outcome apply(Row row) {
        requireNonNull(row, "row is null");
        Row current = row;
        for (Transform step : steps) {
            Outcome outcome;
            try {
                outcome = step.apply(current);
            }
            catch (RuntimeException e) {
                outcome = Outcome.drop(step.id(), STEP_ERROR, String.valueOf(e.getMessage()));
            }
            StepCounters stepCounters = counters.get(step.id());
            if (outcome instanceof Outcome.Drop drop) {
                stepCounters.dropped.computeIfAbsent(drop.reason(), reason -> new LongAdder()).increment();
                return drop;
            }
            stepCounters.forwarded.increment();
            current = ((Outcome.Emit) outcome).row();
        }
        return Outcome.emit(current);
    }

    public List<StepStatistics> statistics() {
        return counters.entrySet().stream()
                .map(entry -> entry.getValue().snapshot(entry.getKey()))
                .toList();
    }

    /** Counts of one step. */
    public record StepStatistics(String step, long forwarded, Map<String, Long> dropped) {
        public StepStatistics {
            requireNonNull(step, "step is null");
            dropped = Map.copyOf(dropped);
        }
    }

    private static final class StepCounters {
        private final LongAdder forwarded = new LongAdder();
        private final Map<String, LongAdder> dropped = new ConcurrentHashMap<>();

        StepStatistics snapshot(StepId id) {
            Map<String, Long> drops = new TreeMap<>();
            dropped.forEach((reason, count) -> drops.put(reason, count.sum()));
            return new StepStatistics(id.toString(), forwarded.sum(), drops);
        }
    }
}

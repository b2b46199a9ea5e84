package io.kiln.transform.split;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.kiln.error.Violation;
import io.kiln.read.SplitRule;
import io.kiln.transform.Column;
import io.kiln.transform.InvalidStepParameterException;
import io.kiln.transform.Outcome;
import io.kiln.transform.Row;
import io.kiln.transform.StepDefinition;
import io.kiln.transform.StepId;
import io.kiln.transform.StepParameters;
import io.kiln.transform.Transform;

/**
 * {@code split}: writes the name of each row's split into a column (default {@code split}), so the
 * split is frozen with the snapshot. The rule is the readers' ({@link SplitRule}): the same
 * {@code fractions}, {@code seed} and {@code by} put a row in the same split here as in the rows
 * endpoint, exports and the resolved Trino SQL.
 *
 * <p>Parameters: {@code fractions} (named splits and their fractions, in order, summing to 1:
 * {@code {"train": 0.8, "validation": 0.1, "test": 0.1}}), {@code seed} (default 0), {@code by} (the
 * column whose value groups rows into one split: a sender, a speaker, a source file, a
 * near-duplicate cluster; default the row id; a row without a value is a group of its own), and
 * {@code column}.
 */
public final class SplitStep implements StepDefinition {
    public static final String NAME = "split";
    private static final StepId ID = new StepId(NAME, 1);
    private static final Set<String> PARAMETERS = Set.of("fractions", "seed", "by", "column");

    @Override
    public StepId id() {
        return ID;
    }

    @Override
    public Transform bind(Map<String, Object> parameters) {
        StepParameters.requireOnly(parameters, PARAMETERS);
        if (!(parameters.get("fractions") instanceof Map<?, ?> given) || given.isEmpty()) {
            throw new InvalidStepParameterException("fractions", "is required: the named splits and their fractions, such as {\"train\": 0.8, \"validation\": 0.1, \"test\": 0.1}");
        }
        Map<String, Double> fractions = new LinkedHashMap<>();
        given.forEach((name, fraction) -> {
            if (!(fraction instanceof Number number)) {
                throw new InvalidStepParameterException("fractions", "the fraction of '" + name + "' must be a number, was " + fraction);
            }
            fractions.put(String.valueOf(name), number.doubleValue());
        });
        long seed;
        Object seedValue = parameters.getOrDefault("seed", 0);
        if (seedValue instanceof Integer || seedValue instanceof Long) {
            seed = ((Number) seedValue).longValue();
        }
        else {
            throw new InvalidStepParameterException("seed", "must be a whole number, was " + seedValue);
        }
        Optional<String> by = Optional.ofNullable(parameters.get("by")).map(String::valueOf);
        List<SplitRule> rules = new ArrayList<>();
        for (String name : fractions.keySet()) {
            List<Violation> violations = new ArrayList<>();
            Optional<SplitRule> rule = SplitRule.of("", Optional.of(name), Optional.empty(), Optional.of(fractions), seed, by, violations);
            if (rule.isEmpty()) {
                Violation first = violations.get(0);
                throw new InvalidStepParameterException(first.field().isEmpty() ? "fractions" : first.field(), first.message());
            }
            rules.add(rule.get());
        }
        String column = StepParameters.column(parameters, "column", "split");
        if (by.isPresent() && by.get().equals(column)) {
            throw new InvalidStepParameterException("by", "the split cannot be grouped by the column it writes");
        }
        return new Assign(List.copyOf(rules), column);
    }

    private record Assign(List<SplitRule> rules, String column) implements Transform {
        @Override
        public StepId id() {
            return ID;
        }

        @Override
        public Outcome apply(Row row) {
            Object group = rules.get(0).by().flatMap(row::value).orElse(null);
            for (SplitRule rule : rules) {
                if (rule.contains(row.id(), group)) {
                    return Outcome.emit(row.with(column, rule.name()));
                }
            }
            throw new IllegalStateException("the splits " + rules.get(0).fractions() + " do not cover row " + row.id());
        }

        @Override
        public Set<String> readsAnyType() {
            return rules.get(0).by().map(Set::of).orElse(Set.of());
        }

        @Override
        public List<Column> columns() {
            return List.of(Column.string(column, "the row's split, as the split step assigned it"));
        }
    }
}

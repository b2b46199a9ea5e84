package io.kiln.transform.tabular;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.kiln.dedup.Murmur3;
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
 * {@code encode}: turns a categorical column (any type; a value is its text) into numbers.
 * {@code method}: {@code ordinal} (default: the value's index in a vocabulary fitted on the job's rows,
 * ordered by frequency, most frequent first, then by value; values beyond {@code maxCategories} (1000),
 * unseen values and nulls get the reserved index, the vocabulary's size, as Spark ML's StringIndexer
 * with {@code handleInvalid: keep}), {@code onehot} (a {@code list<int>} of the vocabulary's size with a
 * 1 at the value's index; all zeros for the reserved index; with {@code layout: sparse}, the same vector
 * as a {@code struct<size: int, indices: list<int>>}: its size and where its 1 is, as Spark ML's sparse
 * vectors and scipy's sparse rows keep it, none for the reserved index) or {@code hash} (not fitted: the first 64
 * bits of MurmurHash3 of {@code "<seed>:<value>"}, unsigned, modulo {@code buckets} (1024)). The
 * result goes to {@code into} (default {@code <column>_index}, {@code <column>_onehot} or
 * {@code <column>_hash}). The vocabulary is the step's state (a JSON file with the snapshot); a later
 * job reuses a pin's with {@code fitFrom}.
 */
public final class EncodeStep implements StepDefinition {
    public static final String NAME = "encode";
    private static final StepId ID = new StepId(NAME, 1);

    @Override
    public StepId id() {
        return ID;
    }

    @Override
    public Transform bind(Map<String, Object> parameters, StepContext context) {
        StepParameters.requireOnly(parameters, Set.of("column", "method", "layout", "maxCategories", "buckets", "seed", "into", "fitFrom"));
        String column = ScaleStep.Features.requiredColumn(parameters, "the categorical column to encode");
        String method = StepParameters.oneOf(parameters, "method", "ordinal", Set.of("ordinal", "onehot", "hash"));
        String into = StepParameters.column(parameters, "into", column + switch (method) {
            case "onehot" -> "_onehot";
            case "hash" -> "_hash";
            default -> "_index";
        });
        if (!context.columnsBefore().isEmpty() && context.columnsBefore().stream().noneMatch(candidate -> candidate.name().equals(column))) {
            throw new InvalidStepParameterException("column", "the rows have no column '" + column + "' at this step");
        }
        boolean sparse = StepParameters.oneOf(parameters, "layout", "dense", Set.of("dense", "sparse")).equals("sparse");
        if (parameters.containsKey("layout") && !method.equals("onehot")) {
            throw new InvalidStepParameterException("layout", "applies to method onehot only (this step's method is " + method + ")");
        }
        if (method.equals("hash")) {
            return new Hash(column, into, StepParameters.integer(parameters, "buckets", 1024, 1, Integer.MAX_VALUE), StepParameters.integer(parameters, "seed", 0, 0, Integer.MAX_VALUE));
        }
        int maxCategories = StepParameters.integer(parameters, "maxCategories", 1000, 1, 1_000_000);
        Optional<Preset> vocabulary = ScaleStep.Features.reused(parameters, context, "features-encode-" + into).map(state -> {
            ScaleStep.Features.requireSame(state, "column", column);
            List<String> values = new ArrayList<>();
            state.json().path("vocabulary").forEach(entry -> values.add(entry.path("value").asText()));
            return new Preset(state.snapshotId(), state.sha256(), values);
        });
        return new Encode(column, method.equals("onehot"), sparse, maxCategories, into, vocabulary);
    }

    /** A sparse one-hot vector: its size, and the indices of its ones (one, or none for the reserved index). */
    static final DataType.Struct SPARSE = new DataType.Struct(List.of(
            new Column("size", DataType.INT, true, "the vector's size: the vocabulary's"),
            new Column("indices", new DataType.ListOf(DataType.INT, true), true, "where the vector's 1 is; empty for an unseen value or a null")));

    /** A vocabulary reused from an earlier snapshot ({@code fitFrom}). */
    private record Preset(long snapshotId, String sha256, List<String> values) {}

    /** The text a value is known by: strings as they are, anything else as its JSON. */
    static String text(Object value) {
        // a String first: the class test costs nothing, where the interface test is a search
        return value instanceof String text ? text : value instanceof CharSequence sequence ? sequence.toString() : Values.json(value);
    }

    private record Hash(String column, String into, int buckets, int seed) implements Transform {
        @Override
        public StepId id() {
            return ID;
        }

        @Override
        public Outcome apply(Row row) {
            Optional<Object> value = row.value(column);
            return Outcome.emit(row.with(into, value.map(present -> (int) Long.remainderUnsigned(Murmur3.hash64(seed + ":" + text(present)), buckets)).orElse(null)));
        }

        @Override
        public Set<String> readsAnyType() {
            return Set.of(column);
        }

        @Override
        public List<Column> columns() {
            return List.of(Column.integer(into, "hash of " + column + " modulo " + buckets));
        }
    }

    private record Encode(String column, boolean oneHot, boolean sparse, int maxCategories, String into, Optional<Preset> preset) implements FittedStep {
        @Override
        public StepId id() {
            return ID;
        }

        @Override
        public String stateName() {
            return "features-encode-" + into;
        }

        @Override
        public Object observe(Row row) {
            return preset.isPresent() ? null : row.value(column).map(EncodeStep::text).orElse(null);
        }

        @Override
        public Set<String> readsAnyType() {
            return Set.of(column);
        }

        @Override
        public List<Column> columns() {
            if (sparse) {
                return List.of(Column.optional(into, SPARSE, "one-hot of " + column + " over its fitted vocabulary, sparse: its size and where its 1 is"));
            }
            return List.of(oneHot ? Column.intList(into, "one-hot of " + column + " over its fitted vocabulary")
                    : Column.integer(into, "index of " + column + " in its fitted vocabulary (its size for unseen values and nulls)"));
        }

        @Override
        public Map<String, String> fingerprint() {
            return preset.map(reused -> ScaleStep.Features.fingerprint(reused.snapshotId(), reused.sha256())).orElse(Map.of());
        }

        @Override
        public Fit newFit() {
            return new EncodeFit(this);
        }
    }

    private static final class EncodeFit implements FittedStep.Fit {
        private final Encode step;
        private final Map<String, long[]> counts = new HashMap<>();
        private final List<Map<String, Object>> vocabulary = new ArrayList<>();
        private final Map<String, Integer> index = new HashMap<>();
        /** With {@code layout: sparse}, each position's vector, made once: rows share them (a row's values are not changed). */
        private final List<Map<String, Object>> sparseVectors = new ArrayList<>();

        EncodeFit(Encode step) {
            this.step = step;
        }

        @Override
        public void loadHistory(InputStream states) {
            // every job fits on its own rows
        }

        @Override
        public synchronized void add(long occurrence, String id, Object observation) {
            counts.computeIfAbsent((String) observation, any -> new long[1])[0]++;
        }

        @Override
        public void fit() {
            List<String> values;
            if (step.preset().isPresent()) {
                values = step.preset().get().values();
            }
            else {
                List<Map.Entry<String, long[]>> sorted = new ArrayList<>(counts.entrySet());
                sorted.sort(Comparator.comparingLong((Map.Entry<String, long[]> entry) -> -entry.getValue()[0]).thenComparing(Map.Entry::getKey));
                values = sorted.stream().limit(step.maxCategories()).map(Map.Entry::getKey).toList();
            }
            for (String value : values) {
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("value", value);
                entry.put("count", counts.containsKey(value) ? counts.get(value)[0] : 0L);
                index.put(value, vocabulary.size());
                vocabulary.add(entry);
            }
            counts.clear();
            if (step.oneHot() && step.sparse()) {
                for (int position = 0; position <= vocabulary.size(); position++) {
                    Map<String, Object> vector = new LinkedHashMap<>();
                    vector.put("size", vocabulary.size());
                    vector.put("indices", position < vocabulary.size() ? List.of(position) : List.of());
                    sparseVectors.add(java.util.Collections.unmodifiableMap(vector));
                }
            }
        }

        @Override
        public Outcome apply(long occurrence, Row row) {
            int position = row.value(step.column()).map(EncodeStep::text).map(index::get).orElse(vocabulary.size());
            if (!step.oneHot()) {
                return Outcome.emit(row.with(step.into(), position));
            }
            if (step.sparse()) {
                return Outcome.emit(row.with(step.into(), sparseVectors.get(position)));
            }
            List<Integer> vector = new ArrayList<>(java.util.Collections.nCopies(vocabulary.size(), 0));
            if (position < vocabulary.size()) {
                vector.set(position, 1);
            }
            return Outcome.emit(row.with(step.into(), vector));
        }

        @Override
        public void writeState(OutputStream out) throws IOException {
            Map<String, Object> written = new LinkedHashMap<>();
            written.put("step", ID.toString());
            written.put("column", step.column());
            written.put("into", step.into());
            written.put("method", step.oneHot() ? "onehot" : "ordinal");
            if (step.sparse()) {
                written.put("layout", "sparse");
            }
            written.put("reservedIndex", vocabulary.size());
            written.put("vocabulary", vocabulary);
            out.write(Values.json(written).getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public long estimatedBytes() {
            return counts.size() * 96L + vocabulary.size() * 96L;
        }

        @Override
        public Map<String, String> summary() {
            return Map.of("kiln.features.encode." + step.into(), (step.oneHot() ? "onehot" : "ordinal") + " of " + step.column() + ", " + vocabulary.size() + " categories");
        }
    }
}

package io.kiln.transform.privacy;

import static java.util.Objects.requireNonNull;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Full-domain generalization (Samarati and Sweeney, 1998; LeFevre et al., "Incognito", 2005): every
 * quasi-identifier is generalized to one level of its hierarchy for all rows, and the classes that
 * still break the {@link PrivacyModel} are suppressed. A node of the lattice is one level per
 * quasi-identifier; the search finds the node of least loss among those that suppress no more rows
 * than the model allows.
 *
 * <p>Loss is Sweeney's precision metric with suppression ("Achieving k-anonymity privacy protection
 * using generalization and suppression", 2002): the mean over rows and quasi-identifiers of
 * level / top level, where a suppressed row counts as the top level of every quasi-identifier. It is
 * computed exactly, as a fraction. Ties go to fewer suppressed rows, then the lower sum of levels,
 * then the lexicographically lower levels (quasi-identifiers in name order): the choice is unique.
 *
 * <p>The search is exact branch and bound: nodes are visited in ascending order of their
 * generalization alone, a lower bound of their loss, and it stops when that bound passes the best
 * loss found. What it holds is the distinct combinations of exact quasi-identifier (and sensitive)
 * values with their counts: memory grows with the distinct combinations, not with the rows.
 */
public final class Lattice {
    private final List<String> names;
    private final List<Hierarchy> hierarchies;
    private final PrivacyModel model;
    private final List<Map<Object, Integer>> valueIndexes = new ArrayList<>();
    private final List<List<Object>> values = new ArrayList<>();
    private final Map<Object, Integer> sensitiveIndex = new HashMap<>();
    private final Map<Tuple, long[]> tuples = new HashMap<>();
    private long rows;

    /** {@code names} and {@code hierarchies}: the quasi-identifiers, in name order. */
    public Lattice(List<String> names, List<Hierarchy> hierarchies, PrivacyModel model) {
        this.names = List.copyOf(names);
        this.hierarchies = List.copyOf(hierarchies);
        this.model = requireNonNull(model, "model is null");
        if (names.size() != hierarchies.size() || names.isEmpty()) {
            throw new IllegalArgumentException("one hierarchy per quasi-identifier, at least one");
        }
        for (int i = 0; i < names.size(); i++) {
            valueIndexes.add(new HashMap<>());
            values.add(new ArrayList<>());
        }
    }

    private record Tuple(int[] indexes) {
        @Override
        public boolean equals(Object other) {
            return other instanceof Tuple tuple && Arrays.equals(indexes, tuple.indexes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(indexes);
        }
    }

    /** Adds one row: its exact quasi-identifier values (in name order, each one its hierarchy places) and its sensitive value (or null). */
    public void add(Object[] quasiIdentifiers, Object sensitive) {
        int[] indexes = new int[names.size() + 1];
        for (int i = 0; i < names.size(); i++) {
            Object value = quasiIdentifiers[i];
            List<Object> known = values.get(i);
            indexes[i] = valueIndexes.get(i).computeIfAbsent(value == null ? NULL : value, ignored -> {
                known.add(value);
                return known.size() - 1;
            });
        }
        indexes[names.size()] = model.diversity().isEmpty() ? 0 : sensitiveIndex.computeIfAbsent(sensitive == null ? NULL : sensitive, ignored -> sensitiveIndex.size());
        tuples.computeIfAbsent(new Tuple(indexes), ignored -> new long[1])[0]++;
        rows++;
    }

    private static final Object NULL = new Object();

    public long rows() {
        return rows;
    }

    /** Distinct combinations held, for the job's report. */
    public long distinctCombinations() {
        return tuples.size();
    }

    /** Heap bytes held, roughly. */
    public long estimatedBytes() {
        long bytes = 96L * tuples.size() + 8L * names.size() * tuples.size();
        for (List<Object> known : values) {
            bytes += 64L * known.size();
        }
        return bytes;
    }

    /** The number of nodes of the lattice: the product of the hierarchies' heights. */
    public long size() {
        long size = 1;
        for (Hierarchy hierarchy : hierarchies) {
            size = Math.multiplyExact(size, hierarchy.height());
        }
        return size;
    }

    /**
     * A node and what it gives.
     *
     * @param levels one per quasi-identifier, in name order
     * @param suppressedRows rows in classes that break the model
     * @param lossNumerator over {@code lossDenominator}: the precision loss, exactly
     * @param classes the classes kept (not suppressed)
     * @param smallestClass the rows of the smallest class kept (0 when none is)
     * @param suppressedClasses the generalized values of each class that breaks the model, with the reason: {@code suppressed-for-k} or {@code suppressed-for-l}
     */
    public record Result(List<Integer> levels, boolean satisfied, long suppressedRows, long classes, long smallestClass,
            long lossNumerator, long lossDenominator, Map<List<String>, String> suppressedClasses, long nodes, long evaluated) {
        public Result {
            levels = List.copyOf(levels);
            suppressedClasses = Collections.unmodifiableMap(suppressedClasses);
        }

        public double loss() {
            return lossDenominator == 0 ? 0 : (double) lossNumerator / lossDenominator;
        }

        public Map<String, Integer> levelsByName(List<String> names) {
            Map<String, Integer> byName = new LinkedHashMap<>();
            for (int i = 0; i < names.size(); i++) {
                byName.put(names.get(i), levels.get(i));
            }
            return byName;
        }
    }

    /** The least-loss node that satisfies the model within the suppression limit; the top node (everything {@code *}) when none does. */
    public Result search() {
        long nodes = size();
        long limit = suppressionLimit();
        long lcm = lcm();
        Frozen frozen = freeze();
        List<int[]> all = allNodes();
        all.sort(Comparator.<int[]>comparingLong(node -> generalization(node, lcm)).thenComparingInt(Lattice::sum).thenComparing(Arrays::compare));
        Result best = null;
        long evaluated = 0;
        for (int[] node : all) {
            if (best != null && BigInteger.valueOf(rows).multiply(BigInteger.valueOf(generalization(node, lcm))).compareTo(BigInteger.valueOf(best.lossNumerator())) > 0) {
                break;
            }
            Result result = evaluateCounts(node, lcm, frozen);
            evaluated++;
            if (result.suppressedRows() <= limit && (best == null || better(result, best))) {
                best = result;
            }
        }
        if (best == null) {
            int[] top = new int[names.size()];
            for (int i = 0; i < top.length; i++) {
                top[i] = hierarchies.get(i).height() - 1;
            }
            Result result = evaluate(top, lcm, true);
            return new Result(result.levels(), false, result.suppressedRows(), result.classes(), result.smallestClass(), result.lossNumerator(),
                    result.lossDenominator(), result.suppressedClasses(), nodes, evaluated + 1);
        }
        Result chosen = evaluate(best.levels().stream().mapToInt(Integer::intValue).toArray(), lcm, true);
        if (chosen.suppressedRows() != best.suppressedRows() || chosen.lossNumerator() != best.lossNumerator()) {
            throw new IllegalStateException("the counted and the grouped evaluation of node " + best.levels() + " disagree");
        }
        return new Result(chosen.levels(), true, chosen.suppressedRows(), chosen.classes(), chosen.smallestClass(), chosen.lossNumerator(),
                chosen.lossDenominator(), chosen.suppressedClasses(), nodes, evaluated);
    }

    /** Every node, evaluated: for tests and tools that compare the search with brute force. */
    public List<Result> evaluateAll() {
        long lcm = lcm();
        Frozen frozen = freeze();
        List<Result> results = new ArrayList<>();
        for (int[] node : allNodes()) {
            results.add(evaluateCounts(node, lcm, frozen));
        }
        return results;
    }

    /** The given node (levels in name order), with its suppressed classes. */
    public Result apply(List<Integer> levels) {
        int[] node = levels.stream().mapToInt(Integer::intValue).toArray();
        Result result = evaluate(node, lcm(), true);
        return new Result(result.levels(), result.suppressedRows() <= suppressionLimit(), result.suppressedRows(), result.classes(), result.smallestClass(),
                result.lossNumerator(), result.lossDenominator(), result.suppressedClasses(), size(), 1);
    }

    /** Whether {@code a} is preferred to {@code b}: less loss, then fewer suppressed rows, then a lower sum of levels, then lower levels in order. */
    public static boolean better(Result a, Result b) {
        return order().compare(a, b) < 0;
    }

    public static Comparator<Result> order() {
        return Comparator.comparingLong(Result::lossNumerator).thenComparingLong(Result::suppressedRows)
                .thenComparingInt(result -> result.levels().stream().mapToInt(Integer::intValue).sum())
                .thenComparing((x, y) -> Arrays.compare(x.levels().stream().mapToInt(Integer::intValue).toArray(), y.levels().stream().mapToInt(Integer::intValue).toArray()));
    }

    public long suppressionLimit() {
        return (long) Math.floor(model.maxSuppression() * rows);
    }

    private List<int[]> allNodes() {
        List<int[]> nodes = new ArrayList<>();
        int[] node = new int[names.size()];
        while (true) {
            nodes.add(node.clone());
            int i = node.length - 1;
            while (i >= 0 && node[i] == hierarchies.get(i).height() - 1) {
                node[i] = 0;
                i--;
            }
            if (i < 0) {
                return nodes;
            }
            node[i]++;
        }
    }

    private static int sum(int[] node) {
        int sum = 0;
        for (int level : node) {
            sum += level;
        }
        return sum;
    }

    /** The least common multiple of the top levels: loss in whole numbers. */
    private long lcm() {
        long lcm = 1;
        for (Hierarchy hierarchy : hierarchies) {
            long top = hierarchy.height() - 1;
            lcm = Math.multiplyExact(lcm / BigInteger.valueOf(lcm).gcd(BigInteger.valueOf(top)).longValue(), top);
        }
        return lcm;
    }

    /** Sum over quasi-identifiers of level / top level, times the lcm. */
    private long generalization(int[] node, long lcm) {
        long sum = 0;
        for (int i = 0; i < node.length; i++) {
            sum += node[i] * (lcm / (hierarchies.get(i).height() - 1));
        }
        return sum;
    }

    /** The distinct combinations as arrays, and each quasi-identifier's values coded per level: what every node's evaluation reads. */
    private record Frozen(int[][] tuples, long[] counts, int[][][] codes, int[][] cardinalities) {}

    private Frozen freeze() {
        int quasiIdentifiers = names.size();
        int[][] frozenTuples = new int[tuples.size()][];
        long[] counts = new long[tuples.size()];
        int t = 0;
        for (Map.Entry<Tuple, long[]> entry : tuples.entrySet()) {
            frozenTuples[t] = entry.getKey().indexes();
            counts[t] = entry.getValue()[0];
            t++;
        }
        int[][][] codes = new int[quasiIdentifiers][][];
        int[][] cardinalities = new int[quasiIdentifiers][];
        for (int q = 0; q < quasiIdentifiers; q++) {
            Hierarchy hierarchy = hierarchies.get(q);
            List<Object> known = values.get(q);
            codes[q] = new int[hierarchy.height()][];
            cardinalities[q] = new int[hierarchy.height()];
            for (int level = 0; level < hierarchy.height(); level++) {
                Map<String, Integer> byText = new HashMap<>();
                int[] coded = new int[known.size()];
                for (int v = 0; v < known.size(); v++) {
                    coded[v] = byText.computeIfAbsent(hierarchy.generalize(known.get(v), level), ignored -> byText.size());
                }
                codes[q][level] = coded;
                cardinalities[q][level] = Math.max(1, byText.size());
            }
        }
        return new Frozen(frozenTuples, counts, codes, cardinalities);
    }

    /**
     * A node's suppressed rows and loss from coded classes: each combination's class is a number in
     * mixed radix of the quasi-identifiers' codes at the node's levels, counted in an open-addressing
     * table. Gives what {@link #evaluate} gives, without the classes' values; falls back to it when
     * the class numbers would not fit in a long.
     */
    private Result evaluateCounts(int[] node, long lcm, Frozen frozen) {
        int quasiIdentifiers = names.size();
        long sensitiveValues = Math.max(1, sensitiveIndex.size());
        long[] multipliers = new long[quasiIdentifiers];
        long radix = 1;
        for (int q = quasiIdentifiers - 1; q >= 0; q--) {
            multipliers[q] = radix;
            long cardinality = frozen.cardinalities()[q][node[q]];
            if (radix > Long.MAX_VALUE / cardinality / sensitiveValues / 2) {
                return evaluate(node, lcm, false);
            }
            radix *= cardinality;
        }
        int combinations = frozen.tuples().length;
        LongCounter classes = new LongCounter(combinations);
        LongCounter pairs = model.diversity().isPresent() ? new LongCounter(combinations) : null;
        int[][][] codes = frozen.codes();
        for (int t = 0; t < combinations; t++) {
            int[] tuple = frozen.tuples()[t];
            long key = 0;
            for (int q = 0; q < quasiIdentifiers; q++) {
                key += codes[q][node[q]][tuple[q]] * multipliers[q];
            }
            int klass = classes.add(key, frozen.counts()[t]);
            if (pairs != null) {
                pairs.add(klass * sensitiveValues + tuple[quasiIdentifiers], frozen.counts()[t]);
            }
        }
        int classCount = classes.size();
        boolean[] failing = new boolean[classCount];
        if (pairs != null) {
            // each (class, sensitive value) with its count, sorted by class then count: each class's counts in ascending order
            long[] packed = new long[pairs.size()];
            for (int p = 0; p < pairs.size(); p++) {
                packed[p] = ((pairs.key(p) / sensitiveValues) << 32) | pairs.count(p);
            }
            Arrays.sort(packed);
            int from = 0;
            while (from < packed.length) {
                int klass = (int) (packed[from] >>> 32);
                int to = from;
                while (to < packed.length && (int) (packed[to] >>> 32) == klass) {
                    to++;
                }
                long[] counts = new long[to - from];
                for (int i = from; i < to; i++) {
                    counts[i - from] = packed[i] & 0xFFFFFFFFL;
                }
                failing[klass] = !model.diversity().get().holds(counts);
                from = to;
            }
        }
        long suppressed = 0;
        long smallest = Long.MAX_VALUE;
        long kept = 0;
        for (int c = 0; c < classCount; c++) {
            long size = classes.count(c);
            if (size < model.k() || failing[c]) {
                suppressed += size;
            }
            else {
                kept++;
                smallest = Math.min(smallest, size);
            }
        }
        long denominator = Math.multiplyExact(Math.multiplyExact(rows, quasiIdentifiers), lcm);
        long numerator = Math.addExact(Math.multiplyExact(rows - suppressed, generalization(node, lcm)), Math.multiplyExact(Math.multiplyExact(suppressed, quasiIdentifiers), lcm));
        return new Result(Arrays.stream(node).boxed().toList(), true, suppressed, kept, smallest == Long.MAX_VALUE ? 0 : smallest,
                numerator, denominator, Map.of(), size(), 1);
    }

    /** Counts by long key, in insertion order of the keys: open addressing, linear probing. */
    private static final class LongCounter {
        private long[] slots;
        private int[] slotIndex;
        private long[] keys;
        private long[] counts;
        private int size;

        LongCounter(int expected) {
            int capacity = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
            slots = new long[capacity];
            slotIndex = new int[capacity];
            Arrays.fill(slotIndex, -1);
            keys = new long[Math.max(16, expected)];
            counts = new long[keys.length];
        }

        /** Adds {@code count} to {@code key}; its index. */
        int add(long key, long count) {
            int mask = slots.length - 1;
            int slot = (int) (mix(key) & mask);
            while (slotIndex[slot] >= 0) {
                if (slots[slot] == key) {
                    counts[slotIndex[slot]] += count;
                    return slotIndex[slot];
                }
                slot = (slot + 1) & mask;
            }
            if (size == keys.length) {
                keys = Arrays.copyOf(keys, size * 2);
                counts = Arrays.copyOf(counts, size * 2);
            }
            slots[slot] = key;
            slotIndex[slot] = size;
            keys[size] = key;
            counts[size] = count;
            return size++;
        }

        private static long mix(long key) {
            long h = key * 0x9E3779B97F4A7C15L;
            return h ^ (h >>> 29);
        }

        int size() {
            return size;
        }

        long key(int index) {
            return keys[index];
        }

        long count(int index) {
            return counts[index];
        }
    }

    private Result evaluate(int[] node, long lcm, boolean withClasses) {
        int quasiIdentifiers = names.size();
        String[][] generalized = new String[quasiIdentifiers][];
        for (int i = 0; i < quasiIdentifiers; i++) {
            List<Object> known = values.get(i);
            generalized[i] = new String[known.size()];
            for (int v = 0; v < known.size(); v++) {
                generalized[i][v] = hierarchies.get(i).generalize(known.get(v), node[i]);
            }
        }
        Map<List<String>, Map<Integer, long[]>> classes = new HashMap<>();
        for (Map.Entry<Tuple, long[]> entry : tuples.entrySet()) {
            int[] indexes = entry.getKey().indexes();
            String[] key = new String[quasiIdentifiers];
            for (int i = 0; i < quasiIdentifiers; i++) {
                key[i] = generalized[i][indexes[i]];
            }
            classes.computeIfAbsent(Arrays.asList(key), ignored -> new HashMap<>())
                    .computeIfAbsent(indexes[quasiIdentifiers], ignored -> new long[1])[0] += entry.getValue()[0];
        }
        long suppressed = 0;
        long smallest = Long.MAX_VALUE;
        long kept = 0;
        Map<List<String>, String> suppressedClasses = new HashMap<>();
        for (Map.Entry<List<String>, Map<Integer, long[]>> entry : classes.entrySet()) {
            long[] counts = entry.getValue().values().stream().mapToLong(count -> count[0]).toArray();
            long size = Arrays.stream(counts).sum();
            boolean anonymous = size >= model.k();
            boolean diverse = model.diversity().map(diversity -> diversity.holds(counts)).orElse(true);
            if (!anonymous || !diverse) {
                suppressed += size;
                if (withClasses) {
                    suppressedClasses.put(entry.getKey(), anonymous ? "suppressed-for-l" : "suppressed-for-k");
                }
            }
            else {
                kept++;
                smallest = Math.min(smallest, size);
            }
        }
        long denominator = Math.multiplyExact(Math.multiplyExact(rows, quasiIdentifiers), lcm);
        long numerator = Math.addExact(Math.multiplyExact(rows - suppressed, generalization(node, lcm)), Math.multiplyExact(Math.multiplyExact(suppressed, quasiIdentifiers), lcm));
        List<Integer> levels = Arrays.stream(node).boxed().toList();
        return new Result(levels, true, suppressed, kept, smallest == Long.MAX_VALUE ? 0 : smallest,
                numerator, denominator, suppressedClasses, size(), 1);
    }

    public List<String> names() {
        return names;
    }

    public Optional<PrivacyModel.Diversity> diversity() {
        return model.diversity();
    }
}

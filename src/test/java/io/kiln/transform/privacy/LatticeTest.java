package io.kiln.transform.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import org.junit.jupiter.api.Test;

class LatticeTest {
    private static final List<String> NAMES = List.of("age", "sex", "zip");
    private static final List<Hierarchy> HIERARCHIES = List.of(
            new Hierarchy.Intervals(BigDecimal.valueOf(5), 2, 3),
            new Hierarchy.Table(Map.of("f", List.of("f", "*"), "m", List.of("m", "*")), 2, "groups", "test"),
            new Hierarchy.Mask(3));

    /** A small synthetic population: ages 18-80, two sexes, ZIP codes from a few prefixes. */
    private static List<Object[]> population(long seed, int size) {
        Random random = new Random(seed);
        List<Object[]> rows = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            rows.add(new Object[] {18L + random.nextInt(63), random.nextBoolean() ? "f" : "m",
                    "13" + random.nextInt(3) + random.nextInt(4) + random.nextInt(10), "d" + random.nextInt(4)});
        }
        return rows;
    }

    private static Lattice lattice(List<Object[]> rows, PrivacyModel model) {
        Lattice lattice = new Lattice(NAMES, HIERARCHIES, model);
        for (Object[] row : rows) {
            lattice.add(Arrays.copyOf(row, 3), row[3]);
        }
        return lattice;
    }

    /** Brute force, written without the lattice: every node, its classes by a plain GROUP BY, Sweeney's precision loss as an exact fraction. */
    private static List<Integer> bruteForce(List<Object[]> rows, PrivacyModel model) {
        List<Integer> best = null;
        BigInteger[] bestLoss = null;
        long bestSuppressed = 0;
        for (int age = 0; age < 5; age++) {
            for (int sex = 0; sex < 2; sex++) {
                for (int zip = 0; zip < 5; zip++) {
                    int[] node = {age, sex, zip};
                    Map<List<String>, List<String>> classes = new HashMap<>();
                    for (Object[] row : rows) {
                        List<String> key = new ArrayList<>();
                        for (int q = 0; q < 3; q++) {
                            key.add(HIERARCHIES.get(q).generalize(row[q], node[q]));
                        }
                        classes.computeIfAbsent(key, ignored -> new ArrayList<>()).add((String) row[3]);
                    }
                    long suppressed = 0;
                    for (List<String> sensitive : classes.values()) {
                        boolean diverse = model.diversity().isEmpty() || sensitive.stream().distinct().count() >= model.diversity().get().l();
                        if (sensitive.size() < model.k() || !diverse) {
                            suppressed += sensitive.size();
                        }
                    }
                    if (suppressed > Math.floor(model.maxSuppression() * rows.size())) {
                        continue;
                    }
                    // loss = ((n - s) * (age/4 + sex/1 + zip/4) / 3 + s) / n; compared as fractions over 12 n
                    BigInteger kept = BigInteger.valueOf(rows.size() - suppressed);
                    BigInteger numerator = kept.multiply(BigInteger.valueOf(age * 3L + sex * 12L + zip * 3L)).add(BigInteger.valueOf(suppressed * 36L));
                    BigInteger[] loss = {numerator};
                    List<Integer> levels = List.of(age, sex, zip);
                    int order = best == null ? -1 : numerator.compareTo(bestLoss[0]);
                    if (order == 0) {
                        order = Long.compare(suppressed, bestSuppressed);
                    }
                    if (order == 0) {
                        order = Integer.compare(age + sex + zip, best.stream().mapToInt(Integer::intValue).sum());
                    }
                    if (order == 0) {
                        order = Arrays.compare(new int[] {age, sex, zip}, best.stream().mapToInt(Integer::intValue).toArray());
                    }
                    if (order < 0) {
                        best = levels;
                        bestLoss = loss;
                        bestSuppressed = suppressed;
                    }
                }
            }
        }
        return best;
    }

    @Test
    void theSearchChoosesWhatABruteForceSearchOfTheWholeLatticeChooses() {
        List<PrivacyModel> models = List.of(
                new PrivacyModel(2, Optional.empty(), 0),
                new PrivacyModel(3, Optional.empty(), 0.02),
                new PrivacyModel(5, Optional.empty(), 0.05),
                new PrivacyModel(10, Optional.empty(), 0.1),
                new PrivacyModel(3, Optional.of(new PrivacyModel.Diversity("d", PrivacyModel.Diversity.Kind.DISTINCT, 2)), 0.05));
        for (long seed = 1; seed <= 4; seed++) {
            List<Object[]> rows = population(seed, 150 + (int) seed * 40);
            for (PrivacyModel model : models) {
                Lattice.Result result = lattice(rows, model).search();
                assertThat(result.levels()).as("seed %d, %s", seed, model).isEqualTo(bruteForce(rows, model));
                assertThat(result.satisfied()).isTrue();
                assertThat(result.evaluated()).isLessThanOrEqualTo(result.nodes());
            }
        }
    }

    @Test
    void countingCodedClassesGivesWhatGroupingTheirValuesGivesAtEveryNode() {
        List<Object[]> rows = population(9, 500);
        PrivacyModel model = new PrivacyModel(3, Optional.of(new PrivacyModel.Diversity("d", PrivacyModel.Diversity.Kind.ENTROPY, 1.8)), 0.05);
        Lattice lattice = lattice(rows, model);
        List<Lattice.Result> counted = lattice.evaluateAll();
        assertThat(counted).hasSize(5 * 2 * 5);
        for (Lattice.Result node : counted) {
            Lattice.Result grouped = lattice.apply(node.levels());
            assertThat(node.suppressedRows()).as("%s", node.levels()).isEqualTo(grouped.suppressedRows());
            assertThat(node.lossNumerator()).isEqualTo(grouped.lossNumerator());
            assertThat(node.classes()).isEqualTo(grouped.classes());
            assertThat(node.smallestClass()).isEqualTo(grouped.smallestClass());
        }
    }

    @Test
    void theChosenLevelsLeaveNoClassBelowKAmongTheRowsKept() {
        List<Object[]> rows = population(7, 400);
        PrivacyModel model = new PrivacyModel(5, Optional.empty(), 0.03);
        Lattice.Result result = lattice(rows, model).search();
        Map<List<String>, Integer> classes = new HashMap<>();
        for (Object[] row : rows) {
            List<String> key = new ArrayList<>();
            for (int q = 0; q < 3; q++) {
                key.add(HIERARCHIES.get(q).generalize(row[q], result.levels().get(q)));
            }
            classes.merge(key, 1, Integer::sum);
        }
        long suppressed = 0;
        for (Map.Entry<List<String>, Integer> entry : classes.entrySet()) {
            if (entry.getValue() < 5) {
                assertThat(result.suppressedClasses()).containsEntry(entry.getKey(), "suppressed-for-k");
                suppressed += entry.getValue();
            }
            else {
                assertThat(result.suppressedClasses()).doesNotContainKey(entry.getKey());
                assertThat(entry.getValue()).isGreaterThanOrEqualTo((int) result.smallestClass());
            }
        }
        assertThat(result.suppressedRows()).isEqualTo(suppressed).isLessThanOrEqualTo(12);
    }

    @Test
    void theOrderInWhichRowsArriveChangesNothing() {
        List<Object[]> rows = population(3, 300);
        PrivacyModel model = new PrivacyModel(4, Optional.of(new PrivacyModel.Diversity("d", PrivacyModel.Diversity.Kind.ENTROPY, 1.5)), 0.05);
        Lattice.Result first = lattice(rows, model).search();
        List<Object[]> shuffled = new ArrayList<>(rows);
        Collections.shuffle(shuffled, new Random(11));
        Lattice.Result second = lattice(shuffled, model).search();
        assertThat(second.levels()).isEqualTo(first.levels());
        assertThat(second.suppressedClasses()).isEqualTo(first.suppressedClasses());
        assertThat(second.lossNumerator()).isEqualTo(first.lossNumerator());
    }

    @Test
    void aTableSmallerThanKCannotBeMadeAnonymousAndEveryRowIsSuppressedAtTheTop() {
        List<Object[]> rows = population(5, 4);
        Lattice.Result result = lattice(rows, new PrivacyModel(5, Optional.empty(), 0.5)).search();
        assertThat(result.satisfied()).isFalse();
        assertThat(result.levels()).containsExactly(4, 1, 4);
        assertThat(result.suppressedRows()).isEqualTo(4);
        assertThat(result.suppressedClasses()).containsOnlyKeys(List.of("*", "*", "*"));
    }

    @Test
    void entropyDiversityIsTheEntropyOfTheSensitiveValuesAgainstLnL() {
        PrivacyModel.Diversity diversity = new PrivacyModel.Diversity("d", PrivacyModel.Diversity.Kind.ENTROPY, 2);
        assertThat(diversity.holds(new long[] {5, 5})).isTrue();
        assertThat(diversity.holds(new long[] {9, 1})).isFalse();
        assertThat(PrivacyModel.Diversity.entropy(new long[] {1, 1, 1, 1})).isCloseTo(Math.log(4), org.assertj.core.data.Offset.offset(1e-15));
        assertThat(PrivacyModel.Diversity.entropy(new long[] {3, 1, 7})).isEqualTo(PrivacyModel.Diversity.entropy(new long[] {7, 3, 1}));
    }
}

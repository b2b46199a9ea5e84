package io.kiln.contamination;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import io.kiln.contamination.ExactCosine.Hit;
import io.kiln.contamination.ExactCosine.Neighbour;
import io.kiln.contamination.ExactCosine.RowHits;
import io.kiln.contamination.ExactCosine.TopRows;
import io.kiln.contamination.ExactCosine.VectorProblem;

class ExactCosineTest {
    /** Not a multiple of 4; most eval sets have 1,100 to 2,300 items: blocks of up to 1,024, the last one partial. */
    private static final int DIMENSION = 38;
    private static final ExecutorService EXECUTOR = Executors.newFixedThreadPool(3);

    @AfterAll
    static void stopExecutor() {
        EXECUTOR.shutdownNow();
    }

    private static float[][] gaussian(Random random, int count, int dimension) {
        float[][] vectors = new float[count][dimension];
        for (float[] vector : vectors) {
            for (int k = 0; k < dimension; k++) {
                vector[k] = (float) (random.nextGaussian() * 3);
            }
        }
        return vectors;
    }

    /** Rows, a third of them noisy copies of eval items, so that high similarities occur. */
    private static float[][] rowsNear(float[][] eval, Random random, int count, double noise) {
        float[][] rows = gaussian(random, count, eval[0].length);
        for (int r = 0; r < count; r += 3) {
            float[] item = eval[random.nextInt(eval.length)];
            for (int k = 0; k < item.length; k++) {
                rows[r][k] = (float) (item[k] * (1 + random.nextDouble()) + random.nextGaussian() * noise);
            }
        }
        return rows;
    }

    private static double exactCosine(float[] a, float[] b) {
        double dot = 0;
        double squaresA = 0;
        double squaresB = 0;
        for (int k = 0; k < a.length; k++) {
            dot += (double) a[k] * b[k];
            squaresA += (double) a[k] * a[k];
            squaresB += (double) b[k] * b[k];
        }
        return dot / Math.sqrt(squaresA) / Math.sqrt(squaresB);
    }

    private static float[][] sample(float[][] rows, int... indexes) {
        float[][] sample = new float[indexes.length][];
        for (int i = 0; i < indexes.length; i++) {
            sample[i] = rows[indexes[i]];
        }
        return sample;
    }

    @Test
    void similaritiesAreWithinOneHundredThousandthOfDoublePrecisionCosines() {
        Random random = new Random(1);
        float[][] eval = gaussian(random, 2100, DIMENSION);
        float[][] rows = rowsNear(eval, random, 300, 0.5);
        ExactCosine index = ExactCosine.of(eval);

        List<List<Hit>> all = index.above(rows, -2f);

        double largestError = 0;
        for (int r = 0; r < rows.length; r++) {
            assertThat(all.get(r)).hasSize(eval.length);
            for (Hit hit : all.get(r)) {
                largestError = Math.max(largestError, Math.abs(hit.similarity() - exactCosine(rows[r], eval[hit.item()])));
            }
        }
        assertThat(largestError).isLessThan(1e-5);
    }

    @Test
    void similarityOfAPairIsTheSearchSimilarityAndCloseToTheCosine() {
        Random random = new Random(2);
        float[][] eval = gaussian(random, 1100, 384);
        float[][] rows = rowsNear(eval, random, 20, 0.3);
        ExactCosine index = ExactCosine.of(eval);

        List<List<Hit>> all = index.above(rows, -2f);

        for (int r = 0; r < rows.length; r++) {
            float[] row = ExactCosine.normalize(rows[r]);
            for (Hit hit : all.get(r)) {
                float pair = ExactCosine.similarity(row, ExactCosine.normalize(eval[hit.item()]));
                assertThat(Float.floatToRawIntBits(hit.similarity())).as("row %d item %d", r, hit.item()).isEqualTo(Float.floatToRawIntBits(pair));
                assertThat((double) pair).isCloseTo(exactCosine(rows[r], eval[hit.item()]), within(1e-5));
            }
        }
    }

    @Test
    void hitsAreThePairsAtOrAboveTheThresholdByTheDoublePrecisionCosine() {
        Random random = new Random(3);
        float[][] eval = gaussian(random, 2300, DIMENSION);
        float[][] rows = rowsNear(eval, random, 400, 1.0);
        float threshold = thresholdAwayFromCosines(rows, eval, 0.75, 0.85);
        List<List<Hit>> expected = new ArrayList<>();
        for (float[] row : rows) {
            List<Hit> hits = new ArrayList<>();
            for (int item = 0; item < eval.length; item++) {
                double cosine = exactCosine(row, eval[item]);
                if (cosine >= threshold) {
                    hits.add(new Hit(item, (float) cosine));
                }
            }
            hits.sort(Comparator.comparingDouble(Hit::similarity).reversed().thenComparingInt(Hit::item));
            expected.add(hits);
        }

        List<List<Hit>> found = ExactCosine.of(eval).above(rows, threshold);

        assertThat(found.stream().mapToInt(List::size).sum()).isGreaterThan(50);
        for (int r = 0; r < rows.length; r++) {
            assertThat(found.get(r)).extracting(Hit::item).as("row %d", r).containsExactlyElementsOf(expected.get(r).stream().map(Hit::item).toList());
        }
    }

    /** The middle of the widest gap between the pairs' cosines in [low, high]. */
    private static float thresholdAwayFromCosines(float[][] rows, float[][] eval, double low, double high) {
        List<Double> cosines = new ArrayList<>(List.of(low, high));
        for (float[] row : rows) {
            for (float[] item : eval) {
                double cosine = exactCosine(row, item);
                if (cosine > low && cosine < high) {
                    cosines.add(cosine);
                }
            }
        }
        Collections.sort(cosines);
        int widest = 0;
        for (int i = 1; i + 1 < cosines.size(); i++) {
            if (cosines.get(i + 1) - cosines.get(i) > cosines.get(widest + 1) - cosines.get(widest)) {
                widest = i;
            }
        }
        assertThat(cosines.get(widest + 1) - cosines.get(widest)).as("the widest gap").isGreaterThan(1e-4);
        return (float) ((cosines.get(widest) + cosines.get(widest + 1)) / 2);
    }

    @Test
    void hitsAreSortedBySimilarityDescendingThenItemAscending() {
        float[][] eval = {{1, 0}, {0, 1}, {1, 0}, {1, 1}, {-1, 0}};

        List<List<Hit>> hits = ExactCosine.of(eval).above(new float[][] {{2, 0}}, 0.5f);

        assertThat(hits.get(0)).extracting(Hit::item).containsExactly(0, 2, 3);
        assertThat(hits.get(0).get(0).similarity()).isEqualTo(1f);
    }

    @Test
    void similaritiesAreBitIdenticalWhateverTheBatchSizeRowOrderAndThreads() {
        Random random = new Random(4);
        float[][] eval = gaussian(random, 1100, DIMENSION);
        float[][] rows = rowsNear(eval, random, 1000, 0.5);
        ExactCosine sequential = ExactCosine.of(eval);
        List<List<Hit>> reference = sequential.above(rows, -2f);

        for (int batch : new int[] {1, 7, 64, 1000}) {
            for (ExactCosine index : List.of(sequential, sequential.parallel(EXECUTOR, 2), sequential.parallel(EXECUTOR, 4))) {
                List<Integer> order = new ArrayList<>();
                for (int r = 0; r < rows.length; r++) {
                    order.add(r);
                }
                Collections.shuffle(order, new Random(batch));
                for (int start = 0; start < rows.length; start += batch) {
                    List<Integer> positions = order.subList(start, Math.min(rows.length, start + batch));
                    float[][] batchRows = sample(rows, positions.stream().mapToInt(Integer::intValue).toArray());
                    List<List<Hit>> found = index.above(batchRows, -2f);
                    for (int i = 0; i < positions.size(); i++) {
                        // records compare float components with Float.compare: bit for bit
                        assertThat(found.get(i)).as("batch %d row %d", batch, positions.get(i)).isEqualTo(reference.get(positions.get(i)));
                    }
                }
            }
        }
    }

    @Test
    void topRowsAreTheBruteForceTopRowsWithTiesBrokenByRowOrdinal() {
        Random random = new Random(5);
        float[][] eval = gaussian(random, 2100, DIMENSION);
        float[][] distinct = rowsNear(eval, random, 200, 0.5);
        // every distinct row three times, under ordinals far apart, so that ties are everywhere
        float[][] rows = new float[600][];
        long[] ordinals = new long[600];
        for (int r = 0; r < 600; r++) {
            rows[r] = distinct[r % 200];
            ordinals[r] = 1_000_000L * (r % 7) + r;
        }
        int k = 10;
        float[][] normalizedRows = Arrays.stream(rows).map(ExactCosine::normalize).toArray(float[][]::new);
        List<List<Neighbour>> expected = new ArrayList<>();
        for (int item = 0; item < eval.length; item++) {
            float[] normalizedItem = ExactCosine.normalize(eval[item]);
            List<Neighbour> all = new ArrayList<>();
            for (int r = 0; r < rows.length; r++) {
                all.add(new Neighbour(ordinals[r], ExactCosine.similarity(normalizedRows[r], normalizedItem)));
            }
            all.sort(Comparator.comparing(Neighbour::similarity, Comparator.reverseOrder()).thenComparingLong(Neighbour::row));
            expected.add(all.subList(0, k));
        }

        ExactCosine sequential = ExactCosine.of(eval);
        for (ExactCosine index : List.of(sequential, sequential.parallel(EXECUTOR, 3))) {
            for (int batch : new int[] {1, 7, 64, 600}) {
                TopRows top = index.topRows(k);
                List<Integer> order = new ArrayList<>();
                for (int r = 0; r < rows.length; r++) {
                    order.add(r);
                }
                Collections.shuffle(order, new Random(batch));
                for (int start = 0; start < rows.length; start += batch) {
                    int[] positions = order.subList(start, Math.min(rows.length, start + batch)).stream().mapToInt(Integer::intValue).toArray();
                    long[] batchOrdinals = Arrays.stream(positions).mapToLong(r -> ordinals[r]).toArray();
                    top.add(batchOrdinals, sample(rows, positions));
                }
                assertThat(top.result()).as("batch %d", batch).isEqualTo(expected);
                assertThat(top.added()).isEqualTo(600);
            }
        }
    }

    @Test
    void addingWithAThresholdAlsoScreensTheRowsInTheSamePass() {
        Random random = new Random(6);
        float[][] eval = gaussian(random, 2100, DIMENSION);
        float[][] rows = rowsNear(eval, random, 90, 0.5);
        rows[4] = null;
        long[] ordinals = new long[rows.length];
        Arrays.setAll(ordinals, r -> 10L * r);
        ExactCosine index = ExactCosine.of(eval);
        TopRows alone = index.topRows(3);
        alone.add(ordinals, rows);
        TopRows screening = index.parallel(EXECUTOR, 2).topRows(3);

        List<RowHits> screened = screening.add(ordinals, rows, 0.6f);

        assertThat(screened).isEqualTo(index.screen(rows, 0.6f));
        assertThat(screened.stream().mapToInt(row -> row.hits().size()).sum()).isGreaterThan(10);
        assertThat(screening.result()).isEqualTo(alone.result());
        assertThat(screening.skipped()).isEqualTo(Map.of(VectorProblem.MISSING, 1L));
    }

    @Test
    void topRowsKeepFewerRowsThanKWhenFewerWereAdded() {
        TopRows top = ExactCosine.of(new float[][] {{1, 0}, {0, 1}}).topRows(5);

        top.add(new long[] {40, 30}, new float[][] {{1, 1}, {2, 1}});

        assertThat(top.result().get(0)).extracting(Neighbour::row).containsExactly(30L, 40L);
        assertThat(top.result().get(1)).extracting(Neighbour::row).containsExactly(40L, 30L);
    }

    @Test
    void rejectsBadEvalVectorsNamingTheItem() {
        assertThatThrownBy(() -> ExactCosine.of(new float[][] {{1, 2}, {0, 0}}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot use eval item 1: its vector is zero");
        assertThatThrownBy(() -> ExactCosine.of(new float[][] {{1, 2}, {3, 4}, {Float.NaN, 1}}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot use eval item 2: its vector has a NaN or infinite element");
        assertThatThrownBy(() -> ExactCosine.of(new float[][] {{1, Float.POSITIVE_INFINITY}}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot use eval item 0: its vector has a NaN or infinite element");
        assertThatThrownBy(() -> ExactCosine.of(new float[][] {{1, 2}, {1, 2, 3}}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot use eval item 1: its vector has dimension 3, not 2");
        assertThatThrownBy(() -> ExactCosine.of(new float[][] {{1, 2}, null}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot use eval item 1: its vector is null");
        assertThatThrownBy(() -> ExactCosine.of(new float[][] {{}}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot use eval item 0: its vector is empty");
        assertThatThrownBy(() -> ExactCosine.of(new float[0][]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot search an empty eval set: there is no eval vector");
    }

    @Test
    void badTrainingRowsHaveNoHitsAndSayWhy() {
        ExactCosine index = ExactCosine.of(new float[][] {{1, 0, 0}, {0, 1, 0}});
        float[][] rows = {{1, 0, 0}, null, {0, 0, 0}, {Float.NaN, 1, 0}, {1, 0}, {}, {0, 1, Float.NEGATIVE_INFINITY}, {0, 2, 0}};

        List<RowHits> screened = index.screen(rows, 0.5f);

        assertThat(screened).extracting(RowHits::problem).containsExactly(Optional.empty(), Optional.of(VectorProblem.MISSING),
                Optional.of(VectorProblem.ZERO), Optional.of(VectorProblem.NOT_FINITE), Optional.of(VectorProblem.WRONG_DIMENSION),
                Optional.of(VectorProblem.EMPTY), Optional.of(VectorProblem.NOT_FINITE), Optional.empty());
        assertThat(index.above(rows, -2f)).extracting(List::size).containsExactly(2, 0, 0, 0, 0, 0, 0, 2);
        assertThat(screened.get(7).hits()).containsExactly(new Hit(1, 1f));
    }

    @Test
    void topRowsSkipBadRowsAndCountThemByProblem() {
        TopRows top = ExactCosine.of(new float[][] {{1, 0, 0}, {0, 1, 0}}).topRows(3);

        top.add(new long[] {1, 2, 3, 4, 5}, new float[][] {{1, 0, 0}, {0, 0, 0}, {1, 0}, {0, 0, 0}, null});

        assertThat(top.result().get(0)).containsExactly(new Neighbour(1, 1f));
        assertThat(top.added()).isEqualTo(1);
        assertThat(top.skipped()).isEqualTo(Map.of(VectorProblem.ZERO, 2L, VectorProblem.WRONG_DIMENSION, 1L, VectorProblem.MISSING, 1L));
    }

    @Test
    void comparingVectorsOfDifferentDimensionsNamesBoth() {
        assertThatThrownBy(() -> ExactCosine.similarity(new float[384], new float[768]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot compare vectors of dimensions 384 and 768");
    }

    @Test
    void normalizeScalesToUnitLengthInDoubleAndRejectsZero() {
        float[] normalized = ExactCosine.normalize(new float[] {3, 4});

        assertThat(normalized).containsExactly(0.6f, 0.8f);
        assertThat(ExactCosine.normalize(new float[] {1e-30f, 0})).containsExactly(1f, 0f);
        assertThatThrownBy(() -> ExactCosine.normalize(new float[] {0, 0})).hasMessage("Cannot normalize: its vector is zero");
    }

    @Test
    void rejectsANanThresholdAndANonPositiveK() {
        ExactCosine index = ExactCosine.of(new float[][] {{1, 0}});

        assertThatThrownBy(() -> index.above(new float[][] {{1, 0}}, Float.NaN)).hasMessage("Cannot search with a NaN threshold");
        assertThatThrownBy(() -> index.topRows(0)).hasMessage("Cannot keep the top 0 rows: k must be at least 1");
    }

    @Test
    void describesItsEvalSet() {
        ExactCosine index = ExactCosine.of(new float[][] {{1, 0, 2}, {0, 1, 2}});

        assertThat(index.dimension()).isEqualTo(3);
        assertThat(index.items()).isEqualTo(2);
    }
}

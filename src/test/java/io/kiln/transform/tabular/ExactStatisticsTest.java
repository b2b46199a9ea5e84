package io.kiln.transform.tabular;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Arrays;
import java.util.Random;
import java.util.function.DoubleSupplier;

import org.junit.jupiter.api.Test;

/** The mean and standard deviation that {@code impute} and {@code scale} fit, whatever the order and the repeats of the values. */
class ExactStatisticsTest {
    @Test
    void runsOfEqualValuesGiveTheStatisticsOfEveryValueAddedOneByOne() {
        Random random = new Random(5);
        DoubleSupplier[] kinds = {
            () -> 100 + random.nextInt(3000), // whole numbers, long runs (distances)
            () -> random.nextInt(7) - 3, // few values, -0.0 apart from 0.0 below
            () -> Math.round(random.nextGaussian() * 10_000) / 100.0, // two decimals
            random::nextGaussian, // no repeats
            () -> random.nextBoolean() ? 1e300 * random.nextInt(3) : 1e-300 * random.nextInt(3), // far apart
            () -> random.nextInt(4) == 0 ? -0.0 : random.nextInt(2),
        };
        for (int kind = 0; kind < kinds.length; kind++) {
            for (int size : new int[] {1, 2, 3, 17, 5_000}) {
                ExactStatistics statistics = new ExactStatistics();
                double[] values = added(statistics, size, kinds[kind]);
                ExactStatistics.Summary summary = statistics.summarize();
                double[] expected = oneByOne(values);
                assertThat(summary.mean()).as("mean, kind %d, %d values", kind, size).isEqualTo(expected[0]);
                assertThat(summary.meanAndStandardDeviation()).as("mean and std, kind %d, %d values", kind, size).containsExactly(expected);
            }
        }
    }

    @Test
    void quantilesMinAndMaxAreThoseOfTheSortedValues() {
        Random random = new Random(11);
        DoubleSupplier[] kinds = {
            () -> random.nextInt(5) - 2.0,
            () -> random.nextInt(4) == 0 ? -0.0 : 0.0,
            random::nextGaussian,
            () -> Math.round(random.nextGaussian() * 100) / 4.0,
        };
        double[] qs = {0, 0.001, 0.1, 0.25, 1 / 3.0, 0.5, 0.75, 0.9, 0.999, 1};
        for (int kind = 0; kind < kinds.length; kind++) {
            for (int size : new int[] {1, 2, 5, 1_000, 20_000}) {
                ExactStatistics statistics = new ExactStatistics();
                double[] values = added(statistics, size, kinds[kind]);
                ExactStatistics.Summary summary = statistics.summarize();
                double[] sorted = values.clone();
                Arrays.sort(sorted);
                assertThat(summary.count()).isEqualTo(size);
                assertThat(Double.doubleToLongBits(summary.min())).as("min, kind %d", kind).isEqualTo(Double.doubleToLongBits(sorted[0]));
                assertThat(Double.doubleToLongBits(summary.max())).as("max, kind %d", kind).isEqualTo(Double.doubleToLongBits(sorted[size - 1]));
                for (double q : qs) {
                    double rank = q * (size - 1);
                    int below = (int) Math.floor(rank);
                    int above = Math.min(below + 1, size - 1);
                    double fraction = rank - below;
                    double expected = fraction == 0 ? sorted[below] : sorted[below] + (sorted[above] - sorted[below]) * fraction;
                    assertThat(Double.doubleToLongBits(summary.quantile(q))).as("q %s, kind %d, %d values", q, kind, size).isEqualTo(Double.doubleToLongBits(expected));
                }
            }
        }
    }

    @Test
    void moreDistinctValuesThanAreCountedAreKeptOneByOne() {
        Random random = new Random(3);
        int size = ExactStatistics.MAX_COUNTED + 50_000;
        ExactStatistics statistics = new ExactStatistics();
        int[] added = {0};
        // repeats before and after the switch
        double[] values = added(statistics, size, () -> added[0]++ % 10 == 0 ? 1.5 : random.nextGaussian());
        ExactStatistics.Summary summary = statistics.summarize();
        assertThat(summary.meanAndStandardDeviation()).containsExactly(oneByOne(values));
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        assertThat(summary.quantile(0.5)).isEqualTo(sorted[(size - 1) / 2] + (sorted[(size - 1) / 2 + 1] - sorted[(size - 1) / 2]) * 0.5);
        assertThat(summary.count()).isEqualTo(size);
    }

    @Test
    void aTermAddedRepeatedlyIsEachAdditionRounded() {
        Random random = new Random(17);
        BigDecimal[] terms = {new BigDecimal("0.25"), new BigDecimal("0.5"), new BigDecimal("12.25"), new BigDecimal("5E-34"), new BigDecimal("1"),
            new BigDecimal("0.05"), new BigDecimal("9.999999999999999999999999999999999"), new BigDecimal("1E+40"), BigDecimal.ZERO};
        for (int round = 0; round < 400; round++) {
            BigDecimal term = round < terms.length * 20 ? terms[round % terms.length]
                    : new BigDecimal(random.nextGaussian() * Math.pow(10, random.nextInt(20) - 10)).pow(2, MathContext.DECIMAL128);
            BigDecimal start = switch (round % 4) {
                case 0 -> BigDecimal.ZERO;
                case 1 -> new BigDecimal(random.nextDouble() * Math.pow(10, random.nextInt(40) - 5)).round(MathContext.DECIMAL128);
                case 2 -> new BigDecimal("99999999999999999999999999999999.50");
                default -> BigDecimal.valueOf(random.nextInt(1000));
            };
            long times = 1 + random.nextInt(round % 3 == 0 ? 30_000 : 300);
            BigDecimal expected = start;
            for (long i = 0; i < times; i++) {
                expected = expected.add(term, MathContext.DECIMAL128);
            }
            assertThat(ExactStatistics.addRepeatedly(start, term, times)).as("%s + %s x %d", start, term, times).isEqualByComparingTo(expected);
        }
    }

    /** {@code size} values of {@code kind}, each added to {@code statistics}. */
    private static double[] added(ExactStatistics statistics, int size, DoubleSupplier kind) {
        double[] values = new double[size];
        for (int i = 0; i < size; i++) {
            values[i] = kind.getAsDouble();
            statistics.add(values[i]);
        }
        return values;
    }

    /** The statistics as every version of the steps fitted them: each value's square of difference made and added in sorted order. */
    private static double[] oneByOne(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        BigDecimal sum = BigDecimal.ZERO;
        for (double value : sorted) {
            sum = sum.add(new BigDecimal(value));
        }
        BigDecimal mean = sum.divide(BigDecimal.valueOf(sorted.length), MathContext.DECIMAL128);
        if (sorted.length < 2) {
            return new double[] {mean.doubleValue(), 0};
        }
        BigDecimal squares = BigDecimal.ZERO;
        for (double value : sorted) {
            BigDecimal difference = new BigDecimal(value).subtract(mean, MathContext.DECIMAL128);
            squares = squares.add(difference.multiply(difference, MathContext.DECIMAL128), MathContext.DECIMAL128);
        }
        return new double[] {mean.doubleValue(), Math.sqrt(squares.divide(BigDecimal.valueOf(sorted.length - 1L), MathContext.DECIMAL128).doubleValue())};
    }
}

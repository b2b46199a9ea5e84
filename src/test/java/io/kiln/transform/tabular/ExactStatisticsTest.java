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
                double[] values = new double[size];
                for (int i = 0; i < size; i++) {
                    values[i] = kinds[kind].getAsDouble();
                    statistics.add(values[i]);
                }
                ExactStatistics.Summary summary = statistics.summarize();
                double[] expected = oneByOne(values);
                assertThat(summary.mean()).as("mean, kind %d, %d values", kind, size).isEqualTo(expected[0]);
                assertThat(summary.meanAndStandardDeviation()).as("mean and std, kind %d, %d values", kind, size).containsExactly(expected);
            }
        }
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

package io.kiln.transform.tabular;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Arrays;

/**
 * Statistics of a column's values that do not depend on the order the values came in: the values are
 * kept (8 bytes each) and sorted, sums are exact ({@link BigDecimal} of each double) and rounded once
 * to a double. Quantiles interpolate linearly between the two nearest ranks, as numpy's default
 * ({@code q} at rank {@code q (n - 1)}); the median is the 0.5 quantile.
 */
final class ExactStatistics {
    private double[] values = new double[16];
    private int count;

    void add(double value) {
        if (count == values.length) {
            values = Arrays.copyOf(values, values.length * 2);
        }
        values[count++] = value;
    }

    int count() {
        return count;
    }

    long bytes() {
        return values == null ? 0 : values.length * 8L;
    }

    /** Sorts the values once, before the statistics are read. */
    Summary summarize() {
        double[] sorted = Arrays.copyOf(values, count);
        Arrays.sort(sorted);
        values = null;
        return new Summary(sorted);
    }

    record Summary(double[] sorted) {
        int count() {
            return sorted.length;
        }

        double mean() {
            return exactMean().doubleValue();
        }

        /**
         * The mean and the sample standard deviation (n - 1, as Spark ML's StandardScaler; 0 for fewer
         * than two values), from one exact sum.
         */
        double[] meanAndStandardDeviation() {
            BigDecimal mean = exactMean();
            if (sorted.length < 2) {
                return new double[] {mean.doubleValue(), 0};
            }
            BigDecimal squares = BigDecimal.ZERO;
            for (int start = 0, end; start < sorted.length; start = end) {
                end = runEnd(start);
                BigDecimal difference = new BigDecimal(sorted[start]).subtract(mean, MathContext.DECIMAL128);
                BigDecimal square = difference.multiply(difference, MathContext.DECIMAL128);
                // added once per value: each addition rounds, in the same order as ever
                for (int i = start; i < end; i++) {
                    squares = squares.add(square, MathContext.DECIMAL128);
                }
            }
            return new double[] {mean.doubleValue(), Math.sqrt(squares.divide(BigDecimal.valueOf(sorted.length - 1L), MathContext.DECIMAL128).doubleValue())};
        }

        private BigDecimal exactMean() {
            BigDecimal sum = BigDecimal.ZERO;
            for (int start = 0, end; start < sorted.length; start = end) {
                end = runEnd(start);
                // a run as its value times its length: exact, as the values one by one are
                BigDecimal value = new BigDecimal(sorted[start]);
                sum = sum.add(end - start == 1 ? value : value.multiply(BigDecimal.valueOf(end - start)));
            }
            return sum.divide(BigDecimal.valueOf(sorted.length), MathContext.DECIMAL128);
        }

        /** The end (exclusive) of the run of values equal to {@code sorted[start]}, bit for bit: equal values are neighbours once sorted. */
        private int runEnd(int start) {
            int end = start + 1;
            while (end < sorted.length && Double.doubleToLongBits(sorted[end]) == Double.doubleToLongBits(sorted[start])) {
                end++;
            }
            return end;
        }

        double min() {
            return sorted[0];
        }

        double max() {
            return sorted[sorted.length - 1];
        }

        double quantile(double q) {
            double rank = q * (sorted.length - 1);
            int below = (int) Math.floor(rank);
            int above = Math.min(below + 1, sorted.length - 1);
            double fraction = rank - below;
            return fraction == 0 ? sorted[below] : sorted[below] + (sorted[above] - sorted[below]) * fraction;
        }
    }
}

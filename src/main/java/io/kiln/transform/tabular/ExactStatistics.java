package io.kiln.transform.tabular;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Arrays;

import it.unimi.dsi.fastutil.longs.Long2LongMap;
import it.unimi.dsi.fastutil.longs.Long2LongOpenHashMap;

/**
 * Statistics of a column's values that do not depend on the order the values came in: each distinct value is kept
 * with how often it came (up to {@link #MAX_COUNTED} distinct values; past that every value is kept, 8 bytes each),
 * the values are sorted once, sums are exact ({@link BigDecimal} of each double) and rounded once to a double.
 * Quantiles interpolate linearly between the two nearest ranks, as numpy's default ({@code q} at rank
 * {@code q (n - 1)}); the median is the 0.5 quantile. Values are told apart bit for bit (-0.0 from 0.0).
 */
final class ExactStatistics {
    /** The distinct values counted before the values are kept one by one instead: 16 MB of counts at most. */
    static final int MAX_COUNTED = 1 << 19;

    /** Each distinct value's count, by the value's bits; null once there were too many distinct values to count. */
    private Long2LongOpenHashMap counts = new Long2LongOpenHashMap();
    /** Every value, once {@link #counts} is given up. */
    private double[] values;
    private int kept;
    private long count;

    void add(double value) {
        count++;
        if (counts == null) {
            keep(value);
            return;
        }
        counts.addTo(Double.doubleToLongBits(value), 1);
        if (counts.size() > MAX_COUNTED) {
            keepAll();
        }
    }

    /** Too many distinct values to count: from now on every value is kept, those counted so far as often as they came. */
    private void keepAll() {
        Long2LongOpenHashMap counted = counts;
        counts = null;
        values = new double[(int) Math.min(Integer.MAX_VALUE - 8, Math.max(16, count * 2))];
        for (Long2LongMap.Entry entry : counted.long2LongEntrySet()) {
            double value = Double.longBitsToDouble(entry.getLongKey());
            for (long n = 0; n < entry.getLongValue(); n++) {
                keep(value);
            }
        }
    }

    private void keep(double value) {
        if (kept == values.length) {
            values = Arrays.copyOf(values, values.length * 2);
        }
        values[kept++] = value;
    }

    int count() {
        return (int) count;
    }

    /** About the memory the statistics hold: a count's key and value (and the table's slack), or a kept value. */
    long bytes() {
        return counts != null ? counts.size() * 32L : values != null ? values.length * 8L : 0;
    }

    /** Sorts the distinct values once, before the statistics are read. */
    Summary summarize() {
        double[] sortedDistinct;
        long[] runs;
        if (counts != null) {
            sortedDistinct = new double[counts.size()];
            int at = 0;
            for (long bits : counts.keySet()) {
                sortedDistinct[at++] = Double.longBitsToDouble(bits);
            }
            Arrays.sort(sortedDistinct);
            runs = new long[sortedDistinct.length];
            for (int i = 0; i < runs.length; i++) {
                runs[i] = counts.get(Double.doubleToLongBits(sortedDistinct[i]));
            }
        }
        else {
            double[] sorted = Arrays.copyOf(values, kept);
            Arrays.sort(sorted);
            int size = 0;
            long[] lengths = new long[sorted.length];
            for (int start = 0, end; start < sorted.length; start = end) {
                end = start + 1;
                while (end < sorted.length && Double.doubleToLongBits(sorted[end]) == Double.doubleToLongBits(sorted[start])) {
                    end++;
                }
                sorted[size] = sorted[start];
                lengths[size++] = end - start;
            }
            sortedDistinct = Arrays.copyOf(sorted, size);
            runs = Arrays.copyOf(lengths, size);
        }
        counts = null;
        values = null;
        return new Summary(sortedDistinct, runs, count);
    }

    /**
     * The values in order as runs: each distinct value (bit for bit) and how many times it came, ascending as
     * {@link Arrays#sort(double[])} orders them.
     */
    static final class Summary {
        private final double[] distinct;
        private final long[] runs;
        /** Where each run ends (exclusive) in the values in order. */
        private final long[] ends;
        private final long size;

        private Summary(double[] distinct, long[] runs, long size) {
            this.distinct = distinct;
            this.runs = runs;
            this.size = size;
            this.ends = new long[runs.length];
            long end = 0;
            for (int i = 0; i < runs.length; i++) {
                end += runs[i];
                ends[i] = end;
            }
        }

        int count() {
            return (int) size;
        }

        double mean() {
            return exactMean().doubleValue();
        }

        /**
         * The mean and the sample standard deviation (n - 1, as Spark ML's StandardScaler; 0 for fewer than two
         * values), from one exact sum. Each value's squared difference from the mean is rounded to 34 digits and added
         * to the sum of squares in sorted order, each addition rounded to 34 digits: as every version of the steps did,
         * a run's repeated additions made in a few steps ({@link #addRepeatedly}).
         */
        double[] meanAndStandardDeviation() {
            BigDecimal mean = exactMean();
            if (size < 2) {
                return new double[] {mean.doubleValue(), 0};
            }
            BigDecimal squares = BigDecimal.ZERO;
            for (int i = 0; i < distinct.length; i++) {
                BigDecimal difference = new BigDecimal(distinct[i]).subtract(mean, MathContext.DECIMAL128);
                BigDecimal square = difference.multiply(difference, MathContext.DECIMAL128);
                squares = addRepeatedly(squares, square, runs[i]);
            }
            return new double[] {mean.doubleValue(), Math.sqrt(squares.divide(BigDecimal.valueOf(size - 1), MathContext.DECIMAL128).doubleValue())};
        }

        private BigDecimal exactMean() {
            BigDecimal sum = BigDecimal.ZERO;
            for (int i = 0; i < distinct.length; i++) {
                // a run as its value times its length: exact, as the values one by one are
                BigDecimal value = new BigDecimal(distinct[i]);
                sum = sum.add(runs[i] == 1 ? value : value.multiply(BigDecimal.valueOf(runs[i])));
            }
            return sum.divide(BigDecimal.valueOf(size), MathContext.DECIMAL128);
        }

        double min() {
            return distinct[0];
        }

        double max() {
            return distinct[distinct.length - 1];
        }

        double quantile(double q) {
            double rank = q * (size - 1);
            long below = (long) Math.floor(rank);
            long above = Math.min(below + 1, size - 1);
            double fraction = rank - below;
            double low = at(below);
            return fraction == 0 ? low : low + (at(above) - low) * fraction;
        }

        /** The value at {@code index} of the values in order. */
        private double at(long index) {
            // the first run that ends after index
            int found = Arrays.binarySearch(ends, index + 1);
            return distinct[found >= 0 ? found : -found - 1];
        }
    }

    /**
     * {@code sum} with {@code term} (not negative) added {@code times} times, each addition rounded to 34 digits
     * ({@link MathContext#DECIMAL128}): the same number as that many {@code sum.add(term, DECIMAL128)}. While the sum
     * keeps its exponent, each rounding adds the term rounded to the sum's last digit, so a stretch of additions is
     * one multiplication; where the sum reaches the next power of ten, or the term's rest is exactly half a last
     * digit (a tie, rounded to even), additions are made one at a time.
     */
    static BigDecimal addRepeatedly(BigDecimal sum, BigDecimal term, long times) {
        BigDecimal result = sum;
        long left = times;
        while (left > 0) {
            if (left < 8 || result.signum() == 0 || term.signum() == 0) {
                // few additions left: one at a time costs less than working out a stretch
                result = result.add(term, MathContext.DECIMAL128);
                left--;
                continue;
            }
            int exponent = result.precision() - result.scale() - 1;
            // the sum's last digit: a sum with this exponent has 34 digits down to 10^(exponent - 33)
            BigDecimal unit = BigDecimal.ONE.scaleByPowerOfTen(exponent - 33);
            BigDecimal whole = term.setScale(33 - exponent, RoundingMode.DOWN);
            int half = term.subtract(whole).multiply(BigDecimal.valueOf(2)).compareTo(unit);
            BigDecimal limit = BigDecimal.ONE.scaleByPowerOfTen(exponent + 1).subtract(unit);
            BigDecimal room = limit.subtract(term).subtract(result);
            if (half == 0 || room.signum() < 0) {
                result = result.add(term, MathContext.DECIMAL128);
                left--;
                continue;
            }
            BigDecimal step = half < 0 ? whole : whole.add(unit);
            if (step.signum() == 0) {
                // each addition rounds back to the sum
                return result;
            }
            // additions j = 1..k stay below the next power of ten while (j - 1) steps fit in the room
            BigDecimal fits = room.divideToIntegralValue(step);
            long k = fits.compareTo(BigDecimal.valueOf(left)) >= 0 ? left : fits.longValueExact() + 1;
            k = Math.min(k, left);
            result = result.add(step.multiply(BigDecimal.valueOf(k)));
            left -= k;
        }
        return result;
    }
}

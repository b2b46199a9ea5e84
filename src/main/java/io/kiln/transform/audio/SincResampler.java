package io.kiln.transform.audio;

import static java.util.Objects.checkFromIndexSize;
import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Converts one channel of audio from one integer sample rate to another with a Kaiser-windowed sinc
 * filter (the design of libsamplerate, soxr and resampy's {@code kaiser_best}); callers run one instance
 * per channel.
 *
 * <p>Design: the ratio is reduced to {@code L/M = outputRate/inputRate} by their greatest common divisor.
 * The low-pass cutoff is {@value #ROLLOFF} of the lower of the two Nyquist frequencies, the sinc has
 * {@value #ZERO_CROSSINGS} zero crossings on each side and the Kaiser window has beta {@value #KAISER_BETA}.
 * Measured on the continuous prototype: flat within 0.003 dB up to 0.9 of the lower Nyquist frequency
 * (-0.1 dB at 0.912, -6 dB at 0.945) and attenuated by at least 105 dB from the lower Nyquist frequency up
 * (-80 dB is reached at 0.992). Each output sample is a dot product of {@code 2 * ceil(64 / 0.945 *
 * max(1, inputRate / outputRate))} input samples with the filter taps for its fractional position (136
 * taps when up-sampling, 404 for 48 kHz to 16 kHz); the taps of each position are scaled to sum to 1, so a
 * constant input gives that constant out. The taps are computed once per ratio with {@link StrictMath}
 * (the Kaiser window's I0 by its power series) and shared by all instances: a row for each of the {@code L}
 * fractional positions when that takes at most 2^20 coefficients (every pair of 8, 11.025, 16, 22.05, 32,
 * 44.1, 48 and 96 kHz); otherwise rows for positions 1/1024 of a zero crossing apart, between whose dot
 * products each output interpolates linearly (about 1 MB, for any ratio); and past 2^20 coefficients for
 * even that (down-sampling by more than about 5000), each tap is interpolated from one table of the
 * windowed sinc sampled 1024 times per zero crossing. Both interpolations stay within -110 dB of the exact
 * filter.
 *
 * <p>Timing and length: output sample {@code k} is the signal at input time {@code k * inputRate /
 * outputRate} (in input samples), so the filter's delay is compensated and nothing is shifted; the input
 * is taken as silent before its first and after its last sample. For {@code n} input samples the stream
 * gives exactly {@code ceil(n * outputRate / inputRate)} output samples, the ones whose time lies inside the
 * input: {@link #process} emits each as soon as the input it needs has arrived (a latency of about 64
 * zero crossings) and {@link #flush} emits the rest.
 *
 * <p>Determinism: coefficients and sums are in double precision in a fixed order, the output is rounded to
 * float once. Java's floating point is strict, so the output is bit-identical on every machine, and it does
 * not depend on how the input is cut into {@link #process} calls. Output is not clipped: a full-scale input
 * can overshoot 1.0 slightly (the Gibbs phenomenon). Equal rates copy the input unchanged.
 *
 * <p>Memory: the input history is the tap count in floats, so it grows with the down-sampling ratio
 * (1.6 KB for 48 kHz to 16 kHz, but hundreds of MB for the extreme 384 kHz to 1 Hz). Not thread-safe; the
 * shared coefficient tables are immutable.
 */
public final class SincResampler {
    /** The lowest sample rate accepted, in hertz. */
    public static final int MINIMUM_RATE = 1;
    /** The highest sample rate accepted, in hertz. */
    public static final int MAXIMUM_RATE = 384_000;

    static final int ZERO_CROSSINGS = 64;
    static final double ROLLOFF = 0.945;
    static final double KAISER_BETA = 10.5;
    private static final double I0_OF_BETA = besselI0(KAISER_BETA);

    static final int SAMPLES_PER_ZERO_CROSSING = 1024;
    private static final int MAXIMUM_BANK_COEFFICIENTS = 1 << 20;
    private static final int MAXIMUM_CACHED_BANKS = 32;
    private static final ConcurrentMap<BankKey, double[]> BANKS = new ConcurrentHashMap<>();

    /** Where the taps of an output sample come from. */
    enum TapSource {
        /** One row of taps for each of the {@code L} fractional positions. */
        EXACT_PHASES,
        /** Rows for positions 1/1024 of a zero crossing apart (or closer); an output interpolates two rows' sums. */
        INTERPOLATED_PHASES,
        /** Each tap interpolated from the table of the windowed sinc: for extreme down-sampling, where a row alone is large. */
        INTERPOLATED_TABLE
    }

    private final int inputRate;
    private final int outputRate;
    private final int up;
    private final int down;
    private final int halfTaps;
    private final int taps;
    /** Zero crossings of the sinc per input sample: twice the cutoff in cycles per input sample. */
    private final double bandwidth;
    private final TapSource tapSource;
    /** For interpolated phases, the rows are {@code phases + 1} positions {@code 1 / phases} apart. */
    private final int phases;
    /** Rows of {@code taps} coefficients that sum to 1, one per position; null for the table. */
    private final double[] bank;

    /** Input samples from absolute index {@code historyStart}; indexes below 0 are the leading silence. */
    private float[] history;
    private int historyLength;
    private long historyStart;
    private long inputCount;
    private long outputCount;
    /** Output {@code outputCount} lies at input time {@code nextIndex + nextRemainder / up}. */
    private long nextIndex;
    private long nextRemainder;
    private boolean flushed;

    public SincResampler(int inputRate, int outputRate) {
        this(inputRate, outputRate, null);
    }

    /** Takes the taps from {@code forcedSource}, or from the cheapest exact enough source when it is null. */
    SincResampler(int inputRate, int outputRate, TapSource forcedSource) {
        checkRate("input", inputRate);
        checkRate("output", outputRate);
        this.inputRate = inputRate;
        this.outputRate = outputRate;
        int divisor = greatestCommonDivisor(inputRate, outputRate);
        this.up = outputRate / divisor;
        this.down = inputRate / divisor;
        if (inputRate == outputRate) {
            this.bandwidth = 1.0;
            this.halfTaps = 0;
            this.taps = 0;
            this.tapSource = null;
            this.phases = 0;
            this.bank = null;
            this.history = new float[0];
            this.historyStart = 0;
        }
        else {
            this.bandwidth = ROLLOFF * Math.min(inputRate, outputRate) / inputRate;
            this.halfTaps = (int) Math.ceil(ZERO_CROSSINGS / bandwidth);
            this.taps = 2 * halfTaps;
            int interpolatedPhases = (int) Math.ceil(SAMPLES_PER_ZERO_CROSSING * bandwidth);
            if (forcedSource != null) {
                this.tapSource = forcedSource;
            }
            else if ((long) up * taps <= MAXIMUM_BANK_COEFFICIENTS) {
                this.tapSource = TapSource.EXACT_PHASES;
            }
            else if ((long) (interpolatedPhases + 1) * taps <= MAXIMUM_BANK_COEFFICIENTS) {
                this.tapSource = TapSource.INTERPOLATED_PHASES;
            }
            else {
                this.tapSource = TapSource.INTERPOLATED_TABLE;
            }
            this.phases = switch (tapSource) {
                case EXACT_PHASES -> up;
                case INTERPOLATED_PHASES -> interpolatedPhases;
                case INTERPOLATED_TABLE -> 0;
            };
            this.bank = switch (tapSource) {
                case EXACT_PHASES -> bank(new BankKey(up, down, tapSource), up, up, halfTaps, bandwidth);
                case INTERPOLATED_PHASES -> bank(new BankKey(up, down, tapSource), phases + 1, phases, halfTaps, bandwidth);
                case INTERPOLATED_TABLE -> null;
            };
            this.history = new float[taps + 4096];
            this.historyLength = halfTaps - 1;
            this.historyStart = -(halfTaps - 1);
        }
    }

    /** Resamples a whole signal at once: the same samples as one {@link #process} call and {@link #flush}. */
    public static float[] resample(float[] input, int inputRate, int outputRate) {
        requireNonNull(input, "input is null");
        SincResampler resampler = new SincResampler(inputRate, outputRate);
        float[] head = resampler.process(input, 0, input.length);
        float[] tail = resampler.flush();
        float[] output = Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, output, head.length, tail.length);
        return output;
    }

    /** The number of output samples for {@code inputLength} input samples: {@code ceil(inputLength * outputRate / inputRate)}. */
    public static long outputLength(long inputLength, int inputRate, int outputRate) {
        checkRate("input", inputRate);
        checkRate("output", outputRate);
        if (inputLength < 0) {
            throw new IllegalArgumentException("inputLength must not be negative, was " + inputLength);
        }
        int divisor = greatestCommonDivisor(inputRate, outputRate);
        return ceilDivide(inputLength * (outputRate / divisor), inputRate / divisor);
    }

    public int inputRate() {
        return inputRate;
    }

    public int outputRate() {
        return outputRate;
    }

    /** Where this instance's taps come from; null when the rates are equal. */
    TapSource tapSource() {
        return tapSource;
    }

    /**
     * Takes the next {@code length} input samples from {@code input[offset]} and returns the output samples
     * they complete (possibly none). The input array is not kept or changed.
     *
     * @throws IllegalArgumentException if a sample is NaN or infinite (nothing is consumed then)
     * @throws IllegalStateException after {@link #flush}
     */
    public float[] process(float[] input, int offset, int length) {
        requireNonNull(input, "input is null");
        checkFromIndexSize(offset, length, input.length);
        if (flushed) {
            throw new IllegalStateException("Cannot process input after flush: the stream of %d input samples has ended".formatted(inputCount));
        }
        for (int i = offset; i < offset + length; i++) {
            if (!Float.isFinite(input[i])) {
                throw new IllegalArgumentException("Cannot resample input sample %d: %s is not a finite value".formatted(inputCount + i - offset, input[i]));
            }
        }
        inputCount += length;
        if (inputRate == outputRate) {
            outputCount += length;
            return Arrays.copyOfRange(input, offset, offset + length);
        }
        append(input, offset, length);
        return drain();
    }

    /**
     * Ends the stream and returns the output samples still owed, so that the stream's output has
     * {@code ceil(n * outputRate / inputRate)} samples for its {@code n} input samples. Later calls return
     * an empty array.
     */
    public float[] flush() {
        if (flushed) {
            return new float[0];
        }
        flushed = true;
        if (inputRate == outputRate) {
            return new float[0];
        }
        append(new float[halfTaps], 0, halfTaps);
        float[] output = drain();
        history = new float[0];
        historyLength = 0;
        return output;
    }

    private void append(float[] input, int offset, int length) {
        if (historyLength + length > history.length) {
            history = Arrays.copyOf(history, Math.max(historyLength + length, 2 * history.length));
        }
        System.arraycopy(input, offset, history, historyLength, length);
        historyLength += length;
    }

    private float[] drain() {
        // output k needs input up to floor(k * down / up) + halfTaps
        long lastAvailable = historyStart + historyLength - 1;
        long available = lastAvailable - halfTaps + 1;
        int count = available <= 0 ? 0 : Math.toIntExact(ceilDivide(available * up, down) - outputCount);
        float[] output = new float[Math.max(count, 0)];
        for (int k = 0; k < output.length; k++) {
            output[k] = (float) switch (tapSource) {
                case EXACT_PHASES -> dotProduct((int) nextRemainder);
                case INTERPOLATED_PHASES -> betweenPhases();
                case INTERPOLATED_TABLE -> fromTable();
            };
            nextRemainder += down;
            nextIndex += nextRemainder / up;
            nextRemainder %= up;
        }
        outputCount += output.length;
        int firstNeeded = (int) (nextIndex - halfTaps + 1 - historyStart);
        int dropped = Math.min(firstNeeded, historyLength);
        if (dropped > 0) {
            System.arraycopy(history, dropped, history, 0, historyLength - dropped);
            historyLength -= dropped;
            historyStart += dropped;
        }
        return output;
    }

    private double dotProduct(int row) {
        int base = (int) (nextIndex - halfTaps + 1 - historyStart);
        int first = row * taps;
        double sum = 0.0;
        for (int j = 0; j < taps; j++) {
            sum += history[base + j] * bank[first + j];
        }
        return sum;
    }

    private double betweenPhases() {
        long position = nextRemainder * phases;
        int row = (int) (position / up);
        double fraction = (double) (position % up) / up;
        double before = dotProduct(row);
        double after = dotProduct(row + 1);
        return before + fraction * (after - before);
    }

    private double fromTable() {
        int base = (int) (nextIndex - halfTaps + 1 - historyStart);
        double fraction = (double) nextRemainder / up;
        double scale = bandwidth * SAMPLES_PER_ZERO_CROSSING;
        double[] table = PrototypeTable.VALUES;
        double sum = 0.0;
        double weight = 0.0;
        for (int j = 0; j < taps; j++) {
            double position = Math.abs(fraction + (halfTaps - 1 - j)) * scale;
            int index = (int) position;
            if (index < table.length - 1) {
                double coefficient = table[index] + (position - index) * (table[index + 1] - table[index]);
                sum += history[base + j] * coefficient;
                weight += coefficient;
            }
        }
        return sum / weight;
    }

    private static double[] bank(BankKey key, int rows, int denominator, int halfTaps, double bandwidth) {
        double[] cached = BANKS.get(key);
        if (cached != null) {
            return cached;
        }
        double[] computed = computeBank(rows, denominator, halfTaps, bandwidth);
        if (BANKS.size() < MAXIMUM_CACHED_BANKS) {
            double[] raced = BANKS.putIfAbsent(key, computed);
            return raced == null ? computed : raced;
        }
        return computed;
    }

    /** Row {@code phase} holds the taps for an output at {@code phase / denominator} of an input sample past its input sample. */
    private static double[] computeBank(int rows, int denominator, int halfTaps, double bandwidth) {
        int taps = 2 * halfTaps;
        double[] bank = new double[rows * taps];
        for (int phase = 0; phase < rows; phase++) {
            double fraction = (double) phase / denominator;
            double total = 0.0;
            for (int j = 0; j < taps; j++) {
                double coefficient = windowedSinc((fraction + (halfTaps - 1 - j)) * bandwidth);
                bank[phase * taps + j] = coefficient;
                total += coefficient;
            }
            for (int j = 0; j < taps; j++) {
                bank[phase * taps + j] /= total;
            }
        }
        return bank;
    }

    /** The prototype at {@code x} zero crossings from its centre: sinc times the Kaiser window, 0 from the last zero crossing on. */
    static double windowedSinc(double x) {
        double distance = Math.abs(x);
        if (distance >= ZERO_CROSSINGS) {
            return 0.0;
        }
        double sinc = distance == 0.0 ? 1.0 : StrictMath.sin(StrictMath.PI * distance) / (StrictMath.PI * distance);
        double relative = distance / ZERO_CROSSINGS;
        return sinc * besselI0(KAISER_BETA * StrictMath.sqrt(1.0 - relative * relative)) / I0_OF_BETA;
    }

    /** The modified Bessel function of the first kind, order 0, by its power series (all terms positive, so no cancellation). */
    static double besselI0(double x) {
        double half = x / 2.0;
        double term = 1.0;
        double sum = 1.0;
        for (int k = 1; k < 1000; k++) {
            double factor = half / k;
            term *= factor * factor;
            sum += term;
            if (term <= sum * 1e-17) {
                break;
            }
        }
        return sum;
    }

    private static void checkRate(String which, int rate) {
        if (rate < MINIMUM_RATE || rate > MAXIMUM_RATE) {
            throw new IllegalArgumentException("Cannot resample: %s rate %d Hz is outside %d..%d Hz".formatted(which, rate, MINIMUM_RATE, MAXIMUM_RATE));
        }
    }

    private static int greatestCommonDivisor(int a, int b) {
        while (b != 0) {
            int remainder = a % b;
            a = b;
            b = remainder;
        }
        return a;
    }

    private static long ceilDivide(long dividend, long divisor) {
        return -Math.floorDiv(-dividend, divisor);
    }

    private record BankKey(int up, int down, TapSource source) {}

    /** The windowed sinc sampled at 1/1024 of a zero crossing, from its centre to its end; built on first use. */
    private static final class PrototypeTable {
        static final double[] VALUES = values();

        private static double[] values() {
            double[] values = new double[ZERO_CROSSINGS * SAMPLES_PER_ZERO_CROSSING + 1];
            for (int i = 0; i < values.length; i++) {
                values[i] = windowedSinc((double) i / SAMPLES_PER_ZERO_CROSSING);
            }
            return values;
        }
    }
}

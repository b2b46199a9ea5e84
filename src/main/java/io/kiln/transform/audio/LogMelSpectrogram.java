package io.kiln.transform.audio;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.Locale;

import org.jtransforms.fft.DoubleFFT_1D;

/**
 * The log-mel spectrogram of a mono clip, as librosa's {@code melspectrogram(center=False,
 * power=2.0, htk=False, norm='slaney')} followed by {@code log10(max(S, 1e-10))}.
 *
 * <p>Frames are not centred: frame {@code f} holds samples {@code f * hopLength} to {@code f *
 * hopLength + windowLength - 1}, and there are {@code 1 + (n - windowLength) / hopLength} of them
 * (integer division), the samples after the last whole frame being dropped. A clip shorter than one
 * window (the empty clip included) gives one frame, zero-padded. Each frame is multiplied by a
 * periodic Hann window, zero-padded at its end to {@code fftSize}, and its power spectrum {@code
 * |X[k]|^2} (not normalized) goes through the Slaney mel filterbank: triangles whose corners are
 * equally spaced on the Slaney mel scale (linear below 1 kHz, logarithmic above) between {@code
 * minimumFrequency} and {@code maximumFrequency}, each scaled to unit area in Hz ({@code 2 / (upper
 * corner - lower corner)}). The value is the base-10 logarithm of the band energy, floored at
 * {@code 1e-10} (so digital silence reads -10 everywhere).
 *
 * <p>Deterministic: the window and filterbank come from {@link StrictMath}, every sum runs in double
 * precision in a fixed order, and the FFT is JTransforms' split-radix {@link DoubleFFT_1D}, whose
 * twiddle factors come from commons-math's pure-Java {@code FastMath}. Kiln leaves JTransforms'
 * JVM-wide thread setting alone: below 1024 points (the default 512 included) JTransforms never
 * uses a second thread, whatever that setting; at 1024 points and more it may split a transform
 * across threads, but into disjoint sub-transforms with no shared sums, which gives the same bits as
 * one thread (a test checks this with four threads). The output is therefore bit-identical on every
 * machine and run. Instances are immutable and thread-safe; each {@link #compute} call uses its own
 * FFT plan and buffers.
 */
public final class LogMelSpectrogram {
    /** The floor applied to band energies before the logarithm. */
    public static final double ENERGY_FLOOR = 1e-10;

    private static final double SLANEY_LINEAR_STEP_HZ = 200.0 / 3;
    private static final double SLANEY_LOG_START_HZ = 1000.0;
    private static final double SLANEY_LOG_START_MEL = SLANEY_LOG_START_HZ / SLANEY_LINEAR_STEP_HZ;
    private static final double SLANEY_LOG_STEP = StrictMath.log(6.4) / 27.0;

    private final Parameters parameters;
    private final double[] window;
    /** For mel band m, the weights of FFT bins {@code firstBin[m]} onwards. */
    private final int[] firstBin;
    private final double[][] weights;

    /**
     * The settings of a log-mel spectrogram.
     *
     * @param sampleRate the clip's sample rate in Hz
     * @param mels the number of mel bands
     * @param windowLength the samples in one frame (400 = 25 ms at 16 kHz)
     * @param hopLength the samples between the starts of two frames (160 = 10 ms at 16 kHz)
     * @param fftSize the FFT length, a power of two at least {@code windowLength}
     * @param minimumFrequency the lowest filter corner in Hz
     * @param maximumFrequency the highest filter corner in Hz, at most {@code sampleRate / 2}
     */
    public record Parameters(int sampleRate, int mels, int windowLength, int hopLength, int fftSize, double minimumFrequency, double maximumFrequency) {
        public Parameters {
            if (sampleRate <= 0) {
                throw new IllegalArgumentException("sampleRate must be positive, was " + sampleRate);
            }
            if (mels <= 0) {
                throw new IllegalArgumentException("mels must be positive, was " + mels);
            }
            if (windowLength < 2) {
                throw new IllegalArgumentException("windowLength must be at least 2, was " + windowLength);
            }
            if (hopLength <= 0) {
                throw new IllegalArgumentException("hopLength must be positive, was " + hopLength);
            }
            if (fftSize < windowLength || Integer.bitCount(fftSize) != 1) {
                throw new IllegalArgumentException("fftSize must be a power of two at least windowLength = %d, was %d".formatted(windowLength, fftSize));
            }
            if (!(minimumFrequency >= 0)) {
                throw new IllegalArgumentException("minimumFrequency must be at least 0, was " + minimumFrequency);
            }
            double nyquist = sampleRate / 2.0;
            if (!(maximumFrequency <= nyquist)) {
                throw new IllegalArgumentException("maximumFrequency must be at most sampleRate/2 = %s, was %s".formatted(nyquist, maximumFrequency));
            }
            if (!(minimumFrequency < maximumFrequency)) {
                throw new IllegalArgumentException("minimumFrequency must be below maximumFrequency = %s, was %s".formatted(maximumFrequency, minimumFrequency));
            }
        }

        /** 80 mels, a 25 ms window, a 10 ms hop, the next power of two as FFT size, 0 Hz to sampleRate/2. */
        public static Parameters defaults(int sampleRate) {
            if (sampleRate <= 0) {
                throw new IllegalArgumentException("sampleRate must be positive, was " + sampleRate);
            }
            int windowLength = Math.max(2, sampleRate / 40);
            return new Parameters(sampleRate, 80, windowLength, Math.max(1, sampleRate / 100), nextPowerOfTwo(windowLength), 0, sampleRate / 2.0);
        }

        public Parameters withMels(int mels) {
            return new Parameters(sampleRate, mels, windowLength, hopLength, fftSize, minimumFrequency, maximumFrequency);
        }

        /** The same settings with another window; the FFT size becomes the next power of two at least that long. */
        public Parameters withWindow(int windowLength, int hopLength) {
            return new Parameters(sampleRate, mels, windowLength, hopLength, nextPowerOfTwo(windowLength), minimumFrequency, maximumFrequency);
        }

        public Parameters withFftSize(int fftSize) {
            return new Parameters(sampleRate, mels, windowLength, hopLength, fftSize, minimumFrequency, maximumFrequency);
        }

        public Parameters withFrequencies(double minimumFrequency, double maximumFrequency) {
            return new Parameters(sampleRate, mels, windowLength, hopLength, fftSize, minimumFrequency, maximumFrequency);
        }
    }

    /**
     * A spectrogram, row-major: the value of frame {@code f} and mel band {@code m} is {@code
     * values[f * mels + m]}. The array is copied in and out, so a spectrogram is immutable; {@link
     * #value} reads one entry without a copy.
     */
    public record Spectrogram(int frames, int mels, float[] values) {
        public Spectrogram {
            requireNonNull(values, "values is null");
            if (frames < 0 || mels < 0 || (long) frames * mels != values.length) {
                throw new IllegalArgumentException("A %d x %d spectrogram cannot hold %d values".formatted(frames, mels, values.length));
            }
            values = values.clone();
        }

        @Override
        public float[] values() {
            return values.clone();
        }

        public float value(int frame, int mel) {
            if (frame < 0 || frame >= frames || mel < 0 || mel >= mels) {
                throw new IndexOutOfBoundsException("(%d, %d) is outside a %d x %d spectrogram".formatted(frame, mel, frames, mels));
            }
            return values[frame * mels + mel];
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Spectrogram that && frames == that.frames && mels == that.mels && Arrays.equals(values, that.values);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * frames + mels) + Arrays.hashCode(values);
        }

        @Override
        public String toString() {
            return "Spectrogram[frames=%d, mels=%d]".formatted(frames, mels);
        }
    }

    /**
     * @throws IllegalArgumentException if a mel band falls between two FFT bins and would always be
     *     empty (too many mels for the FFT size)
     */
    public LogMelSpectrogram(Parameters parameters) {
        this.parameters = requireNonNull(parameters, "parameters is null");
        this.window = periodicHann(parameters.windowLength());
        int bins = parameters.fftSize() / 2 + 1;
        double[] corners = new double[parameters.mels() + 2];
        double lowestMel = hertzToMel(parameters.minimumFrequency());
        double highestMel = hertzToMel(parameters.maximumFrequency());
        for (int i = 0; i < corners.length; i++) {
            corners[i] = melToHertz(lowestMel + (highestMel - lowestMel) * i / (corners.length - 1));
        }
        this.firstBin = new int[parameters.mels()];
        this.weights = new double[parameters.mels()][];
        for (int m = 0; m < parameters.mels(); m++) {
            double lower = corners[m];
            double centre = corners[m + 1];
            double upper = corners[m + 2];
            double areaNormalization = 2.0 / (upper - lower);
            int first = -1;
            double[] row = new double[bins];
            int last = -1;
            for (int k = 0; k < bins; k++) {
                double frequency = (double) k * parameters.sampleRate() / parameters.fftSize();
                double rising = (frequency - lower) / (centre - lower);
                double falling = (upper - frequency) / (upper - centre);
                double weight = Math.max(0.0, Math.min(rising, falling));
                if (weight > 0) {
                    if (first < 0) {
                        first = k;
                    }
                    last = k;
                    row[k] = weight * areaNormalization;
                }
            }
            if (first < 0) {
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "mels = %d leaves band %d (%.1f to %.1f Hz) without an FFT bin at fftSize %d and sampleRate %d; use fewer mels or a larger fftSize",
                        parameters.mels(), m, lower, upper, parameters.fftSize(), parameters.sampleRate()));
            }
            firstBin[m] = first;
            weights[m] = Arrays.copyOfRange(row, first, last + 1);
        }
    }

    public static LogMelSpectrogram withDefaults(int sampleRate) {
        return new LogMelSpectrogram(Parameters.defaults(sampleRate));
    }

    public Parameters parameters() {
        return parameters;
    }

    /** The log-mel spectrogram of a clip at {@code parameters().sampleRate()}; the input is not modified. */
    public Spectrogram compute(float[] samples) {
        requireNonNull(samples, "samples is null");
        int frames = frameCount(samples.length, parameters.windowLength(), parameters.hopLength());
        int mels = parameters.mels();
        float[] values = new float[frames * mels];
        DoubleFFT_1D fft = new DoubleFFT_1D(parameters.fftSize());
        double[] buffer = new double[parameters.fftSize()];
        double[] power = new double[parameters.fftSize() / 2 + 1];
        for (int frame = 0; frame < frames; frame++) {
            windowedFrame(samples, frame * parameters.hopLength(), window, buffer);
            powerSpectrum(fft, buffer, power);
            for (int m = 0; m < mels; m++) {
                double[] row = weights[m];
                int first = firstBin[m];
                double energy = 0;
                for (int i = 0; i < row.length; i++) {
                    energy += row[i] * power[first + i];
                }
                values[frame * mels + m] = (float) StrictMath.log10(Math.max(energy, ENERGY_FLOOR));
            }
        }
        return new Spectrogram(frames, mels, values);
    }

    /** The centre frequency in Hz of each mel band. */
    public double[] centreFrequencies() {
        double lowestMel = hertzToMel(parameters.minimumFrequency());
        double highestMel = hertzToMel(parameters.maximumFrequency());
        double[] centres = new double[parameters.mels()];
        for (int m = 0; m < centres.length; m++) {
            centres[m] = melToHertz(lowestMel + (highestMel - lowestMel) * (m + 1) / (parameters.mels() + 1));
        }
        return centres;
    }

    /**
     * The number of frames of a clip: {@code 1 + (sampleCount - windowLength) / hopLength}, and 1 when
     * the clip is shorter than a window.
     */
    public static int frameCount(int sampleCount, int windowLength, int hopLength) {
        if (sampleCount < 0 || windowLength <= 0 || hopLength <= 0) {
            throw new IllegalArgumentException("Cannot frame %d samples with windowLength %d and hopLength %d".formatted(sampleCount, windowLength, hopLength));
        }
        return sampleCount <= windowLength ? 1 : 1 + (sampleCount - windowLength) / hopLength;
    }

    /** The Slaney mel of a frequency in Hz (librosa's {@code hz_to_mel(htk=False)}). */
    public static double hertzToMel(double hertz) {
        if (hertz < SLANEY_LOG_START_HZ) {
            return hertz / SLANEY_LINEAR_STEP_HZ;
        }
        return SLANEY_LOG_START_MEL + StrictMath.log(hertz / SLANEY_LOG_START_HZ) / SLANEY_LOG_STEP;
    }

    /** The frequency in Hz of a Slaney mel (librosa's {@code mel_to_hz(htk=False)}). */
    public static double melToHertz(double mel) {
        if (mel < SLANEY_LOG_START_MEL) {
            return mel * SLANEY_LINEAR_STEP_HZ;
        }
        return SLANEY_LOG_START_HZ * StrictMath.exp(SLANEY_LOG_STEP * (mel - SLANEY_LOG_START_MEL));
    }

    /** The periodic Hann window, {@code 0.5 - 0.5 cos(2 pi i / length)}. */
    static double[] periodicHann(int length) {
        double[] window = new double[length];
        for (int i = 0; i < length; i++) {
            window[i] = 0.5 - 0.5 * StrictMath.cos(2 * StrictMath.PI * i / length);
        }
        return window;
    }

    /**
     * Fills {@code buffer} with the samples from {@code start} times the window, zeros past the
     * window and past the clip's end.
     */
    static void windowedFrame(float[] samples, int start, double[] window, double[] buffer) {
        Arrays.fill(buffer, 0.0);
        int available = Math.min(window.length, Math.max(0, samples.length - start));
        for (int i = 0; i < available; i++) {
            buffer[i] = samples[start + i] * window[i];
        }
    }

    /** Replaces {@code buffer} by its FFT and writes {@code |X[k]|^2} for k = 0 to n/2 into {@code power}. */
    static void powerSpectrum(DoubleFFT_1D fft, double[] buffer, double[] power) {
        fft.realForward(buffer);
        int half = buffer.length / 2;
        power[0] = buffer[0] * buffer[0];
        power[half] = buffer[1] * buffer[1];
        for (int k = 1; k < half; k++) {
            double real = buffer[2 * k];
            double imaginary = buffer[2 * k + 1];
            power[k] = real * real + imaginary * imaginary;
        }
    }

    static int nextPowerOfTwo(int value) {
        int power = 1;
        while (power < value) {
            power <<= 1;
        }
        return power;
    }
}

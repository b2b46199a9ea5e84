package io.kiln.transform.audio;

import static java.util.Objects.checkFromIndexSize;
import static java.util.Objects.requireNonNull;

import java.util.Arrays;

/**
 * Measures the programme loudness and the peaks of interleaved audio as ITU-R BS.1770-4 and EBU R 128
 * define them: integrated loudness (LUFS), loudness range (LU, EBU Tech 3342), sample peak (dBFS) and true
 * peak (dBTP).
 *
 * <p>Loudness: each channel is K-weighted by two biquads (the high-shelf pre-filter and the RLB high-pass)
 * whose coefficients are computed for the sample rate from the filters' analog parameters by the bilinear
 * transform, exactly as libebur128 (and so FFmpeg) does; at 48 kHz they are the standard's table. Mean
 * squares are gated over 400 ms blocks every 100 ms (absolute gate -70 LUFS, relative gate -10 LU below the
 * loudness of the blocks above the absolute gate); only complete blocks count, so less than 400 ms of audio
 * reads as silence. The 100 ms hop is {@code round(sampleRate / 10)} frames. Channel layouts, in
 * interleaved order, with the standard's weights: 1 (mono), 2 (L R), 3 (L R C), 4 (L R Ls Rs), 5 (L R C Ls
 * Rs) and 6 (L R C LFE Ls Rs): 1.0 for L, R and C, 1.41 for Ls and Rs, and the LFE left out of loudness
 * (but not out of the peaks). Sample rates from 8 kHz to 384 kHz.
 *
 * <p>True peak (BS.1770-4 Annex 2): below 176.4 kHz each channel is over-sampled 4 times with the Annex's
 * 48-tap interpolation filter (4 phases of 12 taps) and the largest magnitude taken; from 176.4 kHz on the
 * samples are already dense enough and the true peak is the sample peak. The true peak is never reported
 * below the sample peak, and the signal is taken as silent before the first and after the last frame.
 *
 * <p>Memory: one double per 100 ms of audio (the K-weighted energy of the hop, channels weighted), never
 * the audio itself: about 2.9 MB for ten hours. Readings can be taken at any time and do not change the
 * state. Determinism: double precision in a fixed order and {@link StrictMath} for the coefficients and
 * logarithms, so every reading is bit-identical on every machine whatever the number of frames per
 * {@link #accept} call. Not thread-safe.
 */
public final class LoudnessMeter {
    /** The lowest sample rate accepted, in hertz. */
    public static final int MINIMUM_SAMPLE_RATE = 8_000;
    /** The highest sample rate accepted, in hertz. */
    public static final int MAXIMUM_SAMPLE_RATE = 384_000;
    /** The most channels accepted (5.1). */
    public static final int MAXIMUM_CHANNELS = 6;

    private static final double LOUDNESS_OFFSET = -0.691;
    private static final double ABSOLUTE_GATE_LUFS = -70.0;
    private static final double RELATIVE_GATE_LU = -10.0;
    private static final double RANGE_RELATIVE_GATE_LU = -20.0;
    private static final int HOPS_PER_BLOCK = 4;
    private static final int HOPS_PER_SHORT_TERM_BLOCK = 30;
    private static final int MINIMUM_RATE_WITHOUT_OVERSAMPLING = 176_400;
    private static final double SURROUND_WEIGHT = 1.41;

    private static final int TRUE_PEAK_TAPS = 12;
    /** BS.1770-4 Annex 2: phase p's output is the sum over j of {@code [p][j]} times the input j samples back. */
    private static final double[][] TRUE_PEAK_PHASES = {
        {0.0017089843750, 0.0109863281250, -0.0196533203125, 0.0332031250000, -0.0594482421875, 0.1373291015625,
            0.9721679687500, -0.1022949218750, 0.0476074218750, -0.0266113281250, 0.0148925781250, -0.0083007812500},
        {-0.0291748046875, 0.0292968750000, -0.0517578125000, 0.0891113281250, -0.1665039062500, 0.4650878906250,
            0.7797851562500, -0.2003173828125, 0.1015625000000, -0.0582275390625, 0.0330810546875, -0.0189208984375},
        {-0.0189208984375, 0.0330810546875, -0.0582275390625, 0.1015625000000, -0.2003173828125, 0.7797851562500,
            0.4650878906250, -0.1665039062500, 0.0891113281250, -0.0517578125000, 0.0292968750000, -0.0291748046875},
        {-0.0083007812500, 0.0148925781250, -0.0266113281250, 0.0476074218750, -0.1022949218750, 0.9721679687500,
            0.1373291015625, -0.0594482421875, 0.0332031250000, -0.0196533203125, 0.0109863281250, 0.0017089843750},
    };

    private final int sampleRate;
    private final int channels;
    private final double[] weights;
    private final Biquad shelf;
    private final Biquad highPass;
    private final boolean oversampled;
    private final int hopLength;

    /** Per channel: input, shelf output and high-pass output of the last two samples. */
    private final double[] filterState;
    private final double[] hopSquares;
    private int hopFill;
    private double[] hopEnergies = new double[256];
    private int hopCount;

    /** Per channel, the last 12 samples twice over, so that a window of 12 is always contiguous. */
    private final double[] peakHistory;
    private int peakPosition;
    private double samplePeak;
    private double oversampledPeak;
    private long frames;

    public LoudnessMeter(int sampleRate, int channels) {
        if (sampleRate < MINIMUM_SAMPLE_RATE || sampleRate > MAXIMUM_SAMPLE_RATE) {
            throw new IllegalArgumentException("Cannot measure loudness at %d Hz: the sample rate must be within %d..%d Hz"
                    .formatted(sampleRate, MINIMUM_SAMPLE_RATE, MAXIMUM_SAMPLE_RATE));
        }
        if (channels < 1 || channels > MAXIMUM_CHANNELS) {
            throw new IllegalArgumentException("Cannot measure loudness of %d channels: 1..%d are supported"
                    .formatted(channels, MAXIMUM_CHANNELS));
        }
        this.sampleRate = sampleRate;
        this.channels = channels;
        this.weights = channelWeights(channels);
        Biquad[] kWeighting = kWeighting(sampleRate);
        this.shelf = kWeighting[0];
        this.highPass = kWeighting[1];
        this.oversampled = sampleRate < MINIMUM_RATE_WITHOUT_OVERSAMPLING;
        this.hopLength = (sampleRate + 5) / 10;
        this.filterState = new double[channels * 6];
        this.hopSquares = new double[channels];
        this.peakHistory = new double[channels * 2 * TRUE_PEAK_TAPS];
    }

    /**
     * Measures the next {@code frames} frames of {@code channels} interleaved samples each, starting at
     * {@code interleaved[offset]}. The array is not kept or changed.
     *
     * @throws IllegalArgumentException if a sample is NaN or infinite (nothing is measured then)
     */
    public void accept(float[] interleaved, int offset, int frames) {
        requireNonNull(interleaved, "interleaved is null");
        if (frames < 0) {
            throw new IllegalArgumentException("frames must not be negative, was " + frames);
        }
        int length = Math.toIntExact((long) frames * channels);
        checkFromIndexSize(offset, length, interleaved.length);
        for (int i = offset; i < offset + length; i++) {
            if (!Float.isFinite(interleaved[i])) {
                throw new IllegalArgumentException("Cannot measure loudness: channel %d of frame %d is %s, not a finite value"
                        .formatted((i - offset) % channels, this.frames + (i - offset) / channels, interleaved[i]));
            }
        }
        for (int frame = 0; frame < frames; frame++) {
            int base = offset + frame * channels;
            peakPosition = peakPosition == TRUE_PEAK_TAPS - 1 ? 0 : peakPosition + 1;
            for (int channel = 0; channel < channels; channel++) {
                double sample = interleaved[base + channel];
                samplePeak = Math.max(samplePeak, Math.abs(sample));
                if (oversampled) {
                    oversampledPeak = Math.max(oversampledPeak, interpolatedPeak(peakHistory, channel, peakPosition, sample));
                }
                double weighted = kWeight(channel, sample);
                hopSquares[channel] += weighted * weighted;
            }
            if (++hopFill == hopLength) {
                closeHop();
            }
        }
        this.frames += frames;
    }

    /**
     * The integrated (programme) loudness in LUFS of everything accepted so far, gated as BS.1770-4
     * says; {@link Double#NEGATIVE_INFINITY} when no 400 ms block passes the gates (silence, or less than
     * 400 ms of audio).
     */
    public double integratedLoudness() {
        int blocks = hopCount - HOPS_PER_BLOCK + 1;
        double[] powers = new double[Math.max(blocks, 0)];
        for (int block = 0; block < powers.length; block++) {
            powers[block] = meanSquare(block, HOPS_PER_BLOCK);
        }
        double relativeGate = gatedLoudness(powers, ABSOLUTE_GATE_LUFS) + RELATIVE_GATE_LU;
        return gatedLoudness(powers, Math.max(ABSOLUTE_GATE_LUFS, relativeGate));
    }

    /**
     * The loudness range in LU (EBU Tech 3342): the spread between the 10th and the 95th percentile of the
     * 3 s short-term loudness, taken every 100 ms, of the blocks above -70 LUFS and above 20 LU below their
     * mean (the percentiles by nearest rank on {@code round((n - 1) * p)}, as libebur128). 0 when no
     * short-term block passes the gates.
     */
    public double loudnessRange() {
        int blocks = hopCount - HOPS_PER_SHORT_TERM_BLOCK + 1;
        double[] powers = new double[Math.max(blocks, 0)];
        for (int block = 0; block < powers.length; block++) {
            powers[block] = meanSquare(block, HOPS_PER_SHORT_TERM_BLOCK);
        }
        double relativeGate = gatedLoudness(powers, ABSOLUTE_GATE_LUFS) + RANGE_RELATIVE_GATE_LU;
        double gate = Math.max(ABSOLUTE_GATE_LUFS, relativeGate);
        double[] kept = new double[powers.length];
        int count = 0;
        for (double power : powers) {
            double loudness = loudness(power);
            if (loudness > gate) {
                kept[count++] = loudness;
            }
        }
        if (count == 0) {
            return 0.0;
        }
        Arrays.sort(kept, 0, count);
        int low = (int) ((count - 1) * 0.10 + 0.5);
        int high = (int) ((count - 1) * 0.95 + 0.5);
        return kept[high] - kept[low];
    }

    /** The largest sample magnitude of any channel in dBFS; {@link Double#NEGATIVE_INFINITY} for silence. */
    public double samplePeakDbfs() {
        return 20.0 * StrictMath.log10(samplePeak);
    }

    /** The largest magnitude of any channel's 4x over-sampled signal in dBTP; {@link Double#NEGATIVE_INFINITY} for silence. */
    public double truePeakDbtp() {
        double peak = Math.max(samplePeak, oversampledPeak);
        if (oversampled) {
            double[] history = peakHistory.clone();
            int position = peakPosition;
            for (int trailing = 1; trailing < TRUE_PEAK_TAPS; trailing++) {
                position = position == TRUE_PEAK_TAPS - 1 ? 0 : position + 1;
                for (int channel = 0; channel < channels; channel++) {
                    peak = Math.max(peak, interpolatedPeak(history, channel, position, 0.0));
                }
            }
        }
        return 20.0 * StrictMath.log10(peak);
    }

    public int sampleRate() {
        return sampleRate;
    }

    public int channels() {
        return channels;
    }

    /** The frames accepted so far. */
    public long frames() {
        return frames;
    }

    /**
     * The gain in dB that brings audio measured at {@code measuredLufs} to {@code targetLufs} without
     * lifting its true peak above {@code peakCeilingDbtp}: {@code min(targetLufs - measuredLufs,
     * peakCeilingDbtp - truePeakDbtp)}, which may be negative. Audio with no gated loudness (measured
     * {@link Double#NEGATIVE_INFINITY}) gets 0: silence is left alone.
     */
    public static double gainDb(double measuredLufs, double targetLufs, double truePeakDbtp, double peakCeilingDbtp) {
        if (!Double.isFinite(targetLufs) || !Double.isFinite(peakCeilingDbtp)) {
            throw new IllegalArgumentException("Cannot compute a gain for target %s LUFS and peak ceiling %s dBTP: both must be finite"
                    .formatted(targetLufs, peakCeilingDbtp));
        }
        if (Double.isNaN(measuredLufs) || measuredLufs == Double.POSITIVE_INFINITY || Double.isNaN(truePeakDbtp) || truePeakDbtp == Double.POSITIVE_INFINITY) {
            throw new IllegalArgumentException("Cannot compute a gain for a measured %s LUFS and a true peak of %s dBTP"
                    .formatted(measuredLufs, truePeakDbtp));
        }
        if (measuredLufs == Double.NEGATIVE_INFINITY) {
            return 0.0;
        }
        return Math.min(targetLufs - measuredLufs, peakCeilingDbtp - truePeakDbtp);
    }

    /** One biquad section: {@code y = b0 x + b1 x1 + b2 x2 - a1 y1 - a2 y2}. */
    record Biquad(double b0, double b1, double b2, double a1, double a2) {}

    /** The K-weighting at {@code sampleRate}: the pre-filter (high shelf) and the RLB high-pass, by libebur128's formulas. */
    static Biquad[] kWeighting(int sampleRate) {
        double shelfFrequency = 1681.974450955533;
        double shelfGainDb = 3.999843853973347;
        double shelfQuality = 0.7071752369554196;
        double k = StrictMath.tan(StrictMath.PI * shelfFrequency / sampleRate);
        double highGain = StrictMath.pow(10.0, shelfGainDb / 20.0);
        double bandGain = StrictMath.pow(highGain, 0.4996667741545416);
        double a0 = 1.0 + k / shelfQuality + k * k;
        Biquad shelf = new Biquad(
                (highGain + bandGain * k / shelfQuality + k * k) / a0,
                2.0 * (k * k - highGain) / a0,
                (highGain - bandGain * k / shelfQuality + k * k) / a0,
                2.0 * (k * k - 1.0) / a0,
                (1.0 - k / shelfQuality + k * k) / a0);

        double highPassFrequency = 38.13547087602444;
        double highPassQuality = 0.5003270373238773;
        k = StrictMath.tan(StrictMath.PI * highPassFrequency / sampleRate);
        double denominator = 1.0 + k / highPassQuality + k * k;
        Biquad highPass = new Biquad(1.0, -2.0, 1.0, 2.0 * (k * k - 1.0) / denominator, (1.0 - k / highPassQuality + k * k) / denominator);
        return new Biquad[] {shelf, highPass};
    }

    private static double[] channelWeights(int channels) {
        return switch (channels) {
            case 1 -> new double[] {1.0};
            case 2 -> new double[] {1.0, 1.0};
            case 3 -> new double[] {1.0, 1.0, 1.0};
            case 4 -> new double[] {1.0, 1.0, SURROUND_WEIGHT, SURROUND_WEIGHT};
            case 5 -> new double[] {1.0, 1.0, 1.0, SURROUND_WEIGHT, SURROUND_WEIGHT};
            case 6 -> new double[] {1.0, 1.0, 1.0, 0.0, SURROUND_WEIGHT, SURROUND_WEIGHT};
            default -> throw new IllegalArgumentException("Cannot weight %d channels".formatted(channels));
        };
    }

    private double kWeight(int channel, double input) {
        int state = channel * 6;
        double input1 = filterState[state];
        double input2 = filterState[state + 1];
        double shelved1 = filterState[state + 2];
        double shelved2 = filterState[state + 3];
        double output1 = filterState[state + 4];
        double output2 = filterState[state + 5];
        double shelved = shelf.b0 * input + shelf.b1 * input1 + shelf.b2 * input2 - shelf.a1 * shelved1 - shelf.a2 * shelved2;
        double output = highPass.b0 * shelved + highPass.b1 * shelved1 + highPass.b2 * shelved2 - highPass.a1 * output1 - highPass.a2 * output2;
        filterState[state] = input;
        filterState[state + 1] = input1;
        filterState[state + 2] = shelved;
        filterState[state + 3] = shelved1;
        filterState[state + 4] = output;
        filterState[state + 5] = output1;
        return output;
    }

    /** Writes {@code sample} as the newest of the channel's last 12 and returns the largest magnitude of the 4 interpolated phases. */
    private static double interpolatedPeak(double[] history, int channel, int position, double sample) {
        int base = channel * 2 * TRUE_PEAK_TAPS;
        history[base + position] = sample;
        history[base + position + TRUE_PEAK_TAPS] = sample;
        int newest = base + position + TRUE_PEAK_TAPS;
        double peak = 0.0;
        for (double[] phase : TRUE_PEAK_PHASES) {
            double sum = 0.0;
            for (int j = 0; j < TRUE_PEAK_TAPS; j++) {
                sum += phase[j] * history[newest - j];
            }
            peak = Math.max(peak, Math.abs(sum));
        }
        return peak;
    }

    private void closeHop() {
        double energy = 0.0;
        for (int channel = 0; channel < channels; channel++) {
            energy += weights[channel] * hopSquares[channel];
            hopSquares[channel] = 0.0;
        }
        if (hopCount == hopEnergies.length) {
            hopEnergies = Arrays.copyOf(hopEnergies, 2 * hopCount);
        }
        hopEnergies[hopCount++] = energy;
        hopFill = 0;
    }

    private double meanSquare(int firstHop, int hops) {
        double sum = 0.0;
        for (int hop = firstHop; hop < firstHop + hops; hop++) {
            sum += hopEnergies[hop];
        }
        return sum / ((double) hops * hopLength);
    }

    /** The loudness of the mean power of the blocks louder than {@code gate}; negative infinity when there are none. */
    private static double gatedLoudness(double[] powers, double gate) {
        double sum = 0.0;
        int count = 0;
        for (double power : powers) {
            if (loudness(power) > gate) {
                sum += power;
                count++;
            }
        }
        return count == 0 ? Double.NEGATIVE_INFINITY : loudness(sum / count);
    }

    private static double loudness(double power) {
        return LOUDNESS_OFFSET + 10.0 * StrictMath.log10(power);
    }
}

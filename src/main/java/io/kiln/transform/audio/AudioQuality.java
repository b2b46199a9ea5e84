package io.kiln.transform.audio;

import static java.util.Objects.requireNonNull;

import org.jtransforms.fft.DoubleFFT_1D;

/**
 * Quality measures of one mono clip with samples in [-1, 1], from {@link #measure}.
 *
 * <p>Levels are plain dBFS, {@code 20 log10(amplitude)} with full scale at 1.0 (so a full-scale sine
 * has an RMS of -3.01 dBFS), floored at -100 dBFS (a power of 1e-10); the empty clip measures as
 * digital silence. Frame-based measures use consecutive 20 ms frames, the last one possibly shorter.
 *
 * @param rmsDbfs the RMS level of the whole clip
 * @param peakDbfs the level of the largest {@code |x|}
 * @param clippingRatio the fraction of samples that are clipped: {@code |x| >= 0.999}, or part of a
 *     run of at least {@value #CLIPPED_RUN} consecutive samples equal to the clip's largest {@code |x|}
 *     (with the same sign), which is what a clip that was limited and then scaled down shows
 * @param dcOffset the mean sample
 * @param silenceRatio the fraction of 20 ms frames whose RMS is below -60 dBFS
 * @param snrDb a signal-to-noise estimate from the distribution of 20 ms frame powers: with {@code
 *     P95} and {@code P10} their 95th and 10th percentiles (nearest rank), the noise power is {@code
 *     P10}, the signal power {@code P95 - P10}, and the estimate {@code 10 log10(max(P95 - P10,
 *     1e-10) / max(P10, 1e-10))}. It needs pauses, as speech has: a signal that never stops (a steady
 *     tone in noise) reads as noise, about -10 dB or below. Digital silence reads 0 dB.
 * @param bandwidthHz the highest frequency whose average power, over Hann-windowed 512-sample frames
 *     hopped by 256, is within 60 dB of the strongest frequency (DC excluded from both) and above a
 *     power floor of 1e-10 (below the quantization noise of 16-bit audio); 0 for digital silence. The
 *     resolution is {@code sampleRate / 512} (31.25 Hz at 16 kHz). It tells, for instance, audio
 *     upsampled from 8 kHz (about 4 kHz) from full-band audio.
 */
public record AudioQuality(double rmsDbfs, double peakDbfs, double clippingRatio, double dcOffset, double silenceRatio, double snrDb, double bandwidthHz) {
    /** The shortest run of samples at the clip's peak that counts as clipping. */
    public static final int CLIPPED_RUN = 3;
    static final double CLIPPED_LEVEL = 0.999;
    static final double SILENCE_DBFS = -60;
    static final double BANDWIDTH_RANGE_DB = 60;
    private static final double POWER_FLOOR = 1e-10;
    private static final int FRAME_MILLISECONDS = 20;
    private static final int SPECTRUM_SIZE = 512;

    /**
     * Measures a clip; the input is not modified. Deterministic (double-precision sums in a fixed
     * order, {@link StrictMath}, JTransforms at a size it never splits across threads) and
     * thread-safe.
     */
    public static AudioQuality measure(float[] samples, int sampleRate) {
        requireNonNull(samples, "samples is null");
        if (sampleRate <= 0) {
            throw new IllegalArgumentException("sampleRate must be positive, was " + sampleRate);
        }
        int length = samples.length;
        double sum = 0;
        double sumOfSquares = 0;
        float peak = 0;
        for (float sample : samples) {
            sum += sample;
            sumOfSquares += (double) sample * sample;
            peak = Math.max(peak, Math.abs(sample));
        }
        double meanSquare = length == 0 ? 0 : sumOfSquares / length;
        double rmsDbfs = decibels(meanSquare);
        double peakDbfs = decibels((double) peak * peak);
        double dcOffset = length == 0 ? 0 : sum / length;
        double clippingRatio = length == 0 ? 0 : (double) clippedSamples(samples, peak) / length;

        int frameLength = Math.max(1, (int) ((long) sampleRate * FRAME_MILLISECONDS / 1000));
        double[] framePowers = EnergyVad.framePowers(samples, frameLength);
        int silentFrames = 0;
        for (double power : framePowers) {
            if (decibels(power) < SILENCE_DBFS) {
                silentFrames++;
            }
        }
        double silenceRatio = framePowers.length == 0 ? 1 : (double) silentFrames / framePowers.length;
        double snrDb = 0;
        if (framePowers.length > 0) {
            double loud = EnergyVad.percentile(framePowers, 95);
            double quiet = EnergyVad.percentile(framePowers, 10);
            snrDb = 10 * StrictMath.log10(Math.max(loud - quiet, POWER_FLOOR) / Math.max(quiet, POWER_FLOOR));
        }
        return new AudioQuality(rmsDbfs, peakDbfs, clippingRatio, dcOffset, silenceRatio, snrDb, bandwidth(samples, sampleRate));
    }

    private static double decibels(double power) {
        return 10 * StrictMath.log10(Math.max(power, POWER_FLOOR));
    }

    private static long clippedSamples(float[] samples, float peak) {
        long clipped = 0;
        int index = 0;
        while (index < samples.length) {
            float sample = samples[index];
            int runEnd = index + 1;
            if (peak > 0 && Math.abs(sample) == peak) {
                while (runEnd < samples.length && samples[runEnd] == sample) {
                    runEnd++;
                }
            }
            int run = runEnd - index;
            if (run >= CLIPPED_RUN) {
                clipped += run;
            }
            else {
                for (int i = index; i < runEnd; i++) {
                    if (Math.abs(samples[i]) >= CLIPPED_LEVEL) {
                        clipped++;
                    }
                }
            }
            index = runEnd;
        }
        return clipped;
    }

    private static double bandwidth(float[] samples, int sampleRate) {
        int hop = SPECTRUM_SIZE / 2;
        int frames = LogMelSpectrogram.frameCount(samples.length, SPECTRUM_SIZE, hop);
        double[] window = LogMelSpectrogram.periodicHann(SPECTRUM_SIZE);
        DoubleFFT_1D fft = new DoubleFFT_1D(SPECTRUM_SIZE);
        double[] buffer = new double[SPECTRUM_SIZE];
        double[] power = new double[SPECTRUM_SIZE / 2 + 1];
        double[] total = new double[power.length];
        for (int frame = 0; frame < frames; frame++) {
            LogMelSpectrogram.windowedFrame(samples, frame * hop, window, buffer);
            LogMelSpectrogram.powerSpectrum(fft, buffer, power);
            for (int k = 0; k < power.length; k++) {
                total[k] += power[k];
            }
        }
        double strongest = 0;
        for (int k = 1; k < total.length; k++) {
            strongest = Math.max(strongest, total[k] / frames);
        }
        double threshold = Math.max(strongest * StrictMath.pow(10, -BANDWIDTH_RANGE_DB / 10), POWER_FLOOR);
        for (int k = total.length - 1; k >= 1; k--) {
            if (total[k] / frames >= threshold) {
                return (double) k * sampleRate / SPECTRUM_SIZE;
            }
        }
        return 0;
    }
}

package io.kiln.transform.audio;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.jtransforms.fft.DoubleFFT_1D;

/**
 * Spectral-peak landmark hashes of a mono clip (the Shazam / audfprint scheme), as a set to compare
 * by Jaccard similarity (MinHash, then exact Jaccard, like text shingles).
 *
 * <p>The clip's power spectrogram is taken with a periodic Hann window of {@code fftSize} samples
 * hopped by {@code hopLength}, in decibels ({@code 10 log10(max(power, 1e-10))}). A peak is a cell
 * strictly louder than every other cell within {@code frequencyRadius} bins and {@code timeRadius}
 * frames of it, louder than the floor, and at most {@code rangeDb} below the clip's loudest cell (so
 * a change of gain moves no peak). A peak is kept when fewer than {@code peaksPerSecond} other peaks
 * within half a second either side of it are louder (a sliding window, so trimming the clip does not
 * change which peaks are kept away from its ends; an equal level counts as louder when it comes
 * earlier). Each peak's time is refined to a fraction of a frame by a parabola through its
 * level and its two neighbours in time. Each kept peak, as anchor, is paired with the first {@code
 * fanOut} kept peaks after it (by frame, then bin) that lie 1 to {@code maxFrameDelta} frames later
 * and within {@code maxBinDelta} bins, and whose refined time difference, rounded to a multiple of
 * {@code timeStep} frames, is at least one step. The hash of a pair packs {@code (anchor bin, target
 * bin - anchor bin, time difference in steps)} and goes through a fixed bijection (SplitMix64's
 * finalizer) so that hashes are evenly spread for MinHash. No absolute time enters a hash: a trimmed
 * clip keeps the hashes of what remains. The fine hop with a coarser time step is what makes the
 * hashes survive a trim that is not a whole number of hops: the peaks of a shifted clip move by a
 * fraction of a step, not by a frame.
 *
 * <p>The spectrogram is analysed as it is computed, {@code 2 timeRadius + 1} frames at a time, so
 * memory does not grow with the clip beyond its peaks. Hashes are comparable between clips at the
 * same {@link Parameters}, sample rate included; callers resample to one rate first. Deterministic
 * ({@link StrictMath}, fixed orders and tie-breaks, and JTransforms as described in {@link
 * LogMelSpectrogram}) and thread-safe; instances are immutable.
 */
public final class AudioFingerprint {
    private static final double POWER_FLOOR = 1e-10;
    private static final double FLOOR_DB = 10 * StrictMath.log10(POWER_FLOOR);

    private final Parameters parameters;
    private final double[] window;

    /**
     * The fingerprint's settings, in frames and FFT bins of the analysis.
     *
     * @param sampleRate the clips' sample rate in Hz
     * @param fftSize the window and FFT length, a power of two
     * @param hopLength the samples between two frames
     * @param frequencyRadius a peak is louder than every cell within this many bins
     * @param timeRadius and within this many frames
     * @param rangeDb peaks are at most this far below the clip's loudest cell
     * @param peaksPerSecond at most this many peaks in any one second
     * @param fanOut the pairs each anchor peak makes
     * @param maxFrameDelta the target zone's length in frames
     * @param maxBinDelta the target zone's half height in bins, at most 1023
     * @param timeStep the frames in one unit of a hashed time difference; {@code maxFrameDelta /
     *     timeStep} is at most 255
     */
    public record Parameters(int sampleRate, int fftSize, int hopLength, int frequencyRadius, int timeRadius, double rangeDb, int peaksPerSecond, int fanOut,
            int maxFrameDelta, int maxBinDelta, int timeStep) {
        public Parameters {
            if (sampleRate <= 0) {
                throw new IllegalArgumentException("sampleRate must be positive, was " + sampleRate);
            }
            if (fftSize < 16 || Integer.bitCount(fftSize) != 1) {
                throw new IllegalArgumentException("fftSize must be a power of two at least 16, was " + fftSize);
            }
            if (hopLength <= 0 || hopLength > fftSize) {
                throw new IllegalArgumentException("hopLength must be between 1 and fftSize = %d, was %d".formatted(fftSize, hopLength));
            }
            if (frequencyRadius < 1 || frequencyRadius >= fftSize / 2) {
                throw new IllegalArgumentException("frequencyRadius must be between 1 and fftSize/2 - 1 = %d, was %d".formatted(fftSize / 2 - 1, frequencyRadius));
            }
            if (timeRadius < 1) {
                throw new IllegalArgumentException("timeRadius must be at least 1, was " + timeRadius);
            }
            if (!(rangeDb > 0)) {
                throw new IllegalArgumentException("rangeDb must be positive, was " + rangeDb);
            }
            if (peaksPerSecond < 1) {
                throw new IllegalArgumentException("peaksPerSecond must be at least 1, was " + peaksPerSecond);
            }
            if (fanOut < 1) {
                throw new IllegalArgumentException("fanOut must be at least 1, was " + fanOut);
            }
            if (maxBinDelta < 1 || maxBinDelta > 1023) {
                throw new IllegalArgumentException("maxBinDelta must be between 1 and 1023, was " + maxBinDelta);
            }
            if (timeStep < 1) {
                throw new IllegalArgumentException("timeStep must be at least 1, was " + timeStep);
            }
            if (maxFrameDelta < timeStep || maxFrameDelta / timeStep > 255) {
                throw new IllegalArgumentException("maxFrameDelta must be between timeStep = %d and 255 timeSteps = %d, was %d".formatted(timeStep, 255 * timeStep,
                        maxFrameDelta));
            }
        }

        /**
         * Windows of the power of two nearest above 1/16 s (64 ms at 8 and 16 kHz), hopped by a
         * sixteenth of that (4 ms); peaks louder than all within 6 bins (94 Hz at 8 and 16 kHz) and 16
         * frames (64 ms), at most 60 dB below the loudest, 10 a second; 5 pairs each, up to 255 frames
         * (1 s) and 96 bins (1.5 kHz) away, with time differences in steps of 4 frames (16 ms).
         */
        public static Parameters defaults(int sampleRate) {
            if (sampleRate <= 0) {
                throw new IllegalArgumentException("sampleRate must be positive, was " + sampleRate);
            }
            int fftSize = Math.max(256, LogMelSpectrogram.nextPowerOfTwo(sampleRate / 16));
            return new Parameters(sampleRate, fftSize, fftSize / 16, 6, 16, 60, 10, 5, 255, 96, 4);
        }
    }

    public AudioFingerprint(Parameters parameters) {
        this.parameters = requireNonNull(parameters, "parameters is null");
        this.window = LogMelSpectrogram.periodicHann(parameters.fftSize());
    }

    public static AudioFingerprint withDefaults(int sampleRate) {
        return new AudioFingerprint(Parameters.defaults(sampleRate));
    }

    public Parameters parameters() {
        return parameters;
    }

    /**
     * The sorted, distinct landmark hashes of a clip at {@code parameters().sampleRate()}; empty when
     * it has fewer than two peaks (silence). The input is not modified.
     */
    public long[] hashes(float[] samples) {
        requireNonNull(samples, "samples is null");
        List<Peak> peaks = keptPeaks(samples);
        long[] hashes = new long[peaks.size() * parameters.fanOut()];
        int count = 0;
        for (int anchor = 0; anchor < peaks.size(); anchor++) {
            Peak first = peaks.get(anchor);
            int paired = 0;
            for (int target = anchor + 1; target < peaks.size() && paired < parameters.fanOut(); target++) {
                Peak second = peaks.get(target);
                int frameDelta = second.frame() - first.frame();
                if (frameDelta > parameters.maxFrameDelta()) {
                    break;
                }
                int binDelta = second.bin() - first.bin();
                long steps = StrictMath.round((second.time() - first.time()) / parameters.timeStep());
                if (frameDelta >= 1 && steps >= 1 && Math.abs(binDelta) <= parameters.maxBinDelta()) {
                    hashes[count++] = mix((long) first.bin() << 19 | (long) (binDelta + 1024) << 8 | Math.min(steps, 255));
                    paired++;
                }
            }
        }
        long[] sorted = Arrays.copyOf(hashes, count);
        Arrays.sort(sorted);
        int size = 0;
        for (int i = 0; i < sorted.length; i++) {
            if (i == 0 || sorted[i] != sorted[i - 1]) {
                sorted[size++] = sorted[i];
            }
        }
        return Arrays.copyOf(sorted, size);
    }

    /** A peak at a frame and bin, its level in dB and its refined time in frames. */
    private record Peak(int frame, int bin, double level, double time) {
    }

    private List<Peak> keptPeaks(float[] samples) {
        int frames = LogMelSpectrogram.frameCount(samples.length, parameters.fftSize(), parameters.hopLength());
        int bins = parameters.fftSize() / 2 + 1;
        int radius = parameters.timeRadius();
        int rows = 2 * radius + 1;
        double[][] levels = new double[rows][bins];
        double[][] bandMaxima = new double[rows][bins];
        DoubleFFT_1D fft = new DoubleFFT_1D(parameters.fftSize());
        double[] buffer = new double[parameters.fftSize()];
        double loudest = FLOOR_DB;
        List<Peak> candidates = new ArrayList<>();
        for (int frame = 0; frame < frames + radius; frame++) {
            if (frame < frames) {
                double[] row = levels[frame % rows];
                LogMelSpectrogram.windowedFrame(samples, frame * parameters.hopLength(), window, buffer);
                LogMelSpectrogram.powerSpectrum(fft, buffer, row);
                for (int k = 0; k < bins; k++) {
                    row[k] = 10 * StrictMath.log10(Math.max(row[k], POWER_FLOOR));
                }
                for (int k = 1; k < bins - 1; k++) {
                    loudest = Math.max(loudest, row[k]);
                }
                double[] bandMaximum = bandMaxima[frame % rows];
                for (int k = 0; k < bins; k++) {
                    double maximum = row[Math.max(0, k - parameters.frequencyRadius())];
                    for (int j = Math.max(0, k - parameters.frequencyRadius()) + 1; j <= Math.min(bins - 1, k + parameters.frequencyRadius()); j++) {
                        maximum = Math.max(maximum, row[j]);
                    }
                    bandMaximum[k] = maximum;
                }
            }
            int centre = frame - radius;
            if (centre >= 0) {
                addPeaksOfFrame(centre, frames, levels, bandMaxima, candidates);
            }
        }
        double threshold = loudest - parameters.rangeDb();
        List<Peak> loudEnough = new ArrayList<>();
        for (Peak peak : candidates) {
            if (peak.level() >= threshold) {
                loudEnough.add(peak);
            }
        }
        return densityLimited(loudEnough);
    }

    /** Adds the strict local maxima of frame {@code centre}, whose neighbours up to timeRadius frames away are in the ring buffers. */
    private void addPeaksOfFrame(int centre, int frames, double[][] levels, double[][] bandMaxima, List<Peak> candidates) {
        int rows = levels.length;
        int radius = parameters.timeRadius();
        int first = Math.max(0, centre - radius);
        int last = Math.min(frames - 1, centre + radius);
        double[] row = levels[centre % rows];
        for (int bin = 1; bin < row.length - 1; bin++) {
            double level = row[bin];
            if (level <= FLOOR_DB) {
                continue;
            }
            boolean maximum = true;
            for (int t = first; t <= last && maximum; t++) {
                maximum = bandMaxima[t % rows][bin] <= level;
            }
            if (maximum && isStrictMaximum(centre, bin, first, last, levels)) {
                candidates.add(new Peak(centre, bin, level, centre + refinement(centre, bin, frames, levels)));
            }
        }
    }

    private boolean isStrictMaximum(int centre, int bin, int first, int last, double[][] levels) {
        int rows = levels.length;
        double level = levels[centre % rows][bin];
        int lowest = Math.max(0, bin - parameters.frequencyRadius());
        int highest = Math.min(levels[0].length - 1, bin + parameters.frequencyRadius());
        for (int t = first; t <= last; t++) {
            double[] row = levels[t % rows];
            for (int k = lowest; k <= highest; k++) {
                if ((t != centre || k != bin) && row[k] >= level) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The vertex of the parabola through the peak and its neighbours in time, in frames from the peak (within half a frame). */
    private static double refinement(int centre, int bin, int frames, double[][] levels) {
        if (centre == 0 || centre == frames - 1) {
            return 0;
        }
        int rows = levels.length;
        double before = levels[(centre - 1) % rows][bin];
        double at = levels[centre % rows][bin];
        double after = levels[(centre + 1) % rows][bin];
        double curvature = before - 2 * at + after;
        return curvature < 0 ? 0.5 * (before - after) / curvature : 0;
    }

    /** The peaks with fewer than peaksPerSecond louder peaks within half a second either side, in (frame, bin) order. */
    private List<Peak> densityLimited(List<Peak> peaks) {
        int halfSecond = Math.max(1, (int) ((long) parameters.sampleRate() / 2 / parameters.hopLength()));
        List<Peak> kept = new ArrayList<>();
        int windowStart = 0;
        for (int i = 0; i < peaks.size(); i++) {
            Peak peak = peaks.get(i);
            while (peaks.get(windowStart).frame() < peak.frame() - halfSecond) {
                windowStart++;
            }
            int louder = 0;
            for (int k = windowStart; k < peaks.size() && peaks.get(k).frame() <= peak.frame() + halfSecond; k++) {
                Peak other = peaks.get(k);
                if (other.level() > peak.level() || other.level() == peak.level() && k < i) {
                    louder++;
                }
            }
            if (louder < parameters.peaksPerSecond()) {
                kept.add(peak);
            }
        }
        return kept;
    }

    /** SplitMix64's finalizer: a bijection on longs. */
    private static long mix(long value) {
        long z = value;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}

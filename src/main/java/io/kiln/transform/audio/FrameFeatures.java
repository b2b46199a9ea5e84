package io.kiln.transform.audio;

import static java.util.Objects.requireNonNull;

/**
 * Per-frame level features of a mono clip: the RMS and the amplitude envelope (the largest {@code
 * |x|}). Frames are framed as in {@link LogMelSpectrogram}: not centred, {@link
 * LogMelSpectrogram#frameCount} of them, one for a clip shorter than a frame. A frame's values are
 * taken over the samples it holds: the last frame of a short clip is not padded with zeros, and
 * the empty clip has one frame of 0.
 *
 * <p>Deterministic (sums in double precision in sample order) and thread-safe; instances are
 * immutable.
 *
 * @param frameLength the samples in one frame
 * @param hopLength the samples between the starts of two frames
 */
public record FrameFeatures(int frameLength, int hopLength) {
    public FrameFeatures {
        if (frameLength <= 0) {
            throw new IllegalArgumentException("frameLength must be positive, was " + frameLength);
        }
        if (hopLength <= 0) {
            throw new IllegalArgumentException("hopLength must be positive, was " + hopLength);
        }
    }

    /** Frames of {@code frameMilliseconds} every {@code hopMilliseconds} at a sample rate, rounded down to whole samples (at least one). */
    public static FrameFeatures ofMilliseconds(int sampleRate, int frameMilliseconds, int hopMilliseconds) {
        if (sampleRate <= 0) {
            throw new IllegalArgumentException("sampleRate must be positive, was " + sampleRate);
        }
        if (frameMilliseconds <= 0 || hopMilliseconds <= 0) {
            throw new IllegalArgumentException("frame and hop must be positive, were %d ms and %d ms".formatted(frameMilliseconds, hopMilliseconds));
        }
        return new FrameFeatures(Math.max(1, (int) ((long) sampleRate * frameMilliseconds / 1000)), Math.max(1, (int) ((long) sampleRate * hopMilliseconds / 1000)));
    }

    public int frameCount(int sampleCount) {
        return LogMelSpectrogram.frameCount(sampleCount, frameLength, hopLength);
    }

    /** The root mean square of each frame's samples. */
    public float[] rms(float[] samples) {
        requireNonNull(samples, "samples is null");
        double[] meanSquares = meanSquares(samples);
        float[] values = new float[meanSquares.length];
        for (int frame = 0; frame < values.length; frame++) {
            values[frame] = (float) StrictMath.sqrt(meanSquares[frame]);
        }
        return values;
    }

    /** The largest absolute sample of each frame. */
    public float[] amplitudeEnvelope(float[] samples) {
        requireNonNull(samples, "samples is null");
        float[] values = new float[frameCount(samples.length)];
        for (int frame = 0; frame < values.length; frame++) {
            int start = frame * hopLength;
            int end = Math.min(samples.length, start + frameLength);
            float largest = 0;
            for (int i = start; i < end; i++) {
                largest = Math.max(largest, Math.abs(samples[i]));
            }
            values[frame] = largest;
        }
        return values;
    }

    private double[] meanSquares(float[] samples) {
        double[] values = new double[frameCount(samples.length)];
        for (int frame = 0; frame < values.length; frame++) {
            int start = frame * hopLength;
            int end = Math.min(samples.length, start + frameLength);
            double sum = 0;
            for (int i = start; i < end; i++) {
                sum += (double) samples[i] * samples[i];
            }
            values[frame] = end > start ? sum / (end - start) : 0.0;
        }
        return values;
    }
}

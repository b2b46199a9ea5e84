package io.kiln.transform.audio;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.List;

/**
 * The default voice activity detector: frame energy against the clip's own noise floor.
 *
 * <p>The clip is cut into consecutive frames of {@code frameMilliseconds} (the last one may be
 * shorter) and each frame's level is {@code 10 log10(max(mean square, 1e-10))} dBFS. The noise floor
 * is the {@code noisePercentile}-th percentile (nearest rank) of the clip's frame levels, so it
 * adapts to each clip's background. A frame opens speech when its level is at least {@code
 * startMarginDb} above the floor, and speech continues while frames stay at least {@code
 * continueMarginDb} above it (hysteresis); frames below {@code minimumLevelDbfs} are never speech, so
 * near-digital silence finds nothing. The runs of speech frames then go through, in this order
 * (shared with {@link SileroVad}):
 * <ol>
 *   <li>gaps shorter than {@code minSilenceMilliseconds} are closed (this is the hangover: speech
 *       holds over short pauses);</li>
 *   <li>segments shorter than {@code minSpeechMilliseconds} are dropped;</li>
 *   <li>each segment is extended by {@code padMilliseconds} on both sides, clamped to the clip; where
 *       two segments are closer than twice the padding, the gap between them is shared out evenly so
 *       that they do not overlap;</li>
 *   <li>a segment longer than {@code maxSegmentMilliseconds} is cut, from its start onwards, at the
 *       start of its quietest frame between half and all of {@code maxSegmentMilliseconds} after the
 *       piece's start (the earliest, if several are as quiet), so every piece fits and cuts land in
 *       pauses where there are some; the pieces are adjacent.</li>
 * </ol>
 * A clip made only of steady noise has all its frames within a decibel or two of the floor, so it
 * has no segments. The floor is a percentile of the clip itself: speech with no pauses at all puts
 * the floor inside the speech, and only its louder part is found before padding.
 *
 * <p>Deterministic (sums in double precision in sample order, {@link StrictMath} logarithms, a fixed
 * tie-break) and thread-safe; instances are immutable.
 */
public final class EnergyVad {
    private static final double ENERGY_FLOOR = 1e-10;

    private final Parameters parameters;

    /**
     * A stretch of speech, in samples: {@code startSample} inclusive to {@code endSample} exclusive.
     */
    public record Segment(long startSample, long endSample) {
        public Segment {
            if (startSample < 0 || endSample <= startSample) {
                throw new IllegalArgumentException("A segment must have 0 <= start < end, was [%d, %d)".formatted(startSample, endSample));
            }
        }

        public long lengthSamples() {
            return endSample - startSample;
        }
    }

    /**
     * The detector's settings; see the class description for what each one does.
     */
    public record Parameters(
            int frameMilliseconds,
            double noisePercentile,
            double startMarginDb,
            double continueMarginDb,
            double minimumLevelDbfs,
            int minSpeechMilliseconds,
            int minSilenceMilliseconds,
            int padMilliseconds,
            int maxSegmentMilliseconds) {
        public Parameters {
            if (frameMilliseconds < 5 || frameMilliseconds > 100) {
                throw new IllegalArgumentException("frameMilliseconds must be between 5 and 100, was " + frameMilliseconds);
            }
            if (!(noisePercentile > 0 && noisePercentile < 100)) {
                throw new IllegalArgumentException("noisePercentile must be above 0 and below 100, was " + noisePercentile);
            }
            if (!(startMarginDb >= 0)) {
                throw new IllegalArgumentException("startMarginDb must be at least 0, was " + startMarginDb);
            }
            if (!(continueMarginDb >= 0 && continueMarginDb <= startMarginDb)) {
                throw new IllegalArgumentException("continueMarginDb must be between 0 and startMarginDb = %s, was %s".formatted(startMarginDb, continueMarginDb));
            }
            if (!Double.isFinite(minimumLevelDbfs)) {
                throw new IllegalArgumentException("minimumLevelDbfs must be finite, was " + minimumLevelDbfs);
            }
            if (minSpeechMilliseconds < 0) {
                throw new IllegalArgumentException("minSpeechMilliseconds must be at least 0, was " + minSpeechMilliseconds);
            }
            if (minSilenceMilliseconds < 0) {
                throw new IllegalArgumentException("minSilenceMilliseconds must be at least 0, was " + minSilenceMilliseconds);
            }
            if (padMilliseconds < 0) {
                throw new IllegalArgumentException("padMilliseconds must be at least 0, was " + padMilliseconds);
            }
            if (maxSegmentMilliseconds < 2 * frameMilliseconds) {
                throw new IllegalArgumentException("maxSegmentMilliseconds must be at least two frames = %d, was %d".formatted(2 * frameMilliseconds, maxSegmentMilliseconds));
            }
        }

        /**
         * 20 ms frames, the 10th percentile as noise floor, speech from 9 dB above it while above 5 dB,
         * nothing below -60 dBFS, at least 250 ms of speech, gaps under 300 ms closed, 100 ms of
         * padding, pieces of at most 30 s (Whisper's window).
         */
        public static Parameters defaults() {
            return new Parameters(20, 10, 9, 5, -60, 250, 300, 100, 30_000);
        }

        public Parameters withMinSpeechMilliseconds(int minSpeechMilliseconds) {
            return new Parameters(frameMilliseconds, noisePercentile, startMarginDb, continueMarginDb, minimumLevelDbfs, minSpeechMilliseconds, minSilenceMilliseconds,
                    padMilliseconds, maxSegmentMilliseconds);
        }

        public Parameters withMinSilenceMilliseconds(int minSilenceMilliseconds) {
            return new Parameters(frameMilliseconds, noisePercentile, startMarginDb, continueMarginDb, minimumLevelDbfs, minSpeechMilliseconds, minSilenceMilliseconds,
                    padMilliseconds, maxSegmentMilliseconds);
        }

        public Parameters withPadMilliseconds(int padMilliseconds) {
            return new Parameters(frameMilliseconds, noisePercentile, startMarginDb, continueMarginDb, minimumLevelDbfs, minSpeechMilliseconds, minSilenceMilliseconds,
                    padMilliseconds, maxSegmentMilliseconds);
        }

        public Parameters withMaxSegmentMilliseconds(int maxSegmentMilliseconds) {
            return new Parameters(frameMilliseconds, noisePercentile, startMarginDb, continueMarginDb, minimumLevelDbfs, minSpeechMilliseconds, minSilenceMilliseconds,
                    padMilliseconds, maxSegmentMilliseconds);
        }
    }

    public EnergyVad(Parameters parameters) {
        this.parameters = requireNonNull(parameters, "parameters is null");
    }

    public static EnergyVad withDefaults() {
        return new EnergyVad(Parameters.defaults());
    }

    public Parameters parameters() {
        return parameters;
    }

    /** The speech segments of a clip, in order, disjoint; empty when it has no speech. The input is not modified. */
    public List<Segment> segments(float[] samples, int sampleRate) {
        requireNonNull(samples, "samples is null");
        if (sampleRate <= 0) {
            throw new IllegalArgumentException("sampleRate must be positive, was " + sampleRate);
        }
        if (samples.length == 0) {
            return List.of();
        }
        int frameLength = Math.max(1, (int) ((long) sampleRate * parameters.frameMilliseconds() / 1000));
        double[] levels = frameLevels(samples, frameLength);
        double floor = percentile(levels, parameters.noisePercentile());
        double startThreshold = Math.max(floor + parameters.startMarginDb(), parameters.minimumLevelDbfs());
        double continueThreshold = Math.max(floor + parameters.continueMarginDb(), parameters.minimumLevelDbfs());

        SpeechSegments.Rules rules = new SpeechSegments.Rules(
                framesOf(parameters.minSilenceMilliseconds()),
                SpeechSegments.samplesOf(parameters.minSpeechMilliseconds(), sampleRate),
                SpeechSegments.samplesOf(parameters.padMilliseconds(), sampleRate),
                SpeechSegments.samplesOf(parameters.maxSegmentMilliseconds(), sampleRate));
        return SpeechSegments.find(levels, startThreshold, continueThreshold, frameLength, samples.length, rules);
    }

    private int framesOf(int milliseconds) {
        return (milliseconds + parameters.frameMilliseconds() - 1) / parameters.frameMilliseconds();
    }

    /** Each frame's level in dBFS: {@code 10 log10(max(mean square, 1e-10))}. */
    private static double[] frameLevels(float[] samples, int frameLength) {
        double[] levels = framePowers(samples, frameLength);
        for (int frame = 0; frame < levels.length; frame++) {
            levels[frame] = 10 * StrictMath.log10(Math.max(levels[frame], ENERGY_FLOOR));
        }
        return levels;
    }

    /** The mean square of consecutive frames, the last one over the samples it has; none for the empty clip. */
    static double[] framePowers(float[] samples, int frameLength) {
        int frames = (samples.length + frameLength - 1) / frameLength;
        double[] powers = new double[frames];
        for (int frame = 0; frame < frames; frame++) {
            int start = frame * frameLength;
            int end = Math.min(samples.length, start + frameLength);
            double sum = 0;
            for (int i = start; i < end; i++) {
                sum += (double) samples[i] * samples[i];
            }
            powers[frame] = sum / (end - start);
        }
        return powers;
    }

    /** The nearest-rank percentile: the smallest value with at least {@code percentile} % of the values at or below it. */
    static double percentile(double[] values, double percentile) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(percentile / 100 * sorted.length);
        return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
    }
}

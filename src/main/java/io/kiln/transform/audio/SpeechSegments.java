package io.kiln.transform.audio;

import java.util.ArrayList;
import java.util.List;

/**
 * What the voice activity detectors share: turning a score per frame (a level in dBFS, a speech
 * probability) into speech segments. Frames are consecutive, {@code frameLength} samples each (the
 * last one may be shorter). A frame opens speech when its score is at least {@code startThreshold},
 * and speech continues while scores stay at least {@code continueThreshold} (hysteresis). The runs
 * of speech frames then go through, in this order:
 * <ol>
 *   <li>gaps shorter than {@code minSilenceFrames} are closed (the hangover: speech holds over short
 *       pauses);</li>
 *   <li>segments shorter than {@code minSpeechSamples} are dropped;</li>
 *   <li>each segment is extended by {@code padSamples} on both sides, clamped to the clip; where two
 *       segments are closer than twice the padding, the gap between them is shared out evenly so that
 *       they do not overlap;</li>
 *   <li>a segment longer than {@code maxSegmentSamples} is cut, from its start onwards, at the start
 *       of its lowest-scoring frame between half and all of {@code maxSegmentSamples} after the
 *       piece's start (the earliest, if several score the same), so every piece fits and cuts land in
 *       pauses where there are some; the pieces are adjacent.</li>
 * </ol>
 * Integer arithmetic on sample positions and a fixed tie-break: the same scores give the same
 * segments.
 */
final class SpeechSegments {
    /** The post-processing settings, already in frames and samples. */
    record Rules(int minSilenceFrames, long minSpeechSamples, long padSamples, long maxSegmentSamples) {
    }

    private SpeechSegments() {}

    /** The segments of a clip of {@code length} samples whose frames scored {@code scores}; in order, disjoint. */
    static List<EnergyVad.Segment> find(double[] scores, double startThreshold, double continueThreshold, int frameLength, long length, Rules rules) {
        List<int[]> runs = new ArrayList<>();
        int runStart = -1;
        for (int frame = 0; frame < scores.length; frame++) {
            if (runStart < 0 && scores[frame] >= startThreshold) {
                runStart = frame;
            }
            else if (runStart >= 0 && scores[frame] < continueThreshold) {
                runs.add(new int[] {runStart, frame});
                runStart = -1;
            }
        }
        if (runStart >= 0) {
            runs.add(new int[] {runStart, scores.length});
        }

        List<int[]> merged = new ArrayList<>();
        for (int[] run : runs) {
            int[] last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (last != null && run[0] - last[1] < rules.minSilenceFrames()) {
                last[1] = run[1];
            }
            else {
                merged.add(run);
            }
        }

        List<long[]> kept = new ArrayList<>();
        for (int[] run : merged) {
            long start = (long) run[0] * frameLength;
            long end = Math.min(length, (long) run[1] * frameLength);
            if (end - start >= rules.minSpeechSamples()) {
                kept.add(new long[] {start, end});
            }
        }

        long pad = rules.padSamples();
        long[][] padded = new long[kept.size()][];
        for (int i = 0; i < kept.size(); i++) {
            long start = kept.get(i)[0];
            long end = kept.get(i)[1];
            long before = i == 0 ? Math.min(pad, start) : Math.min(pad, (start - kept.get(i - 1)[1]) - (start - kept.get(i - 1)[1]) / 2);
            long after = i == kept.size() - 1 ? Math.min(pad, length - end) : Math.min(pad, (kept.get(i + 1)[0] - end) / 2);
            padded[i] = new long[] {start - before, end + after};
        }

        long maxSegmentSamples = rules.maxSegmentSamples();
        List<EnergyVad.Segment> segments = new ArrayList<>();
        for (long[] segment : padded) {
            long start = segment[0];
            while (segment[1] - start > maxSegmentSamples) {
                long cut = lowestFrameStart(scores, frameLength, start + maxSegmentSamples / 2 + 1, start + maxSegmentSamples);
                segments.add(new EnergyVad.Segment(start, cut));
                start = cut;
            }
            segments.add(new EnergyVad.Segment(start, segment[1]));
        }
        return List.copyOf(segments);
    }

    /** {@code milliseconds} in samples at {@code sampleRate}, rounded down. */
    static long samplesOf(int milliseconds, int sampleRate) {
        return (long) milliseconds * sampleRate / 1000;
    }

    /** The start of the lowest-scoring frame that starts in [from, to], or {@code to} if no frame starts there. */
    private static long lowestFrameStart(double[] scores, int frameLength, long from, long to) {
        long firstFrame = (from + frameLength - 1) / frameLength;
        long lastFrame = Math.min(to / frameLength, scores.length - 1);
        long best = -1;
        for (long frame = firstFrame; frame <= lastFrame; frame++) {
            if (best < 0 || scores[(int) frame] < scores[(int) best]) {
                best = frame;
            }
        }
        return best < 0 ? to : best * frameLength;
    }
}

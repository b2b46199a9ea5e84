package io.kiln.transform.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The signals of EBU Tech 3341 (loudness, true peak) and Tech 3342 (loudness range), generated here. */
class LoudnessMeterTest {
    private static final int RATE = 48_000;

    @Test
    void computesTheStandardsKWeightingCoefficientsAt48Kilohertz() {
        // BS.1770-4 Annex 1, tables 1 and 2
        LoudnessMeter.Biquad[] filters = LoudnessMeter.kWeighting(48_000);
        assertBiquad(filters[0], 1.53512485958697, -2.69169618940638, 1.19839281085285, -1.69065929318241, 0.73248077421585);
        assertBiquad(filters[1], 1.0, -2.0, 1.0, -1.99004745483398, 0.99007225036621);
    }

    static Stream<Arguments> tech3341Cases() {
        return Stream.of(
                Arguments.of(1, new double[][] {{-23.0, 20.0}}, -23.0),
                Arguments.of(2, new double[][] {{-33.0, 20.0}}, -33.0),
                Arguments.of(3, new double[][] {{-36.0, 10.0}, {-23.0, 60.0}, {-36.0, 10.0}}, -23.0),
                Arguments.of(4, new double[][] {{-72.0, 10.0}, {-36.0, 10.0}, {-23.0, 60.0}, {-36.0, 10.0}, {-72.0, 10.0}}, -23.0),
                Arguments.of(5, new double[][] {{-26.0, 20.0}, {-20.0, 20.1}, {-26.0, 20.0}}, -23.0));
    }

    @ParameterizedTest(name = "case {0}")
    @MethodSource("tech3341Cases")
    void readsTheIntegratedLoudnessOfEbuTech3341CasesWithinATenthOfAnLu(int testCase, double[][] segments, double expectedLufs) {
        LoudnessMeter meter = new LoudnessMeter(RATE, 2);
        float[] tone = toneSteps(RATE, 1000.0, segments);
        meter.accept(interleave(tone, tone), 0, tone.length);
        assertThat(meter.integratedLoudness()).as("case %d", testCase).isCloseTo(expectedLufs, within(0.1));
    }

    @Test
    void readsTheFiveChannelCaseOfEbuTech3341AndLeavesTheLowFrequencyChannelOut() {
        float[] left = toneSteps(RATE, 1000.0, new double[][] {{-28.0, 20.0}});
        float[] centre = toneSteps(RATE, 1000.0, new double[][] {{-24.0, 20.0}});
        float[] surround = toneSteps(RATE, 1000.0, new double[][] {{-30.0, 20.0}});
        LoudnessMeter fiveChannels = new LoudnessMeter(RATE, 5);
        fiveChannels.accept(interleave(left, left, centre, surround, surround), 0, left.length);
        assertThat(fiveChannels.integratedLoudness()).isCloseTo(-23.0, within(0.1));

        float[] lowFrequency = toneSteps(RATE, 60.0, new double[][] {{-6.0, 20.0}});
        LoudnessMeter sixChannels = new LoudnessMeter(RATE, 6);
        sixChannels.accept(interleave(left, left, centre, lowFrequency, surround, surround), 0, left.length);
        assertThat(sixChannels.integratedLoudness()).isEqualTo(fiveChannels.integratedLoudness());
        assertThat(sixChannels.samplePeakDbfs()).isCloseTo(-6.0, within(0.01));
    }

    @Test
    void readsMinus3Point01LufsForAFullScale997HertzSineInOneChannel() {
        // BS.1770-4 Annex 1: the standard's calibration
        LoudnessMeter meter = new LoudnessMeter(RATE, 1);
        float[] tone = toneSteps(RATE, 997.0, new double[][] {{0.0, 10.0}});
        meter.accept(tone, 0, tone.length);
        assertThat(meter.integratedLoudness()).isCloseTo(-3.01, within(0.01));
    }

    @ParameterizedTest(name = "{0} Hz")
    @ValueSource(ints = {8000, 16_000, 22_050, 32_000, 44_100, 48_000, 96_000, 192_000})
    void readsTheSameLoudnessForA997HertzSineAtEverySampleRate(int rate) {
        LoudnessMeter meter = new LoudnessMeter(rate, 2);
        float[] tone = toneSteps(rate, 997.0, new double[][] {{-23.0, 5.0}});
        meter.accept(interleave(tone, tone), 0, tone.length);
        assertThat(meter.integratedLoudness()).isCloseTo(-23.0, within(0.1));
    }

    @ParameterizedTest(name = "case {0}")
    @CsvSource({
        // EBU Tech 3341 cases 15 to 19: a sine at a fraction of 48 kHz, its amplitude and phase, the expected dBTP
        "15, 4, 0.50,  0.0, -6.0",
        "16, 4, 0.50, 45.0, -6.0",
        "17, 6, 0.50, 60.0, -6.0",
        "18, 8, 0.50, 67.5, -6.0",
        "19, 4, 1.41, 45.0,  3.0"})
    void readsTheTruePeakOfEbuTech3341CasesWithinTheirTolerance(int testCase, int divisor, double amplitude, double phaseDegrees, double expectedDbtp) {
        float[] tone = fadedInAndOut(sine(RATE, (double) RATE / divisor, amplitude, phaseDegrees, RATE), RATE / 100);
        LoudnessMeter meter = new LoudnessMeter(RATE, 2);
        meter.accept(interleave(tone, tone), 0, tone.length);
        // the continuous signal peaks at its amplitude; Tech 3341 allows +0.2 / -0.4 dB around the expected value
        assertThat(20.0 * StrictMath.log10(amplitude)).isCloseTo(expectedDbtp, within(0.05));
        assertThat(meter.truePeakDbtp()).as("case %d", testCase).isBetween(expectedDbtp - 0.4, expectedDbtp + 0.2);
        double sampled = 0.0;
        for (float sample : tone) {
            sampled = Math.max(sampled, Math.abs(sample));
        }
        assertThat(meter.samplePeakDbfs()).isEqualTo(20.0 * StrictMath.log10(sampled));
    }

    @Test
    void findsThePeakBetweenSamplesAt44Point1KilohertzAndTakesTheSamplePeakFrom176Point4Kilohertz() {
        float[] between = fadedInAndOut(sine(44_100, 11_025.0, 0.5, 45.0, 44_100), 441);
        LoudnessMeter meter = new LoudnessMeter(44_100, 1);
        meter.accept(between, 0, between.length);
        assertThat(meter.samplePeakDbfs()).isCloseTo(-9.03, within(0.01));
        assertThat(meter.truePeakDbtp()).isBetween(-6.02 - 0.4, -6.02 + 0.2);

        float[] dense = sine(192_000, 48_000.0, 0.5, 45.0, 192_000);
        LoudnessMeter unsampled = new LoudnessMeter(192_000, 1);
        unsampled.accept(dense, 0, dense.length);
        assertThat(unsampled.truePeakDbtp()).isEqualTo(unsampled.samplePeakDbfs());
    }

    @Test
    void countsThePeakAnInterpolationFilterSpreadsPastTheLastSample() {
        float[] samples = new float[RATE];
        samples[RATE - 2] = 0.5f;
        samples[RATE - 1] = 0.5f;
        LoudnessMeter meter = new LoudnessMeter(RATE, 1);
        meter.accept(samples, 0, samples.length);
        assertThat(meter.truePeakDbtp()).isGreaterThan(meter.samplePeakDbfs() + 0.5);
    }

    static Stream<Arguments> tech3342Cases() {
        return Stream.of(
                Arguments.of(1, new double[] {-20.0, -30.0}, 10.0),
                Arguments.of(2, new double[] {-20.0, -15.0}, 5.0),
                Arguments.of(3, new double[] {-40.0, -20.0}, 20.0),
                Arguments.of(4, new double[] {-50.0, -35.0, -20.0, -35.0, -50.0}, 15.0));
    }

    @ParameterizedTest(name = "case {0}")
    @MethodSource("tech3342Cases")
    void readsTheLoudnessRangeOfEbuTech3342CasesWithinOneLu(int testCase, double[] levels, double expectedLu) {
        double[][] segments = new double[levels.length][];
        for (int i = 0; i < levels.length; i++) {
            segments[i] = new double[] {levels[i], 20.0};
        }
        float[] tone = toneSteps(RATE, 1000.0, segments);
        LoudnessMeter meter = new LoudnessMeter(RATE, 2);
        meter.accept(interleave(tone, tone), 0, tone.length);
        assertThat(meter.loudnessRange()).as("case %d", testCase).isCloseTo(expectedLu, within(1.0));
    }

    @Test
    void givesBitIdenticalReadingsWhateverTheFramesPerCall() {
        Random random = new Random(17);
        int frames = 7 * 44_100 + 123;
        float[] interleaved = new float[frames * 2];
        for (int frame = 0; frame < frames; frame++) {
            double envelope = 0.05 + 0.5 * (frame / 44_100 % 3);
            interleaved[2 * frame] = (float) (envelope * (random.nextDouble() * 2.0 - 1.0));
            interleaved[2 * frame + 1] = (float) (0.3 * StrictMath.sin(2.0 * StrictMath.PI * 3000.0 * frame / 44_100));
        }
        LoudnessMeter whole = new LoudnessMeter(44_100, 2);
        whole.accept(interleaved, 0, frames);
        for (int trial = 0; trial < 4; trial++) {
            LoudnessMeter chunked = new LoudnessMeter(44_100, 2);
            int frame = 0;
            while (frame < frames) {
                int count = Math.min(frames - frame, random.nextInt(trial % 2 == 0 ? 9 : 20_000));
                chunked.accept(interleaved, 2 * frame, count);
                frame += count;
                if (random.nextInt(50) == 0) {
                    chunked.truePeakDbtp();
                    chunked.integratedLoudness();
                }
            }
            assertThat(chunked.integratedLoudness()).isEqualTo(whole.integratedLoudness());
            assertThat(chunked.loudnessRange()).isEqualTo(whole.loudnessRange());
            assertThat(chunked.samplePeakDbfs()).isEqualTo(whole.samplePeakDbfs());
            assertThat(chunked.truePeakDbtp()).isEqualTo(whole.truePeakDbtp());
            assertThat(chunked.frames()).isEqualTo(frames);
        }
        assertThat(whole.integratedLoudness()).isFinite();
    }

    @Test
    void readsSilenceAsNegativeInfinity() {
        LoudnessMeter meter = new LoudnessMeter(RATE, 2);
        meter.accept(new float[2 * 5 * RATE], 0, 5 * RATE);
        assertThat(meter.integratedLoudness()).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(meter.samplePeakDbfs()).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(meter.truePeakDbtp()).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(meter.loudnessRange()).isZero();
    }

    @Test
    void needsOneWhole400MillisecondBlockBeforeItReadsLoudness() {
        float[] tone = toneSteps(RATE, 1000.0, new double[][] {{-23.0, 0.4}});
        LoudnessMeter meter = new LoudnessMeter(RATE, 1);
        meter.accept(tone, 0, tone.length - 1);
        assertThat(meter.integratedLoudness()).isEqualTo(Double.NEGATIVE_INFINITY);
        meter.accept(tone, tone.length - 1, 1);
        assertThat(meter.integratedLoudness()).isCloseTo(-26.0, within(0.2));
    }

    @Test
    void gainsTowardsTheTargetUnlessTheTruePeakCeilingIsCloser() {
        assertThat(LoudnessMeter.gainDb(-30.0, -23.0, -12.0, -1.0)).isEqualTo(7.0);
        assertThat(LoudnessMeter.gainDb(-30.0, -23.0, -3.0, -1.0)).isEqualTo(2.0);
        assertThat(LoudnessMeter.gainDb(-14.0, -23.0, -0.5, -1.0)).isEqualTo(-9.0);
        assertThat(LoudnessMeter.gainDb(Double.NEGATIVE_INFINITY, -23.0, Double.NEGATIVE_INFINITY, -1.0)).isZero();
        assertThatThrownBy(() -> LoudnessMeter.gainDb(Double.NaN, -23.0, -3.0, -1.0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot compute a gain for a measured NaN LUFS and a true peak of -3.0 dBTP");
        assertThatThrownBy(() -> LoudnessMeter.gainDb(-30.0, Double.NEGATIVE_INFINITY, -3.0, -1.0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot compute a gain for target -Infinity LUFS and peak ceiling -1.0 dBTP: both must be finite");
    }

    @Test
    void rejectsUnsupportedRatesAndLayoutsAndNonFiniteSamples() {
        assertThatThrownBy(() -> new LoudnessMeter(7999, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot measure loudness at 7999 Hz: the sample rate must be within 8000..384000 Hz");
        assertThatThrownBy(() -> new LoudnessMeter(RATE, 8))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot measure loudness of 8 channels: 1..6 are supported");
        LoudnessMeter meter = new LoudnessMeter(RATE, 2);
        assertThatThrownBy(() -> meter.accept(new float[10], 4, 4)).isInstanceOf(IndexOutOfBoundsException.class);
        meter.accept(new float[6], 0, 3);
        assertThatThrownBy(() -> meter.accept(new float[] {0.0f, 0.0f, 0.1f, Float.POSITIVE_INFINITY}, 0, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot measure loudness: channel 1 of frame 4 is Infinity, not a finite value");
        assertThat(meter.frames()).isEqualTo(3);
        assertThat(meter.samplePeakDbfs()).isEqualTo(Double.NEGATIVE_INFINITY);
    }

    private static void assertBiquad(LoudnessMeter.Biquad actual, double b0, double b1, double b2, double a1, double a2) {
        assertThat(actual.b0()).isCloseTo(b0, within(1e-8));
        assertThat(actual.b1()).isCloseTo(b1, within(1e-8));
        assertThat(actual.b2()).isCloseTo(b2, within(1e-8));
        assertThat(actual.a1()).isCloseTo(a1, within(1e-8));
        assertThat(actual.a2()).isCloseTo(a2, within(1e-8));
    }

    /** Consecutive segments of {level dBFS (peak), seconds} of one continuous sine. */
    private static float[] toneSteps(int rate, double frequency, double[][] segments) {
        int total = 0;
        for (double[] segment : segments) {
            total += (int) Math.round(segment[1] * rate);
        }
        float[] samples = new float[total];
        int index = 0;
        for (double[] segment : segments) {
            double amplitude = StrictMath.pow(10.0, segment[0] / 20.0);
            int end = index + (int) Math.round(segment[1] * rate);
            for (; index < end; index++) {
                samples[index] = (float) (amplitude * StrictMath.sin(2.0 * StrictMath.PI * frequency * index / rate));
            }
        }
        return samples;
    }

    private static float[] sine(int rate, double frequency, double amplitude, double phaseDegrees, int length) {
        float[] samples = new float[length];
        double phase = StrictMath.toRadians(phaseDegrees);
        for (int i = 0; i < length; i++) {
            samples[i] = (float) (amplitude * StrictMath.sin(2.0 * StrictMath.PI * frequency * i / rate + phase));
        }
        return samples;
    }

    /**
     * The tone with raised-cosine ramps at both ends: switched on or off abruptly, a tone is a step, and a
     * step's true peak is above the tone's (by 0.7 dB for case 18).
     */
    private static float[] fadedInAndOut(float[] samples, int rampLength) {
        float[] faded = samples.clone();
        for (int i = 0; i < rampLength; i++) {
            double gain = 0.5 - 0.5 * StrictMath.cos(StrictMath.PI * i / rampLength);
            faded[i] = (float) (samples[i] * gain);
            faded[samples.length - 1 - i] = (float) (samples[samples.length - 1 - i] * gain);
        }
        return faded;
    }

    private static float[] interleave(float[]... channels) {
        int frames = channels[0].length;
        float[] interleaved = new float[frames * channels.length];
        for (int frame = 0; frame < frames; frame++) {
            for (int channel = 0; channel < channels.length; channel++) {
                interleaved[frame * channels.length + channel] = channels[channel][frame];
            }
        }
        return interleaved;
    }
}

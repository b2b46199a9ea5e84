package io.kiln.transform.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

class FrameFeaturesTest {
    private final FrameFeatures features = FrameFeatures.ofMilliseconds(16_000, 25, 10);

    @Test
    void millisecondsAreRoundedDownToWholeSamples() {
        assertThat(features).isEqualTo(new FrameFeatures(400, 160));
        assertThat(FrameFeatures.ofMilliseconds(22_050, 25, 10)).isEqualTo(new FrameFeatures(551, 220));
    }

    @Test
    void rmsOfASineIsItsAmplitudeOverRootTwo() {
        // 1 kHz at 16 kHz: a 400-sample frame holds exactly 25 periods
        float[] rms = features.rms(LogMelSpectrogramTest.sine(1000, 0.5, 16_000));
        assertThat(rms).hasSize(98);
        for (float value : rms) {
            assertThat((double) value).isCloseTo(0.5 / Math.sqrt(2), within(1e-6));
        }
    }

    @Test
    void rmsOfAConstantIsItsMagnitudeAndOfSilenceZero() {
        float[] samples = new float[1600];
        Arrays.fill(samples, 0, 800, -0.25f);
        float[] rms = features.rms(samples);
        assertThat(rms).hasSize(8);
        assertThat(rms[0]).isEqualTo(0.25f);
        assertThat(rms[2]).isEqualTo(0.25f);
        // frame 3 holds samples 480 to 879: 320 of -0.25 and 80 zeros
        assertThat((double) rms[3]).isCloseTo(0.25 * Math.sqrt(320.0 / 400), within(1e-7));
        assertThat(rms[7]).isZero();
    }

    @Test
    void envelopeIsTheLargestMagnitudeInEachFrame() {
        float[] samples = new float[720];
        samples[10] = 0.3f;
        samples[170] = -0.9f;
        samples[500] = 0.6f;
        samples[719] = -0.2f;
        // frames start at 0, 160 and 320 and hold 400 samples
        assertThat(features.amplitudeEnvelope(samples)).containsExactly(0.9f, 0.9f, 0.6f);
    }

    @Test
    void aClipShorterThanAFrameIsOneFrameOfItsOwnSamples() {
        assertThat(features.rms(new float[] {0.5f, -0.5f})).containsExactly(0.5f);
        assertThat(features.amplitudeEnvelope(new float[] {0.5f, -0.75f})).containsExactly(0.75f);
        assertThat(features.rms(new float[0])).containsExactly(0f);
        assertThat(features.amplitudeEnvelope(new float[0])).containsExactly(0f);
    }

    @Test
    void frameCountFollowsTheSpectrogram() {
        for (int length : new int[] {0, 1, 399, 400, 559, 560, 16_000}) {
            assertThat(features.frameCount(length)).isEqualTo(LogMelSpectrogram.frameCount(length, 400, 160));
            assertThat(features.rms(new float[length])).hasSize(features.frameCount(length));
        }
    }

    @Test
    void rejectsNonPositiveLengthsNamingThem() {
        assertThatThrownBy(() -> new FrameFeatures(0, 160)).isInstanceOf(IllegalArgumentException.class).hasMessage("frameLength must be positive, was 0");
        assertThatThrownBy(() -> new FrameFeatures(400, -1)).hasMessage("hopLength must be positive, was -1");
        assertThatThrownBy(() -> FrameFeatures.ofMilliseconds(16_000, 0, 10)).hasMessage("frame and hop must be positive, were 0 ms and 10 ms");
    }
}

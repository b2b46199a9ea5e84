package io.kiln.transform.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;

import org.junit.jupiter.api.Test;

class AudioQualityTest {
    private static final int RATE = 16_000;

    @Test
    void measuresTheLevelsOfASine() {
        AudioQuality quality = AudioQuality.measure(LogMelSpectrogramTest.sine(1000, 0.5, RATE), RATE);
        assertThat(quality.rmsDbfs()).isCloseTo(20 * Math.log10(0.5 / Math.sqrt(2)), within(1e-4));
        assertThat(quality.peakDbfs()).isCloseTo(20 * Math.log10(0.5), within(1e-4));
        assertThat(quality.clippingRatio()).isZero();
        assertThat(quality.dcOffset()).isCloseTo(0, within(1e-6));
        assertThat(quality.silenceRatio()).isZero();
    }

    @Test
    void countsSamplesAtFullScaleAsClipped() {
        float[] samples = sine(441, 2.0);
        for (int i = 0; i < samples.length; i++) {
            samples[i] = Math.max(-1f, Math.min(1f, samples[i]));
        }
        // |2 sin| >= 0.999 for 1 - (2 / pi) asin(0.4995) of the time
        double expected = 1 - 2 / Math.PI * Math.asin(0.4995);
        assertThat(AudioQuality.measure(samples, RATE).clippingRatio()).isCloseTo(expected, within(0.005));
    }

    @Test
    void countsRunsAtThePeakAsClippedEvenAfterTheGainWasLowered() {
        float[] samples = sine(441, 1.0);
        for (int i = 0; i < samples.length; i++) {
            samples[i] = Math.max(-0.5f, Math.min(0.5f, samples[i])) * 0.8f;
        }
        AudioQuality quality = AudioQuality.measure(samples, RATE);
        assertThat(quality.peakDbfs()).isCloseTo(20 * Math.log10(0.4), within(1e-4));
        // |sin| >= 0.5 for two thirds of the time
        assertThat(quality.clippingRatio()).isCloseTo(2.0 / 3, within(0.005));
        assertThat(AudioQuality.measure(sine(441, 0.4), RATE).clippingRatio()).isZero();
    }

    @Test
    void measuresTheDcOffset() {
        float[] samples = LogMelSpectrogramTest.sine(1000, 0.5, RATE);
        for (int i = 0; i < samples.length; i++) {
            samples[i] += 0.1f;
        }
        assertThat(AudioQuality.measure(samples, RATE).dcOffset()).isCloseTo(0.1, within(1e-6));
    }

    @Test
    void countsTheSilentHalfOfAClip() {
        float[] samples = LogMelSpectrogramTest.sine(1000, 0.5, RATE);
        for (int i = RATE / 2; i < RATE; i++) {
            samples[i] = 0.00001f;
        }
        AudioQuality quality = AudioQuality.measure(samples, RATE);
        assertThat(quality.silenceRatio()).isEqualTo(0.5);
        assertThat(quality.rmsDbfs()).isCloseTo(20 * Math.log10(0.5 / Math.sqrt(2) / Math.sqrt(2)), within(1e-3));
    }

    @Test
    void estimatesTheSnrOfToneBurstsInWhiteNoise() {
        for (double constructed : new double[] {10, 20, 30}) {
            float[] samples = new float[RATE * 4];
            double toneAmplitude = Math.sqrt(2) * 0.1;
            for (int i = 0; i < samples.length; i++) {
                if (i / (RATE / 2) % 2 == 0) {
                    samples[i] = (float) (toneAmplitude * Math.sin(2 * Math.PI * 1000 * i / RATE));
                }
            }
            // the tone's power is 0.01 (-20 dBFS)
            EnergyVadTest.addNoise(samples, -20 - constructed, 17);
            double measured = AudioQuality.measure(samples, RATE).snrDb();
            System.out.printf("SNR %.0f dB measured as %.2f dB%n", constructed, measured);
            assertThat(measured).isCloseTo(constructed, within(1.5));
        }
    }

    @Test
    void aToneThatNeverPausesReadsAsNoise() {
        float[] samples = LogMelSpectrogramTest.sine(1000, 0.5, RATE);
        EnergyVadTest.addNoise(samples, -40, 19);
        assertThat(AudioQuality.measure(samples, RATE).snrDb()).isLessThan(0);
    }

    @Test
    void measuresTheBandwidthOfNoiseLowPassedAtThreeKilohertz() {
        float[] white = new float[RATE * 2];
        EnergyVadTest.addNoise(white, -10, 23);
        double lowPassed = AudioQuality.measure(lowPass(white, 3000, 255), RATE).bandwidthHz();
        System.out.printf("noise low-passed at 3 kHz: bandwidth %.1f Hz%n", lowPassed);
        assertThat(lowPassed).isBetween(3000.0, 3400.0);
        assertThat(AudioQuality.measure(white, RATE).bandwidthHz()).isGreaterThanOrEqualTo(7900);
        assertThat(AudioQuality.measure(LogMelSpectrogramTest.sine(1000, 0.5, RATE), RATE).bandwidthHz()).isBetween(1000.0, 1200.0);
    }

    @Test
    void measuresRealSpeechAtEightKilohertz() {
        EnergyVadTest.Clip prompt = EnergyVadTest.asteriskPrompt("agent-pass");
        AudioQuality quality = AudioQuality.measure(prompt.samples(), prompt.sampleRate());
        System.out.println("agent-pass: " + quality);
        assertThat(quality.clippingRatio()).isZero();
        assertThat(quality.snrDb()).isGreaterThan(20);
        assertThat(quality.bandwidthHz()).isBetween(3000.0, 4000.0);
    }

    @Test
    void silenceAndTheEmptyClipReadAsTheFloor() {
        for (float[] samples : new float[][] {new float[RATE], new float[0]}) {
            assertThat(AudioQuality.measure(samples, RATE)).isEqualTo(new AudioQuality(-100, -100, 0, 0, 1, 0, 0));
        }
    }

    @Test
    void rejectsANonPositiveSampleRate() {
        assertThatThrownBy(() -> AudioQuality.measure(new float[1], 0)).isInstanceOf(IllegalArgumentException.class).hasMessage("sampleRate must be positive, was 0");
    }

    private static float[] sine(double frequency, double amplitude) {
        return LogMelSpectrogramTest.sine(frequency, amplitude, RATE);
    }

    /** A Blackman-windowed sinc low-pass filter of {@code taps} taps (odd), the output aligned with the input. */
    private static float[] lowPass(float[] input, double cutoff, int taps) {
        double normalized = cutoff / RATE;
        double[] kernel = new double[taps];
        int middle = taps / 2;
        for (int n = 0; n < taps; n++) {
            int m = n - middle;
            double sinc = m == 0 ? 2 * normalized : Math.sin(2 * Math.PI * normalized * m) / (Math.PI * m);
            double blackman = 0.42 - 0.5 * Math.cos(2 * Math.PI * n / (taps - 1)) + 0.08 * Math.cos(4 * Math.PI * n / (taps - 1));
            kernel[n] = sinc * blackman;
        }
        float[] output = new float[input.length];
        for (int i = 0; i < input.length; i++) {
            double sum = 0;
            for (int n = 0; n < taps; n++) {
                int index = i + middle - n;
                if (index >= 0 && index < input.length) {
                    sum += kernel[n] * input[index];
                }
            }
            output[i] = (float) sum;
        }
        return output;
    }
}

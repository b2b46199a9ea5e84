package io.kiln.transform.audio;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AudioEncoderTest {
    @Test
    void flacAndWavHoldExactlyTheQuantizedPcm() throws Exception {
        float[] speech = AudioDecoderTest.decode(AudioDecoderTest.read("agent-pass.wav")).samples();
        int[] pcm = AudioEncoder.quantize(speech, speech.length, 16);
        for (AudioEncoder.Format format : AudioEncoder.Format.values()) {
            byte[] stored = AudioEncoder.encode(pcm, 1, 8000, 16, format);
            DecodedAudio back = AudioDecoderTest.decode(stored);
            assertThat(back.info().sampleRate()).isEqualTo(8000);
            assertThat(back.info().bitsPerSample()).isEqualTo(16);
            assertThat(back.samples()).as(format.name()).isEqualTo(speech);
            assertThat(AudioEncoder.encode(pcm, 1, 8000, 16, format)).as("the same bytes again").isEqualTo(stored);
        }
        assertThat(AudioEncoder.encode(pcm, 1, 8000, 16, AudioEncoder.Format.FLAC).length).isLessThan(AudioEncoder.encode(pcm, 1, 8000, 16, AudioEncoder.Format.WAV).length);
    }

    @Test
    void stereo24BitFlacRoundTrips() throws Exception {
        float[] signal = new float[2 * 10_000];
        for (int i = 0; i < 10_000; i++) {
            signal[2 * i] = (float) (0.5 * StrictMath.sin(2 * StrictMath.PI * 440 * i / 48000.0));
            signal[2 * i + 1] = (float) (0.25 * StrictMath.sin(2 * StrictMath.PI * 1000 * i / 48000.0));
        }
        int[] pcm = AudioEncoder.quantize(signal, signal.length, 24);
        DecodedAudio back = AudioDecoderTest.decode(AudioEncoder.encode(pcm, 2, 48000, 24, AudioEncoder.Format.FLAC));
        assertThat(back.info()).isEqualTo(new AudioDecoder.Info("flac", 48000, 2, 24));
        assertThat(AudioEncoder.quantize(back.samples(), back.samples().length, 24)).isEqualTo(pcm);
    }

    @Test
    void quantizesToTheNearestStepAndClamps() {
        int[] pcm = AudioEncoder.quantize(new float[] {0f, 1f, -1f, 1.5f, 0.5f / 32768, -0.5f / 32768, 1.49f / 32768}, 7, 16);
        assertThat(pcm).containsExactly(0, 32767, -32768, 32767, 1, -1, 1);
        assertThat(AudioEncoder.pcmSha256(new int[] {1, -1}, 16)).isEqualTo(AudioEncoder.pcmSha256(new int[] {1, -1}, 16))
                .isNotEqualTo(AudioEncoder.pcmSha256(new int[] {-1, 1}, 16));
    }
}

package io.kiln.transform.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;

import io.kiln.embed.ModelLoadException;
import io.kiln.transform.Values;
import io.kiln.transform.audio.EnergyVad.Segment;

/**
 * Silero VAD v5 (the fixture {@code silero_vad.onnx}, from npm {@code @livekit/agents-plugin-silero@1.9.0})
 * on real speech (Asterisk's prompts, 8 kHz, resampled to 16 kHz), ALSA's noise and digital silence.
 * Measured (printed): agent-pass peaks at 1.000 and is one segment 0.000-3.285 s (the whole clip, with
 * the 100 ms padding); hello-world peaks at 0.999 and is 0.124-1.404 s of 1.404 s, the same at its own
 * 8 kHz; noise peaks at 0.033, silence at 0.009.
 */
class SileroVadTest {
    static final Path MODEL = Path.of("src/test/resources/audio/silero_vad.onnx");
    static final String MODEL_SHA256 = "1a153a22f4509e292a94e67d6f9b85e8deb25b4988682b7e174c65279d8788e3";
    private static final int RATE = 16_000;

    private final SileroVad vad = SileroVad.load(model(), SileroVad.Parameters.defaults());

    static byte[] model() {
        try {
            byte[] bytes = Files.readAllBytes(MODEL);
            assertThat(Values.sha256(ByteBuffer.wrap(bytes))).as("sha256 of %s", MODEL).isEqualTo(MODEL_SHA256);
            return bytes;
        }
        catch (IOException e) {
            throw new AssertionError("Cannot read the Silero VAD fixture " + MODEL, e);
        }
    }

    /** A test sound as 16 kHz mono, resampled by Kiln's own resampler as audio-normalize would. */
    private static float[] at16k(String name) throws Exception {
        MonoSignal signal = DecodedAudio.decode(AudioDecoderTest.read(name), 60).mono();
        return SincResampler.resample(signal.samples(), signal.sampleRate(), RATE);
    }

    private static float max(float[] values) {
        float max = 0;
        for (float value : values) {
            max = Math.max(max, value);
        }
        return max;
    }

    private static String seconds(List<Segment> segments, int rate) {
        return segments.stream().map(segment -> String.format(java.util.Locale.ROOT, "%.3f-%.3f", (double) segment.startSample() / rate, (double) segment.endSample() / rate)).toList().toString();
    }

    @Test
    void findsTheSpeechOfARealPrompt() throws Exception {
        float[] speech = at16k("agent-pass.wav");
        float[] probabilities = vad.probabilities(speech, RATE);
        List<Segment> segments = vad.segments(speech, RATE);
        System.out.printf("agent-pass: %d windows, max probability %.4f, segments %s%n", probabilities.length, max(probabilities), seconds(segments, RATE));

        assertThat(probabilities).hasSize((speech.length + 511) / 512);
        assertThat(segments).containsExactly(new Segment(0, speech.length));
    }

    @Test
    void findsTheSpeechOfAShortPrompt() throws Exception {
        float[] speech = at16k("hello-world.wav");
        float[] probabilities = vad.probabilities(speech, RATE);
        List<Segment> segments = vad.segments(speech, RATE);
        System.out.printf("hello-world: %d windows, max probability %.4f, segments %s%n", probabilities.length, max(probabilities), seconds(segments, RATE));

        assertThat(segments).hasSize(1);
        assertThat((double) segments.get(0).lengthSamples() / speech.length).isGreaterThan(0.7);
        assertThat(segments.get(0).endSample()).isEqualTo(speech.length);
    }

    @Test
    void scoresSpeechHighOnlyWithItsInputLayout() throws Exception {
        float[] speech = at16k("agent-pass.wav");
        assertThat(max(vad.probabilities(speech, RATE))).isGreaterThan(0.8f);
        // the same model fed the 512 new samples without the 64 of context runs without complaint and finds nothing
        assertThat(max(withoutContext(speech))).isLessThan(0.05f);
    }

    @Test
    void findsNoSpeechInNoise() throws Exception {
        float[] noise = at16k("noise-0.5s.wav");
        float[] probabilities = vad.probabilities(noise, RATE);
        System.out.printf("noise: max probability %.4f%n", max(probabilities));

        assertThat(max(probabilities)).isLessThan(0.2f);
        assertThat(vad.segments(noise, RATE)).isEmpty();
    }

    @Test
    void findsNoSpeechInSilence() {
        float[] silence = new float[2 * RATE];
        float[] probabilities = vad.probabilities(silence, RATE);
        System.out.printf("silence: max probability %.4f%n", max(probabilities));

        assertThat(max(probabilities)).isLessThan(0.2f);
        assertThat(vad.segments(silence, RATE)).isEmpty();
        assertThat(vad.probabilities(new float[0], RATE)).isEmpty();
        assertThat(vad.segments(new float[0], RATE)).isEmpty();
    }

    @Test
    void givesTheSameProbabilitiesOnEveryRunAndThread() throws Exception {
        float[] speech = at16k("agent-pass.wav");
        float[] first = vad.probabilities(speech, RATE);
        float[] second = vad.probabilities(speech, RATE);
        assertThat(second).containsExactly(first);

        SileroVad loadedAgain = SileroVad.load(model(), SileroVad.Parameters.defaults());
        List<CompletableFuture<float[]>> concurrent = List.of(
                CompletableFuture.supplyAsync(() -> vad.probabilities(speech, RATE)),
                CompletableFuture.supplyAsync(() -> loadedAgain.probabilities(speech, RATE)),
                CompletableFuture.supplyAsync(() -> vad.probabilities(speech, RATE)));
        for (CompletableFuture<float[]> run : concurrent) {
            assertThat(run.get()).containsExactly(first);
        }
    }

    @Test
    void readsEightKilohertzInItsOwnWindows() throws Exception {
        MonoSignal speech = DecodedAudio.decode(AudioDecoderTest.read("hello-world.wav"), 60).mono();
        assertThat(speech.sampleRate()).isEqualTo(8_000);
        float[] probabilities = vad.probabilities(speech.samples(), 8_000);
        List<Segment> segments = vad.segments(speech.samples(), 8_000);
        System.out.printf("hello-world at 8 kHz: max probability %.4f, segments %s%n", max(probabilities), seconds(segments, 8_000));

        assertThat(SileroVad.windowLength(8_000)).isEqualTo(256);
        assertThat(probabilities).hasSize((speech.samples().length + 255) / 256);
        assertThat(max(probabilities)).isGreaterThan(0.8f);
        assertThat(segments).hasSize(1);
        assertThat(segments.get(0).endSample()).isEqualTo(speech.samples().length);

        MonoSignal noise = DecodedAudio.decode(AudioDecoderTest.read("noise-0.5s.wav"), 60).mono();
        assertThat(vad.segments(SincResampler.resample(noise.samples(), noise.sampleRate(), 8_000), 8_000)).isEmpty();
    }

    @Test
    void cutsLongSpeechAtItsLeastSpeechLikeWindow() throws Exception {
        float[] speech = at16k("agent-pass.wav");
        SileroVad twoSeconds = SileroVad.load(model(), new SileroVad.Parameters(0.5, 250, 300, 100, 2_000));
        List<Segment> pieces = twoSeconds.segments(speech, RATE);
        System.out.printf("agent-pass in pieces of at most 2 s: %s%n", seconds(pieces, RATE));

        assertThat(pieces).hasSize(2);
        assertThat(pieces.get(0).startSample()).isZero();
        assertThat(pieces.get(0).endSample()).isEqualTo(pieces.get(1).startSample());
        assertThat(pieces.get(1).endSample()).isEqualTo(speech.length);
        assertThat(pieces).allSatisfy(piece -> assertThat(piece.lengthSamples()).isLessThanOrEqualTo(2 * RATE));
        float[] probabilities = twoSeconds.probabilities(speech, RATE);
        int cutWindow = (int) (pieces.get(0).endSample() / 512);
        assertThat(pieces.get(0).endSample() % 512).isZero();
        // the pause after "password" (about 1.6 s) is where the model is least sure of speech
        assertThat(probabilities[cutWindow]).isLessThan(0.5f);
    }

    @Test
    void raisingTheThresholdFindsLessSpeech() throws Exception {
        float[] speech = at16k("hello-world.wav");
        long atDefault = vad.segments(speech, RATE).stream().mapToLong(Segment::lengthSamples).sum();
        SileroVad strict = SileroVad.load(model(), SileroVad.Parameters.withThreshold(0.97, EnergyVad.Parameters.defaults()));
        long atStrict = strict.segments(speech, RATE).stream().mapToLong(Segment::lengthSamples).sum();

        assertThat(atStrict).isLessThan(atDefault);
        assertThat(strict.parameters().negativeThreshold()).isEqualTo(0.97 - 0.15);
        assertThat(SileroVad.Parameters.withThreshold(0.1, EnergyVad.Parameters.defaults()).negativeThreshold()).isEqualTo(0.01);
    }

    @Test
    void refusesOtherSampleRatesAndParameters() {
        assertThatThrownBy(() -> vad.probabilities(new float[1000], 44_100)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Silero VAD reads 16000 or 8000 Hz audio, not 44100 Hz");
        assertThatThrownBy(() -> SileroVad.Parameters.withThreshold(1.0, EnergyVad.Parameters.defaults())).hasMessage("threshold must be between 0.01 and 0.99, was 1.0");
        assertThatThrownBy(() -> new SileroVad.Parameters(0.5, 250, 300, 100, 32)).hasMessage("maxSegmentMilliseconds must be at least two windows = 64, was 32");
        assertThat(SileroVad.Parameters.defaults()).isEqualTo(new SileroVad.Parameters(0.5, 250, 300, 100, 30_000));
    }

    @Test
    void refusesAModelThatIsNotSileroV5() throws IOException {
        byte[] imageEncoder = Files.readAllBytes(Path.of("src/test/resources/embed/tiny-image-encoder.onnx"));
        assertThatThrownBy(() -> SileroVad.load(imageEncoder, SileroVad.Parameters.defaults())).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("is not Silero VAD v5: its inputs are");
        assertThatThrownBy(() -> SileroVad.load("not a model".getBytes(), SileroVad.Parameters.defaults())).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("not an ONNX model ONNX Runtime can run");
    }

    @Test
    void namesTheModelBySha256() {
        assertThat(vad.modelSha256()).isEqualTo(MODEL_SHA256);
    }

    /** The model run the wrong way: each window's 512 samples alone, as a [1, 512] input. */
    private static float[] withoutContext(float[] samples) throws Exception {
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        float[] probabilities = new float[samples.length / 512];
        try (OrtSession session = environment.createSession(model(), new OrtSession.SessionOptions());
                OnnxTensor rate = OnnxTensor.createTensor(environment, (long) RATE)) {
            float[] state = new float[256];
            for (int index = 0; index < probabilities.length; index++) {
                float[] window = java.util.Arrays.copyOfRange(samples, index * 512, index * 512 + 512);
                try (OnnxTensor input = OnnxTensor.createTensor(environment, FloatBuffer.wrap(window), new long[] {1, 512});
                        OnnxTensor recurrent = OnnxTensor.createTensor(environment, FloatBuffer.wrap(state), new long[] {2, 1, 128});
                        OrtSession.Result result = session.run(Map.of("input", input, "state", recurrent, "sr", rate))) {
                    probabilities[index] = ((OnnxTensor) result.get("output").orElseThrow()).getFloatBuffer().get(0);
                    ((OnnxTensor) result.get("stateN").orElseThrow()).getFloatBuffer().get(state);
                }
            }
        }
        return probabilities;
    }
}

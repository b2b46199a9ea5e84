package io.kiln.transform.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.kiln.transform.InvalidStepParameterException;
import io.kiln.transform.Outcome;
import io.kiln.transform.Row;
import io.kiln.transform.StepRegistry;
import io.kiln.transform.Transform;
import io.kiln.transform.Values;

class AudioStepsTest {
    private static Transform step(String name, Map<String, Object> parameters) {
        return StepRegistry.defaultRegistry().find(name).orElseThrow().bind(parameters);
    }

    private static Row row(String id, byte[] bytes) {
        return new Row(id, Map.of("audio", ByteBuffer.wrap(bytes).asReadOnlyBuffer()));
    }

    private static Row emitted(Outcome outcome) {
        assertThat(outcome).isInstanceOf(Outcome.Emit.class);
        List<Row> rows = ((Outcome.Emit) outcome).rows();
        assertThat(rows).hasSize(1);
        return rows.get(0);
    }

    private static byte[] audio(Row row) {
        return Values.bytes((ByteBuffer) row.value("audio").orElseThrow());
    }

    private static Outcome.Drop dropped(Outcome outcome) {
        assertThat(outcome).isInstanceOf(Outcome.Drop.class);
        return (Outcome.Drop) outcome;
    }

    @Test
    void normalizeStoresMono16kFlacAtTheLoudnessTarget() throws Exception {
        Row row = emitted(step("audio-normalize", Map.of()).apply(row("agent-pass", AudioDecoderTest.read("agent-pass.wav"))));

        assertThat(row.value("codec")).contains("wav");
        assertThat(row.value("original_sample_rate")).contains(8000);
        assertThat(row.value("sample_rate")).contains(16000);
        assertThat(row.value("channels")).contains(1);
        assertThat(row.value("stored_format")).contains("flac");
        assertThat((double) row.value("duration_s").orElseThrow()).isEqualTo(52560 / 16000.0);
        DecodedAudio stored = DecodedAudio.decode(audio(row), 60);
        assertThat(stored.info()).isEqualTo(new AudioDecoder.Info("flac", 16000, 1, 16));
        assertThat(stored.frames()).isEqualTo(52560);
        assertThat(row.value("pcm_sha256")).contains(AudioEncoder.pcmSha256(AudioEncoder.quantize(stored.samples(), stored.samples().length, 16), 16));
        LoudnessMeter meter = new LoudnessMeter(16000, 1);
        meter.accept(stored.samples(), 0, stored.frames());
        double gain = (double) row.value("gain_db").orElseThrow();
        if (gain == -23 - (double) row.value("loudness_lufs").orElseThrow()) {
            assertThat(meter.integratedLoudness()).isCloseTo(-23, within(0.05));
        }
        else {
            assertThat(meter.truePeakDbtp()).as("limited by the peak ceiling").isLessThanOrEqualTo(-1 + 0.05);
        }
        assertThat((double) row.value("snr_db").orElseThrow()).isGreaterThan(20);
        assertThat((double) row.value("bandwidth_hz").orElseThrow()).as("8 kHz speech upsampled").isLessThanOrEqualTo(4000);
    }

    @Test
    void normalizeIsTheSameBytesEveryTimeAndKeepsChannelsWhenAsked() throws Exception {
        Transform normalize = step("audio-normalize", Map.of("channels", "keep", "sampleRate", 22050, "encode", "wav", "bits", 24));
        byte[] bell = AudioDecoderTest.read("bell.oga");
        Row first = emitted(normalize.apply(row("bell", bell)));
        Row second = emitted(normalize.apply(row("bell", bell)));
        assertThat(audio(first)).isEqualTo(audio(second));
        DecodedAudio stored = DecodedAudio.decode(audio(first), 60);
        assertThat(stored.info()).isEqualTo(new AudioDecoder.Info("wav", 22050, 2, 24));
        assertThat(stored.frames()).isEqualTo((int) SincResampler.outputLength(6151, 44100, 22050));
        assertThat(first.value("codec")).contains("vorbis");
    }

    @Test
    void badSoundsAndFilteredOnesAreRejectsWithReasons() throws Exception {
        Transform normalize = step("audio-normalize", Map.of("maxSeconds", 2));
        byte[] wav = AudioDecoderTest.read("agent-pass.wav");
        assertThat(dropped(normalize.apply(row("long", wav))).reason()).isEqualTo("too-long");
        assertThat(dropped(normalize.apply(row("cut", java.util.Arrays.copyOf(wav, 9000)))).reason()).isEqualTo("truncated-audio");
        assertThat(dropped(normalize.apply(row("junk", "not audio".getBytes()))).reason()).isEqualTo("unsupported-audio");
        Outcome.Drop noisy = dropped(step("audio-normalize", Map.of("minSnrDb", 10)).apply(row("noise", AudioDecoderTest.read("noise-0.5s.wav"))));
        assertThat(noisy.reason()).isEqualTo("low-snr");
        assertThat(noisy.detail()).contains("below minSnrDb 10");
        assertThat(dropped(step("audio-normalize", Map.of("minSeconds", 5)).apply(row("short", wav))).reason()).isEqualTo("too-short");
        assertThat(emitted(normalize.apply(new Row("none", Map.of()))).columns()).isEmpty();
    }

    @Test
    void aLongRecordingIsSplitIntoPiecesThatAddUpToIt() throws Exception {
        Outcome outcome = step("audio-normalize", Map.of("maxSeconds", 1, "onTooLong", "split")).apply(row("agent-pass", AudioDecoderTest.read("agent-pass.wav")));
        List<Row> pieces = ((Outcome.Emit) outcome).rows();
        assertThat(pieces).extracting(Row::id).containsExactly("agent-pass#0", "agent-pass#1", "agent-pass#2", "agent-pass#3");
        assertThat(pieces).extracting(piece -> piece.value("chunk_index").orElseThrow()).containsExactly(0, 1, 2, 3);
        assertThat(pieces).allSatisfy(piece -> assertThat(piece.value("parent_id")).contains("agent-pass"));
        assertThat(pieces).extracting(piece -> piece.value("start_s").orElseThrow()).containsExactly(0.0, 1.0, 2.0, 3.0);
        double total = pieces.stream().mapToDouble(piece -> (double) piece.value("duration_s").orElseThrow()).sum();
        assertThat(total).isCloseTo(52560 / 16000.0, within(1e-9));
    }

    @Test
    void parametersAreCheckedWhenTheStepIsBound() {
        assertThatThrownBy(() -> step("audio-normalize", Map.of("bits", 20))).isInstanceOfSatisfying(InvalidStepParameterException.class,
                e -> assertThat(e.parameter()).isEqualTo("bits"));
        assertThatThrownBy(() -> step("audio-normalize", Map.of("onTooLong", "split", "minSnrDb", 3))).isInstanceOfSatisfying(InvalidStepParameterException.class,
                e -> assertThat(e.parameter()).isEqualTo("minSnrDb"));
        assertThatThrownBy(() -> step("audio-features", Map.of("features", List.of("mfcc")))).isInstanceOfSatisfying(InvalidStepParameterException.class,
                e -> assertThat(e.getMessage()).contains("unknown feature mfcc"));
        assertThatThrownBy(() -> step("audio-features", Map.of("fmin", 5000, "fmax", 4000))).isInstanceOf(InvalidStepParameterException.class);
    }

    @Test
    void featuresAreALogMelSpectrogramRmsAndEnvelopeWithTheirShape() throws Exception {
        Row normalized = emitted(step("audio-normalize", Map.of()).apply(row("agent-pass", AudioDecoderTest.read("agent-pass.wav"))));
        Transform features = step("audio-features", Map.of("nMels", 64));
        Row row = emitted(features.apply(normalized));
        int frames = LogMelSpectrogram.frameCount(52560, 400, 160);
        assertThat(row.value("log_mel_frames")).contains(frames);
        assertThat((float[]) row.value("log_mel").orElseThrow()).hasSize(frames * 64);
        assertThat((float[]) row.value("rms").orElseThrow()).hasSize(new FrameFeatures(400, 160).frameCount(52560));
        assertThat((float[]) row.value("envelope").orElseThrow()).hasSize(new FrameFeatures(400, 160).frameCount(52560));
        assertThat(features.tableProperties()).containsEntry("kiln.column.log_mel.shape", "[log_mel_frames, 64]");

        Row original = row("agent-pass", AudioDecoderTest.read("agent-pass.wav"));
        assertThat(dropped(features.apply(original)).reason()).isEqualTo("wrong-sample-rate");
    }

    @Test
    void segmentsFindSpeechInSpeechAndNoneInNoise() throws Exception {
        Transform segments = step("audio-segments", Map.of());
        Row speech = emitted(segments.apply(row("agent-pass", AudioDecoderTest.read("agent-pass.wav"))));
        assertThat((float[]) speech.value("speech_starts_s").orElseThrow()).isNotEmpty();
        assertThat((double) speech.value("speech_ratio").orElseThrow()).isGreaterThan(0.5);
        Row noise = emitted(segments.apply(row("noise", AudioDecoderTest.read("noise-0.5s.wav"))));
        assertThat((float[]) noise.value("speech_starts_s").orElseThrow()).isEmpty();
        assertThat(dropped(step("audio-segments", Map.of("requireSpeech", true)).apply(row("noise", AudioDecoderTest.read("noise-0.5s.wav")))).reason())
                .isEqualTo("no-speech");
    }

    @Test
    void splitSegmentsAreRowsOfTheirOwnAudio() throws Exception {
        Outcome outcome = step("audio-segments", Map.of("split", true, "minSilenceMs", 100)).apply(row("agent-pass", AudioDecoderTest.read("agent-pass.flac")));
        List<Row> rows = ((Outcome.Emit) outcome).rows();
        assertThat(rows).isNotEmpty();
        for (int i = 0; i < rows.size(); i++) {
            Row piece = rows.get(i);
            assertThat(piece.id()).isEqualTo("agent-pass#" + i);
            DecodedAudio audio = DecodedAudio.decode(audio(piece), 60);
            assertThat(audio.info().codec()).isEqualTo("flac");
            float[] starts = (float[]) piece.value("speech_starts_s").orElseThrow();
            float[] ends = (float[]) piece.value("speech_ends_s").orElseThrow();
            assertThat((double) audio.frames() / 8000).isCloseTo(ends[i] - starts[i], within(1e-3));
        }
    }

    @Test
    void segmentsWithSileroFindSpeechInSixteenKilohertzAudio() throws Exception {
        Transform silero = step("audio-segments", Map.of("vad", "silero", "modelPath", SileroVadTest.MODEL.toString(), "modelSha256", SileroVadTest.MODEL_SHA256));
        Row normalized = emitted(step("audio-normalize", Map.of("sampleRate", 16000)).apply(row("agent-pass", AudioDecoderTest.read("agent-pass.wav"))));
        Row speech = emitted(silero.apply(normalized));
        assertThat((float[]) speech.value("speech_starts_s").orElseThrow()).containsExactly(0f);
        assertThat((float[]) speech.value("speech_ends_s").orElseThrow()).containsExactly(3.285f);
        assertThat(silero.fingerprint()).containsEntry("model-sha256", SileroVadTest.MODEL_SHA256)
                .containsEntry("kiln.vad-model", "silero-vad@sha256:" + SileroVadTest.MODEL_SHA256);
        assertThat(step("audio-segments", Map.of()).fingerprint()).isEmpty();
    }

    @Test
    void segmentsWithSileroRejectAudioAtAnotherRate() throws Exception {
        Transform silero = step("audio-segments", Map.of("vad", "silero", "modelPath", SileroVadTest.MODEL.toString()));
        Outcome.Drop drop = dropped(silero.apply(row("agent-pass", AudioDecoderTest.read("agent-pass.wav"))));
        assertThat(drop.reason()).isEqualTo("wrong-sample-rate");
        assertThat(drop.detail()).isEqualTo("the audio is at 8000 Hz, Silero VAD reads 16000 Hz: run audio-normalize with sampleRate 16000 first");
    }

    @Test
    void segmentsWithSileroAreRefusedWithoutTheirModel() {
        String model = SileroVadTest.MODEL.toString();
        assertThatThrownBy(() -> step("audio-segments", Map.of("vad", "silero"))).isInstanceOfSatisfying(InvalidStepParameterException.class,
                e -> assertThat(e.parameter()).isEqualTo("modelPath")).hasMessage("is required with vad: silero: the Silero VAD v5 .onnx file");
        assertThatThrownBy(() -> step("audio-segments", Map.of("vad", "silero", "modelPath", "src/test/resources/audio/missing.onnx")))
                .isInstanceOfSatisfying(InvalidStepParameterException.class, e -> assertThat(e.parameter()).isEqualTo("modelPath"))
                .hasMessage("the model file src/test/resources/audio/missing.onnx does not exist or cannot be read");
        assertThatThrownBy(() -> step("audio-segments", Map.of("vad", "silero", "modelPath", model, "modelSha256", "00" + SileroVadTest.MODEL_SHA256.substring(2))))
                .isInstanceOfSatisfying(InvalidStepParameterException.class, e -> assertThat(e.parameter()).isEqualTo("modelSha256"))
                .hasMessage("the model file's sha256 is " + SileroVadTest.MODEL_SHA256 + ", not the pinned 00" + SileroVadTest.MODEL_SHA256.substring(2));
        assertThatThrownBy(() -> step("audio-segments", Map.of("vad", "silero", "modelPath", "src/test/resources/embed/tiny-image-encoder.onnx")))
                .isInstanceOfSatisfying(InvalidStepParameterException.class, e -> assertThat(e.parameter()).isEqualTo("modelPath"))
                .hasMessageContaining("is not Silero VAD v5");
        assertThatThrownBy(() -> step("audio-segments", Map.of("vad", "silero", "modelPath", model, "threshold", 1.5)))
                .isInstanceOfSatisfying(InvalidStepParameterException.class, e -> assertThat(e.parameter()).isEqualTo("threshold"));
        assertThatThrownBy(() -> step("audio-segments", Map.of("threshold", 0.6)))
                .isInstanceOfSatisfying(InvalidStepParameterException.class, e -> assertThat(e.parameter()).isEqualTo("threshold"))
                .hasMessage("applies only with vad: silero");
        assertThatThrownBy(() -> step("audio-segments", Map.of("vad", "webrtc")))
                .isInstanceOfSatisfying(InvalidStepParameterException.class, e -> assertThat(e.parameter()).isEqualTo("vad"))
                .hasMessage("must be one of energy, silero, was webrtc");
    }
}

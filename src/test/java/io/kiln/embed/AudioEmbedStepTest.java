package io.kiln.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.kiln.transform.BatchTransform;
import io.kiln.transform.InvalidStepParameterException;
import io.kiln.transform.Outcome;
import io.kiln.transform.Row;
import io.kiln.transform.StepRegistry;
import io.kiln.transform.Values;
import io.kiln.transform.audio.AudioEncoder;
import io.kiln.transform.audio.DecodedAudio;
import io.kiln.transform.audio.LogMelSpectrogram;

/**
 * The fixtures are two tiny encoders whose weights are exact formulas (make_tiny_audio_encoder.py),
 * so the expected vectors are computed here in plain Java from the same features.
 */
class AudioEmbedStepTest {
    private static final String LOG_MEL_MODEL = "src/test/resources/embed/tiny-audio-encoder-log-mel.onnx";
    private static final String LOG_MEL_SHA256 = "6e92fd4b9a93bbbf6cf27eff193cce81d0ced582a73191103cdeee39e0063ee0";
    private static final String WAVEFORM_MODEL = "src/test/resources/embed/tiny-audio-encoder-waveform.onnx";
    private static final String WAVEFORM_SHA256 = "1226192c5e750fcc0ba8c72cc0704e16215ff6feef69d37a89bb8e78f8d6388d";

    /** agent-pass.wav (8 kHz speech, 3.285 s) through audio-normalize: 16 kHz mono FLAC. */
    private static byte[] speech;
    private static byte[] hello;
    private static byte[] noise;

    @BeforeAll
    static void normalizeTheFixtures() throws Exception {
        speech = normalized("agent-pass.wav");
        hello = normalized("hello-world.wav");
        noise = normalized("noise-0.5s.wav");
    }

    private static byte[] normalized(String file) throws Exception {
        Row original = row(file, Files.readAllBytes(Path.of("src/test/resources/audio", file)));
        Outcome outcome = StepRegistry.defaultRegistry().find("audio-normalize").orElseThrow().bind(Map.of()).apply(original);
        return Values.bytes((ByteBuffer) ((Outcome.Emit) outcome).row().value("audio").orElseThrow());
    }

    private static BatchTransform bind(Map<String, Object> parameters) {
        return (BatchTransform) StepRegistry.defaultRegistry().find("embed-audio").orElseThrow().bind(parameters);
    }

    private static Map<String, Object> parameters(Object... pairs) {
        Map<String, Object> parameters = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            parameters.put((String) pairs[i], pairs[i + 1]);
        }
        return parameters;
    }

    private static Row row(String id, byte[] bytes) {
        return new Row(id, Map.of("audio", ByteBuffer.wrap(bytes).asReadOnlyBuffer()));
    }

    private static float[] vector(Outcome outcome) {
        assertThat(outcome).isInstanceOf(Outcome.Emit.class);
        return (float[]) ((Outcome.Emit) outcome).row().value("audio_embedding").orElseThrow();
    }

    private static float[] embed(BatchTransform step, byte[] audio) {
        return vector(step.apply(row("clip", audio)));
    }

    private static float[] samples(byte[] audio) throws Exception {
        return DecodedAudio.decode(audio, 600).mono().samples();
    }

    /** A 16 kHz 16-bit WAV of {@code samples}, which are 16-bit values already (so nothing is rounded). */
    private static byte[] wav(float[] samples) {
        return AudioEncoder.encode(AudioEncoder.quantize(samples, samples.length, 16), 1, 16000, 16, AudioEncoder.Format.WAV);
    }

    /** The log-mel fixture by hand: the mean over frames of each band, times W, plus b. */
    private static double[] logMelReference(float[] clip, int samples) {
        LogMelSpectrogram.Spectrogram spectrogram = LogMelSpectrogram.withDefaults(16000).compute(Arrays.copyOf(clip, samples));
        double[] out = new double[16];
        for (int d = 0; d < 16; d++) {
            out[d] = (d - 8) / 16.0;
        }
        for (int m = 0; m < 80; m++) {
            double sum = 0;
            for (int f = 0; f < spectrogram.frames(); f++) {
                sum += spectrogram.value(f, m);
            }
            double mean = sum / spectrogram.frames();
            for (int d = 0; d < 16; d++) {
                out[d] += mean * (Math.floorMod(7 * m + 13 * d, 17) - 8) / 8.0;
            }
        }
        return out;
    }

    /** The waveform fixture by hand: 80 frames of 400 samples, the mean absolute value at each offset, times V. */
    private static double[] waveformReference(float[] clip) {
        float[] fixed = Arrays.copyOf(clip, 32000);
        double[] out = new double[16];
        for (int k = 0; k < 400; k++) {
            double sum = 0;
            for (int frame = 0; frame < 80; frame++) {
                sum += Math.abs(fixed[frame * 400 + k]);
            }
            for (int d = 0; d < 16; d++) {
                out[d] += sum / 80 * (Math.floorMod(5 * k + 11 * d, 19) - 9) / 8.0;
            }
        }
        return out;
    }

    private static double[] unit(double[] vector) {
        double norm = Math.sqrt(Arrays.stream(vector).map(value -> value * value).sum());
        return Arrays.stream(vector).map(value -> value / norm).toArray();
    }

    private static void assertCloseTo(float[] actual, double[] expected, double tolerance) {
        assertThat(actual).hasSize(expected.length);
        for (int i = 0; i < expected.length; i++) {
            assertThat((double) actual[i]).as("component %d", i).isCloseTo(expected[i], within(tolerance));
        }
    }

    @Test
    void embedsTheLogMelSpectrogramOfTheClipPaddedToTenSeconds() throws Exception {
        BatchTransform step = bind(parameters("modelPath", LOG_MEL_MODEL, "modelSha256", LOG_MEL_SHA256));
        BatchTransform raw = bind(parameters("modelPath", LOG_MEL_MODEL, "normalize", false));
        double[] reference = logMelReference(samples(speech), 160_000);

        assertCloseTo(embed(step, speech), unit(reference), 1e-5);
        double norm = Math.sqrt(Arrays.stream(reference).map(value -> value * value).sum());
        assertCloseTo(embed(raw, speech), reference, 1e-5 * norm);
        assertThat(step.columns()).singleElement().satisfies(column -> {
            assertThat(column.name()).isEqualTo("audio_embedding");
            assertThat(column.type().spec()).isEqualTo("list<float>");
        });
        assertThat(step.tableProperties()).containsEntry("kiln.column.audio_embedding.dimension", "16")
                .containsEntry("kiln.column.audio_embedding.model", "tiny-audio-encoder-log-mel.onnx");
        assertThat(step.fingerprint()).containsEntry("model-sha256", LOG_MEL_SHA256)
                .containsEntry("kiln.audio-embedding-model", "tiny-audio-encoder-log-mel.onnx@sha256:" + LOG_MEL_SHA256)
                .hasEntrySatisfying("preprocess", preprocess -> assertThat(preprocess).contains("log_mel", "samples=160000", "mels=80", "frames=998"));
    }

    @Test
    void embedsTheWaveformCutToTheModelsTwoSeconds() throws Exception {
        BatchTransform step = bind(parameters("modelPath", WAVEFORM_MODEL, "modelSha256", WAVEFORM_SHA256, "input", "waveform", "seconds", 2));

        assertCloseTo(embed(step, speech), unit(waveformReference(samples(speech))), 1e-5);
        assertCloseTo(embed(step, noise), unit(waveformReference(samples(noise))), 1e-5);
    }

    @Test
    void givesTheSameVectorForTheSameBytesWhateverTheBatch() throws Exception {
        List<Row> rows = new ArrayList<>();
        byte[][] clips = {speech, hello, noise, wav(Arrays.copyOf(samples(speech), 80_000)), speech, hello, noise, speech, hello};
        for (int i = 0; i < clips.length; i++) {
            rows.add(row("clip-" + i, clips[i]));
        }
        Row silent = new Row("no-audio", Map.of("other", 1));
        rows.add(4, silent);
        for (String model : List.of(LOG_MEL_MODEL, WAVEFORM_MODEL)) {
            Map<String, Object> common = model.equals(LOG_MEL_MODEL) ? Map.of() : Map.of("input", "waveform", "seconds", 2);
            Map<String, Object> one = new HashMap<>(common);
            one.putAll(Map.of("modelPath", model, "maxBatchSize", 1));
            Map<String, Object> eight = new HashMap<>(common);
            eight.putAll(Map.of("modelPath", model, "maxBatchSize", 8));
            List<Outcome> single = bind(one).applyAll(rows);
            List<Outcome> batched = bind(eight).applyAll(rows);

            assertThat(single.get(4)).isEqualTo(Outcome.emit(silent));
            assertThat(batched.get(4)).isEqualTo(Outcome.emit(silent));
            List<Integer> withAudio = List.of(0, 1, 2, 3, 5, 6, 7, 8, 9);
            for (int i : withAudio) {
                assertThat(vector(batched.get(i))).as("%s row %d", model, i).containsExactly(vector(single.get(i)));
            }
            // the same bytes twice: the same bits; other sounds: other vectors
            assertThat(vector(single.get(5))).containsExactly(vector(single.get(0)));
            assertThat(vector(single.get(9))).containsExactly(vector(single.get(1)));
            assertThat(vector(single.get(0))).isNotEqualTo(vector(single.get(1))).isNotEqualTo(vector(single.get(2)));
        }
    }

    @Test
    void padsShortClipsWithZerosAndCutsLongOnesAtSeconds() throws Exception {
        float[] clip = samples(speech);
        assertThat(clip).hasSize(52_560);
        BatchTransform tenSeconds = bind(parameters("modelPath", LOG_MEL_MODEL));
        BatchTransform twoSeconds = bind(parameters("modelPath", LOG_MEL_MODEL, "seconds", 2));

        // shorter: as if the clip had been followed by silence up to 10 s
        assertThat(embed(tenSeconds, speech)).containsExactly(embed(tenSeconds, wav(Arrays.copyOf(clip, 160_000))));
        // longer: the part past 10 s is not seen
        float[] twelveSeconds = Arrays.copyOf(clip, 192_000);
        Arrays.fill(twelveSeconds, 170_000, 192_000, 0.5f);
        assertThat(embed(tenSeconds, wav(twelveSeconds))).containsExactly(embed(tenSeconds, speech));
        assertThat(embed(twoSeconds, speech)).containsExactly(embed(twoSeconds, wav(Arrays.copyOf(clip, 32_000))));
        assertCloseTo(embed(twoSeconds, speech), unit(logMelReference(clip, 32_000)), 1e-5);
        // the padding is part of the input: the same speech gives another vector at another length
        assertThat(embed(twoSeconds, speech)).isNotEqualTo(embed(tenSeconds, speech));
    }

    @Test
    void refusesAModelWhoseSha256IsNotThePinnedOne() {
        assertThatThrownBy(() -> bind(parameters("modelPath", LOG_MEL_MODEL, "modelSha256", WAVEFORM_SHA256)))
                .isInstanceOfSatisfying(InvalidStepParameterException.class, e -> assertThat(e.parameter()).isEqualTo("modelSha256"))
                .hasMessage("the model file's sha256 is " + LOG_MEL_SHA256 + ", not the pinned " + WAVEFORM_SHA256);
    }

    @Test
    void refusesAModelWhoseInputDoesNotTakeTheChosenInput() {
        assertThatThrownBy(() -> bind(parameters("modelPath", WAVEFORM_MODEL)))
                .isInstanceOfSatisfying(InvalidStepParameterException.class, e -> assertThat(e.parameter()).isEqualTo("input"))
                .hasMessage("the model's first input input_values takes [N, 32000] (rank 2), but input log_mel gives it [N, nMels, frames]: use input waveform");
        assertThatThrownBy(() -> bind(parameters("modelPath", LOG_MEL_MODEL, "input", "waveform")))
                .isInstanceOfSatisfying(InvalidStepParameterException.class, e -> assertThat(e.parameter()).isEqualTo("input"))
                .hasMessage("the model's first input input_features takes [N, 80, ?] (rank 3), but input waveform gives it [N, samples]: use input log_mel");
        assertThatThrownBy(() -> bind(parameters("modelPath", WAVEFORM_MODEL, "input", "waveform")))
                .isInstanceOfSatisfying(InvalidStepParameterException.class, e -> assertThat(e.parameter()).isEqualTo("seconds"))
                .hasMessage("the model's first input input_values takes [N, 32000], but the step gives it [N, samples] = [N, 160000]: at sampleRate 16000 "
                        + "the model takes 2.0 s of audio; set seconds to that");
        assertThatThrownBy(() -> bind(parameters("modelPath", LOG_MEL_MODEL, "nMels", 64)))
                .isInstanceOfSatisfying(InvalidStepParameterException.class, e -> assertThat(e.parameter()).isEqualTo("nMels"))
                .hasMessage("the model's first input input_features takes [N, 80, ?], but the step gives it [N, nMels, frames] = [N, 64, 998]: set nMels to 80");
        assertThatThrownBy(() -> bind(parameters("modelPath", "src/test/resources/embed/tiny-image-encoder.onnx")))
                .isInstanceOfSatisfying(InvalidStepParameterException.class, e -> assertThat(e.parameter()).isEqualTo("input"))
                .hasMessage("the model's first input pixel_values takes [N, 3, 32, 32] (rank 4), but input log_mel gives it [N, nMels, frames]");
        assertThatThrownBy(() -> bind(parameters("modelPath", "src/test/resources/audio/agent-pass.wav")))
                .isInstanceOfSatisfying(InvalidStepParameterException.class, e -> assertThat(e.parameter()).isEqualTo("modelPath"))
                .hasMessageStartingWith("the file is not an ONNX model that ONNX Runtime can load");
        assertThatThrownBy(() -> bind(parameters("modelPath", WAVEFORM_MODEL, "input", "waveform", "seconds", 2, "hopMs", 20)))
                .isInstanceOfSatisfying(InvalidStepParameterException.class, e -> assertThat(e.parameter()).isEqualTo("hopMs"))
                .hasMessage("applies to input log_mel only; this step has input waveform");
        assertThatThrownBy(() -> bind(parameters("modelPath", LOG_MEL_MODEL, "input", "mfcc")))
                .isInstanceOfSatisfying(InvalidStepParameterException.class, e -> assertThat(e.parameter()).isEqualTo("input"))
                .hasMessage("must be one of log_mel, waveform, was mfcc");
        assertThatThrownBy(() -> bind(parameters()))
                .isInstanceOfSatisfying(InvalidStepParameterException.class, e -> assertThat(e.parameter()).isEqualTo("modelPath"))
                .hasMessage("is required: the .onnx file of the audio encoder");
    }

    @Test
    void dropsAudioThatDoesNotDecodeOrIsAtAnotherRate() throws Exception {
        BatchTransform step = bind(parameters("modelPath", LOG_MEL_MODEL));
        byte[] corrupt = Arrays.copyOf(Files.readAllBytes(Path.of("src/test/resources/audio/bell.oga")), 40);
        byte[] eightKilohertz = Files.readAllBytes(Path.of("src/test/resources/audio/agent-pass.wav"));

        List<Outcome> outcomes = step.applyAll(List.of(row("corrupt", corrupt), row("speech", speech), row("8k", eightKilohertz), row("text", "not audio".getBytes()),
                row("truncated", Arrays.copyOf(speech, speech.length / 2))));

        assertThat(outcomes.get(0)).isInstanceOfSatisfying(Outcome.Drop.class, drop -> assertThat(drop.reason()).isEqualTo("corrupt-audio"));
        assertThat(vector(outcomes.get(1))).hasSize(16);
        assertThat(outcomes.get(2)).isInstanceOfSatisfying(Outcome.Drop.class, drop -> {
            assertThat(drop.reason()).isEqualTo("wrong-sample-rate");
            assertThat(drop.detail()).isEqualTo("the audio is at 8000 Hz, the model takes 16000 Hz: run audio-normalize with sampleRate 16000 first");
        });
        assertThat(outcomes.get(3)).isInstanceOfSatisfying(Outcome.Drop.class, drop -> assertThat(drop.reason()).isEqualTo("unsupported-audio"));
        assertThat(outcomes.get(4)).isInstanceOfSatisfying(Outcome.Drop.class, drop -> assertThat(drop.reason()).isEqualTo("truncated-audio"));
    }
}

package io.kiln.embed;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;

import io.kiln.transform.BatchTransform;
import io.kiln.transform.Column;
import io.kiln.transform.DataType;
import io.kiln.transform.InvalidStepParameterException;
import io.kiln.transform.Outcome;
import io.kiln.transform.Row;
import io.kiln.transform.StepDefinition;
import io.kiln.transform.StepId;
import io.kiln.transform.StepParameters;
import io.kiln.transform.Transform;
import io.kiln.transform.audio.AudioRejection;
import io.kiln.transform.audio.DecodedAudio;
import io.kiln.transform.audio.LogMelSpectrogram;
import io.kiln.transform.audio.MonoSignal;

/**
 * {@code embed-audio}: runs an audio encoder given as an {@code .onnx} file (a CLAP or Whisper-style
 * audio tower exported with a pooled output) on the sounds of a binary column and sets a
 * {@code list<float>} column. Run {@code audio-normalize} first: the step reads the canonical clips
 * it stores and takes them at one rate.
 *
 * <p>Parameters: {@code modelPath} (required, under the source roots), {@code modelSha256} (optional:
 * the job is refused when the file's hash differs), {@code input} ({@code log_mel} (default) or
 * {@code waveform}: what the model's first input takes), {@code sampleRate} (16000: a row at another
 * rate is a {@code wrong-sample-rate} reject), {@code seconds} (10, at most 120: the fixed clip length
 * the model takes), {@code nMels} (80), {@code windowMs} (25) and {@code hopMs} (10) (for {@code log_mel} only),
 * {@code normalize} (L2-normalize the output, default true), {@code inputColumn} ({@code audio}),
 * {@code column} ({@code audio_embedding}), {@code maxBatchSize} (16), {@code maxSeconds} (600: longer
 * sounds are {@code too-long} rejects, and are not decoded past that).
 *
 * <p>Every clip is decoded, downmixed to mono and made exactly {@code round(seconds * sampleRate)}
 * samples long: a shorter clip is padded with zeros at its end, a longer one is cut there and the
 * rest is not seen by the model. Fixed length keeps every batch one tensor, even for a model whose
 * time axis is dynamic. {@code waveform} gives the model {@code [N, samples]}; {@code log_mel} gives
 * it {@code [N, nMels, frames]} (Whisper's and CLAP's layout), the {@link LogMelSpectrogram} of
 * the fixed-length clip (log10 of the Slaney mel power, not centred, so {@code frames = 1 + (samples
 * - window) / hop}) transposed to band-major. The model's first input must be a float tensor of that
 * rank whose static sizes, where it declares them, are those; the job is refused otherwise, naming
 * the parameter to change. The first output, {@code [N, D]} (or {@code [N, D, 1, ...]}), is the vector;
 * its dimension is in the table properties.
 *
 * <p>It runs in the ONNX Runtime session setup the other embedders use (CUDA when present, else CPU);
 * the model's sha256 goes into the recipe. A row whose audio does not decode is dropped with the
 * decoder's reason ({@code corrupt-audio}, {@code truncated-audio}, {@code unsupported-audio},
 * {@code too-long}); a row without audio is passed on. Thread-safe; batches change speed only.
 */
public final class AudioEmbedStep implements StepDefinition {
    public static final String NAME = "embed-audio";
    private static final StepId ID = new StepId(NAME, 1);
    private static final Set<String> LOG_MEL_ONLY = Set.of("nMels", "windowMs", "hopMs");
    private static final Map<String, Encoder> ENCODERS = new ConcurrentHashMap<>();

    enum Input { WAVEFORM, LOG_MEL }

    @Override
    public StepId id() {
        return ID;
    }

    @Override
    public Transform bind(Map<String, Object> parameters) {
        StepParameters.requireOnly(parameters, Set.of("modelPath", "modelSha256", "input", "sampleRate", "seconds", "nMels", "windowMs", "hopMs", "normalize",
                "inputColumn", "column", "maxBatchSize", "maxSeconds"));
        StepParameters.ModelFile model = StepParameters.modelFile(parameters, ": the .onnx file of the audio encoder");
        Input input = Input.valueOf(StepParameters.oneOf(parameters, "input", "log_mel", Set.of("log_mel", "waveform")).toUpperCase(Locale.ROOT));
        int sampleRate = StepParameters.integer(parameters, "sampleRate", 16000, 8000, 192_000);
        double seconds = StepParameters.number(parameters, "seconds", 10, 0.1, 120);
        int samples = (int) Math.round(seconds * sampleRate);
        LogMelSpectrogram logMel = null;
        if (input == Input.LOG_MEL) {
            int mels = StepParameters.integer(parameters, "nMels", 80, 1, 512);
            int windowMs = StepParameters.integer(parameters, "windowMs", 25, 1, 1000);
            int hopMs = StepParameters.integer(parameters, "hopMs", 10, 1, 1000);
            try {
                logMel = new LogMelSpectrogram(LogMelSpectrogram.Parameters.defaults(sampleRate).withMels(mels)
                        .withWindow(sampleRate * windowMs / 1000, sampleRate * hopMs / 1000));
            }
            catch (IllegalArgumentException e) {
                throw new InvalidStepParameterException(e.getMessage().startsWith("mels") ? "nMels" : "windowMs", e.getMessage());
            }
        }
        else {
            for (String name : LOG_MEL_ONLY.stream().sorted().toList()) {
                if (parameters.get(name) != null) {
                    throw new InvalidStepParameterException(name, "applies to input log_mel only; this step has input waveform");
                }
            }
        }
        boolean normalize = StepParameters.flag(parameters, "normalize", true);
        String inputColumn = StepParameters.column(parameters, "inputColumn", "audio");
        String column = StepParameters.column(parameters, "column", "audio_embedding");
        int maxBatchSize = StepParameters.integer(parameters, "maxBatchSize", 16, 1, 4096);
        double maxSeconds = StepParameters.number(parameters, "maxSeconds", 600, 0.1, 86_400);
        byte[] bytes = model.bytes();
        String sha256 = model.sha256();
        Encoder encoder = ENCODERS.computeIfAbsent(sha256, key -> Encoder.load(bytes, sha256));
        if (encoder.failure != null) {
            ENCODERS.remove(sha256);
            throw new InvalidStepParameterException("modelPath", encoder.failure);
        }
        Clip clip = new Clip(input, sampleRate, samples, logMel);
        checkShape(encoder, clip);
        int dimension = encoder.dimension(clip);
        boolean staticBatchOfOne = encoder.shape[0] == 1;
        return new Embed(encoder, dimension, java.nio.file.Path.of((String) parameters.get("modelPath")).getFileName().toString(), clip, normalize, inputColumn, column,
                staticBatchOfOne ? 1 : maxBatchSize, maxSeconds);
    }

    /** Refuses a model whose first input cannot take the clips as this step lays them out, naming the parameter to change. */
    private static void checkShape(Encoder encoder, Clip clip) {
        long[] declared = encoder.shape;
        long[] given = clip.shape(1);
        String declaredText = shapeText(declared);
        if (declared.length != given.length) {
            String other = declared.length == 2 ? "waveform" : declared.length == 3 ? "log_mel" : null;
            throw new InvalidStepParameterException("input", "the model's first input " + encoder.input + " takes " + declaredText + " (rank " + declared.length
                    + "), but input " + clip.inputName() + " gives it " + clip.layout() + (other == null ? "" : ": use input " + other));
        }
        if (declared[0] > 1) {
            throw new InvalidStepParameterException("modelPath", "the model's first input " + encoder.input + " takes " + declaredText
                    + ", a fixed batch of " + declared[0] + "; its first axis must be the batch, dynamic (or 1)");
        }
        for (int axis = 1; axis < declared.length; axis++) {
            if (declared[axis] <= 0 || declared[axis] == given[axis]) {
                continue;
            }
            String expected = "the model's first input " + encoder.input + " takes " + declaredText + ", but the step gives it " + clip.layout() + " = "
                    + shapeText(clip.shape(-1));
            if (clip.input == Input.WAVEFORM) {
                throw new InvalidStepParameterException("seconds", expected + ": at sampleRate " + clip.sampleRate + " the model takes "
                        + String.format(Locale.ROOT, "%s", declared[1] / (double) clip.sampleRate) + " s of audio; set seconds to that");
            }
            if (axis == 1) {
                throw new InvalidStepParameterException("nMels", expected + ": set nMels to " + declared[1]);
            }
            int window = clip.logMel.parameters().windowLength();
            int hop = clip.logMel.parameters().hopLength();
            long needed = (declared[2] - 1) * hop + window;
            throw new InvalidStepParameterException("seconds", expected + ": " + declared[2] + " frames of window " + window + " and hop " + hop + " need "
                    + needed + " samples, seconds " + String.format(Locale.ROOT, "%s", needed / (double) clip.sampleRate) + " at sampleRate " + clip.sampleRate);
        }
    }

    private static String shapeText(long[] shape) {
        StringBuilder text = new StringBuilder("[");
        for (int i = 0; i < shape.length; i++) {
            text.append(i == 0 ? "" : ", ").append(shape[i] > 0 ? Long.toString(shape[i]) : i == 0 ? "N" : "?");
        }
        return text.append(']').toString();
    }

    /** How a decoded clip becomes the model's input for one row. */
    private record Clip(Input input, int sampleRate, int samples, LogMelSpectrogram logMel) {
        int frames() {
            return LogMelSpectrogram.frameCount(samples, logMel.parameters().windowLength(), logMel.parameters().hopLength());
        }

        /** The input's shape for {@code count} clips (-1: shown as N). */
        long[] shape(long count) {
            return input == Input.WAVEFORM ? new long[] {count, samples} : new long[] {count, logMel.parameters().mels(), frames()};
        }

        int size() {
            return input == Input.WAVEFORM ? samples : logMel.parameters().mels() * frames();
        }

        String inputName() {
            return input.name().toLowerCase(Locale.ROOT);
        }

        String layout() {
            return input == Input.WAVEFORM ? "[N, samples]" : "[N, nMels, frames]";
        }

        /** The mono signal cut or zero-padded to {@code samples}, as a waveform or a band-major log-mel spectrogram. */
        float[] features(float[] signal) {
            float[] fixed = Arrays.copyOf(signal, samples);
            if (input == Input.WAVEFORM) {
                return fixed;
            }
            LogMelSpectrogram.Spectrogram spectrogram = logMel.compute(fixed);
            int frames = spectrogram.frames();
            int mels = spectrogram.mels();
            float[] values = spectrogram.values();
            float[] bandMajor = new float[values.length];
            for (int f = 0; f < frames; f++) {
                for (int m = 0; m < mels; m++) {
                    bandMajor[m * frames + f] = values[f * mels + m];
                }
            }
            return bandMajor;
        }

        String describe() {
            String common = String.format(Locale.ROOT, "%s,rate=%d,samples=%d,mono,zero-pad-or-cut-at-end", inputName(), sampleRate, samples);
            if (input == Input.WAVEFORM) {
                return common + ",[N,samples]";
            }
            LogMelSpectrogram.Parameters mel = logMel.parameters();
            return common + String.format(Locale.ROOT, ",log10-slaney-mel,mels=%d,window=%d,hop=%d,fft=%d,fmin=%s,fmax=%s,floor=1e-10,[N,mels,frames=%d]",
                    mel.mels(), mel.windowLength(), mel.hopLength(), mel.fftSize(), mel.minimumFrequency(), mel.maximumFrequency(), frames());
        }
    }

    /** A loaded session with its first input's name and declared shape (-1 for dynamic axes); {@code failure} says why it did not load. */
    private static final class Encoder {
        final OrtSession session;
        final String input;
        final long[] shape;
        final String output;
        final String sha256;
        final ExecutionProvider provider;
        final String failure;
        /** The vector's dimension for each input layout the model was probed with. */
        private final Map<String, Integer> dimensions = new ConcurrentHashMap<>();

        private Encoder(OrtSession session, String input, long[] shape, String output, String sha256, ExecutionProvider provider, String failure) {
            this.session = session;
            this.input = input;
            this.shape = shape;
            this.output = output;
            this.sha256 = sha256;
            this.provider = provider;
            this.failure = failure;
        }

        static Encoder load(byte[] bytes, String sha256) {
            OrtRuntime runtime = OrtRuntime.get();
            OrtSession session = null;
            try (OrtSession.SessionOptions options = runtime.sessionOptions(runtime.provider(), runtime.provider() == ExecutionProvider.CPU ? 1 : 0)) {
                session = runtime.environment().createSession(bytes, options);
                if (session.getInputInfo().size() != 1) {
                    String names = String.join(", ", session.getInputNames());
                    session.close();
                    return failed("the model has the inputs " + names + "; embed-audio gives a model one input, the audio ([N, samples] or [N, nMels, frames])");
                }
                Map.Entry<String, NodeInfo> input = session.getInputInfo().entrySet().iterator().next();
                if (!(input.getValue().getInfo() instanceof TensorInfo tensor) || tensor.type != OnnxJavaType.FLOAT) {
                    session.close();
                    return failed("the model's first input " + input.getKey() + " must be a float tensor ([N, samples] or [N, nMels, frames]), is "
                            + input.getValue().getInfo());
                }
                String output = session.getOutputNames().iterator().next();
                return new Encoder(session, input.getKey(), tensor.getShape(), output, sha256, runtime.provider(), null);
            }
            catch (OrtException | RuntimeException e) {
                if (session != null) {
                    try {
                        session.close();
                    }
                    catch (OrtException ignored) {
                        // the load failed already; that is the error to report
                    }
                }
                return failed("the file is not an ONNX model that ONNX Runtime can load: " + e.getMessage());
            }
        }

        private static Encoder failed(String why) {
            return new Encoder(null, null, null, null, null, null, why);
        }

        /** Runs the model once on silence to learn the vector's dimension, and refuses an output that is not one vector per clip. */
        int dimension(Clip clip) {
            return dimensions.computeIfAbsent(clip.describe(), key -> {
                try {
                    return run(new float[clip.size()], clip.shape(1))[0].length;
                }
                catch (OrtException | RuntimeException e) {
                    throw new InvalidStepParameterException("modelPath", "the model does not run on a " + shapeText(clip.shape(1)) + " float input: " + e.getMessage());
                }
            });
        }

        float[][] run(float[] values, long[] shape) throws OrtException {
            int count = (int) shape[0];
            try (OnnxTensor tensor = OnnxTensor.createTensor(OrtRuntime.get().environment(), FloatBuffer.wrap(values), shape);
                    OrtSession.Result result = session.run(Map.of(input, tensor), Set.of(output))) {
                OnnxTensor out = (OnnxTensor) result.get(0);
                long[] outShape = out.getInfo().getShape();
                boolean oneVectorPerClip = outShape.length >= 2 && outShape[0] == count;
                for (int i = 2; i < outShape.length; i++) {
                    oneVectorPerClip &= outShape[i] == 1;
                }
                if (!oneVectorPerClip) {
                    throw new IllegalStateException("its first output " + output + " is " + Arrays.toString(outShape) + " for " + count
                            + " clip(s), not one vector per clip ([N, D]): export the model with a pooled output");
                }
                FloatBuffer buffer = out.getFloatBuffer();
                float[][] vectors = new float[count][(int) outShape[1]];
                for (int i = 0; i < count; i++) {
                    buffer.get(vectors[i]);
                }
                return vectors;
            }
        }
    }

    private record Embed(Encoder encoder, int dimension, String modelName, Clip clip, boolean normalize, String inputColumn, String column, int maxBatchSize,
            double maxSeconds) implements BatchTransform {
        @Override
        public StepId id() {
            return ID;
        }

        @Override
        public List<Column> reads() {
            return List.of(Column.optional(inputColumn, DataType.BINARY, ""));
        }

        @Override
        public List<Column> columns() {
            return List.of(Column.floatList(column, (normalize ? "L2-normalized " : "") + dimension + "-dimensional embedding of the audio by " + modelName));
        }

        @Override
        public Map<String, String> fingerprint() {
            Map<String, String> fingerprint = new HashMap<>(Map.of("model", modelName, "model-sha256", encoder.sha256, "preprocess", clip.describe(),
                    "kiln.audio-embedding-model", modelName + "@sha256:" + encoder.sha256));
            if (clip.input == Input.LOG_MEL) {
                fingerprint.put("fft", "JTransforms-3.1");
            }
            return Map.copyOf(fingerprint);
        }

        @Override
        public Map<String, String> runtime() {
            return Map.of("kiln.embedding-provider", encoder.provider.name());
        }

        @Override
        public Map<String, String> tableProperties() {
            return Map.of("kiln.column." + column + ".dimension", Integer.toString(dimension), "kiln.column." + column + ".model", modelName);
        }

        /** Decodes and prepares at most {@code maxBatchSize} clips at a time, so a long list of rows never holds more than one batch of inputs. */
        @Override
        public List<Outcome> applyAll(List<Row> rows) {
            long start = System.nanoTime();
            List<Outcome> outcomes = embedAll(rows);
            EmbeddingMetrics.record(encoder.provider, "audio", (int) rows.stream().filter(row -> row.value(inputColumn).isPresent()).count(), System.nanoTime() - start);
            return outcomes;
        }

        private List<Outcome> embedAll(List<Row> rows) {
            Outcome[] outcomes = new Outcome[rows.size()];
            List<Integer> pending = new ArrayList<>(maxBatchSize);
            float[] batch = new float[Math.min(maxBatchSize, rows.size()) * clip.size()];
            for (int i = 0; i < rows.size(); i++) {
                Row row = rows.get(i);
                if (row.value(inputColumn).isEmpty()) {
                    outcomes[i] = Outcome.emit(row);
                    continue;
                }
                MonoSignal signal;
                try {
                    signal = DecodedAudio.decode((ByteBuffer) row.value(inputColumn).get(), maxSeconds).mono();
                }
                catch (AudioRejection e) {
                    outcomes[i] = Outcome.drop(ID, e.reason(), e.getMessage());
                    continue;
                }
                if (signal.sampleRate() != clip.sampleRate) {
                    outcomes[i] = Outcome.drop(ID, "wrong-sample-rate", "the audio is at " + signal.sampleRate() + " Hz, the model takes " + clip.sampleRate
                            + " Hz: run audio-normalize with sampleRate " + clip.sampleRate + " first");
                    continue;
                }
                System.arraycopy(clip.features(signal.samples()), 0, batch, pending.size() * clip.size(), clip.size());
                pending.add(i);
                if (pending.size() == maxBatchSize) {
                    embed(rows, pending, batch, outcomes);
                }
            }
            if (!pending.isEmpty()) {
                embed(rows, pending, batch, outcomes);
            }
            return List.of(outcomes);
        }

        /** Runs the model on the first {@code pending.size()} clips of {@code batch}, sets their rows' outcomes and clears {@code pending}. */
        private void embed(List<Row> rows, List<Integer> pending, float[] batch, Outcome[] outcomes) {
            int count = pending.size();
            float[][] vectors;
            try {
                vectors = encoder.run(count * clip.size() == batch.length ? batch : Arrays.copyOf(batch, count * clip.size()), clip.shape(count));
            }
            catch (OrtException e) {
                throw new IllegalStateException("The audio encoder failed: " + e.getMessage(), e);
            }
            for (int k = 0; k < count; k++) {
                int index = pending.get(k);
                outcomes[index] = Outcome.emit(rows.get(index).with(column, normalize ? normalized(vectors[k]) : vectors[k]));
            }
            pending.clear();
        }

        private static float[] normalized(float[] vector) {
            double sum = 0;
            for (float value : vector) {
                sum += (double) value * value;
            }
            double norm = Math.sqrt(sum);
            float[] out = new float[vector.length];
            for (int i = 0; i < vector.length; i++) {
                out[i] = norm == 0 ? 0f : (float) (vector[i] / norm);
            }
            return out;
        }
    }
}

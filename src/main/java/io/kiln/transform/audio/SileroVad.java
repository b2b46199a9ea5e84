package io.kiln.transform.audio;

import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;

import io.kiln.embed.ExecutionProvider;
import io.kiln.embed.ModelLoadException;
import io.kiln.embed.OrtRuntime;
import io.kiln.transform.Values;

/**
 * Voice activity detection with the Silero VAD v5 model (MIT), an {@code .onnx} file that the job
 * names, run by ONNX Runtime on the CPU.
 *
 * <p>The model reads mono audio at 16 kHz in windows of 512 samples (at 8 kHz, 256), each preceded by
 * the last 64 (32) samples the model saw, zeros before the first window: its {@code input} is
 * {@code [1, 576]} ({@code [1, 288]}). It carries a recurrent {@code state} {@code [2, 1, 128]} from
 * window to window, zeros at the start, and takes the rate as an int64 scalar {@code sr}. It gives the
 * probability that the window is speech. The last window is padded with zeros. The layout matters and
 * the model does not check it: fed the 512 new samples alone it still runs, and scores about 0
 * everywhere.
 *
 * <p>The probabilities are the frame scores of the post-processing {@link EnergyVad} uses (one frame per
 * window, 32 ms): speech starts at a window of at least {@code threshold} (Silero's 0.5) and continues
 * while windows stay at or above {@code max(threshold - 0.15, 0.01)} (Silero's negative threshold); then
 * short gaps are closed, short segments dropped, segments padded and long ones cut at their least
 * speech-like window, as {@link EnergyVad} describes.
 *
 * <p>Thread-safe: a loaded model is one ONNX Runtime session per model content, shared by every
 * instance and caller and never closed; each call keeps its own state and context, and sessions run
 * concurrent calls. Deterministic: the session runs on the CPU whatever provider the embedders use (the
 * model steps through the audio one small window at a time, which a GPU would only slow down) with one
 * intra-op thread, so no result depends on how many cores the machine has or how busy they are, and the
 * same audio gives the same probabilities, bit for bit. ONNX Runtime picks its CPU kernels by
 * instruction set, so another kind of CPU may differ in the last bits of a probability, which moves a
 * segment only when a window sits on a threshold.
 */
public final class SileroVad {
    public static final double DEFAULT_THRESHOLD = 0.5;
    private static final double NEGATIVE_THRESHOLD_OFFSET = 0.15;
    private static final int STATE_SIZE = 2 * 128;
    private static final Map<String, Model> MODELS = new ConcurrentHashMap<>();

    private final Model model;
    private final Parameters parameters;

    /**
     * The detector's settings: the speech threshold and the post-processing of {@link EnergyVad}, with
     * the same defaults.
     */
    public record Parameters(double threshold, int minSpeechMilliseconds, int minSilenceMilliseconds, int padMilliseconds, int maxSegmentMilliseconds) {
        public Parameters {
            if (!(threshold >= 0.01 && threshold <= 0.99)) {
                throw new IllegalArgumentException("threshold must be between 0.01 and 0.99, was " + threshold);
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
            if (maxSegmentMilliseconds < 64) {
                throw new IllegalArgumentException("maxSegmentMilliseconds must be at least two windows = 64, was " + maxSegmentMilliseconds);
            }
        }

        /** Threshold 0.5 and {@link EnergyVad.Parameters#defaults()}' post-processing: 250 ms speech, 300 ms silence, 100 ms padding, 30 s pieces. */
        public static Parameters defaults() {
            return withThreshold(DEFAULT_THRESHOLD, EnergyVad.Parameters.defaults());
        }

        /** {@code threshold} with the post-processing settings of {@code energy}. */
        public static Parameters withThreshold(double threshold, EnergyVad.Parameters energy) {
            return new Parameters(threshold, energy.minSpeechMilliseconds(), energy.minSilenceMilliseconds(), energy.padMilliseconds(), energy.maxSegmentMilliseconds());
        }

        /** Where speech stops: Silero's negative threshold. */
        public double negativeThreshold() {
            return Math.max(threshold - NEGATIVE_THRESHOLD_OFFSET, 0.01);
        }
    }

    private SileroVad(Model model, Parameters parameters) {
        this.model = model;
        this.parameters = parameters;
    }

    /**
     * The detector running the model {@code onnx} (the bytes of the {@code .onnx} file); the session
     * is created on first use of that content and shared afterwards.
     *
     * @throws ModelLoadException when the bytes are not a model with Silero v5's inputs and outputs, or it does not run
     */
    public static SileroVad load(byte[] onnx, Parameters parameters) {
        requireNonNull(onnx, "onnx is null");
        requireNonNull(parameters, "parameters is null");
        String sha256 = Values.sha256(ByteBuffer.wrap(onnx));
        return new SileroVad(MODELS.computeIfAbsent(sha256, key -> Model.load(onnx, key)), parameters);
    }

    /** The sha256 of the model file, hex. */
    public String modelSha256() {
        return model.sha256();
    }

    public Parameters parameters() {
        return parameters;
    }

    /** Whether the model reads audio at {@code sampleRate}: 16000 and 8000 Hz. */
    public static boolean supportsSampleRate(int sampleRate) {
        return sampleRate == 16_000 || sampleRate == 8_000;
    }

    /** Samples per window at {@code sampleRate}: 512 at 16 kHz, 256 at 8 kHz. */
    public static int windowLength(int sampleRate) {
        checkSampleRate(sampleRate);
        return sampleRate == 16_000 ? 512 : 256;
    }

    /** Samples of the previous window that precede a window in the model's input: 64 at 16 kHz, 32 at 8 kHz. */
    private static int contextLength(int sampleRate) {
        return sampleRate == 16_000 ? 64 : 32;
    }

    /**
     * The speech probability of each window of {@link #windowLength(int)} samples, in order (the last
     * window padded with zeros); none for the empty clip. The input is not modified.
     *
     * @throws IllegalArgumentException when the rate is not 16000 or 8000 Hz
     */
    public float[] probabilities(float[] samples, int sampleRate) {
        requireNonNull(samples, "samples is null");
        int window = windowLength(sampleRate);
        int context = contextLength(sampleRate);
        int windows = (samples.length + window - 1) / window;
        float[] probabilities = new float[windows];
        float[] input = new float[context + window];
        float[] state = new float[STATE_SIZE];
        OrtEnvironment environment = OrtRuntime.get().environment();
        long[] inputShape = {1, context + window};
        long[] stateShape = {2, 1, 128};
        try (OnnxTensor rate = OnnxTensor.createTensor(environment, (long) sampleRate)) {
            for (int index = 0; index < windows; index++) {
                // the previous window's last samples become this one's context, then the new samples, zero-padded at the end of the clip
                System.arraycopy(input, window, input, 0, context);
                int start = index * window;
                int length = Math.min(window, samples.length - start);
                System.arraycopy(samples, start, input, context, length);
                Arrays.fill(input, context + length, context + window, 0f);
                try (OnnxTensor audio = OnnxTensor.createTensor(environment, FloatBuffer.wrap(input), inputShape);
                        OnnxTensor recurrent = OnnxTensor.createTensor(environment, FloatBuffer.wrap(state), stateShape);
                        OrtSession.Result result = model.session().run(Map.of("input", audio, "state", recurrent, "sr", rate))) {
                    probabilities[index] = ((OnnxTensor) result.get("output").orElseThrow()).getFloatBuffer().get(0);
                    ((OnnxTensor) result.get("stateN").orElseThrow()).getFloatBuffer().get(state);
                }
            }
        }
        catch (OrtException e) {
            throw new IllegalStateException("Silero VAD model sha256:" + model.sha256() + " failed: " + e.getMessage(), e);
        }
        return probabilities;
    }

    /**
     * The speech segments of a clip, in order, disjoint; empty when it has no speech. The input is not modified.
     *
     * @throws IllegalArgumentException when the rate is not 16000 or 8000 Hz
     */
    public List<EnergyVad.Segment> segments(float[] samples, int sampleRate) {
        float[] probabilities = probabilities(samples, sampleRate);
        if (probabilities.length == 0) {
            return List.of();
        }
        int window = windowLength(sampleRate);
        double[] scores = new double[probabilities.length];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = probabilities[i];
        }
        // windows of silence that end speech: milliseconds * rate / (1000 * window), rounded up (32 ms windows at both rates)
        long perWindow = 1000L * window;
        SpeechSegments.Rules rules = new SpeechSegments.Rules(
                (int) (((long) parameters.minSilenceMilliseconds() * sampleRate + perWindow - 1) / perWindow),
                SpeechSegments.samplesOf(parameters.minSpeechMilliseconds(), sampleRate),
                SpeechSegments.samplesOf(parameters.padMilliseconds(), sampleRate),
                SpeechSegments.samplesOf(parameters.maxSegmentMilliseconds(), sampleRate));
        return SpeechSegments.find(scores, parameters.threshold(), parameters.negativeThreshold(), window, samples.length, rules);
    }

    private static void checkSampleRate(int sampleRate) {
        if (!supportsSampleRate(sampleRate)) {
            throw new IllegalArgumentException("Silero VAD reads 16000 or 8000 Hz audio, not " + sampleRate + " Hz");
        }
    }

    /** A Silero v5 session and the sha256 of its file. */
    private record Model(OrtSession session, String sha256) {
        static Model load(byte[] onnx, String sha256) {
            OrtRuntime runtime = OrtRuntime.get();
            OrtSession session;
            try (OrtSession.SessionOptions options = runtime.sessionOptions(ExecutionProvider.CPU, 1)) {
                session = runtime.environment().createSession(onnx, options);
            }
            catch (OrtException | RuntimeException e) {
                throw new ModelLoadException(ModelLoadException.Part.MODEL, "Cannot load the Silero VAD model sha256:" + sha256 + ": not an ONNX model ONNX Runtime can run (" + e.getMessage() + ")", e);
            }
            Model model = new Model(session, sha256);
            try {
                model.check(runtime.environment());
                return model;
            }
            catch (OrtException | RuntimeException e) {
                try {
                    session.close();
                }
                catch (OrtException ignored) {
                    // the model is refused either way
                }
                if (e instanceof ModelLoadException refused) {
                    throw refused;
                }
                throw new ModelLoadException(ModelLoadException.Part.MODEL, "The Silero VAD model sha256:" + sha256 + " does not run on one window of silence: " + e.getMessage(), e);
            }
        }

        /** Refuses a model without Silero v5's inputs and outputs, and runs it on one window of zeros. */
        private void check(OrtEnvironment environment) throws OrtException {
            Map<String, NodeInfo> inputs = session.getInputInfo();
            Map<String, NodeInfo> outputs = session.getOutputInfo();
            boolean shaped = inputs.keySet().equals(java.util.Set.of("input", "state", "sr"))
                    && outputs.keySet().containsAll(java.util.Set.of("output", "stateN"))
                    && inputs.get("sr").getInfo() instanceof TensorInfo rate && rate.type == OnnxJavaType.INT64 && rate.getShape().length == 0
                    && inputs.get("state").getInfo() instanceof TensorInfo state && Arrays.equals(state.getShape(), new long[] {2, -1, 128})
                    && inputs.get("input").getInfo() instanceof TensorInfo input && input.type == OnnxJavaType.FLOAT && input.getShape().length == 2;
            if (!shaped) {
                throw new ModelLoadException(ModelLoadException.Part.MODEL, "The model sha256:" + sha256 + " is not Silero VAD v5: its inputs are " + describe(inputs)
                        + " and outputs " + describe(outputs) + "; expected inputs input float [batch, samples], state float [2, batch, 128], sr int64 scalar, and outputs output, stateN");
            }
            try (OnnxTensor audio = OnnxTensor.createTensor(environment, FloatBuffer.wrap(new float[64 + 512]), new long[] {1, 64 + 512});
                    OnnxTensor recurrent = OnnxTensor.createTensor(environment, FloatBuffer.wrap(new float[STATE_SIZE]), new long[] {2, 1, 128});
                    OnnxTensor rate = OnnxTensor.createTensor(environment, 16_000L);
                    OrtSession.Result result = session.run(Map.of("input", audio, "state", recurrent, "sr", rate))) {
                long[] probability = ((OnnxTensor) result.get("output").orElseThrow()).getInfo().getShape();
                long[] state = ((OnnxTensor) result.get("stateN").orElseThrow()).getInfo().getShape();
                if (!Arrays.equals(probability, new long[] {1, 1}) || !Arrays.equals(state, new long[] {2, 1, 128})) {
                    throw new ModelLoadException(ModelLoadException.Part.MODEL, "The model sha256:" + sha256 + " gave output " + Arrays.toString(probability) + " and stateN "
                            + Arrays.toString(state) + " for one window, expected [1, 1] and [2, 1, 128]");
                }
            }
        }

        private static String describe(Map<String, NodeInfo> nodes) {
            StringBuilder text = new StringBuilder();
            nodes.forEach((name, node) -> text.append(text.length() == 0 ? "" : ", ").append(name).append(' ').append(node.getInfo()));
            return text.toString();
        }
    }
}

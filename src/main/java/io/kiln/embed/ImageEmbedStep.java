package io.kiln.embed;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import ai.onnxruntime.NodeInfo;
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
import io.kiln.transform.Values;
import io.kiln.transform.image.ImageDecoder;
import io.kiln.transform.image.ImageRejection;
import io.kiln.transform.image.Pixels;
import io.kiln.transform.image.Resampler;

/**
 * {@code embed-image}: runs an image encoder given as an {@code .onnx} file (a CLIP vision tower, a
 * ResNet without its head) on the images of a binary column, with its own preprocessing, and sets a
 * {@code list<float>} column. Parameters: {@code modelPath} (required, under the source roots),
 * {@code modelSha256} (optional: the job is refused when the file's hash differs), {@code size} (the
 * model's square input, default 224), {@code mean} and {@code std} (three numbers each, on the 0..1
 * scale; CLIP's by default), {@code normalize} (L2-normalize the output, default true),
 * {@code inputColumn} ({@code image}), {@code column} ({@code image_embedding}), {@code maxBatchSize}.
 *
 * <p>Preprocessing, as CLIP's: the image is resized (bicubic, Kiln's bit-exact {@link Resampler}) so
 * that its short side is {@code size}, the centre {@code size} x {@code size} is cropped, and each
 * channel becomes {@code (v / 255 - mean) / std} in float, laid out as {@code [N, 3, size, size]}.
 * The model's first input takes it and its first output (shape {@code [N, D]}, or {@code [N, D, 1, 1]})
 * is the vector. It runs in the ONNX Runtime session the text embedder uses (CUDA when present, else
 * CPU); the model's sha256 goes into the recipe. A row whose image does not decode is dropped as
 * {@code corrupt-image}; a row without an image is passed on. Thread-safe; batches change speed only.
 */
public final class ImageEmbedStep implements StepDefinition {
    public static final String NAME = "embed-image";
    private static final StepId ID = new StepId(NAME, 1);
    private static final List<Double> CLIP_MEAN = List.of(0.48145466, 0.4578275, 0.40821073);
    private static final List<Double> CLIP_STD = List.of(0.26862954, 0.26130258, 0.27577711);
    private static final Map<String, Encoder> ENCODERS = new ConcurrentHashMap<>();

    @Override
    public StepId id() {
        return ID;
    }

    @Override
    public Transform bind(Map<String, Object> parameters) {
        StepParameters.requireOnly(parameters, Set.of("modelPath", "modelSha256", "size", "mean", "std", "normalize", "inputColumn", "column", "maxBatchSize"));
        StepParameters.ModelFile model = StepParameters.modelFile(parameters, ": the .onnx file of the image encoder");
        int size = StepParameters.integer(parameters, "size", 224, 8, 4096);
        float[] mean = triple(parameters, "mean", CLIP_MEAN);
        float[] std = triple(parameters, "std", CLIP_STD);
        for (float value : std) {
            if (!(value > 0)) {
                throw new InvalidStepParameterException("std", "must be three positive numbers");
            }
        }
        boolean normalize = StepParameters.flag(parameters, "normalize", true);
        String inputColumn = StepParameters.column(parameters, "inputColumn", "image");
        String column = StepParameters.column(parameters, "column", "image_embedding");
        int maxBatchSize = StepParameters.integer(parameters, "maxBatchSize", 16, 1, 4096);
        byte[] bytes = model.bytes();
        String sha256 = model.sha256();
        Encoder encoder = ENCODERS.computeIfAbsent(sha256 + ":" + size, key -> Encoder.load(bytes, size, sha256));
        if (encoder.failure != null) {
            ENCODERS.remove(sha256 + ":" + size);
            throw new InvalidStepParameterException("modelPath", encoder.failure);
        }
        ImageDecoder.load();
        return new Embed(encoder, java.nio.file.Path.of((String) parameters.get("modelPath")).getFileName().toString(), size, mean, std, normalize, inputColumn, column, maxBatchSize);
    }

    private static float[] triple(Map<String, Object> parameters, String name, List<Double> defaults) {
        Object value = parameters.getOrDefault(name, defaults);
        if (!(value instanceof List<?> list) || list.size() != 3 || !list.stream().allMatch(Number.class::isInstance)) {
            throw new InvalidStepParameterException(name, "must be three numbers (R, G, B on the 0..1 scale), was " + value);
        }
        float[] out = new float[3];
        for (int i = 0; i < 3; i++) {
            out[i] = ((Number) list.get(i)).floatValue();
        }
        return out;
    }

    /** A loaded session with its input and output names and the vector's dimension; {@code failure} says why it did not load. */
    private static final class Encoder {
        final OrtSession session;
        final String input;
        final String output;
        final int dimension;
        final String sha256;
        final ExecutionProvider provider;
        final String failure;

        private Encoder(OrtSession session, String input, String output, int dimension, String sha256, ExecutionProvider provider, String failure) {
            this.session = session;
            this.input = input;
            this.output = output;
            this.dimension = dimension;
            this.sha256 = sha256;
            this.provider = provider;
            this.failure = failure;
        }

        static Encoder load(byte[] bytes, int size, String sha256) {
            OrtRuntime runtime = OrtRuntime.get();
            OrtSession session = null;
            try (OrtSession.SessionOptions options = runtime.sessionOptions(runtime.provider(), runtime.provider() == ExecutionProvider.CPU ? 1 : 0)) {
                session = runtime.environment().createSession(bytes, options);
                Map.Entry<String, NodeInfo> input = session.getInputInfo().entrySet().iterator().next();
                if (!(input.getValue().getInfo() instanceof TensorInfo tensor) || tensor.getShape().length != 4) {
                    session.close();
                    return failed("the model's first input must be a float tensor [N, 3, size, size]");
                }
                String output = session.getOutputNames().iterator().next();
                float[][] probe = run(session, input.getKey(), output, new float[3 * size * size], 1, size);
                return new Encoder(session, input.getKey(), output, probe[0].length, sha256, runtime.provider(), null);
            }
            catch (OrtException | RuntimeException e) {
                if (session != null) {
                    try {
                        session.close(); // a model that loads but does not run on the probe holds no native memory after it
                    }
                    catch (OrtException closing) {
                        e.addSuppressed(closing);
                    }
                }
                return failed("the model does not run on a [1, 3, " + size + ", " + size + "] float input: " + e.getMessage());
            }
        }

        private static Encoder failed(String why) {
            return new Encoder(null, null, null, 0, null, null, why);
        }

        static float[][] run(OrtSession session, String input, String output, float[] pixels, int count, int size) throws OrtException {
            try (OnnxTensor tensor = OnnxTensor.createTensor(io.kiln.embed.OrtRuntime.get().environment(), FloatBuffer.wrap(pixels), new long[] {count, 3, size, size});
                    OrtSession.Result result = session.run(Map.of(input, tensor), Set.of(output))) {
                OnnxTensor out = (OnnxTensor) result.get(0);
                long[] shape = out.getInfo().getShape();
                long dimension = 1;
                for (int i = 1; i < shape.length; i++) {
                    dimension *= shape[i];
                }
                FloatBuffer values = out.getFloatBuffer();
                float[][] vectors = new float[count][(int) dimension];
                for (int i = 0; i < count; i++) {
                    values.get(vectors[i]);
                }
                return vectors;
            }
        }
    }

    private record Embed(Encoder encoder, String modelName, int size, float[] mean, float[] std, boolean normalize, String inputColumn, String column,
            int maxBatchSize) implements BatchTransform {
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
            return List.of(Column.floatList(column, (normalize ? "L2-normalized " : "") + encoder.dimension + "-dimensional embedding of the image by " + modelName));
        }

        @Override
        public Map<String, String> fingerprint() {
            return Map.of("model", modelName, "model-sha256", encoder.sha256, "preprocess", "resize-short-side-bicubic,center-crop,%d,mean=%s,std=%s".formatted(size,
                    java.util.Arrays.toString(mean), java.util.Arrays.toString(std)), "kiln.image-embedding-model", modelName + "@sha256:" + encoder.sha256);
        }

        @Override
        public Map<String, String> runtime() {
            return Map.of("kiln.embedding-provider", encoder.provider.name());
        }

        @Override
        public Map<String, String> tableProperties() {
            return Map.of("kiln.column." + column + ".dimension", Integer.toString(encoder.dimension), "kiln.column." + column + ".model", modelName);
        }

        @Override
        public List<Outcome> applyAll(List<Row> rows) {

            long start = System.nanoTime();

            List<Outcome> outcomes = embedAll(rows);

            EmbeddingMetrics.record(encoder.provider, "image", (int) rows.stream().filter(row -> row.value(inputColumn).isPresent()).count(), System.nanoTime() - start);

            return outcomes;

        }


        private List<Outcome> embedAll(List<Row> rows) {
            Outcome[] outcomes = new Outcome[rows.size()];
            List<Integer> pending = new ArrayList<>();
            List<float[]> inputs = new ArrayList<>();
            for (int i = 0; i < rows.size(); i++) {
                Row row = rows.get(i);
                if (row.value(inputColumn).isEmpty()) {
                    outcomes[i] = Outcome.emit(row);
                    continue;
                }
                try {
                    inputs.add(preprocess(ImageDecoder.decode(Values.bytes((ByteBuffer) row.value(inputColumn).get()), ImageDecoder.DEFAULT_MAX_PIXELS, 0xffffff)
                            .pixels()));
                    pending.add(i);
                }
                catch (ImageRejection e) {
                    outcomes[i] = Outcome.drop(ID, e.reason(), e.detail());
                }
            }
            int plane = 3 * size * size;
            for (int from = 0; from < pending.size(); from += maxBatchSize) {
                int count = Math.min(maxBatchSize, pending.size() - from);
                float[] batch = new float[count * plane];
                for (int k = 0; k < count; k++) {
                    System.arraycopy(inputs.get(from + k), 0, batch, k * plane, plane);
                }
                float[][] vectors;
                try {
                    vectors = Encoder.run(encoder.session, encoder.input, encoder.output, batch, count, size);
                }
                catch (OrtException e) {
                    throw new IllegalStateException("The image encoder failed: " + e.getMessage(), e);
                }
                for (int k = 0; k < count; k++) {
                    int index = pending.get(from + k);
                    outcomes[index] = Outcome.emit(rows.get(index).with(column, normalize ? normalized(vectors[k]) : vectors[k]));
                }
            }
            return List.of(outcomes);
        }

        /** Short side to size (bicubic), centre crop, (v / 255 - mean) / std, channel-major. */
        private float[] preprocess(Pixels image) {
            int w = image.width();
            int h = image.height();
            int outWidth = w <= h ? size : (int) Math.max(size, ((long) w * size + h / 2) / h);
            int outHeight = w <= h ? (int) Math.max(size, ((long) h * size + w / 2) / w) : size;
            Pixels resized = Resampler.resize(image, outWidth, outHeight, Resampler.Filter.BICUBIC);
            Pixels crop = resized.region((outWidth - size) / 2, (outHeight - size) / 2, size, size);
            float[] out = new float[3 * size * size];
            int plane = size * size;
            for (int i = 0; i < plane; i++) {
                int pixel = crop.rgb()[i];
                out[i] = ((pixel >>> 16 & 0xff) / 255f - mean[0]) / std[0];
                out[plane + i] = ((pixel >>> 8 & 0xff) / 255f - mean[1]) / std[1];
                out[2 * plane + i] = ((pixel & 0xff) / 255f - mean[2]) / std[2];
            }
            return out;
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

package io.kiln.embed;

import static java.util.Objects.requireNonNull;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

/**
 * Sentence embeddings with one loaded model: WordPiece tokenization truncated to the model's
 * length, length-sorted dynamic batching, pooling, L2 normalization.
 *
 * <p>Thread-safe: one instance (one ONNX Runtime session) is shared by every caller; concurrent
 * calls run concurrently on the session. On the CPU the session is single-threaded and the batches
 * of a call run in parallel on a process-wide pool with one thread per core (shared by all models
 * and callers, so it also bounds the CPU that embedding takes): a single-threaded inference on a
 * batch that fits the CPU caches does the most work per CPU-second. For fp32 models a text's vector does not depend on the
 * other texts of the call, the batch limits or the thread counts: each batch is padded to its
 * longest text and padding is masked out, and the result was verified bit for bit. Quantized
 * (int8) models are not bit-identical across batches: their activation scale is computed over the
 * whole batch (dynamic quantization), so a vector moves slightly with its batch mates.
 *
 * <p>Get instances from {@link EmbeddingModels}; they live as long as the process.
 */
public final class Embedder {
    private final ModelInfo model;
    private final ExecutionProvider provider;
    private final OrtEnvironment environment;
    private final OrtSession session;
    private final HuggingFaceTokenizer tokenizer;
    private final String outputName;
    private final ExecutorService batchRunner;

    /** {@code batchRunner}: runs the batches of one call in parallel (single-threaded sessions), or null to run them in the caller's thread. */
    Embedder(ModelInfo model, ExecutionProvider provider, OrtEnvironment environment, OrtSession session, HuggingFaceTokenizer tokenizer, String outputName, ExecutorService batchRunner) {
        this.batchRunner = batchRunner;
        this.model = requireNonNull(model, "model is null");
        this.provider = requireNonNull(provider, "provider is null");
        this.environment = requireNonNull(environment, "environment is null");
        this.session = requireNonNull(session, "session is null");
        this.tokenizer = requireNonNull(tokenizer, "tokenizer is null");
        this.outputName = requireNonNull(outputName, "outputName is null");
    }

    public ModelInfo model() {
        return model;
    }

    /** The provider this model's session runs on (CUDA can fall back to CPU per session, so ask here, not {@link OrtRuntime}). */
    public ExecutionProvider provider() {
        return provider;
    }

    /** One text's vector (L2-normalized, {@link ModelInfo#dimension()} floats), its token count, and whether it was cut at the model's length. */
    public record Embedding(float[] vector, int tokens, boolean truncated) {
        public Embedding {
            requireNonNull(vector, "vector is null");
        }
    }

    /** Embeddings of {@code texts}, in their order, with the default batch limits of this embedder's provider. */
    public List<Embedding> embed(List<String> texts) {
        return embed(texts, BatchLimits.defaultFor(provider));
    }

    /** Embeddings of {@code texts}, in their order; an empty text gets the vector of [CLS] [SEP]. */
    public List<Embedding> embed(List<String> texts, BatchLimits limits) {
        requireNonNull(texts, "texts is null");
        requireNonNull(limits, "limits is null");
        int count = texts.size();
        long[][] ids = new long[count][];
        boolean[] truncated = new boolean[count];
        for (int i = 0; i < count; i++) {
            Encoding encoding = tokenizer.encode(requireNonNull(texts.get(i), "text is null"));
            ids[i] = encoding.getIds();
            truncated[i] = encoding.exceedMaxLength();
        }
        Integer[] order = new Integer[count];
        for (int i = 0; i < count; i++) {
            order[i] = i;
        }
        // shortest first, ties in input order: similar lengths share a batch, so little padding
        Arrays.sort(order, (a, b) -> ids[a].length != ids[b].length ? Integer.compare(ids[a].length, ids[b].length) : Integer.compare(a, b));
        float[][] vectors = new float[count][];
        List<List<Integer>> batches = new ArrayList<>();
        int start = 0;
        while (start < count) {
            int end = start + 1;
            while (end < count && end - start < limits.maxBatchSize() && (long) (end - start + 1) * ids[order[end]].length <= limits.maxBatchTokens()) {
                end++;
            }
            batches.add(Arrays.asList(order).subList(start, end));
            start = end;
        }
        if (batchRunner == null || batches.size() == 1) {
            batches.forEach(batch -> runBatch(batch, ids, vectors));
        }
        else {
            // each batch writes only its own rows of vectors; Future.get publishes them to this thread
            List<Future<?>> running = new ArrayList<>(batches.size());
            batches.forEach(batch -> running.add(batchRunner.submit(() -> runBatch(batch, ids, vectors))));
            try {
                for (Future<?> batch : running) {
                    batch.get();
                }
            }
            catch (InterruptedException e) {
                running.forEach(batch -> batch.cancel(true));
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while embedding", e);
            }
            catch (ExecutionException e) {
                running.forEach(batch -> batch.cancel(true));
                throw e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
            }
        }
        List<Embedding> embeddings = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            embeddings.add(new Embedding(vectors[i], ids[i].length, truncated[i]));
        }
        return Collections.unmodifiableList(embeddings);
    }

    /** The token ids the model sees for {@code text} ([CLS] ... [SEP], truncated). */
    public long[] tokenIds(String text) {
        return tokenizer.encode(requireNonNull(text, "text is null")).getIds();
    }

    private void runBatch(List<Integer> rows, long[][] ids, float[][] vectors) {
        int batch = rows.size();
        int length = ids[rows.get(batch - 1)].length;
        long[] inputIds = new long[batch * length];
        long[] attentionMask = new long[batch * length];
        for (int r = 0; r < batch; r++) {
            long[] row = ids[rows.get(r)];
            System.arraycopy(row, 0, inputIds, r * length, row.length);
            Arrays.fill(attentionMask, r * length, r * length + row.length, 1L);
        }
        long[] shape = {batch, length};
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            inputs.put("input_ids", OnnxTensor.createTensor(environment, LongBuffer.wrap(inputIds), shape));
            inputs.put("attention_mask", OnnxTensor.createTensor(environment, LongBuffer.wrap(attentionMask), shape));
            if (model.tokenTypeIds()) {
                inputs.put("token_type_ids", OnnxTensor.createTensor(environment, LongBuffer.wrap(new long[batch * length]), shape));
            }
            try (OrtSession.Result result = session.run(inputs, Set.of(outputName))) {
                OnnxTensor output = (OnnxTensor) result.get(0);
                long[] outputShape = output.getInfo().getShape();
                int dimension = model.dimension();
                if (outputShape.length != 3 || outputShape[0] != batch || outputShape[1] != length || outputShape[2] != dimension) {
                    throw new IllegalStateException("Model " + model.name() + " gave shape " + Arrays.toString(outputShape) + " for a batch of " + batch + " x " + length + " tokens, expected [" + batch + ", " + length + ", " + dimension + "]");
                }
                FloatBuffer hidden = output.getFloatBuffer();
                for (int r = 0; r < batch; r++) {
                    vectors[rows.get(r)] = pool(hidden, r, length, ids[rows.get(r)].length, dimension);
                }
            }
        }
        catch (OrtException e) {
            throw new IllegalStateException("Inference failed in model " + model.name() + ": " + e.getMessage(), e);
        }
        finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    private float[] pool(FloatBuffer hidden, int row, int length, int tokens, int dimension) {
        double[] sum = new double[dimension];
        int first = row * length * dimension;
        int pooled = model.pooling() == Pooling.CLS ? 1 : tokens;
        for (int t = 0; t < pooled; t++) {
            int offset = first + t * dimension;
            for (int d = 0; d < dimension; d++) {
                sum[d] += hidden.get(offset + d);
            }
        }
        double norm = 0;
        for (int d = 0; d < dimension; d++) {
            sum[d] /= pooled;
            norm += sum[d] * sum[d];
        }
        norm = Math.max(Math.sqrt(norm), 1e-12);
        float[] vector = new float[dimension];
        for (int d = 0; d < dimension; d++) {
            vector[d] = (float) (sum[d] / norm);
        }
        return vector;
    }
}

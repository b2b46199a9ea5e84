package io.kiln.embed;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import org.jboss.logging.Logger;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;

/**
 * The embedding models Kiln ships, by name, and models given as files on disk. Each model is
 * loaded once per process (per model and tokenizer content, pooling, length and thread count) and
 * shared; loading reads the files, records their sha256, starts an ONNX Runtime session on
 * {@link OrtRuntime#provider()} and embeds one text to check that the model runs.
 *
 * <p>The shipped models are classpath resources of the {@code dev.langchain4j:langchain4j-embeddings-*}
 * artifacts (used only as carriers of the {@code .onnx} and {@code tokenizer.json}); nothing is
 * downloaded:
 * <table>
 *   <tr><th>name</th><th>model</th><th>dim</th><th>max tokens</th><th>pooling</th></tr>
 *   <tr><td>{@code all-minilm-l6-v2} (default)</td><td>sentence-transformers/all-MiniLM-L6-v2, fp32</td><td>384</td><td>256</td><td>mean</td></tr>
 *   <tr><td>{@code all-minilm-l6-v2-q}</td><td>the same, int8 (dynamic quantization)</td><td>384</td><td>256</td><td>mean</td></tr>
 *   <tr><td>{@code bge-small-en-v1.5}</td><td>BAAI/bge-small-en-v1.5, fp32</td><td>384</td><td>512</td><td>CLS</td></tr>
 * </table>
 * The max tokens are the models' own (sentence-transformers' {@code max_seq_length}); the
 * {@code tokenizer.json} files say 128 with fixed padding, which Kiln overrides: truncation at the
 * model's length, no padding (batches are padded to their longest text).
 */
public final class EmbeddingModels {
    private static final Logger LOG = Logger.getLogger(EmbeddingModels.class);

    public static final String DEFAULT_MODEL = "all-minilm-l6-v2";
    /** For models on disk without a length given: BERT's position embeddings. */
    public static final int DEFAULT_MAX_SEQUENCE_LENGTH = 512;

    private record Shipped(String onnxResource, String tokenizerResource, int maxSequenceLength, Pooling pooling) {}

    private static final Map<String, Shipped> SHIPPED = new TreeMap<>(Map.of(
            "all-minilm-l6-v2", new Shipped("/all-minilm-l6-v2.onnx", "/all-minilm-l6-v2-tokenizer.json", 256, Pooling.MEAN),
            "all-minilm-l6-v2-q", new Shipped("/all-minilm-l6-v2-q.onnx", "/all-minilm-l6-v2-q-tokenizer.json", 256, Pooling.MEAN),
            "bge-small-en-v1.5", new Shipped("/bge-small-en-v1.5.onnx", "/bge-small-en-v1.5-tokenizer.json", 512, Pooling.CLS)));

    private record Key(String source, String onnxSha256, String tokenizerSha256, Pooling pooling, int maxSequenceLength, int intraOpThreads) {}

    private static final Map<String, Embedder> SHIPPED_LOADED = new ConcurrentHashMap<>();
    private static final Map<Key, Embedder> LOADED = new ConcurrentHashMap<>();

    static {
        // DJL unpacks its tokenizer library into ~/.djl.ai unless told otherwise
        if (System.getenv("DJL_CACHE_DIR") == null && System.getProperty("DJL_CACHE_DIR") == null) {
            System.setProperty("DJL_CACHE_DIR", Path.of(System.getProperty("java.io.tmpdir"), "kiln-djl-" + System.getProperty("user.name", "user")).toString());
        }
    }

    private EmbeddingModels() {}

    /** One thread per core, shared by every CPU model and caller: runs the batches of {@link Embedder#embed} calls. */
    private static final class BatchRunner {
        static final java.util.concurrent.ExecutorService POOL = java.util.concurrent.Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors(), new java.util.concurrent.ThreadFactory() {
            private final java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();

            @Override
            public Thread newThread(Runnable task) {
                Thread thread = new Thread(task, "kiln-embed-" + next.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            }
        });
    }

    /** The names of the shipped models, sorted. */
    public static Set<String> names() {
        return SHIPPED.keySet();
    }

    /**
     * The shipped model {@code name}, loaded on first use, with ONNX Runtime's default thread count.
     *
     * @throws IllegalArgumentException for a name that is not shipped
     */
    public static Embedder named(String name) {
        return named(name, 0);
    }

    /**
     * As {@link #named(String)}, with {@code intraOpThreads} ONNX Runtime threads per inference and
     * the batches of a call run one after the other in the caller's thread; 0, the default: on the
     * CPU one thread per inference and the batches of a call in parallel, one per core.
     */
    public static Embedder named(String name, int intraOpThreads) {
        requireNonNull(name, "name is null");
        Shipped shipped = SHIPPED.get(name);
        if (shipped == null) {
            throw new IllegalArgumentException("Unknown embedding model " + name + "; shipped models are " + String.join(", ", SHIPPED.keySet()));
        }
        return SHIPPED_LOADED.computeIfAbsent(name + "#" + intraOpThreads, key -> {
            byte[] onnx = resource(shipped.onnxResource());
            byte[] tokenizer = resource(shipped.tokenizerResource());
            return load(name, "classpath:" + shipped.onnxResource(), onnx, null, sha256(onnx), tokenizer, shipped.maxSequenceLength(), shipped.pooling(), intraOpThreads);
        });
    }

    /**
     * A model on disk: an {@code .onnx} file taking {@code input_ids} and {@code attention_mask}
     * (and optionally {@code token_type_ids}) and giving token vectors first, and its
     * {@code tokenizer.json}. Loaded again only when the files' content changes.
     *
     * @throws ModelLoadException when a file is missing, unreadable, or not a model that runs
     */
    public static Embedder fromFiles(Path modelFile, Path tokenizerFile, Pooling pooling, int maxSequenceLength) {
        requireNonNull(modelFile, "modelFile is null");
        requireNonNull(tokenizerFile, "tokenizerFile is null");
        requireNonNull(pooling, "pooling is null");
        if (maxSequenceLength < 2) {
            throw new IllegalArgumentException("maxSequenceLength must be at least 2, was " + maxSequenceLength);
        }
        String onnxSha256 = sha256(modelFile, "model");
        byte[] tokenizer = readFile(tokenizerFile, "tokenizer");
        Key key = new Key(modelFile.toAbsolutePath().normalize().toString(), onnxSha256, sha256(tokenizer), pooling, maxSequenceLength, 0);
        String name = modelFile.getFileName().toString().replaceFirst("\\.onnx$", "");
        return LOADED.computeIfAbsent(key, k -> load(name, k.source(), null, modelFile, onnxSha256, tokenizer, maxSequenceLength, pooling, 0));
    }

    private static Embedder load(String name, String source, byte[] onnxBytes, Path onnxFile, String onnxSha256, byte[] tokenizerBytes, int maxSequenceLength, Pooling pooling, int intraOpThreads) {
        String tokenizerSha256 = sha256(tokenizerBytes);
        HuggingFaceTokenizer tokenizer;
        try (InputStream in = new ByteArrayInputStream(tokenizerBytes)) {
            tokenizer = HuggingFaceTokenizer.newInstance(in, Map.of(
                    "truncation", "true",
                    "padding", "false",
                    "maxLength", Integer.toString(maxSequenceLength),
                    "modelMaxLength", Integer.toString(maxSequenceLength),
                    "addSpecialTokens", "true"));
        }
        catch (IOException | RuntimeException e) {
            throw new ModelLoadException(ModelLoadException.Part.TOKENIZER, "Cannot load the tokenizer of " + name + ": not a tokenizer.json (" + e.getMessage() + ")", e);
        }
        OrtRuntime runtime = OrtRuntime.get();
        ExecutionProvider provider = runtime.provider();
        OrtSession session;
        try {
            session = createSession(runtime, provider, onnxBytes, onnxFile, intraOpThreads);
        }
        catch (OrtException | RuntimeException e) {
            if (provider != ExecutionProvider.CUDA) {
                tokenizer.close();
                throw new ModelLoadException(ModelLoadException.Part.MODEL, "Cannot load model " + name + " from " + source + ": " + e.getMessage(), e);
            }
            LOG.warnf("Embedding model %s on CPU: its CUDA session failed (%s)", name, e.getMessage());
            provider = ExecutionProvider.CPU;
            try {
                session = createSession(runtime, provider, onnxBytes, onnxFile, intraOpThreads);
            }
            catch (OrtException | RuntimeException again) {
                tokenizer.close();
                throw new ModelLoadException(ModelLoadException.Part.MODEL, "Cannot load model " + name + " from " + source + ": " + again.getMessage(), again);
            }
        }
        try {
            Map<String, NodeInfo> inputs = session.getInputInfo();
            if (!inputs.containsKey("input_ids") || !inputs.containsKey("attention_mask")) {
                throw new ModelLoadException(ModelLoadException.Part.MODEL, "Model " + name + " is not a text encoder: its inputs are " + inputs.keySet() + ", expected input_ids, attention_mask and optionally token_type_ids");
            }
            Set<String> extra = new java.util.TreeSet<>(inputs.keySet());
            extra.removeAll(Set.of("input_ids", "attention_mask", "token_type_ids"));
            if (!extra.isEmpty()) {
                throw new ModelLoadException(ModelLoadException.Part.MODEL, "Model " + name + " needs inputs Kiln does not give: " + extra);
            }
            boolean tokenTypeIds = inputs.containsKey("token_type_ids");
            Map<String, NodeInfo> outputs = session.getOutputInfo();
            String outputName = outputs.containsKey("last_hidden_state") ? "last_hidden_state" : outputs.keySet().iterator().next();
            if (!(outputs.get(outputName).getInfo() instanceof TensorInfo tensor) || tensor.type != OnnxJavaType.FLOAT || tensor.getShape().length != 3) {
                throw new ModelLoadException(ModelLoadException.Part.MODEL, "Model " + name + " does not give token vectors: its output " + outputName + " is " + outputs.get(outputName).getInfo());
            }
            long[] probeIds = tokenizer.encode("").getIds();
            int dimension = probeDimension(runtime.environment(), session, outputName, probeIds, tokenTypeIds);
            ModelInfo info = new ModelInfo(name, source, onnxSha256, tokenizerSha256, dimension, maxSequenceLength, pooling, tokenTypeIds);
            LOG.infof("Loaded embedding model %s on %s: %s", name, provider, info.describe());
            return new Embedder(info, provider, runtime.environment(), session, tokenizer, outputName,
                    intraOpThreads == 0 && provider == ExecutionProvider.CPU ? BatchRunner.POOL : null);
        }
        catch (OrtException | RuntimeException e) {
            closeQuietly(session);
            tokenizer.close();
            if (e instanceof ModelLoadException loadException) {
                throw loadException;
            }
            throw new ModelLoadException(ModelLoadException.Part.MODEL, "Model " + name + " from " + source + " does not run: " + e.getMessage(), e);
        }
    }

    private static OrtSession createSession(OrtRuntime runtime, ExecutionProvider provider, byte[] onnxBytes, Path onnxFile, int intraOpThreads) throws OrtException {
        int threads = intraOpThreads == 0 && provider == ExecutionProvider.CPU ? 1 : intraOpThreads;
        try (OrtSession.SessionOptions options = runtime.sessionOptions(provider, threads)) {
            return onnxBytes != null
                    ? runtime.environment().createSession(onnxBytes, options)
                    : runtime.environment().createSession(onnxFile.toString(), options);
        }
    }

    private static int probeDimension(OrtEnvironment environment, OrtSession session, String outputName, long[] ids, boolean tokenTypeIds) throws OrtException {
        long[] shape = {1, ids.length};
        long[] mask = new long[ids.length];
        java.util.Arrays.fill(mask, 1L);
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            inputs.put("input_ids", OnnxTensor.createTensor(environment, LongBuffer.wrap(ids), shape));
            inputs.put("attention_mask", OnnxTensor.createTensor(environment, LongBuffer.wrap(mask), shape));
            if (tokenTypeIds) {
                inputs.put("token_type_ids", OnnxTensor.createTensor(environment, LongBuffer.wrap(new long[ids.length]), shape));
            }
            try (OrtSession.Result result = session.run(inputs, Set.of(outputName))) {
                long[] outputShape = ((OnnxTensor) result.get(0)).getInfo().getShape();
                if (outputShape.length != 3 || outputShape[0] != 1 || outputShape[1] != ids.length || outputShape[2] < 1) {
                    throw new ModelLoadException(ModelLoadException.Part.MODEL, "Model output " + outputName + " has shape " + java.util.Arrays.toString(outputShape) + " for 1 x " + ids.length + " tokens, expected [1, " + ids.length + ", dimension]");
                }
                return Math.toIntExact(outputShape[2]);
            }
        }
        finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    private static byte[] resource(String name) {
        try (InputStream in = EmbeddingModels.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new ModelLoadException(ModelLoadException.Part.MODEL, "Model resource " + name + " is not on the classpath (the langchain4j-embeddings-* artifact is missing)");
            }
            return in.readAllBytes();
        }
        catch (IOException e) {
            throw new ModelLoadException(ModelLoadException.Part.MODEL, "Cannot read model resource " + name + ": " + e.getMessage(), e);
        }
    }

    private static byte[] readFile(Path file, String what) {
        if (!Files.isRegularFile(file)) {
            throw new ModelLoadException(part(what), "The " + what + " file " + file + " does not exist or is not a file");
        }
        try {
            return Files.readAllBytes(file);
        }
        catch (IOException e) {
            throw new ModelLoadException(part(what), "Cannot read the " + what + " file " + file + ": " + e.getMessage(), e);
        }
    }

    private static String sha256(Path file, String what) {
        if (!Files.isRegularFile(file)) {
            throw new ModelLoadException(part(what), "The " + what + " file " + file + " does not exist or is not a file");
        }
        MessageDigest digest = digest();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(digest.digest());
        }
        catch (IOException e) {
            throw new ModelLoadException(part(what), "Cannot read the " + what + " file " + file + ": " + e.getMessage(), e);
        }
    }

    static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes));
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ModelLoadException.Part part(String what) {
        return what.equals("tokenizer") ? ModelLoadException.Part.TOKENIZER : ModelLoadException.Part.MODEL;
    }

    private static void closeQuietly(OrtSession session) {
        try {
            session.close();
        }
        catch (OrtException | RuntimeException e) {
            LOG.debugf("Closing a failed session: %s", e.getMessage());
        }
    }
}

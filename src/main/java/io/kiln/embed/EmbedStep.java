package io.kiln.embed;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.kiln.transform.InvalidStepParameterException;
import io.kiln.transform.StepDefinition;
import io.kiln.transform.StepId;
import io.kiln.transform.StepParameters;
import io.kiln.transform.Transform;

/**
 * {@code embed}: sentence embeddings of the row text into a {@code list<float>} column (see
 * {@link EmbedTransform}). Parameters:
 * <ul>
 *   <li>{@code model}: a shipped model ({@link EmbeddingModels#names()}), default {@code all-minilm-l6-v2};</li>
 *   <li>or {@code modelPath} and {@code tokenizerPath}: an {@code .onnx} and its {@code tokenizer.json}
 *       on disk, with {@code pooling} ({@code mean}, the default, or {@code cls}) and
 *       {@code maxSequenceLength} (default 512);</li>
 *   <li>{@code column}: the column to set, default {@code embedding};</li>
 *   <li>{@code maxBatchTokens} (padding included) and {@code maxBatchSize}: the bounds of one inference
 *       batch; by default {@link BatchLimits#CPU} (512, 64) or {@link BatchLimits#CUDA} (16384, 256) after
 *       the provider. They change speed, never fp32 vectors.</li>
 * </ul>
 * The model is loaded (once per process) when the step is bound, so that a model that does not
 * exist or does not load is an {@link InvalidStepParameterException} naming the parameter.
 */
public final class EmbedStep implements StepDefinition {
    public static final String NAME = "embed";
    public static final int VERSION = 1;
    private static final StepId ID = new StepId(NAME, VERSION);
    private static final Set<String> PARAMETERS = Set.of("model", "modelPath", "tokenizerPath", "pooling", "maxSequenceLength", "column", "inputColumn", "maxBatchTokens", "maxBatchSize");

    @Override
    public StepId id() {
        return ID;
    }

    @Override
    public Transform bind(Map<String, Object> parameters) {
        StepParameters.requireOnly(parameters, PARAMETERS);
        String column = string(parameters, "column", "embedding");
        if (!column.matches("[a-z][a-z0-9_]*")) {
            throw new InvalidStepParameterException("column", "must be a lower snake case column name, was " + column);
        }
        int maxBatchTokens = positive(parameters, "maxBatchTokens", 0, 1 << 24);
        int maxBatchSize = positive(parameters, "maxBatchSize", 0, 1 << 16);
        Embedder embedder = embedder(parameters);
        BatchLimits defaults = BatchLimits.defaultFor(embedder.provider());
        BatchLimits limits = new BatchLimits(maxBatchTokens > 0 ? maxBatchTokens : defaults.maxBatchTokens(), maxBatchSize > 0 ? maxBatchSize : defaults.maxBatchSize());
        return new EmbedTransform(id(), embedder, StepParameters.column(parameters, "inputColumn"), column, limits);
    }

    private static Embedder embedder(Map<String, Object> parameters) {
        boolean onDisk = parameters.containsKey("modelPath") || parameters.containsKey("tokenizerPath");
        if (!onDisk) {
            for (String name : Set.of("pooling", "maxSequenceLength")) {
                if (parameters.containsKey(name)) {
                    throw new InvalidStepParameterException(name, "only applies to a model given by modelPath; a shipped model has its own");
                }
            }
            String model = string(parameters, "model", EmbeddingModels.DEFAULT_MODEL);
            if (!EmbeddingModels.names().contains(model)) {
                throw new InvalidStepParameterException("model", "unknown model " + model + "; shipped models are " + String.join(", ", EmbeddingModels.names()));
            }
            try {
                return EmbeddingModels.named(model);
            }
            catch (ModelLoadException e) {
                throw new InvalidStepParameterException("model", e.getMessage());
            }
        }
        if (parameters.containsKey("model")) {
            throw new InvalidStepParameterException("model", "give either model or modelPath and tokenizerPath, not both");
        }
        Path modelPath = path(parameters, "modelPath");
        Path tokenizerPath = path(parameters, "tokenizerPath");
        Pooling pooling = Pooling.valueOf(StepParameters.oneOf(parameters, "pooling", "mean", Set.of("mean", "cls")).toUpperCase(Locale.ROOT));
        int maxSequenceLength = positive(parameters, "maxSequenceLength", EmbeddingModels.DEFAULT_MAX_SEQUENCE_LENGTH, 1 << 16);
        if (maxSequenceLength < 2) {
            throw new InvalidStepParameterException("maxSequenceLength", "must be at least 2 ([CLS] and [SEP]), was " + maxSequenceLength);
        }
        try {
            return EmbeddingModels.fromFiles(modelPath, tokenizerPath, pooling, maxSequenceLength);
        }
        catch (ModelLoadException e) {
            throw new InvalidStepParameterException(e.part() == ModelLoadException.Part.TOKENIZER ? "tokenizerPath" : "modelPath", e.getMessage());
        }
    }

    private static String string(Map<String, Object> parameters, String name, String defaultValue) {
        Object value = parameters.get(name);
        if (value == null) {
            return defaultValue;
        }
        if (!(value instanceof String text) || text.isBlank()) {
            throw new InvalidStepParameterException(name, "must be a non-empty string, was " + value);
        }
        return text;
    }

    private static Path path(Map<String, Object> parameters, String name) {
        if (!parameters.containsKey(name)) {
            throw new InvalidStepParameterException(name, "is required with " + (name.equals("modelPath") ? "tokenizerPath" : "modelPath"));
        }
        String text = string(parameters, name, null);
        try {
            return Path.of(text);
        }
        catch (InvalidPathException e) {
            throw new InvalidStepParameterException(name, "is not a valid path: " + text);
        }
    }

    private static int positive(Map<String, Object> parameters, String name, int defaultValue, int max) {
        Object value = parameters.get(name);
        if (value == null) {
            return defaultValue;
        }
        if (!(value instanceof Integer || value instanceof Long) || ((Number) value).longValue() < 1 || ((Number) value).longValue() > max) {
            throw new InvalidStepParameterException(name, "must be a whole number from 1 to " + max + ", was " + value);
        }
        return ((Number) value).intValue();
    }
}

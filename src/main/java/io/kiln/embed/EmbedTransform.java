package io.kiln.embed;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.kiln.transform.BatchTransform;
import io.kiln.transform.Column;
import io.kiln.transform.Outcome;
import io.kiln.transform.Row;
import io.kiln.transform.StepId;

/**
 * The bound {@code embed} step: sets {@link #column()} of every row to the L2-normalized vector of
 * its text ({@link ModelInfo#dimension()} floats). Never drops a row: an empty text gets the
 * vector of [CLS] [SEP]; a text longer than the model's length is embedded from its first
 * {@link ModelInfo#maxSequenceLength()} tokens and counted as {@code truncated}. Counts
 * {@code tokens} (the tokens embedded). Thread-safe; rows of one {@link #applyAll} call are
 * batched together, which changes speed, never vectors (fp32 models).
 */
public final class EmbedTransform implements BatchTransform {
    public static final String TRUNCATED = "truncated";
    public static final String TOKENS = "tokens";

    private final StepId id;
    private final Embedder embedder;
    private final String inputColumn;
    private final String column;
    private final BatchLimits limits;

    EmbedTransform(StepId id, Embedder embedder, String inputColumn, String column, BatchLimits limits) {
        this.id = requireNonNull(id, "id is null");
        this.embedder = requireNonNull(embedder, "embedder is null");
        this.inputColumn = requireNonNull(inputColumn, "inputColumn is null");
        this.column = requireNonNull(column, "column is null");
        this.limits = requireNonNull(limits, "limits is null");
    }

    @Override
    public StepId id() {
        return id;
    }

    /** The model: name, hashes, dimension (for the table properties and {@code kiln.embedding-model}). */
    public ModelInfo model() {
        return embedder.model();
    }

    /** Where this model's inference runs: {@code CPU} or {@code CUDA}. */
    public ExecutionProvider provider() {
        return embedder.provider();
    }

    public String column() {
        return column;
    }

    public BatchLimits limits() {
        return limits;
    }

    /** The text column it embeds; a row without a value there is passed on without a vector. */
    @Override
    public List<Column> reads() {
        return List.of(Column.string(inputColumn, ""));
    }

    @Override
    public List<Column> columns() {
        ModelInfo model = embedder.model();
        return List.of(Column.floatList(column, "L2-normalized " + model.dimension() + "-dimensional embedding of the text by " + model.name()));
    }

    /** The model by its hashes (the recipe), and {@code kiln.embedding-model} for every snapshot summary. */
    @Override
    public Map<String, String> fingerprint() {
        ModelInfo model = embedder.model();
        return Map.of("model", model.name(), "model-sha256", model.onnxSha256(), "tokenizer-sha256", model.tokenizerSha256(),
                "kiln.embedding-model", model.describe(), "kiln.embedding-tokenizer", model.describeTokenizer());
    }

    /** The execution provider that ran the model: it changes speed, and on CUDA the last bits of the vectors, so it is recorded. */
    @Override
    public Map<String, String> runtime() {
        return Map.of("kiln.embedding-provider", provider().name());
    }

    /** The vector's dimension, which Iceberg's {@code list<float>} cannot carry itself. */
    @Override
    public Map<String, String> tableProperties() {
        return Map.of("kiln.column." + column + ".dimension", Integer.toString(embedder.model().dimension()),
                "kiln.column." + column + ".model", embedder.model().name());
    }

    @Override
    public List<Outcome> applyAll(List<Row> rows) {

        long start = System.nanoTime();

        List<Outcome> outcomes = embedAll(rows);

        EmbeddingMetrics.record(provider(), "text", (int) rows.stream().filter(row -> row.value(inputColumn).isPresent()).count(), System.nanoTime() - start);

        return outcomes;

    }


    private List<Outcome> embedAll(List<Row> rows) {
        List<String> texts = new ArrayList<>(rows.size());
        rows.forEach(row -> row.string(inputColumn).ifPresent(texts::add));
        List<Embedder.Embedding> embeddings = texts.isEmpty() ? List.of() : embedder.embed(texts, limits);
        List<Outcome> outcomes = new ArrayList<>(rows.size());
        int next = 0;
        for (int i = 0; i < rows.size(); i++) {
            if (rows.get(i).string(inputColumn).isEmpty()) {
                outcomes.add(Outcome.emit(rows.get(i)));
                continue;
            }
            Embedder.Embedding embedding = embeddings.get(next++);
            outcomes.add(Outcome.emit(rows.get(i).with(column, embedding.vector()))
                    .counting(TOKENS, embedding.tokens())
                    .counting(TRUNCATED, embedding.truncated() ? 1 : 0));
        }
        return outcomes;
    }
}

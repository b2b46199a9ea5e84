package io.kiln.embed;

import static java.util.Objects.requireNonNull;

/**
 * What identifies an embedding model and how it is run: its name (a registry name, or the file
 * name of a model given on disk), where it came from, the sha256 of the {@code .onnx} file and of
 * the {@code tokenizer.json}, the vector dimension, the truncation length in tokens (with [CLS] and
 * [SEP]), the pooling, and whether the graph takes {@code token_type_ids}.
 */
public record ModelInfo(String name, String source, String onnxSha256, String tokenizerSha256, int dimension, int maxSequenceLength, Pooling pooling, boolean tokenTypeIds) {
    public ModelInfo {
        requireNonNull(name, "name is null");
        requireNonNull(source, "source is null");
        requireNonNull(onnxSha256, "onnxSha256 is null");
        requireNonNull(tokenizerSha256, "tokenizerSha256 is null");
        requireNonNull(pooling, "pooling is null");
        if (dimension <= 0 || maxSequenceLength < 2) {
            throw new IllegalArgumentException("Invalid model " + name + ": dimension " + dimension + ", max sequence length " + maxSequenceLength);
        }
    }

    /** For the snapshot summary's {@code kiln.embedding-model}: {@code all-minilm-l6-v2 dim=384 max-tokens=256 pooling=mean onnx-sha256=...}. */
    public String describe() {
        return name + " dim=" + dimension + " max-tokens=" + maxSequenceLength + " pooling=" + pooling.name().toLowerCase(java.util.Locale.ROOT) + " onnx-sha256=" + onnxSha256;
    }

    /** For the snapshot summary's {@code kiln.tokenizer}: {@code tokenizer.json sha256=...}. */
    public String describeTokenizer() {
        return "tokenizer.json sha256=" + tokenizerSha256;
    }
}

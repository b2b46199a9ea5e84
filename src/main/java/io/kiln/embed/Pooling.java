package io.kiln.embed;

/** How a sentence vector is made from the model's token vectors. */
public enum Pooling {
    /** The mean of the token vectors of the real (unpadded) tokens, [CLS] and [SEP] included: sentence-transformers' MiniLM models. */
    MEAN,
    /** The vector of the first token ([CLS]): the BGE models. */
    CLS
}

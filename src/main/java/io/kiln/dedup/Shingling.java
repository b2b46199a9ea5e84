package io.kiln.dedup;

/** What a shingle is made of, on the {@linkplain TextNormalizer normalized} text. */
public enum Shingling {
    /**
     * {@code shingleSize} consecutive words; a word is a maximal run of letters and digits, so
     * punctuation and spacing do not count. For languages written with spaces between words.
     */
    WORDS,
    /**
     * {@code shingleSize} consecutive code points of the normalized text (white space folded to one
     * space, punctuation kept). For languages written without spaces (Chinese, Japanese, Thai) and for code.
     */
    CHARACTERS,
    /**
     * Not text: sets of 64-bit features made elsewhere, such as the spectral-peak landmark hashes of
     * a sound; {@link MinHasher#signatureOfShingles} signs them, {@link MinHasher#signature} refuses.
     */
    FEATURES
}

/**
 * Contamination checks between training text and an eval set by word n-gram overlap, after GPT-3's
 * decontamination (Brown et al. 2020, appendix C): the pure core, with no I/O beyond the index file.
 *
 * <ol>
 *   <li>{@link io.kiln.contamination.NgramText}: words, their offsets and hashes by a versioned normalization rule,
 *       and the hash of an n-gram of words.</li>
 *   <li>{@link io.kiln.contamination.NgramIndex}: built once per eval snapshot from its items, capped so that
 *       n-grams common in the eval set match nothing, written to and read from one checksummed file;
 *       {@code match(text)} says which items a training text shares n-grams with, how much, and where.</li>
 *   <li>{@link io.kiln.contamination.SpanCutter}: removes the matched spans with a margin, and says when a text
 *       falls into too many pieces to keep.</li>
 * </ol>
 *
 * <p>Everything is deterministic; the index is immutable and thread-safe once built.
 */
package io.kiln.contamination;

/**
 * Exact and near-duplicate detection for the {@code dedup-exact} and {@code dedup-near} steps: within a job
 * and against every row already published in the table, with a survivor rule that does not depend on
 * input order, thread count or batch size.
 *
 * <p>How a job uses it (two passes over the job's rows):
 * <ol>
 *   <li>Load the table's history: {@link io.kiln.dedup.ExactHistory#read} / {@link io.kiln.dedup.NearHistory#read}
 *       over the concatenation of the table's segments (one per publish), and make an
 *       {@link io.kiln.dedup.ExactDedupIndex} / {@link io.kiln.dedup.NearDedupIndex} with it.</li>
 *   <li>Pass 1, any threads, any order: for each row, its {@link io.kiln.dedup.DocumentRank} (source URI,
 *       position, chunk, row id: unique in the job) and {@link io.kiln.dedup.ContentKey#of} or
 *       {@link io.kiln.dedup.MinHasher#signature} of its text, {@code add}ed to the index.</li>
 *   <li>{@code decide()}: a {@link io.kiln.dedup.Decision} per row: keep, or duplicate of a row of the job
 *       or of a published row, with the survivor's row id, the cluster id and the similarity.</li>
 *   <li>Pass 2: look each row's decision up by its rank; write the kept ones, reject the others.</li>
 *   <li>On publish: {@code newSegment(rank -> written)} and write it after the table's earlier segments.</li>
 * </ol>
 *
 * <p>Normalization before hashing: {@link io.kiln.dedup.TextNormalizer}. Choices and parameters:
 * {@link io.kiln.dedup.NearDuplicateParameters} and {@link io.kiln.dedup.NearDedupIndex}. No dependency
 * beyond the JDK; nothing here is thread-safe unless it says so, and everything is deterministic.
 */
package io.kiln.dedup;

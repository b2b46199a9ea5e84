package io.kiln.dedup;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.Comparator;
import java.util.function.Function;

/**
 * A document of a job, which also orders the documents of a job: by row id, then source URI, then
 * position in the source, then chunk index. Within a job the smallest rank of a duplicate cluster
 * survives: the least row id, and among equal ids the first in the (sorted) input; so neither the
 * order in which the documents were read or added nor the order of lines within a file decides.
 * Ranks must be unique within a job.
 */
public record DocumentRank(String sourceUri, long position, int chunk, String rowId) implements Comparable<DocumentRank> {
    private static final Comparator<DocumentRank> ORDER = Comparator.comparing(DocumentRank::rowId)
            .thenComparing(DocumentRank::sourceUri)
            .thenComparingLong(DocumentRank::position)
            .thenComparingInt(DocumentRank::chunk);

    public DocumentRank {
        requireNonNull(sourceUri, "sourceUri is null");
        requireNonNull(rowId, "rowId is null");
    }

    @Override
    public int compareTo(DocumentRank other) {
        return ORDER.compare(this, other);
    }

    /**
     * The entries in rank order.
     *
     * @throws IllegalArgumentException if two entries have the same rank
     */
    static <T> T[] sorted(T[] entries, Function<T, DocumentRank> rank) {
        T[] sorted = entries.clone();
        Arrays.sort(sorted, Comparator.comparing(rank));
        for (int i = 1; i < sorted.length; i++) {
            if (rank.apply(sorted[i - 1]).equals(rank.apply(sorted[i]))) {
                throw new IllegalArgumentException("Cannot deduplicate: two documents have rank " + rank.apply(sorted[i]));
            }
        }
        return sorted;
    }
}

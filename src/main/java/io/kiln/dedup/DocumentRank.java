package io.kiln.dedup;

import static java.util.Objects.requireNonNull;

import java.util.Comparator;

/**
 * Where a document of a job comes from, which also orders the documents of a job: by source URI,
 * then position in the source, then chunk index, then row id. Within a job the smallest rank of a
 * duplicate cluster survives, so "the first in the input survives", whatever order the documents were
 * read or added in. Ranks must be unique within a job.
 */
public record DocumentRank(String sourceUri, long position, int chunk, String rowId) implements Comparable<DocumentRank> {
    private static final Comparator<DocumentRank> ORDER = Comparator.comparing(DocumentRank::sourceUri)
            .thenComparingLong(DocumentRank::position)
            .thenComparingInt(DocumentRank::chunk)
            .thenComparing(DocumentRank::rowId);

    public DocumentRank {
        requireNonNull(sourceUri, "sourceUri is null");
        requireNonNull(rowId, "rowId is null");
    }

    @Override
    public int compareTo(DocumentRank other) {
        return ORDER.compare(this, other);
    }
}

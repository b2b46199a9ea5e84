package io.kiln.dedup;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Exact deduplication of one job against itself and the table's history. Pass 1 {@link #add}s the
 * {@link ContentKey} of every document of the job (from any number of threads, in any order);
 * {@link #decide()} then decides for each: a document whose key a published row has is a
 * {@link Decision.Verdict#DUPLICATE_OF_HISTORY} of that row (the least row id if several); among the
 * job's documents with the same key, the smallest {@link DocumentRank} is kept and the others are
 * {@link Decision.Verdict#DUPLICATE_IN_JOB}s of it. The cluster id is the key's hex. The decisions
 * depend only on the set of (rank, key) pairs added, not on their order or on threads.
 *
 * <p>Memory per job document: the rank and the key (about 100 bytes plus the rank's strings).
 */
public final class ExactDedupIndex {
    private record Entry(DocumentRank rank, ContentKey key) {
    }

    private final ExactHistory history;
    private final List<Entry> entries = new ArrayList<>();
    private DedupDecisions decisions;

    public ExactDedupIndex(ExactHistory history) {
        this.history = requireNonNull(history, "history is null");
    }

    /** Adds a document of the job. Thread-safe. */
    public synchronized void add(DocumentRank rank, ContentKey key) {
        requireNonNull(rank, "rank is null");
        requireNonNull(key, "key is null");
        if (decisions != null) {
            throw new IllegalStateException("Cannot add document %s: decisions were already made".formatted(rank));
        }
        entries.add(new Entry(rank, key));
    }

    public synchronized int size() {
        return entries.size();
    }

    /**
     * Decides for every document added (once; later calls return the same decisions).
     *
     * @throws IllegalArgumentException if two documents have the same rank
     */
    public synchronized DedupDecisions decide() {
        if (decisions != null) {
            return decisions;
        }
        Entry[] sorted = DocumentRank.sorted(entries.toArray(new Entry[0]), Entry::rank);
        Map<ContentKey, Entry> firstByKey = new HashMap<>();
        Map<ContentKey, Integer> countByKey = new HashMap<>();
        for (Entry entry : sorted) {
            firstByKey.putIfAbsent(entry.key(), entry);
            countByKey.merge(entry.key(), 1, Integer::sum);
        }
        Map<ContentKey, Optional<String>> published = new HashMap<>();
        List<Decision> result = new ArrayList<>(sorted.length);
        for (Entry entry : sorted) {
            ContentKey key = entry.key();
            Optional<String> historyRow = published.computeIfAbsent(key, history::rowWith);
            Optional<String> clusterId = Optional.of(key.toHex());
            if (historyRow.isPresent()) {
                result.add(new Decision(entry.rank(), Decision.Verdict.DUPLICATE_OF_HISTORY, historyRow, clusterId, 1.0));
            }
            else if (firstByKey.get(key) == entry) {
                result.add(Decision.keep(entry.rank(), countByKey.get(key) > 1 ? clusterId : Optional.empty()));
            }
            else {
                result.add(new Decision(entry.rank(), Decision.Verdict.DUPLICATE_IN_JOB, Optional.of(firstByKey.get(key).rank().rowId()), clusterId, 1.0));
            }
        }
        decisions = new DedupDecisions(result);
        return decisions;
    }

    /**
     * The history segment of this job's publish: the kept documents for which {@code published} is
     * true (the rows actually written; a later step may have dropped some).
     */
    public synchronized ExactHistory newSegment(Predicate<DocumentRank> published) {
        requireNonNull(published, "published is null");
        DedupDecisions decided = decide();
        Map<DocumentRank, ContentKey> keys = new HashMap<>();
        entries.forEach(entry -> keys.put(entry.rank(), entry.key()));
        ExactHistory.Builder builder = ExactHistory.builder();
        for (Decision decision : decided.decisions()) {
            if (!decision.isDuplicate() && published.test(decision.rank())) {
                builder.add(decision.rank().rowId(), keys.get(decision.rank()));
            }
        }
        return builder.build();
    }
}

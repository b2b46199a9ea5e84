package io.kiln.checks;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/** One passed run in a table's metric history, as {@code GET /metrics} shows it. */
public record HistoryEntry(long timestampMillis, Map<String, String> tags, Map<String, Double> metrics) {
    public HistoryEntry {
        tags = Collections.unmodifiableMap(new TreeMap<>(tags));
        metrics = Collections.unmodifiableMap(new TreeMap<>(metrics));
    }
}

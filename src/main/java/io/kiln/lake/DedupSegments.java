package io.kiln.lake;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;

import com.fasterxml.jackson.core.type.TypeReference;

/**
 * Where a table's persistent deduplication index lives. Each job that deduplicates writes one
 * segment file (the keys of the rows it wrote) under {@code <table>/kiln-index/<index>/}; the
 * staged snapshot names it ({@code kiln.dedup-segment.<index>}), and publishing carries the list
 * of every published segment forward in main's head ({@code kiln.dedup-index.<index>}). So the
 * index of what main holds is read from main's head alone, however many snapshots expired, and a
 * rejected batch's segment is never part of it.
 */
public final class DedupSegments {
    public static final String INDEX_DIRECTORY = "kiln-index";
    public static final String SEGMENT_PREFIX = "kiln.dedup-segment.";
    /** Snapshot summary key prefix: the sha256 of the state a fitted step wrote (at {@link #SEGMENT_PREFIX}). */
    public static final String STATE_SHA256_PREFIX = "kiln.state-sha256.";
    public static final String INDEX_PREFIX = "kiln.dedup-index.";

    private DedupSegments() {}

    /** The segments of {@code index} that main holds now (empty for a new table). */
    public static List<String> published(Table table, String index) {
        table.refresh();
        Snapshot head = table.currentSnapshot();
        return head == null ? List.of() : list(head.summary().get(INDEX_PREFIX + index));
    }

    /** Where a job writes its segment of {@code index}. */
    public static String segmentLocation(Table table, String index, String jobId) {
        return table.location() + "/" + INDEX_DIRECTORY + "/" + index + "/" + jobId + ".seg";
    }

    /**
     * The index entries of the snapshot that publishes {@code staged} on top of {@code base}:
     * every index of the base, carried forward, with the staged segments appended.
     */
    public static Map<String, String> carryForward(Optional<Map<String, String>> base, Map<String, String> staged) {
        Map<String, String> entries = new TreeMap<>();
        base.ifPresent(summary -> summary.forEach((key, value) -> {
            if (key.startsWith(INDEX_PREFIX)) {
                entries.put(key, value);
            }
        }));
        staged.forEach((key, segment) -> {
            if (key.startsWith(SEGMENT_PREFIX)) {
                String indexKey = INDEX_PREFIX + key.substring(SEGMENT_PREFIX.length());
                List<String> segments = new ArrayList<>(list(entries.get(indexKey)));
                if (!segments.contains(segment)) {
                    segments.add(segment);
                }
                entries.put(indexKey, SummaryJson.write(segments));
            }
        });
        return entries;
    }

    /** Whether the base gained segments of an index since the job read it: then its rows were not deduplicated against them. */
    public static Optional<String> staleIndex(Optional<Map<String, String>> base, Map<String, String> staged) {
        for (Map.Entry<String, String> entry : staged.entrySet()) {
            if (entry.getKey().startsWith(SEGMENT_PREFIX)) {
                String index = entry.getKey().substring(SEGMENT_PREFIX.length());
                int seen = Integer.parseInt(staged.getOrDefault("kiln.dedup-segments-seen." + index, "0"));
                int now = list(base.map(summary -> summary.get(INDEX_PREFIX + index)).orElse(null)).size();
                if (now != seen) {
                    return Optional.of(index);
                }
            }
        }
        return Optional.empty();
    }

    public static List<String> list(String json) {
        if (json == null || json.isEmpty()) {
            return List.of();
        }
        return SummaryJson.read(json, new TypeReference<List<String>>() {})
                .orElseThrow(() -> new IllegalStateException("unreadable index segment list: " + json));
    }
}

package io.kiln.lake;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.LongBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import org.apache.iceberg.Table;


/**
 * A table's index of the values of a column an audit proves unique ({@code IsUnique "c"}): each
 * publish adds one segment file, the sorted 64-bit hashes of its batch's values, under
 * {@code <table>/kiln-index/ids/<column>/}. The staged snapshot names its segment
 * ({@code kiln.id-segment.<column>}); publishing carries the list forward in main's head
 * ({@code kiln.id-index.<column>}) only while it covers every row: the base had a complete list (or
 * no rows) and the batch added its segment. A publish without one (a job without the rule, a batch
 * too large to hash) ends the list, and later audits fall back to the check engine.
 *
 * <p>An audit then finds whether the batch's values meet the table's by merging sorted hashes,
 * reading 8 bytes a row of the table and nothing else. Equal hashes are almost always equal values;
 * the caller has the engine decide those exactly.
 */
public final class IdSegments {
    public static final String SEGMENT_PREFIX = "kiln.id-segment.";
    public static final String INDEX_PREFIX = "kiln.id-index.";
    private static final int MAGIC = 0x4b494431; // "KID1"

    private IdSegments() {}

    /** What merging a batch's hashes with the table's index found. */
    public record Overlap(int segments, long tableValues, long sharedHashes) {}

    /** Where a job writes its segment of {@code column}. */
    public static String segmentLocation(Table table, String column, String jobId) {
        return table.location() + "/" + DedupSegments.INDEX_DIRECTORY + "/ids/" + URLEncoder.encode(column, StandardCharsets.UTF_8) + "/" + jobId + ".seg";
    }

    /** Writes {@code sorted} (ascending) as a segment; returns the summary entry that names it. */
    public static Map<String, String> write(Table table, String column, String jobId, LongBuffer sorted) {
        String location = segmentLocation(table, column, jobId);
        try (OutputStream file = table.io().newOutputFile(location).createOrOverwrite();
                DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(file, 1 << 16))) {
            out.writeInt(MAGIC);
            out.writeLong(sorted.remaining());
            for (int i = sorted.position(); i < sorted.limit(); i++) {
                out.writeLong(sorted.get(i));
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot write the id index segment " + location + ": " + e.getMessage(), e);
        }
        return Map.of(SEGMENT_PREFIX + column, location);
    }

    /** The complete index of {@code column} at a snapshot (its summary), or empty when it has none. */
    public static Optional<List<String>> index(Map<String, String> summary, String column) {
        String list = summary.get(INDEX_PREFIX + column);
        return list == null ? Optional.empty() : Optional.of(DedupSegments.list(list));
    }

    /**
     * Merges the batch's sorted hashes with every segment: how many of the batch's hashes occur in the
     * table. Reads each segment once, front to back; memory stays the batch's array.
     */
    public static Overlap overlap(Table table, List<String> segments, LongBuffer batch) {
        long tableValues = 0;
        long shared = 0;
        for (String segment : segments) {
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(table.io().newInputFile(segment).newStream(), 1 << 16))) {
                if (in.readInt() != MAGIC) {
                    throw new IllegalStateException("not an id index segment: " + segment);
                }
                long count = in.readLong();
                tableValues += count;
                int at = batch.position();
                for (long i = 0; i < count; i++) {
                    long value = in.readLong();
                    at = lowerBound(batch, at, value);
                    if (at < batch.limit() && batch.get(at) == value) {
                        shared++;
                    }
                }
            }
            catch (EOFException e) {
                throw new IllegalStateException("truncated id index segment: " + segment, e);
            }
            catch (IOException e) {
                throw new UncheckedIOException("Cannot read the id index segment " + segment + ": " + e.getMessage(), e);
            }
        }
        return new Overlap(segments.size(), tableValues, shared);
    }

    /**
     * The first index at or after {@code from} whose hash is not below {@code value}: galloping, so that
     * many small segments against a large batch cost what their own values do, not the batch's length.
     */
    static int lowerBound(LongBuffer sorted, int from, long value) {
        int limit = sorted.limit();
        int low = from;
        int high = from;
        long step = 1;
        while (high < limit && sorted.get(high) < value) {
            low = high + 1;
            high = (int) Math.min(from + step, limit);
            step <<= 1;
        }
        while (low < high) {
            int middle = (low + high) >>> 1;
            if (sorted.get(middle) < value) {
                low = middle + 1;
            }
            else {
                high = middle;
            }
        }
        return low;
    }

    /**
     * The id index entries of the snapshot that publishes {@code staged} on {@code base} (empty: the
     * table had no rows): for each column proved unique at it, the base's complete list plus the
     * batch's segment; no entry where either is missing, or where the base's list is of another column
     * of that name ({@code baseUniqueColumns}: the base's columns still the same, proved unique there).
     */
    public static Map<String, String> carryForward(Optional<Map<String, String>> base, Map<String, String> staged, Set<String> uniqueColumns,
            Set<String> baseUniqueColumns) {
        Map<String, String> entries = new TreeMap<>();
        for (String column : uniqueColumns) {
            String segment = staged.get(SEGMENT_PREFIX + column);
            Optional<List<String>> before = base.isEmpty() ? Optional.of(List.of())
                    : baseUniqueColumns.contains(column) ? index(base.get(), column) : Optional.empty();
            if (segment != null && before.isPresent()) {
                List<String> segments = new ArrayList<>(before.get());
                if (!segments.contains(segment)) {
                    segments.add(segment);
                }
                entries.put(INDEX_PREFIX + column, SummaryJson.write(segments));
            }
        }
        return entries;
    }
}

package io.kiln.job;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import org.apache.iceberg.Table;

import io.kiln.error.ErrorCode;
import io.kiln.error.KilnException;
import io.kiln.lake.DedupSegments;
import io.kiln.source.SourceRecord;
import io.kiln.transform.DuplicateFilter;
import io.kiln.transform.Outcome;
import io.kiln.transform.Row;
import io.kiln.transform.Transform;
import io.kiln.transform.TransformChain;

/**
 * The first pass of a job whose chain has duplicate filters: the rows reaching the filters are
 * signed (on the job's threads) and added to each filter's index, which holds the table's published
 * segments too; then each index decides, and {@link #gate} tells the second pass what to drop.
 *
 * <p>A row is known by its occurrence: input index in the sorted inputs, record ordinal in its
 * file, and chunk index; the same in both passes, whatever the batch or thread count.
 */
final class Deduplication {
    private static final int CHUNK_BITS = 12;
    private static final int ORDINAL_BITS = 31;
    private static final int FILE_BITS = 63 - ORDINAL_BITS - CHUNK_BITS;

    private final TransformChain chain;
    private final int first;
    private final List<DuplicateFilter> filters;
    private final List<DuplicateFilter.Index> indexes;
    private final List<Integer> segmentsSeen;

    private Deduplication(TransformChain chain, int first, List<DuplicateFilter> filters, List<DuplicateFilter.Index> indexes, List<Integer> segmentsSeen) {
        this.chain = chain;
        this.first = first;
        this.filters = filters;
        this.indexes = indexes;
        this.segmentsSeen = segmentsSeen;
    }

    /**
     * Empty when the chain has no duplicate filter; otherwise loads each filter's published
     * segments of {@code table}: those on main now, or, when reproducing a published job (its
     * snapshot's summary given), those the job itself deduplicated against.
     */
    static Optional<Deduplication> prepare(TransformChain chain, Table table, Optional<Map<String, String>> reproducing) {
        OptionalInt first = chain.firstDuplicateFilter();
        if (first.isEmpty()) {
            return Optional.empty();
        }
        List<DuplicateFilter> filters = new ArrayList<>();
        List<DuplicateFilter.Index> indexes = new ArrayList<>();
        List<Integer> seen = new ArrayList<>();
        for (Transform step : chain.steps().subList(first.getAsInt(), chain.steps().size())) {
            if (!(step instanceof DuplicateFilter filter)) {
                break;
            }
            DuplicateFilter.Index index = filter.newIndex();
            List<String> segments = reproducing.isEmpty() ? DedupSegments.published(table, filter.indexName()) : asOf(reproducing.get(), filter.indexName());
            java.util.Iterator<String> next = segments.iterator();
            java.util.Enumeration<InputStream> streams = new java.util.Enumeration<>() {
                @Override
                public boolean hasMoreElements() {
                    return next.hasNext();
                }

                @Override
                public InputStream nextElement() {
                    return new java.io.BufferedInputStream(table.io().newInputFile(next.next()).newStream(), 1 << 16);
                }
            };
            try (InputStream in = new java.io.SequenceInputStream(streams)) {
                index.loadHistory(in);
            }
            catch (IOException | RuntimeException e) {
                throw new KilnException(ErrorCode.SOURCE_UNREADABLE, "Cannot read the deduplication index " + filter.indexName() + " of " + table.name()
                        + " (" + segments.size() + " segments): " + e.getMessage(), e);
            }
            filters.add(filter);
            indexes.add(index);
            seen.add(segments.size());
        }
        return Optional.of(new Deduplication(chain, first.getAsInt(), List.copyOf(filters), List.copyOf(indexes), List.copyOf(seen)));
    }

    private static List<String> asOf(Map<String, String> summary, String index) {
        List<String> all = DedupSegments.list(summary.get(DedupSegments.INDEX_PREFIX + index));
        int seen = Integer.parseInt(summary.getOrDefault("kiln.dedup-segments-seen." + index, "0"));
        return all.subList(0, Math.min(seen, all.size()));
    }

    /** One row's signatures, one per filter. */
    record Signed(long occurrence, String id, Object[] signatures) {}

    /** Pass 1, on any thread: the signatures of the rows of a batch that reach the filters. */
    List<Signed> signatures(List<IngestPipeline.Item> batch) {
        List<Row> rows = new ArrayList<>(batch.size());
        List<IngestPipeline.Item> items = new ArrayList<>(batch.size());
        for (IngestPipeline.Item item : batch) {
            if (item.record() instanceof SourceRecord.Parsed parsed) {
                rows.add(parsed.row());
                items.add(item);
            }
        }
        List<List<Row>> reaching = chain.preview(rows, first);
        List<Signed> signed = new ArrayList<>(rows.size());
        for (int source = 0; source < reaching.size(); source++) {
            for (Row row : reaching.get(source)) {
                Object[] signatures = new Object[filters.size()];
                for (int i = 0; i < filters.size(); i++) {
                    signatures[i] = filters.get(i).signature(row);
                }
                signed.add(new Signed(occurrence(items.get(source), row), row.id(), signatures));
            }
        }
        return signed;
    }

    /** Pass 1, on the job's thread. */
    void add(List<Signed> signed) {
        for (Signed row : signed) {
            for (int i = 0; i < indexes.size(); i++) {
                indexes.get(i).add(row.occurrence(), row.id(), row.signatures()[i]);
            }
        }
    }

    void decide() {
        indexes.forEach(DuplicateFilter.Index::decide);
    }

    /** Pass 2: the decisions for the rows of {@code parsedItems} (a batch's parsed records, in order). */
    TransformChain.DuplicateGate gate(List<IngestPipeline.Item> parsedItems) {
        return (filter, source, row) -> {
            int i = filters.indexOf(filter);
            Optional<DuplicateFilter.Duplicate> duplicate = indexes.get(i).duplicate(occurrence(parsedItems.get(source), row), row.id());
            if (duplicate.isEmpty()) {
                return Outcome.emit(row);
            }
            DuplicateFilter.Duplicate of = duplicate.get();
            return Outcome.drop(filter.id(), "duplicate", String.format(java.util.Locale.ROOT, "duplicate of row '%s' (%s), cluster %s, similarity %.3f",
                    of.survivorId(), of.survivorPublished() ? "already in the table" : "kept from this job", of.clusterId(), of.similarity()));
        };
    }

    /** Writes each filter's segment of this job's survivors; the summary entries that name them for publishing. */
    Map<String, String> writeSegments(Table table, String jobId) {
        Map<String, String> summary = new LinkedHashMap<>();
        for (int i = 0; i < filters.size(); i++) {
            String name = filters.get(i).indexName();
            String location = DedupSegments.segmentLocation(table, name, jobId);
            try (OutputStream out = table.io().newOutputFile(location).createOrOverwrite()) {
                indexes.get(i).writeSegment(out);
            }
            catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            summary.put(DedupSegments.SEGMENT_PREFIX + name, location);
            summary.put("kiln.dedup-segments-seen." + name, Integer.toString(segmentsSeen.get(i)));
            summary.put("kiln.dedup-index-bytes." + name, Long.toString(indexes.get(i).estimatedBytes()));
        }
        return summary;
    }

    static long occurrence(IngestPipeline.Item item, Row row) {
        Object chunkColumn = row.columns().get(IngestPipeline.CHUNK_INDEX);
        long chunk = chunkColumn == null ? 0 : ((Number) chunkColumn).longValue();
        if (item.fileIndex() >= (1L << FILE_BITS) || item.ordinal() >= (1L << ORDINAL_BITS) || chunk >= (1L << CHUNK_BITS)) {
            throw new KilnException(ErrorCode.INVALID_JOB_SPEC, "Deduplication supports up to " + (1L << FILE_BITS) + " input files, "
                    + (1L << ORDINAL_BITS) + " records per file and " + (1L << CHUNK_BITS) + " chunks per record before the filter");
        }
        return ((long) item.fileIndex() << (ORDINAL_BITS + CHUNK_BITS)) | (item.ordinal() << CHUNK_BITS) | chunk;
    }
}

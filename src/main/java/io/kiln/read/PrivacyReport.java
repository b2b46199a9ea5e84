package io.kiln.read;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonFormat;

import io.kiln.error.ErrorCode;
import io.kiln.error.KilnException;

/**
 * The re-identification risk of a snapshot, over the whole table at that snapshot: rows grouped by
 * their quasi-identifiers (those the snapshot's anonymize step recorded, or those asked for) into
 * equivalence classes. Under the prosecutor model (El Emam, "Guide to the De-Identification of
 * Personal Health Information", 2013; as ARX reports it) a row's risk is 1 / the size of its class:
 * the highest risk is 1 / the smallest class, the average risk is classes / rows, and sample
 * uniqueness is the share of rows alone in their class. Holds one count per class, never the rows.
 */
public final class PrivacyReport {
    private PrivacyReport() {}

    /** One size of class: how many classes have it and the rows in them. */
    public record ClassSize(long size, long classes, long rows) {}

    /**
     * @param quasiIdentifiers the columns rows were grouped by
     * @param from {@code summary} (the anonymize step's record at or before the snapshot) or {@code request}
     * @param anonymization what the snapshot's anonymize step chose and suppressed ({@code kiln.privacy.*} of its summary), empty when none ran
     */
    public record Report(String table, @JsonFormat(shape = JsonFormat.Shape.STRING) @Schema(type = SchemaType.STRING, format = "int64") long snapshotId,
            List<String> quasiIdentifiers, String from, long rows, long classes, long smallestClass, double prosecutorRisk, double averageRisk,
            double sampleUniqueness, List<ClassSize> classSizes, Map<String, String> anonymization) {
        public Report {
            requireNonNull(table, "table is null");
            quasiIdentifiers = List.copyOf(quasiIdentifiers);
            classSizes = List.copyOf(classSizes);
            anonymization = Map.copyOf(anonymization);
        }
    }

    /** @param requested the quasi-identifiers to group by; empty for those the snapshot's anonymize step recorded */
    public static Report of(String name, Table table, long snapshotId, Optional<List<String>> requested) {
        Snapshot snapshot = table.snapshot(snapshotId);
        if (snapshot == null) {
            throw new KilnException(ErrorCode.SNAPSHOT_NOT_FOUND, "Table " + name + " has no snapshot " + snapshotId);
        }
        Map<String, String> anonymization = new TreeMap<>();
        for (Snapshot at : org.apache.iceberg.util.SnapshotUtil.ancestorsOf(snapshotId, table::snapshot)) {
            if (at.summary().containsKey("kiln.privacy.quasi-identifiers")) {
                at.summary().forEach((key, value) -> {
                    if (key.startsWith("kiln.privacy.")) {
                        anonymization.put(key.substring("kiln.privacy.".length()), value);
                    }
                });
                anonymization.put("snapshot-id", Long.toString(at.snapshotId()));
                break;
            }
        }
        List<String> columns;
        String from;
        if (requested.isPresent() && !requested.get().isEmpty()) {
            columns = requested.get();
            from = "request";
        }
        else if (anonymization.containsKey("quasi-identifiers")) {
            columns = List.of(anonymization.get("quasi-identifiers").split(","));
            from = "summary";
        }
        else {
            throw new KilnException(ErrorCode.INVALID_REQUEST, "Snapshot " + snapshotId + " of " + name
                    + " was not written by an anonymize step: name the quasi-identifiers, e.g. ?quasiIdentifiers=age,zip,sex");
        }
        org.apache.iceberg.Schema schema = table.schemas().get(snapshot.schemaId());
        for (String column : columns) {
            if (schema.findField(column) == null) {
                throw new KilnException(ErrorCode.INVALID_REQUEST, "quasiIdentifiers: table " + name + " has no column " + column + " at snapshot " + snapshotId);
            }
        }
        Map<List<Object>, long[]> classes = new HashMap<>();
        long rows = 0;
        try (CloseableIterable<Record> records = IcebergGenerics.read(table).useSnapshot(snapshotId).select(columns).build()) {
            for (Record record : records) {
                Object[] key = new Object[columns.size()];
                for (int i = 0; i < key.length; i++) {
                    key[i] = record.getField(columns.get(i));
                }
                classes.computeIfAbsent(Arrays.asList(key), ignored -> new long[1])[0]++;
                rows++;
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        TreeMap<Long, long[]> bySize = new TreeMap<>();
        for (long[] size : classes.values()) {
            long[] entry = bySize.computeIfAbsent(size[0], ignored -> new long[2]);
            entry[0]++;
            entry[1] += size[0];
        }
        List<ClassSize> sizes = new ArrayList<>();
        bySize.forEach((size, entry) -> sizes.add(new ClassSize(size, entry[0], entry[1])));
        long smallest = bySize.isEmpty() ? 0 : bySize.firstKey();
        long unique = bySize.containsKey(1L) ? bySize.get(1L)[1] : 0;
        return new Report(name, snapshotId, columns, from, rows, classes.size(), smallest,
                smallest == 0 ? 0 : 1.0 / smallest, rows == 0 ? 0 : (double) classes.size() / rows, rows == 0 ? 0 : (double) unique / rows,
                sizes, anonymization);
    }
}

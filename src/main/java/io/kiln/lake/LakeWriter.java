package io.kiln.lake;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.avro.util.Utf8;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.Table;
import org.apache.iceberg.MetricsConfig;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.data.GenericFileWriterFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.InternalWriter;
import org.apache.iceberg.deletes.EqualityDeleteWriter;
import org.apache.iceberg.deletes.PositionDeleteWriter;
import org.apache.iceberg.encryption.EncryptedOutputFile;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.FileWriterFactory;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.io.RollingDataWriter;

/**
 * Writes one job's rows and rejects as Parquet data files that roll over at the target size;
 * nothing is visible until {@link Publisher} commits the files. Not thread-safe: one writer
 * thread per job.
 */
public final class LakeWriter implements Closeable {
    private final Table table;
    private final Table rejectsTable;
    private final String jobId;
    private final String recipe;
    private final RollingDataWriter<StructLike> rows;
    private final RollingDataWriter<Record> rejects;
    /** The row handed to the writer, reused: its values in Iceberg's internal object model ({@link IcebergTypes#writer}). */
    private final GenericRecord row;
    private final GenericRecord reject;
    /** Each data column's index among the table's data columns. */
    private final Map<String, Integer> dataIndex;
    private final int[] dataPositions;
    private final List<java.util.function.Function<Object, Object>> dataWriters;
    private final int[] lineagePositions;
    // the lineage values that repeat on every row of an input, encoded once: Iceberg's Parquet writer takes Avro's Utf8 as
    // bytes, where it would encode a String again for every row
    private final Utf8 jobIdBytes;
    private final Utf8 recipeBytes;
    private String lastUri;
    private Utf8 uriBytes;
    private String lastSha256;
    private Utf8 sha256Bytes;
    private boolean closed;

    public LakeWriter(Table table, Table rejectsTable, String jobId, String recipe, long targetFileSizeBytes) {
        this.table = table;
        this.rejectsTable = rejectsTable;
        this.jobId = jobId;
        this.recipe = recipe;
        this.jobIdBytes = new Utf8(jobId);
        this.recipeBytes = new Utf8(recipe);
        this.rows = new RollingDataWriter<>(new InternalRowFiles(table), outputFiles(table, jobId), table.io(), targetFileSizeBytes, table.spec(), null);
        GenericFileWriterFactory rejectFiles = new GenericFileWriterFactory.Builder(rejectsTable).dataFileFormat(FileFormat.PARQUET).build();
        this.rejects = new RollingDataWriter<>(rejectFiles, outputFiles(rejectsTable, jobId), rejectsTable.io(), targetFileSizeBytes, rejectsTable.spec(), null);
        this.row = GenericRecord.create(table.schema());
        this.reject = GenericRecord.create(rejectsTable.schema());
        List<org.apache.iceberg.types.Types.NestedField> fields = table.schema().columns();
        List<String> names = new ArrayList<>();
        List<Integer> positions = new ArrayList<>();
        List<java.util.function.Function<Object, Object>> writers = new ArrayList<>();
        for (int i = 0; i < fields.size(); i++) {
            String name = fields.get(i).name();
            if (!TableLayout.isReserved(name)) {
                names.add(name);
                positions.add(i);
                writers.add(IcebergTypes.writer(fields.get(i).type()));
            }
        }
        Map<String, Integer> index = new java.util.HashMap<>();
        for (int i = 0; i < names.size(); i++) {
            index.put(names.get(i), i);
        }
        this.dataIndex = Map.copyOf(index);
        this.dataPositions = positions.stream().mapToInt(Integer::intValue).toArray();
        this.dataWriters = List.copyOf(writers);
        this.lineagePositions = new int[] {position(fields, "id"), position(fields, TableLayout.SOURCE_URI), position(fields, TableLayout.SOURCE_SHA256),
                position(fields, TableLayout.SOURCE_POSITION), position(fields, TableLayout.JOB_ID), position(fields, TableLayout.RECIPE)};
    }

    private static int position(List<org.apache.iceberg.types.Types.NestedField> fields, String name) {
        for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i).name().equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException("Table has no column " + name + ": not a Kiln table");
    }

    private static OutputFileFactory outputFiles(Table table, String jobId) {
        return OutputFileFactory.builderFor(table, 0, 0)
                .format(FileFormat.PARQUET)
                .operationId(jobId)
                .build();
    }

    /**
     * Parquet data files of a table's rows written from Iceberg's internal object model ({@link InternalWriter}), which
     * takes dates, times and timestamps as the numbers the file holds; Iceberg's generic writers take {@code java.time}
     * values and convert each of them again. The same settings as {@link GenericFileWriterFactory}: the table's schema,
     * properties, metrics and sort order. Data files only.
     */
    private static final class InternalRowFiles implements FileWriterFactory<StructLike> {
        private final Table table;

        InternalRowFiles(Table table) {
            this.table = table;
        }

        @Override
        public DataWriter<StructLike> newDataWriter(EncryptedOutputFile file, PartitionSpec spec, StructLike partition) {
            try {
                return Parquet.writeData(file)
                        .schema(table.schema())
                        .createWriterFunc(InternalWriter::createWriter)
                        .setAll(table.properties())
                        .metricsConfig(MetricsConfig.forTable(table))
                        .withSpec(spec)
                        .withPartition(partition)
                        .withKeyMetadata(file.keyMetadata())
                        .withSortOrder(table.sortOrder())
                        .overwrite()
                        .build();
            }
            catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public EqualityDeleteWriter<StructLike> newEqualityDeleteWriter(EncryptedOutputFile file, PartitionSpec spec, StructLike partition) {
            throw new UnsupportedOperationException("Kiln writes no delete files");
        }

        @Override
        public PositionDeleteWriter<StructLike> newPositionDeleteWriter(EncryptedOutputFile file, PartitionSpec spec, StructLike partition) {
            throw new UnsupportedOperationException("Kiln writes no delete files");
        }
    }

    /**
     * A row's values as the table's data columns take them, made on any thread before the row is written
     * ({@link #prepare}): strings already encoded as UTF-8 ({@link Utf8}), so that the thread that writes
     * encodes nothing and the content digest can use the same bytes ({@link #string}).
     */
    public static final class Prepared {
        private final Object[] values;
        private final Map<String, Integer> columns;
        private final RowColumns layout;

        private Prepared(Object[] values, Map<String, Integer> columns, RowColumns layout) {
            this.values = values;
            this.columns = columns;
            this.layout = layout;
        }

        /** The UTF-8 bytes of the row's string in {@code column}, as the table takes it; null when the table or the row has no string there. */
        public Utf8 string(String column) {
            Integer index = columns.get(column);
            return index != null && values[index] instanceof Utf8 encoded ? encoded : null;
        }

        /** As {@link #string(String)}, for the column at {@code index} of the row's {@link io.kiln.transform.Row#names()}. */
        public Utf8 string(int index) {
            int data = layout.dataOfRow[index];
            return data >= 0 && values[data] instanceof Utf8 encoded ? encoded : null;
        }
    }

    /** Where a row of some {@link io.kiln.transform.Row.Names} has each of the table's data columns, and the reverse. Immutable. */
    private static final class RowColumns {
        private final io.kiln.transform.Row.Names names;
        /** For each data column, its index in the row's names; -1 where the row has no such column. */
        private final int[] rowOfData;
        /** For each of the row's names, its data column; -1 for a column the table does not have. */
        private final int[] dataOfRow;

        RowColumns(io.kiln.transform.Row.Names names, Map<String, Integer> dataIndex, int dataColumns) {
            this.names = names;
            this.rowOfData = new int[dataColumns];
            java.util.Arrays.fill(rowOfData, -1);
            this.dataOfRow = new int[names.size()];
            for (int i = 0; i < names.size(); i++) {
                Integer data = dataIndex.get(names.name(i));
                dataOfRow[i] = data == null ? -1 : data;
                if (data != null) {
                    rowOfData[data] = i;
                }
            }
        }
    }

    /** The layout last prepared: rows that share their names share it (a job's rows mostly have one). */
    private volatile RowColumns lastLayout;

    private RowColumns layout(io.kiln.transform.Row.Names names) {
        RowColumns last = lastLayout;
        if (last != null && last.names == names) {
            return last;
        }
        RowColumns made = new RowColumns(names, dataIndex, dataPositions.length);
        lastLayout = made;
        return made;
    }

    /** The row's values for {@link #writeRow}; thread-safe. */
    public Prepared prepare(io.kiln.transform.Row value) {
        RowColumns layout = layout(value.names());
        Object[] values = new Object[dataPositions.length];
        for (int i = 0; i < dataPositions.length; i++) {
            int at = layout.rowOfData[i];
            Object column = at < 0 ? null : value.valueAt(at);
            Object written = column == null ? null : dataWriters.get(i).apply(column);
            values[i] = written instanceof String string ? new Utf8(string) : written;
        }
        return new Prepared(values, dataIndex, layout);
    }

    /**
     * Writes a row: its id, each of the table's columns from the row's value of that name (null where it has none,
     * {@code prepared} by {@link #prepare}), and its lineage.
     */
    public void writeRow(io.kiln.transform.Row value, Prepared prepared, String sourceUri, String sourceSha256, String position) {
        for (int i = 0; i < dataPositions.length; i++) {
            row.set(dataPositions[i], prepared.values[i]);
        }
        if (!sourceUri.equals(lastUri)) {
            lastUri = sourceUri;
            uriBytes = new Utf8(sourceUri);
        }
        if (!sourceSha256.equals(lastSha256)) {
            lastSha256 = sourceSha256;
            sha256Bytes = new Utf8(sourceSha256);
        }
        row.set(lineagePositions[0], value.id());
        row.set(lineagePositions[1], uriBytes);
        row.set(lineagePositions[2], sha256Bytes);
        row.set(lineagePositions[3], position);
        row.set(lineagePositions[4], jobIdBytes);
        row.set(lineagePositions[5], recipeBytes);
        rows.write(row);
    }

    public void writeReject(String step, String reason, String detail, String recordId, String record, String sourceUri, String sourceSha256, String position) {
        reject.setField(TableLayout.JOB_ID, jobId);
        reject.setField("step", step);
        reject.setField("reason", reason);
        reject.setField("detail", detail);
        reject.setField("record_id", recordId);
        reject.setField("record", record);
        reject.setField(TableLayout.SOURCE_URI, sourceUri);
        reject.setField(TableLayout.SOURCE_SHA256, sourceSha256);
        reject.setField(TableLayout.SOURCE_POSITION, position);
        reject.setField(TableLayout.RECIPE, recipe);
        rejects.write(reject);
    }

    /** Closes the files and returns them; call once, after the last write. */
    public WrittenFiles finish() {
        close();
        return new WrittenFiles(rows.result().dataFiles(), rejects.result().dataFiles());
    }

    /** Closes and deletes whatever was written; for a job that will not commit. */
    public void abort() {
        try {
            close();
        }
        catch (RuntimeException ignored) {
            // deleting is what matters now
        }
        List<DataFile> written = new ArrayList<>();
        try {
            written.addAll(rows.result().dataFiles());
        }
        catch (RuntimeException ignored) {
            // not closed cleanly: nothing to list
        }
        try {
            written.addAll(rejects.result().dataFiles());
        }
        catch (RuntimeException ignored) {
            // not closed cleanly: nothing to list
        }
        for (DataFile file : written) {
            try {
                table.io().deleteFile(file.location());
            }
            catch (RuntimeException ignored) {
                // an orphan file, never referenced by a snapshot
            }
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            try {
                rows.close();
            }
            finally {
                rejects.close();
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Table rejectsTable() {
        return rejectsTable;
    }

    /** The data files a job wrote, for its table and its rejects table. */
    public record WrittenFiles(List<DataFile> rows, List<DataFile> rejects) {
        public WrittenFiles {
            rows = List.copyOf(rows);
            rejects = List.copyOf(rejects);
        }
    }
}

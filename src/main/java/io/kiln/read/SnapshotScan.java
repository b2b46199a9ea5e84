package io.kiln.read;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Schema;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableScan;
import org.apache.iceberg.data.GenericDeleteFilter;
import org.apache.iceberg.data.IdentityPartitionConverters;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.CloseableIterator;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.types.Types;
import org.apache.iceberg.util.PartitionUtil;
import org.apache.iceberg.util.SnapshotUtil;

import io.kiln.error.ErrorCode;
import io.kiln.error.KilnException;

/**
 * Reads one snapshot of a table as Arrow batches: the one read path of Kiln's readers (the rows
 * endpoint and exports). An Iceberg scan at the snapshot id plans the data files; they are read in
 * the order of their paths, each from start to end with Iceberg's Parquet reader (applying delete
 * files, if any), so two scans of the same snapshot with the same options give the same rows in the
 * same order, whatever was published since. A row filter prunes files and row groups through the
 * scan and is then decided exactly on every row. Rows are put into Arrow vectors, in batches of at
 * most {@code batchRows} rows and about {@code batchBytes} bytes, so memory stays bounded whatever
 * the snapshot's size.
 *
 * <p>A scan is immutable and can be opened any number of times; each {@link Batches} is used by one
 * thread. Building a scan validates everything a client can get wrong: an unknown snapshot is
 * SNAPSHOT_NOT_FOUND, a bad column list INVALID_EXPORT, a bad filter INVALID_FILTER.
 */
public final class SnapshotScan {
    public static final int DEFAULT_BATCH_ROWS = 4096;
    /** A split ({@link SplitRule}) decides by this column. */
    public static final String SPLIT_COLUMN = "id";
    public static final long DEFAULT_BATCH_BYTES = 8L << 20;

    private final String name;
    private final Table table;
    private final long snapshotId;
    private final Schema snapshotSchema;
    private final Schema schema;
    private final Optional<RowFilter> filter;
    private final Optional<SplitRule> split;
    private final Optional<ShardRule> shard;
    private final int batchRows;
    private final long batchBytes;
    private final List<FileScanTask> tasks;

    private SnapshotScan(Builder builder) {
        this.name = builder.name;
        this.table = builder.table;
        this.snapshotId = builder.snapshotId;
        this.batchRows = builder.batchRows;
        this.batchBytes = builder.batchBytes;
        if (table.snapshot(snapshotId) == null) {
            throw new KilnException(ErrorCode.SNAPSHOT_NOT_FOUND, "Table " + name + " has no snapshot " + snapshotId + " (never published, or expired)");
        }
        this.snapshotSchema = SnapshotUtil.schemaFor(table, snapshotId);
        this.schema = project(snapshotSchema, builder.columns, name);
        this.filter = builder.filter.map(text -> RowFilter.parse(text, snapshotSchema));
        this.split = builder.split;
        this.shard = builder.shard;
        if (split.isPresent() || shard.isPresent()) {
            Types.NestedField id = snapshotSchema.findField(SPLIT_COLUMN);
            if (id == null || id.type().typeId() != org.apache.iceberg.types.Type.TypeID.STRING) {
                throw new KilnException(ErrorCode.INVALID_FILTER, "Table " + name + " has no string column " + SPLIT_COLUMN + " to split or shard its rows by");
            }
        }
        Optional<String> group = split.flatMap(SplitRule::by);
        if (group.isPresent()) {
            Types.NestedField column = snapshotSchema.findField(group.get());
            if (column == null || !GROUP_TYPES.contains(column.type().typeId()) || snapshotSchema.columns().stream().noneMatch(top -> top.fieldId() == column.fieldId())) {
                throw new KilnException(ErrorCode.INVALID_FILTER, "Table " + name + " has no column " + group.get()
                        + " of type string, int, long, boolean or date to group the split by", List.of(new io.kiln.error.Violation("split.by",
                                "snapshot " + snapshotId + " of " + name + " has no top-level string, int, long, boolean or date column '" + group.get() + "'")));
            }
        }
        TableScan scan = table.newScan().useSnapshot(snapshotId).caseSensitive(true);
        if (filter.isPresent()) {
            scan = scan.filter(filter.get().expression());
        }
        List<FileScanTask> planned = new ArrayList<>();
        try (CloseableIterable<FileScanTask> files = scan.planFiles()) {
            files.forEach(planned::add);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        planned.sort(Comparator.comparing((FileScanTask task) -> task.file().location()).thenComparingLong(FileScanTask::start));
        for (FileScanTask task : planned) {
            if (task.file().format() != FileFormat.PARQUET) {
                throw new KilnException(ErrorCode.EXPORT_FAILED, "Table " + name + " has a " + task.file().format() + " data file; Kiln reads Parquet only");
            }
        }
        this.tasks = List.copyOf(planned);
    }

    public static Builder builder(String name, Table table, long snapshotId) {
        return new Builder(name, table, snapshotId);
    }

    public String name() {
        return name;
    }

    public long snapshotId() {
        return snapshotId;
    }

    /** The columns read, in output order. */
    public Schema schema() {
        return schema;
    }

    public List<String> columns() {
        return schema.columns().stream().map(Types.NestedField::name).toList();
    }

    /**
     * The rows' Arrow schema. A {@code list<float>} column whose table records
     * {@code kiln.column.<name>.dimension} is a {@code FixedSizeList<float32>[dimension]}, and the
     * schema's metadata says what the rows are: {@link #metadata()}.
     */
    public org.apache.arrow.vector.types.pojo.Schema arrowSchema() {
        return ArrowVectors.arrowSchema(schema, dimensions(), metadata());
    }

    /** The read columns that are vectors of a fixed dimension (their table's {@code kiln.column.<name>.dimension}). */
    public Map<String, Integer> dimensions() {
        Map<String, Integer> dimensions = new TreeMap<>();
        for (Types.NestedField column : schema.columns()) {
            String dimension = table.properties().get("kiln.column." + column.name() + ".dimension");
            if (dimension != null && ArrowVectors.isFloatList(column.type()) && dimension.matches("[1-9][0-9]{0,6}")) {
                dimensions.put(column.name(), Integer.parseInt(dimension));
            }
        }
        return dimensions;
    }

    /**
     * What a reader needs to know where the rows came from: {@code kiln.table}, {@code kiln.snapshot-id},
     * the snapshot's recipe, digests and models ({@code kiln.recipe}, {@code kiln.content-digest},
     * {@code kiln.table-content-digest}, {@code kiln.embedding-model}...), and the read columns'
     * {@code kiln.column.<name>.*} table properties (dimension, model, shape).
     */
    public Map<String, String> metadata() {
        Map<String, String> metadata = new TreeMap<>();
        metadata.put("kiln.table", name);
        metadata.put("kiln.snapshot-id", Long.toString(snapshotId));
        Map<String, String> summary = table.snapshot(snapshotId).summary();
        summary.forEach((key, value) -> {
            if (SUMMARY_METADATA.contains(key) || key.startsWith("kiln.") && MODEL_KEY.matcher(key).find()) {
                metadata.put(key, value);
            }
        });
        for (Types.NestedField column : schema.columns()) {
            String prefix = "kiln.column." + column.name() + ".";
            table.properties().forEach((key, value) -> {
                if (key.startsWith(prefix)) {
                    metadata.put(key, value);
                }
            });
        }
        return metadata;
    }

    /** The types a split may group by: those whose text Trino's CAST to varchar writes as Java does. */
    private static final Set<org.apache.iceberg.types.Type.TypeID> GROUP_TYPES = Set.of(org.apache.iceberg.types.Type.TypeID.STRING,
            org.apache.iceberg.types.Type.TypeID.INTEGER, org.apache.iceberg.types.Type.TypeID.LONG, org.apache.iceberg.types.Type.TypeID.BOOLEAN,
            org.apache.iceberg.types.Type.TypeID.DATE);

    private static final Set<String> SUMMARY_METADATA = Set.of("kiln.job-id", "kiln.recipe", "kiln.recipe-spec", "kiln.content-digest",
            "kiln.table-content-digest", "kiln.version");
    private static final java.util.regex.Pattern MODEL_KEY = java.util.regex.Pattern.compile("-(model|tokenizer|provider)$");

    public Optional<RowFilter> filter() {
        return filter;
    }

    /** The rows kept are those of this shard of the ids ({@link ShardRule}); empty: every row. */
    public Optional<ShardRule> shard() {
        return shard;
    }

    /** The rows kept are those of this split of the ids ({@link SplitRule}); empty: every row. */
    public Optional<SplitRule> split() {
        return split;
    }

    /** The data files read, in reading order. */
    public List<String> dataFiles() {
        return tasks.stream().map(task -> task.file().location()).toList();
    }

    /** Opens the rows; vectors come from a child of {@code allocator} that {@link Batches#close()} releases. */
    public Batches open(BufferAllocator allocator, OptionalLong limit) {
        requireNonNull(allocator, "allocator is null");
        requireNonNull(limit, "limit is null");
        return new Batches(allocator, limit);
    }

    private static Schema project(Schema snapshotSchema, Optional<List<String>> requested, String table) {
        List<Types.NestedField> fields = new ArrayList<>();
        if (requested.isEmpty()) {
            fields.addAll(snapshotSchema.columns());
        }
        else {
            if (requested.get().isEmpty()) {
                throw invalidColumns("name at least one column, or leave columns out to read them all");
            }
            Set<String> seen = new HashSet<>();
            for (String column : requested.get()) {
                Types.NestedField field = snapshotSchema.columns().stream().filter(top -> top.name().equals(column)).findFirst()
                        .orElseThrow(() -> invalidColumns("table " + table + " has no column '" + column + "'; its columns: "
                                + String.join(", ", snapshotSchema.columns().stream().map(Types.NestedField::name).toList())));
                if (!seen.add(column)) {
                    throw invalidColumns("column '" + column + "' is named twice");
                }
                fields.add(field);
            }
        }
        for (Types.NestedField field : fields) {
            Optional<String> unsupported = ArrowVectors.unsupported(field.type());
            if (unsupported.isPresent()) {
                throw invalidColumns("column '" + field.name() + "' is " + field.type() + "; Kiln cannot read " + unsupported.get() + " yet");
            }
        }
        return new Schema(fields);
    }

    private static KilnException invalidColumns(String message) {
        return new KilnException(ErrorCode.INVALID_EXPORT, "Invalid columns: " + message,
                List.of(new io.kiln.error.Violation("columns", message)));
    }

    /**
     * The rows of one opening of the scan, batch by batch, in one {@link VectorSchemaRoot} that
     * each {@link #next()} refills. Not thread-safe; close it (also when abandoning it early).
     */
    public final class Batches implements AutoCloseable {
        private final BufferAllocator allocator;
        private final VectorSchemaRoot root;
        private final List<ArrowVectors.Setter> setters = new ArrayList<>();
        private final long limit;
        private int taskIndex;
        private CloseableIterable<Record> records;
        private CloseableIterator<Record> iterator;
        private int[] outputPositions;
        private Predicate<StructLike> rowFilter;
        private long rows;
        private boolean closed;

        private Batches(BufferAllocator parent, OptionalLong limit) {
            this.allocator = parent.newChildAllocator("scan of " + name + " at " + snapshotId, 0, parent.getLimit());
            try {
                this.root = VectorSchemaRoot.create(arrowSchema(), allocator);
                root.allocateNew();
            }
            catch (RuntimeException e) {
                allocator.close();
                throw e;
            }
            for (FieldVector vector : root.getFieldVectors()) {
                setters.add(ArrowVectors.setter(vector));
            }
            this.limit = limit.orElse(Long.MAX_VALUE);
        }

        public VectorSchemaRoot root() {
            return root;
        }

        /** Rows handed out so far. */
        public long rows() {
            return rows;
        }

        /** Fills {@link #root()} with the next batch of at least one row; false (and an empty root) at the end. */
        public boolean next() {
            return next(batchRows);
        }

        /** Like {@link #next()}, with at most {@code maxRows} rows in the batch (to end a shard exactly). */
        public boolean next(int maxRows) {
            if (closed) {
                throw new IllegalStateException("closed");
            }
            if (maxRows < 1) {
                throw new IllegalArgumentException("maxRows must be positive: " + maxRows);
            }
            resetVectors();
            int count = 0;
            long bytes = 0;
            int rowsInBatch = Math.min(batchRows, maxRows);
            try {
                while (count < rowsInBatch && bytes < batchBytes && rows < limit) {
                    Record record = nextRecord();
                    if (record == null) {
                        break;
                    }
                    for (int column = 0; column < setters.size(); column++) {
                        bytes += setters.get(column).set(count, record.get(outputPositions[column]));
                    }
                    count++;
                    rows++;
                }
            }
            catch (OutOfMemoryException e) {
                throw new KilnException(ErrorCode.EXPORT_FAILED, "Reading " + name + " at snapshot " + snapshotId
                        + " needs more memory than the read limit allows (" + allocator.getLimit() + " bytes)", e);
            }
            root.setRowCount(count);
            return count > 0;
        }

        private void resetVectors() {
            if (allocator.getAllocatedMemory() > 4 * batchBytes) {
                // a batch of unusually large rows: give the memory back instead of keeping it for every later batch
                root.clear();
                root.allocateNew();
            }
            else {
                root.getFieldVectors().forEach(FieldVector::reset);
            }
        }

        private Record nextRecord() {
            while (true) {
                if (iterator != null && iterator.hasNext()) {
                    Record record = iterator.next();
                    if (rowFilter == null || rowFilter.test(record)) {
                        return record;
                    }
                    continue;
                }
                closeFile();
                if (taskIndex == tasks.size()) {
                    return null;
                }
                openFile(tasks.get(taskIndex++));
            }
        }

        private void openFile(FileScanTask task) {
            Schema requested = readSchema();
            GenericDeleteFilter deletes = new GenericDeleteFilter(table.io(), task, snapshotSchema, requested);
            Schema fileProjection = deletes.requiredSchema();
            Map<Integer, ?> constants = PartitionUtil.constantsMap(task, IdentityPartitionConverters::convertConstant);
            CloseableIterable<Record> file = Parquet.read(table.io().newInputFile(task.file().location()))
                    .project(fileProjection)
                    .createReaderFunc(fileSchema -> GenericParquetReaders.buildReader(fileProjection, fileSchema, constants))
                    .split(task.start(), task.length())
                    .caseSensitive(true)
                    .filter(task.residual())
                    .reuseContainers()
                    .build();
            records = deletes.filter(file);
            iterator = records.iterator();
            outputPositions = new int[schema.columns().size()];
            for (int i = 0; i < outputPositions.length; i++) {
                outputPositions[i] = position(fileProjection, schema.columns().get(i).fieldId());
            }
            rowFilter = filter.map(rows -> rows.predicate(fileProjection)).orElse(null);
            if (split.isPresent() || shard.isPresent()) {
                int id = position(fileProjection, snapshotSchema.findField(SPLIT_COLUMN).fieldId());
                int group = split.flatMap(SplitRule::by).map(column -> position(fileProjection, snapshotSchema.findField(column).fieldId())).orElse(-1);
                Predicate<StructLike> byId = record -> {
                    String rowId = record.get(id, CharSequence.class).toString();
                    return split.map(rule -> rule.contains(rowId, group < 0 ? null : record.get(group, Object.class))).orElse(true)
                            && shard.map(rule -> rule.contains(rowId)).orElse(true);
                };
                rowFilter = rowFilter == null ? byId : rowFilter.and(byId);
            }
        }

        /** The output columns, then the columns only the filter or the split reads. */
        private Schema readSchema() {
            if (filter.isEmpty() && split.isEmpty() && shard.isEmpty()) {
                return schema;
            }
            List<String> extra = new ArrayList<>(filter.map(RowFilter::columns).orElse(java.util.Set.of()));
            if (split.isPresent() || shard.isPresent()) {
                extra.add(SPLIT_COLUMN);
            }
            split.flatMap(SplitRule::by).ifPresent(extra::add);
            List<Types.NestedField> fields = new ArrayList<>(schema.columns());
            for (String column : extra) {
                if (fields.stream().noneMatch(field -> field.name().equals(column))) {
                    fields.add(snapshotSchema.findField(column));
                }
            }
            return new Schema(fields);
        }

        private void closeFile() {
            try {
                if (iterator != null) {
                    iterator.close();
                }
                if (records != null) {
                    records.close();
                }
            }
            catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            finally {
                iterator = null;
                records = null;
            }
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                closeFile();
            }
            finally {
                root.close();
                allocator.close();
            }
        }
    }

    private static int position(Schema schema, int fieldId) {
        List<Types.NestedField> fields = schema.columns();
        for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i).fieldId() == fieldId) {
                return i;
            }
        }
        throw new IllegalStateException("Field " + fieldId + " is missing from the read schema " + schema);
    }

    /** Options of a scan; {@link #build()} validates them against the snapshot and plans the files. */
    public static final class Builder {
        private final String name;
        private final Table table;
        private final long snapshotId;
        private Optional<List<String>> columns = Optional.empty();
        private Optional<String> filter = Optional.empty();
        private Optional<SplitRule> split = Optional.empty();
        private Optional<ShardRule> shard = Optional.empty();
        private int batchRows = DEFAULT_BATCH_ROWS;
        private long batchBytes = DEFAULT_BATCH_BYTES;

        private Builder(String name, Table table, long snapshotId) {
            this.name = requireNonNull(name, "name is null");
            this.table = requireNonNull(table, "table is null");
            this.snapshotId = snapshotId;
        }

        /** Empty: every column, in schema order. */
        public Builder columns(Optional<List<String>> columns) {
            this.columns = requireNonNull(columns, "columns is null").map(List::copyOf);
            return this;
        }

        /** Empty: every row. The syntax is {@link RowFilter}'s. */
        public Builder filter(Optional<String> filter) {
            this.filter = requireNonNull(filter, "filter is null");
            return this;
        }

        /** Empty: every row; else only the rows of this shard of the ids (after the filter and the split). */
        public Builder shard(Optional<ShardRule> shard) {
            this.shard = requireNonNull(shard, "shard is null");
            return this;
        }

        /** Empty: every row; else only the rows of this split of the ids (after the filter). */
        public Builder split(Optional<SplitRule> split) {
            this.split = requireNonNull(split, "split is null");
            return this;
        }

        public Builder batchSize(int rows, long bytes) {
            if (rows < 1 || bytes < 1) {
                throw new IllegalArgumentException("Batch size must be positive: " + rows + " rows, " + bytes + " bytes");
            }
            this.batchRows = rows;
            this.batchBytes = bytes;
            return this;
        }

        public SnapshotScan build() {
            return new SnapshotScan(this);
        }
    }
}

package io.kiln.read;

import static org.apache.iceberg.types.Types.NestedField.optional;
import static org.apache.iceberg.types.Types.NestedField.required;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SortOrder;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.GenericFileWriterFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.deletes.PositionDelete;
import org.apache.iceberg.deletes.PositionDeleteWriter;
import org.apache.iceberg.encryption.EncryptedFiles;
import org.apache.iceberg.hadoop.HadoopTables;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.kiln.error.ErrorCode;
import io.kiln.error.KilnException;

class SnapshotScanTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Schema SCHEMA = new Schema(
            required(1, "id", Types.StringType.get()),
            optional(2, "text", Types.StringType.get()),
            optional(3, "tokens", Types.IntegerType.get()),
            optional(4, "offset", Types.LongType.get()),
            optional(5, "score", Types.DoubleType.get()),
            optional(6, "clean", Types.BooleanType.get()),
            optional(7, "embedding", Types.ListType.ofRequired(8, Types.FloatType.get())),
            optional(9, "token_ids", Types.ListType.ofOptional(10, Types.IntegerType.get())));

    @TempDir
    Path temp;

    private Table table;
    private BufferAllocator allocator;

    @BeforeAll
    static void arrowMemoryIsAccessible() {
        assertThat(Object.class.getModule().isOpen("java.nio", BufferAllocator.class.getModule()))
                .as("Arrow needs the JVM option --add-opens=java.base/java.nio=ALL-UNNAMED (pom.xml: the argLine property)")
                .isTrue();
    }

    @BeforeEach
    void createTable() {
        table = new HadoopTables(new Configuration()).create(SCHEMA, PartitionSpec.unpartitioned(), SortOrder.unsorted(),
                Map.of("format-version", "2"), temp.resolve("table").toUri().toString());
        allocator = new RootAllocator(64L << 20);
    }

    @AfterEach
    void closeAllocator() {
        assertThat(allocator.getAllocatedMemory()).as("Arrow memory left after the scans").isZero();
        allocator.close();
    }

    @Test
    void readsFilesInPathOrderWhateverTheCommitOrder() throws IOException {
        append(dataFile("c.parquet", 20, 10), dataFile("a.parquet", 0, 10));
        append(dataFile("b.parquet", 10, 10));

        List<JsonNode> rows = jsonRows(scan().build(), OptionalLong.empty());
        assertThat(rows).extracting(row -> row.get("id").asText())
                .containsExactlyElementsOf(range(0, 30).stream().map(SnapshotScanTest::id).toList());
        assertThat(scan().build().dataFiles()).extracting(path -> Path.of(path).getFileName().toString())
                .containsExactly("a.parquet", "b.parquet", "c.parquet");
    }

    @Test
    void anOldSnapshotReadsTheSameBytesAfterLaterAppends() throws IOException {
        append(dataFile("b.parquet", 10, 10));
        long first = table.currentSnapshot().snapshotId();
        byte[] before = jsonl(SnapshotScan.builder("test.docs", table, first).build());

        append(dataFile("a.parquet", 0, 10));
        table.refresh();
        assertThat(jsonl(SnapshotScan.builder("test.docs", table, first).build())).isEqualTo(before);
        assertThat(jsonRows(scan().build(), OptionalLong.empty())).hasSize(20);
    }

    @Test
    void rendersEveryColumnTypeAsJson() throws IOException {
        append(dataFile("a.parquet", 0, 2));
        List<JsonNode> rows = jsonRows(scan().build(), OptionalLong.empty());
        assertThat(rows.get(0).toString()).isEqualTo("{\"id\":\"doc-000\",\"text\":\"text \\\"0\\\"\\né\",\"tokens\":0,\"offset\":0,\"score\":0.0,"
                + "\"clean\":true,\"embedding\":[0.0,0.5],\"token_ids\":[0,null,2]}");
        assertThat(new String(jsonl(scan().build()), StandardCharsets.UTF_8)).startsWith(
                "{\"id\":\"doc-000\",\"text\":\"text \\\"0\\\"\\né\",\"tokens\":0,\"offset\":0,\"score\":0.0,\"clean\":true,\"embedding\":[0.0,0.5],\"token_ids\":[0,null,2]}\n"
                        + "{\"id\":\"doc-001\",\"text\":null,\"tokens\":null,\"offset\":3000000001,\"score\":0.5,\"clean\":false,\"embedding\":null,\"token_ids\":[]}\n");
    }

    @Test
    void selectsColumnsInTheOrderAsked() throws IOException {
        append(dataFile("a.parquet", 0, 3));
        SnapshotScan scan = scan().columns(Optional.of(List.of("score", "id"))).build();
        assertThat(scan.columns()).containsExactly("score", "id");
        assertThat(jsonRows(scan, OptionalLong.empty()).get(1).toString()).isEqualTo("{\"score\":0.5,\"id\":\"doc-001\"}");
    }

    @Test
    void filtersRowsExactlyEvenOnColumnsNotSelected() throws IOException {
        append(dataFile("a.parquet", 0, 50), dataFile("b.parquet", 50, 50));
        SnapshotScan scan = scan().columns(Optional.of(List.of("id"))).filter(Optional.of("tokens >= 40 and tokens < 60 and text is not null")).build();
        List<String> expected = range(40, 60).stream().filter(i -> i % 2 == 0).map(SnapshotScanTest::id).toList();
        assertThat(jsonRows(scan, OptionalLong.empty())).extracting(row -> row.get("id").asText()).containsExactlyElementsOf(expected);
    }

    @Test
    void aSplitKeepsExactlyTheRowsItsRuleHoldsAfterTheFilterWithoutReturningTheId() throws IOException {
        append(dataFile("a.parquet", 0, 200), dataFile("b.parquet", 200, 200));
        SplitRule train = new SplitRule("train", 0.7, 17);

        List<JsonNode> rows = jsonRows(scan().columns(Optional.of(List.of("score"))).filter(Optional.of("clean = true")).split(Optional.of(train)).build(),
                OptionalLong.empty());
        List<JsonNode> both = jsonRows(scan().columns(Optional.of(List.of("id"))).split(Optional.of(train)).build(), OptionalLong.empty());

        List<Integer> expected = range(0, 400).stream().filter(i -> i % 2 == 0 && train.contains(id(i))).toList();
        assertThat(expected).hasSizeBetween(120, 160);
        assertThat(rows).extracting(row -> row.get("score").asDouble()).containsExactlyElementsOf(expected.stream().map(i -> i / 2.0).toList());
        assertThat(rows).allSatisfy(row -> assertThat(row.has("id")).isFalse());
        assertThat(both).extracting(row -> row.get("id").asText())
                .containsExactlyElementsOf(range(0, 400).stream().map(SnapshotScanTest::id).filter(train::contains).toList());
    }

    @Test
    void batchesAreBoundedAndTheLimitStopsEarly() throws IOException {
        append(dataFile("a.parquet", 0, 25));
        SnapshotScan scan = scan().batchSize(4, 1L << 20).build();
        List<Integer> sizes = new ArrayList<>();
        try (SnapshotScan.Batches batches = scan.open(allocator, OptionalLong.empty())) {
            while (batches.next()) {
                sizes.add(batches.root().getRowCount());
            }
            assertThat(batches.rows()).isEqualTo(25);
        }
        assertThat(sizes).containsExactly(4, 4, 4, 4, 4, 4, 1);

        try (SnapshotScan.Batches batches = scan.open(allocator, OptionalLong.of(6))) {
            assertThat(batches.next(3)).isTrue();
            assertThat(batches.root().getRowCount()).isEqualTo(3);
            assertThat(batches.next()).isTrue();
            assertThat(batches.root().getRowCount()).isEqualTo(3);
            assertThat(batches.next()).isFalse();
        }

        SnapshotScan bySize = scan().batchSize(100, 1).build();
        try (SnapshotScan.Batches batches = bySize.open(allocator, OptionalLong.empty())) {
            assertThat(batches.next()).isTrue();
            assertThat(batches.root().getRowCount()).as("a batch ends at the first row past the byte target").isEqualTo(1);
        }
    }

    @Test
    void skipsRowsThatDeleteFilesRemove() throws IOException {
        DataFile file = dataFile("a.parquet", 0, 10);
        append(file);
        GenericFileWriterFactory writers = new GenericFileWriterFactory.Builder(table).dataFileFormat(org.apache.iceberg.FileFormat.PARQUET).build();
        PositionDeleteWriter<Record> deletes = writers.newPositionDeleteWriter(
                EncryptedFiles.plainAsEncryptedOutput(table.io().newOutputFile(table.location() + "/data/deletes.parquet")), table.spec(), null);
        try (deletes) {
            PositionDelete<Record> delete = PositionDelete.create();
            deletes.write(delete.set(file.location(), 3));
            deletes.write(delete.set(file.location(), 7));
        }
        DeleteFile deleteFile = deletes.toDeleteFile();
        table.newRowDelta().addDeletes(deleteFile).commit();

        assertThat(jsonRows(scan().build(), OptionalLong.empty())).extracting(row -> row.get("id").asText())
                .containsExactly(id(0), id(1), id(2), id(4), id(5), id(6), id(8), id(9));
    }

    @Test
    void arrowIpcRoundTripsThroughArrowsOwnReader() throws IOException {
        append(dataFile("a.parquet", 0, 9));
        SnapshotScan scan = scan().batchSize(4, 1L << 20).build();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (SnapshotScan.Batches batches = scan.open(allocator, OptionalLong.empty())) {
            RowWriter writer = RowFormats.streamWriter(RowFormat.ARROW, batches.root(), out);
            while (batches.next()) {
                writer.write(batches.root());
            }
            writer.finish();
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        try (ArrowStreamReader reader = new ArrowStreamReader(new ByteArrayInputStream(out.toByteArray()), allocator)) {
            VectorSchemaRoot root = reader.getVectorSchemaRoot();
            assertThat(root.getSchema()).isEqualTo(scan.arrowSchema());
            while (reader.loadNextBatch()) {
                for (int row = 0; row < root.getRowCount(); row++) {
                    Map<String, Object> values = new HashMap<>();
                    for (var vector : root.getFieldVectors()) {
                        Object value = vector.getObject(row);
                        values.put(vector.getName(), value == null ? null : value.toString());
                    }
                    rows.add(values);
                }
            }
        }
        assertThat(rows).hasSize(9);
        assertThat(rows.get(0)).containsEntry("id", "doc-000").containsEntry("tokens", "0").containsEntry("embedding", "[0.0,0.5]")
                .containsEntry("token_ids", "[0,null,2]");
        assertThat(rows.get(1)).containsEntry("text", null).containsEntry("offset", "3000000001").containsEntry("clean", "false");
    }

    @Test
    void parquetFromVectorsReadsBackAndIsTheSameBytesTwice() throws IOException {
        append(dataFile("a.parquet", 0, 30));
        SnapshotScan scan = scan().batchSize(7, 1L << 20).build();
        byte[] first = parquet(scan);
        assertThat(parquet(scan)).isEqualTo(first);

        Path file = Files.write(temp.resolve("export.parquet"), first);
        List<Record> records = new ArrayList<>();
        try (CloseableIterable<Record> read = Parquet.read(org.apache.iceberg.Files.localInput(file.toFile())).project(table.schema())
                .createReaderFunc(fileSchema -> GenericParquetReaders.buildReader(table.schema(), fileSchema)).build()) {
            read.forEach(record -> records.add(record.copy()));
        }
        assertThat(records).hasSize(30);
        for (int i = 0; i < 30; i++) {
            assertThat(records.get(i)).isEqualTo(record(i));
        }
    }

    @Test
    void refusesUnknownSnapshotsAndColumns() {
        append(dataFile("a.parquet", 0, 1));
        assertThatThrownBy(() -> SnapshotScan.builder("test.docs", table, 42L).build())
                .isInstanceOf(KilnException.class).hasMessage("Table test.docs has no snapshot 42 (never published, or expired)")
                .satisfies(e -> assertThat(((KilnException) e).code()).isEqualTo(ErrorCode.SNAPSHOT_NOT_FOUND));
        assertThatThrownBy(() -> scan().columns(Optional.of(List.of("id", "colour"))).build())
                .isInstanceOf(KilnException.class)
                .hasMessage("Invalid columns: table test.docs has no column 'colour'; its columns: id, text, tokens, offset, score, clean, embedding, token_ids")
                .satisfies(e -> assertThat(((KilnException) e).code()).isEqualTo(ErrorCode.INVALID_EXPORT));
        assertThatThrownBy(() -> scan().columns(Optional.of(List.of("id", "id"))).build()).hasMessageContaining("column 'id' is named twice");
        assertThatThrownBy(() -> scan().columns(Optional.of(List.of())).build()).hasMessageContaining("name at least one column");
        assertThatThrownBy(() -> scan().filter(Optional.of("id ~ 'x'")).build())
                .satisfies(e -> assertThat(((KilnException) e).code()).isEqualTo(ErrorCode.INVALID_FILTER));
    }

    private SnapshotScan.Builder scan() {
        table.refresh();
        return SnapshotScan.builder("test.docs", table, table.currentSnapshot().snapshotId());
    }

    private byte[] jsonl(SnapshotScan scan) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (SnapshotScan.Batches batches = scan.open(allocator, OptionalLong.empty())) {
            RowWriter writer = RowFormats.streamWriter(RowFormat.JSONL, batches.root(), out);
            while (batches.next()) {
                writer.write(batches.root());
            }
            writer.finish();
        }
        return out.toByteArray();
    }

    private byte[] parquet(SnapshotScan scan) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (SnapshotScan.Batches batches = scan.open(allocator, OptionalLong.empty())) {
            RowWriter writer = RowFormats.fileWriter(RowFormat.PARQUET, batches.root(), scan.schema(), out);
            while (batches.next()) {
                writer.write(batches.root());
            }
            writer.finish();
        }
        return out.toByteArray();
    }

    private List<JsonNode> jsonRows(SnapshotScan scan, OptionalLong limit) throws IOException {
        List<JsonNode> rows = new ArrayList<>();
        for (String line : new String(jsonl(scan), StandardCharsets.UTF_8).split("\n")) {
            if (!line.isEmpty()) {
                rows.add(JSON.readTree(line));
            }
        }
        return rows;
    }

    private void append(DataFile... files) {
        var append = table.newAppend();
        Arrays.stream(files).forEach(append::appendFile);
        append.commit();
    }

    private DataFile dataFile(String name, int from, int count) {
        GenericFileWriterFactory writers = new GenericFileWriterFactory.Builder(table).dataFileFormat(org.apache.iceberg.FileFormat.PARQUET).build();
        DataWriter<Record> writer = writers.newDataWriter(
                EncryptedFiles.plainAsEncryptedOutput(table.io().newOutputFile(table.location() + "/data/" + name)), table.spec(), null);
        try (writer) {
            for (int i = from; i < from + count; i++) {
                writer.write(record(i));
            }
        }
        catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return writer.toDataFile();
    }

    /** Odd rows have nulls; every row is different. */
    private static Record record(int i) {
        Record record = GenericRecord.create(SCHEMA);
        record.setField("id", id(i));
        record.setField("text", i % 2 == 0 ? "text \"" + i + "\"\né" : null);
        record.setField("tokens", i % 2 == 0 ? i : null);
        record.setField("offset", i % 2 == 0 ? (long) i : 3_000_000_000L + i);
        record.setField("score", i / 2.0);
        record.setField("clean", i % 2 == 0);
        record.setField("embedding", i % 2 == 0 ? List.of(i * 1f, 0.5f) : null);
        record.setField("token_ids", i % 2 == 0 ? Arrays.asList(i, null, i + 2) : List.of());
        return record;
    }

    private static String id(int i) {
        return String.format("doc-%03d", i);
    }

    private static List<Integer> range(int from, int to) {
        List<Integer> values = new ArrayList<>();
        for (int i = from; i < to; i++) {
            values.add(i);
        }
        return values;
    }
}

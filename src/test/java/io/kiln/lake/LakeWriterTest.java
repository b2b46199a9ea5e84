package io.kiln.lake;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericFileWriterFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.inmemory.InMemoryCatalog;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.kiln.transform.Column;
import io.kiln.transform.DataType;
import io.kiln.transform.Row;

/**
 * {@link LakeWriter} writes rows in Iceberg's internal object model: a row of every type reads back as the values written
 * by Iceberg's generic writers from the same values made into {@code java.time} objects by hand, and the data files'
 * column metrics (counts, NaNs, bounds) are the same.
 */
class LakeWriterTest {
    private static final List<Column> COLUMNS = List.of(
            new Column("s", DataType.STRING, false, ""),
            new Column("b", DataType.BOOLEAN, false, ""),
            new Column("i", DataType.INT, false, ""),
            new Column("l", DataType.LONG, false, ""),
            new Column("f", DataType.FLOAT, false, ""),
            new Column("d", DataType.DOUBLE, false, ""),
            new Column("dec", new DataType.Decimal(12, 2), false, ""),
            new Column("day", DataType.DATE, false, ""),
            new Column("at", DataType.TIMESTAMP, false, ""),
            new Column("bytes", DataType.BINARY, false, ""),
            new Column("tags", new DataType.ListOf(DataType.STRING, false), false, ""),
            new Column("vector", new DataType.ListOf(DataType.FLOAT, true), false, ""),
            new Column("meta", new DataType.Struct(List.of(new Column("seen", DataType.TIMESTAMP, false, ""), new Column("on", DataType.DATE, false, ""),
                    new Column("n", DataType.LONG, false, ""))), false, ""));

    private InMemoryCatalog catalog;
    private Table table;
    private Table rejects;

    @BeforeEach
    void createTables() {
        catalog = new InMemoryCatalog();
        catalog.initialize("lake-writer-test", Map.of());
        catalog.createNamespace(Namespace.of("t"));
        table = catalog.createTable(TableIdentifier.of("t", "rows"), IcebergTypes.schema(TableLayout.columns(COLUMNS, List.of())), PartitionSpec.unpartitioned(),
                TableLayout.properties(1L << 20));
        rejects = catalog.createTable(TableIdentifier.of("t", "rows" + TableLayout.REJECTS_SUFFIX), TableLayout.REJECTS, PartitionSpec.unpartitioned(),
                TableLayout.properties(1L << 20, TableLayout.REJECTS_KIND));
    }

    @AfterEach
    void closeCatalog() throws IOException {
        catalog.close();
    }

    @Test
    void everyTypeReadsBackAsIcebergsGenericWritersWroteIt() {
        List<Map<String, Object>> rows = rows();
        LakeWriter writer = new LakeWriter(table, rejects, "job-1", "r".repeat(64), 1L << 30);
        for (int i = 0; i < rows.size(); i++) {
            Row row = new Row("id-" + i, rows.get(i));
            writer.writeRow(row, writer.prepare(row), "file:///in.jsonl", "a".repeat(64), "line:" + (i + 1));
        }
        List<DataFile> written = writer.finish().rows();
        assertThat(written).hasSize(1);
        DataFile expected = genericFile(rows);

        List<Record> read = read(written.get(0));
        List<Record> byGenericWriters = read(expected);
        assertThat(read).hasSize(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            assertThat(read.get(i)).as("row %d", i).isEqualTo(byGenericWriters.get(i));
        }
        // spot checks against the values themselves
        assertThat(read.get(0).getField("at")).isEqualTo(OffsetDateTime.of(2024, 2, 29, 23, 59, 59, 123_456_000, ZoneOffset.UTC));
        assertThat(read.get(1).getField("at")).as("before the epoch, a part of a microsecond truncated toward zero")
                .isEqualTo(OffsetDateTime.of(1969, 12, 31, 23, 59, 59, 1_000, ZoneOffset.UTC));
        assertThat(read.get(0).getField("l")).as("an int widened to the column's long").isEqualTo(7L);
        assertThat(read.get(0).getField("day")).isEqualTo(LocalDate.of(2024, 2, 29));

        assertThat(written.get(0).recordCount()).isEqualTo(expected.recordCount());
        assertThat(written.get(0).valueCounts()).isEqualTo(expected.valueCounts());
        assertThat(written.get(0).nullValueCounts()).isEqualTo(expected.nullValueCounts());
        assertThat(written.get(0).nanValueCounts()).isEqualTo(expected.nanValueCounts());
        assertThat(written.get(0).lowerBounds()).isEqualTo(expected.lowerBounds());
        assertThat(written.get(0).upperBounds()).isEqualTo(expected.upperBounds());
    }

    @Test
    void microsAreChronoUnitsTruncatedTowardZero() {
        Random random = new Random(42);
        List<Instant> instants = new ArrayList<>(List.of(Instant.EPOCH, Instant.ofEpochSecond(-1, 500), Instant.ofEpochSecond(-1, 999_999_999),
                Instant.ofEpochSecond(0, 999), Instant.ofEpochSecond(-86_400L * 365 * 300, 1), Instant.parse("9999-12-31T23:59:59.999999999Z"),
                Instant.parse("0001-01-01T00:00:00.000000001Z")));
        for (int i = 0; i < 20_000; i++) {
            instants.add(Instant.ofEpochSecond(random.nextLong() % 300_000_000_000L, random.nextInt(1_000_000_000)));
        }
        for (Instant instant : instants) {
            // what Iceberg's generic writer computed from the OffsetDateTime Kiln handed it
            long expected = ChronoUnit.MICROS.between(OffsetDateTime.of(1970, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC), OffsetDateTime.ofInstant(instant, ZoneOffset.UTC));
            assertThat(IcebergTypes.micros(instant)).as("%s", instant).isEqualTo(expected);
        }
    }

    private static List<Map<String, Object>> rows() {
        List<Map<String, Object>> rows = new ArrayList<>();
        Map<String, Object> first = new LinkedHashMap<>();
        first.put("s", "héllo, wörld");
        first.put("b", true);
        first.put("i", 42);
        first.put("l", 7);
        first.put("f", 1.5f);
        first.put("d", Double.NaN);
        first.put("dec", new BigDecimal("1234.5"));
        first.put("day", LocalDate.of(2024, 2, 29));
        first.put("at", Instant.parse("2024-02-29T23:59:59.123456Z"));
        first.put("bytes", ByteBuffer.wrap("abc".getBytes(StandardCharsets.UTF_8)));
        first.put("tags", Arrays.asList("x", null, "z"));
        first.put("vector", new float[] {0.25f, -1f, Float.NaN});
        Map<String, Object> meta = new HashMap<>();
        meta.put("seen", Instant.parse("1900-01-01T00:00:00Z"));
        meta.put("on", LocalDate.of(1900, 1, 1));
        meta.put("n", -3L);
        first.put("meta", meta);
        rows.add(first);
        Map<String, Object> second = new LinkedHashMap<>();
        second.put("s", "");
        second.put("l", Long.MIN_VALUE);
        second.put("d", -0.0);
        second.put("dec", new BigDecimal("-0.01"));
        second.put("day", LocalDate.of(1, 1, 1));
        second.put("at", Instant.ofEpochSecond(-1, 500));
        second.put("tags", List.of());
        second.put("vector", List.of(3f));
        rows.add(second);
        rows.add(new LinkedHashMap<>());
        return rows;
    }

    /** The rows written by Iceberg's generic writers, each value made into what they take by hand. */
    private DataFile genericFile(List<Map<String, Object>> rows) {
        OutputFileFactory files = OutputFileFactory.builderFor(table, 1, 1).format(FileFormat.PARQUET).operationId("generic").build();
        DataWriter<Record> writer = new GenericFileWriterFactory.Builder(table).dataFileFormat(FileFormat.PARQUET).build()
                .newDataWriter(files.newOutputFile(), table.spec(), null);
        Types.StructType metaType = table.schema().findField("meta").type().asStructType();
        try (writer) {
            for (int i = 0; i < rows.size(); i++) {
                Map<String, Object> row = rows.get(i);
                GenericRecord record = GenericRecord.create(table.schema());
                record.setField("id", "id-" + i);
                record.setField(TableLayout.SOURCE_URI, "file:///in.jsonl");
                record.setField(TableLayout.SOURCE_SHA256, "a".repeat(64));
                record.setField(TableLayout.SOURCE_POSITION, "line:" + (i + 1));
                record.setField(TableLayout.JOB_ID, "job-1");
                record.setField(TableLayout.RECIPE, "r".repeat(64));
                for (Map.Entry<String, Object> column : row.entrySet()) {
                    Object value = column.getValue();
                    record.setField(column.getKey(), switch (column.getKey()) {
                        case "l" -> ((Number) value).longValue();
                        case "dec" -> ((BigDecimal) value).setScale(2);
                        case "at" -> OffsetDateTime.ofInstant((Instant) value, ZoneOffset.UTC);
                        case "vector" -> value instanceof float[] floats ? List.of(floats[0], floats[1], floats[2]) : value;
                        case "meta" -> {
                            Map<?, ?> map = (Map<?, ?>) value;
                            GenericRecord meta = GenericRecord.create(metaType);
                            meta.setField("seen", OffsetDateTime.ofInstant((Instant) map.get("seen"), ZoneOffset.UTC));
                            meta.setField("on", map.get("on"));
                            meta.setField("n", map.get("n"));
                            yield meta;
                        }
                        default -> value;
                    });
                }
                writer.write(record);
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return writer.toDataFile();
    }

    /** A data file's rows, read by Iceberg's generic Parquet reader. */
    private List<Record> read(DataFile file) {
        List<Record> records = new ArrayList<>();
        try (CloseableIterable<Record> read = Parquet.read(table.io().newInputFile(file.location())).project(table.schema())
                .createReaderFunc(type -> GenericParquetReaders.buildReader(table.schema(), type)).build()) {
            read.forEach(record -> records.add(record.copy()));
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return records;
    }
}

package io.kiln.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import org.apache.iceberg.Schema;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.mapping.MappingUtil;
import org.apache.iceberg.parquet.Parquet;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.kiln.transform.Column;
import io.kiln.transform.DataType;
import io.kiln.transform.Row;

/**
 * {@link ParquetColumns}, the column readers Kiln reads flat Parquet files with, against Iceberg's generic
 * reader: the same values for every type they take, from dictionary and plain pages, in several row groups,
 * written by both Parquet writer versions; and the files they leave to the generic reader.
 */
class ParquetColumnsTest {
    private static final MessageType FLAT = MessageTypeParser.parseMessageType("""
            message row {
              required binary id (STRING);
              optional boolean flag;
              required int32 count;
              optional int32 tiny (INTEGER(8,true));
              optional int32 small (INTEGER(16,true));
              optional int64 big;
              optional int64 big_signed (INTEGER(64,true));
              optional float ratio;
              optional double score;
              optional binary category (STRING);
              optional binary free_text (STRING);
              optional binary kind (ENUM);
              optional binary doc (JSON);
              optional binary payload;
              optional fixed_len_byte_array(5) code;
              optional int32 day (DATE);
              optional int64 at_millis (TIMESTAMP(MILLIS,true));
              optional int64 at_micros (TIMESTAMP(MICROS,false));
              optional int32 price (DECIMAL(9,2));
              optional int64 amount (DECIMAL(18,4));
              optional fixed_len_byte_array(9) wide (DECIMAL(20,5));
              optional binary huge (DECIMAL(38,6));
            }
            """);
    private static final int ROWS = 6_000;

    @TempDir
    Path temp;

    @ParameterizedTest
    @EnumSource(ParquetProperties.WriterVersion.class)
    void flatColumnsReadAsIcebergsGenericReaderReadsThem(ParquetProperties.WriterVersion version) throws IOException {
        Path file = temp.resolve("flat.parquet");
        writeFlat(file, version);
        List<String> names = FLAT.getFields().stream().map(org.apache.parquet.schema.Type::getName).toList();
        InputFile input = input(file);
        List<List<Object>> fast = new ArrayList<>();
        try (ParquetColumns columns = open(input, names).orElseThrow()) {
            Object[] row;
            while ((row = columns.next()) != null) {
                fast.add(Arrays.asList(row));
            }
        }
        List<List<Object>> generic = generic(input, names);
        assertThat(generic).hasSize(ROWS);
        assertThat(fast).hasSize(ROWS);
        for (int i = 0; i < ROWS; i++) {
            assertThat(fast.get(i)).as("row %d", i + 1).isEqualTo(generic.get(i));
        }
        // every optional column has values and nulls, and the file has several row groups
        for (int column = 0; column < names.size(); column++) {
            int c = column;
            assertThat(fast).as(names.get(c)).anyMatch(row -> row.get(c) != null);
            if (FLAT.getType(c).isRepetition(org.apache.parquet.schema.Type.Repetition.OPTIONAL)) {
                assertThat(fast).as(names.get(c)).anyMatch(row -> row.get(c) == null);
            }
        }
        try (org.apache.parquet.hadoop.ParquetFileReader reader = org.apache.parquet.hadoop.ParquetFileReader.open(SeekableInputs.parquet(input))) {
            assertThat(reader.getRowGroups()).hasSizeGreaterThan(2);
            // categories from dictionary pages; unique texts overflow their dictionary into pages of their own
            List<java.util.Set<org.apache.parquet.column.Encoding>> category = new ArrayList<>();
            List<java.util.Set<org.apache.parquet.column.Encoding>> freeText = new ArrayList<>();
            reader.getRowGroups().forEach(group -> group.getColumns().forEach(chunk -> {
                if (chunk.getPath().toDotString().equals("category")) {
                    category.add(chunk.getEncodings());
                }
                if (chunk.getPath().toDotString().equals("free_text")) {
                    freeText.add(chunk.getEncodings());
                }
            }));
            assertThat(category).allMatch(encodings -> encodings.stream().anyMatch(org.apache.parquet.column.Encoding::usesDictionary));
            assertThat(freeText).anyMatch(encodings -> encodings.stream().anyMatch(org.apache.parquet.column.Encoding::usesDictionary)
                    && encodings.stream().anyMatch(encoding -> encoding == org.apache.parquet.column.Encoding.PLAIN
                            || encoding == org.apache.parquet.column.Encoding.DELTA_BYTE_ARRAY));
        }
    }

    @Test
    void aColumnOfAnotherKindLeavesTheFileToTheGenericReader() throws IOException {
        MessageType schema = MessageTypeParser.parseMessageType("""
                message row {
                  required binary id (STRING);
                  optional int32 unsigned (INTEGER(32,false));
                  optional int96 legacy;
                  optional int64 clock (TIME(MICROS,true));
                  optional fixed_len_byte_array(16) uuid (UUID);
                  optional int64 nanos (TIMESTAMP(NANOS,true));
                  repeated int32 numbers;
                  optional group tags (LIST) {
                    repeated group list {
                      optional binary element (STRING);
                    }
                  }
                  optional group point {
                    required double x;
                  }
                }
                """);
        Path file = temp.resolve("other.parquet");
        try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new LocalOutputFile(file)).withType(schema).build()) {
            writer.write(new SimpleGroupFactory(schema).newGroup().append("id", "a"));
        }
        InputFile input = input(file);
        try (ParquetColumns columns = open(input, List.of("id")).orElseThrow()) {
            assertThat(columns.next()).containsExactly("a");
            assertThat(columns.next()).isNull();
        }
        for (String name : List.of("unsigned", "legacy", "clock", "uuid", "nanos", "numbers", "tags", "point")) {
            assertThat(open(input, List.of("id", name))).as(name).isEmpty();
        }
        assertThat(open(input, List.of("id", "missing"))).isEmpty();
        // the source reads a file of nested columns all the same, by Iceberg's reader (a bare repeated column, as
        // above, is refused by Iceberg's schema conversion, the column readers or not)
        MessageType nestedType = MessageTypeParser.parseMessageType("""
                message row {
                  required binary id (STRING);
                  optional group tags (LIST) {
                    repeated group list {
                      optional binary element (STRING);
                    }
                  }
                  optional group point {
                    required double x;
                  }
                }
                """);
        Path nestedFile = temp.resolve("nested.parquet");
        try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new LocalOutputFile(nestedFile)).withType(nestedType).build()) {
            Group row = new SimpleGroupFactory(nestedType).newGroup().append("id", "a");
            Group tags = row.addGroup("tags");
            tags.addGroup("list").append("element", "x");
            tags.addGroup("list").append("element", "y");
            row.addGroup("point").append("x", 1.5);
            writer.write(row);
        }
        input = input(nestedFile);
        assertThat(open(input, List.of("id", "tags", "point"))).isEmpty();
        RecordSchema nested = new RecordSchema(List.of(
                new RecordSchema.Field(Column.optional("tags", new DataType.ListOf(DataType.STRING), ""), "tags"),
                new RecordSchema.Field(Column.optional("point", new DataType.Struct(List.of(new Column("x", DataType.DOUBLE, true, ""))), ""), "point")),
                new RecordSchema.FromField("id"), RecordSchema.UnknownFields.DROP);
        try (RecordReader reader = SourceFormat.PARQUET.open(input, "0123456789abcdef0123", ReadOptions.typed(nested, 1 << 20, CsvOptions.DEFAULT,
                Compression.AUTO), bytes -> {})) {
            Row row = ((SourceRecord.Parsed) reader.next().orElseThrow()).row();
            assertThat(row.id()).isEqualTo("a");
            assertThat(row.columns()).containsEntry("tags", List.of("x", "y")).containsEntry("point", java.util.Map.of("x", 1.5));
            assertThat(reader.next()).isEmpty();
        }
    }

    @Test
    void theParquetSourceReadsFlatFilesByColumnAndRejectsAValueWithTheRecordAsRead() throws IOException {
        Path file = temp.resolve("flat.parquet");
        writeFlat(file, ParquetProperties.WriterVersion.PARQUET_1_0);
        InputFile input = input(file);
        RecordSchema schema = new RecordSchema(List.of(
                new RecordSchema.Field(Column.optional("count", DataType.INT, ""), "count"),
                new RecordSchema.Field(Column.optional("category", DataType.STRING, ""), "category"),
                new RecordSchema.Field(Column.optional("at", DataType.TIMESTAMP, ""), "at_millis"),
                new RecordSchema.Field(Column.optional("price", new DataType.Decimal(9, 2), ""), "price"),
                // a smaller decimal than the file's: a value that does not fit is a reject
                new RecordSchema.Field(Column.optional("amount", new DataType.Decimal(6, 4), ""), "amount")),
                new RecordSchema.FromField("id"), RecordSchema.UnknownFields.DROP);
        List<List<Object>> generic = generic(input, List.of("id", "count", "category", "at_millis", "price", "amount"));
        List<SourceRecord> records = new ArrayList<>();
        try (RecordReader reader = SourceFormat.PARQUET.open(input, "0123456789abcdef0123", ReadOptions.typed(schema, 1 << 20, CsvOptions.DEFAULT,
                Compression.AUTO), bytes -> {})) {
            Optional<SourceRecord> record;
            while ((record = reader.next()).isPresent()) {
                records.add(record.get());
            }
            assertThat(reader.finish()).isEqualTo(HashingInput.sha256Hex(input));
        }
        assertThat(records).hasSize(ROWS);
        int parsed = 0;
        int rejected = 0;
        for (int i = 0; i < ROWS; i++) {
            List<Object> expected = generic.get(i);
            SourceRecord record = records.get(i);
            assertThat(record.position()).isEqualTo("row:" + (i + 1));
            BigDecimal amount = (BigDecimal) expected.get(5);
            if (amount != null && amount.precision() - amount.scale() > 2) {
                assertThat(record).isInstanceOf(SourceRecord.Malformed.class);
                SourceRecord.Malformed malformed = (SourceRecord.Malformed) record;
                assertThat(malformed.reason()).isEqualTo(ValueException.TYPE_MISMATCH);
                // the record as read: the columns read, by name, in the file's order
                java.util.Map<String, Object> raw = new java.util.LinkedHashMap<>();
                List<String> read = List.of("id", "count", "category", "at_millis", "price", "amount");
                for (int column = 0; column < read.size(); column++) {
                    raw.put(read.get(column), expected.get(column));
                }
                assertThat(malformed.raw()).isEqualTo(io.kiln.transform.Values.json(raw));
                rejected++;
                continue;
            }
            Row row = ((SourceRecord.Parsed) record).row();
            assertThat(row.id()).isEqualTo(expected.get(0));
            assertThat(row.columns().get("count")).isEqualTo(expected.get(1));
            assertThat(row.columns().get("category")).isEqualTo(expected.get(2));
            assertThat(row.columns().get("at")).isEqualTo(expected.get(3));
            assertThat(row.columns().get("price")).isEqualTo(expected.get(4));
            assertThat(row.columns().get("amount")).isEqualTo(expected.get(5));
            parsed++;
        }
        assertThat(parsed).isGreaterThan(ROWS / 10);
        assertThat(rejected).isGreaterThan(ROWS / 10);
    }

    /** The file's columns by column reader, as {@link ParquetReader} opens them; the file closed again when they are not. */
    private static Optional<ParquetColumns> open(InputFile input, List<String> names) throws IOException {
        org.apache.parquet.hadoop.ParquetFileReader reader = ParquetFormat.open(input);
        Optional<ParquetColumns> columns = ParquetColumns.of(reader, names);
        if (columns.isEmpty()) {
            reader.close();
        }
        return columns;
    }

    private static InputFile input(Path file) throws IOException {
        return new InputFile(file.toUri().toString(), file, file.getFileName().toString(), Files.size(file));
    }

    /** The file's columns {@code names} as Kiln read them before {@link ParquetColumns}: Iceberg's generic reader, then {@code plain}. */
    private static List<List<Object>> generic(InputFile input, List<String> names) throws IOException {
        Schema fileSchema = ParquetFormat.fileSchema(input);
        Schema projection = fileSchema.select(names);
        List<List<Object>> rows = new ArrayList<>();
        try (CloseableIterable<Record> records = Parquet.read(SeekableInputs.iceberg(input)).project(projection)
                .withNameMapping(MappingUtil.create(fileSchema))
                .createReaderFunc(type -> GenericParquetReaders.buildReader(projection, type)).build()) {
            for (Record record : records) {
                List<Object> row = new ArrayList<>();
                for (String name : names) {
                    row.add(ParquetReader.plain(record.getField(name)));
                }
                rows.add(row);
            }
        }
        return rows;
    }

    /**
     * {@link #FLAT}'s rows: a fifth of each optional value null; a few categories (dictionary pages) and texts that
     * repeat, then do not (a dictionary that overflows into plain pages); negative numbers, instants before 1970, decimals of
     * both signs; small pages and row groups.
     */
    private static void writeFlat(Path file, ParquetProperties.WriterVersion version) throws IOException {
        Random random = new Random(42);
        SimpleGroupFactory groups = new SimpleGroupFactory(FLAT);
        String[] categories = {"ORD", "DFW", "ATL", "LAX", "PHX", "Zürich", ""};
        try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new LocalOutputFile(file)).withType(FLAT).withWriterVersion(version)
                .withDictionaryEncoding(true).withDictionaryPageSize(2_048).withPageSize(4_096).withRowGroupSize(64L * 1024).build()) {
            for (int i = 0; i < ROWS; i++) {
                Group group = groups.newGroup().append("id", "r" + i).append("count", random.nextInt());
                if (keep(random)) {
                    group.append("flag", random.nextBoolean());
                }
                if (keep(random)) {
                    group.append("tiny", random.nextInt(256) - 128);
                }
                if (keep(random)) {
                    group.append("small", random.nextInt(65_536) - 32_768);
                }
                if (keep(random)) {
                    group.append("big", random.nextLong());
                }
                if (keep(random)) {
                    group.append("big_signed", (long) random.nextInt(20) - 10);
                }
                if (keep(random)) {
                    group.append("ratio", random.nextFloat() * 100 - 50);
                }
                if (keep(random)) {
                    group.append("score", random.nextInt(10) == 0 ? Double.NaN : random.nextGaussian() * 1e6);
                }
                if (keep(random)) {
                    group.append("category", categories[random.nextInt(categories.length)]);
                }
                if (keep(random)) {
                    group.append("free_text", i % 1_500 < 900 ? "label " + random.nextInt(20) : "text " + random.nextLong() + " \"quoted\", ünïcode " + i);
                }
                if (keep(random)) {
                    group.append("kind", random.nextBoolean() ? "CAT" : "DOG");
                }
                if (keep(random)) {
                    group.append("doc", "{\"n\":" + random.nextInt(5) + "}");
                }
                if (keep(random)) {
                    byte[] bytes = new byte[random.nextInt(12)];
                    random.nextBytes(bytes);
                    group.append("payload", Binary.fromConstantByteArray(bytes));
                }
                if (keep(random)) {
                    byte[] bytes = new byte[5];
                    random.nextBytes(bytes);
                    group.append("code", Binary.fromConstantByteArray(bytes));
                }
                if (keep(random)) {
                    group.append("day", random.nextInt(40_000) - 10_000);
                }
                if (keep(random)) {
                    group.append("at_millis", random.nextLong() % 4_000_000_000_000L);
                }
                if (keep(random)) {
                    group.append("at_micros", random.nextLong() % 4_000_000_000_000_000L);
                }
                if (keep(random)) {
                    group.append("price", random.nextInt(2_000_000) - 1_000_000);
                }
                if (keep(random)) {
                    group.append("amount", random.nextBoolean() ? random.nextInt(20_000) - 10_000 : random.nextLong() % 1_000_000_000_000L);
                }
                if (keep(random)) {
                    group.append("wide", Binary.fromConstantByteArray(twosComplement(new BigInteger(64, random).subtract(BigInteger.ONE.shiftLeft(63)), 9)));
                }
                if (keep(random)) {
                    group.append("huge", Binary.fromConstantByteArray(new BigInteger(120, random).negate().toByteArray()));
                }
                writer.write(group);
            }
        }
    }

    private static boolean keep(Random random) {
        return random.nextInt(5) != 0;
    }

    /** {@code value} as big-endian two's complement in exactly {@code length} bytes. */
    private static byte[] twosComplement(BigInteger value, int length) {
        byte[] minimal = value.toByteArray();
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, 0, length - minimal.length, (byte) (value.signum() < 0 ? 0xff : 0));
        System.arraycopy(minimal, 0, bytes, length - minimal.length, minimal.length);
        return bytes;
    }
}

package io.kiln.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.kiln.transform.Column;
import io.kiln.transform.DataType;
import io.kiln.transform.Row;

/** Each CSV edge case has its fixture under {@code fixtures/csv}. */
class CsvReaderTest {
    private static final Path FIXTURES = Path.of("src/test/resources/fixtures/csv");

    @TempDir
    Path temp;

    private static RecordSchema schema(RecordSchema.UnknownFields unknown, Column... columns) {
        List<RecordSchema.Field> fields = new ArrayList<>();
        for (Column column : columns) {
            fields.add(new RecordSchema.Field(column, column.name()));
        }
        return new RecordSchema(fields, new RecordSchema.FromField("id"), unknown);
    }

    private static Column string(String name) {
        return Column.optional(name, DataType.STRING, "");
    }

    private static List<SourceRecord> read(String fixture, RecordSchema schema, CsvOptions csv) throws IOException {
        return read(FIXTURES.resolve(fixture), schema, csv, Compression.AUTO);
    }

    private static List<SourceRecord> read(Path file, RecordSchema schema, CsvOptions csv, Compression compression) throws IOException {
        InputFile input = new InputFile(file.toUri().toString(), file, file.getFileName().toString(), Files.size(file));
        List<SourceRecord> records = new ArrayList<>();
        try (RecordReader reader = SourceFormat.CSV.open(input, "0123456789abcdef0123", ReadOptions.typed(schema, 1 << 20, csv, compression), bytes -> {})) {
            Optional<SourceRecord> record;
            while ((record = reader.next()).isPresent()) {
                records.add(record.get());
            }
            assertThat(reader.finish()).isEqualTo(HashingInput.sha256Hex(input));
        }
        return records;
    }

    private static Row row(SourceRecord record) {
        assertThat(record).as("%s", record).isInstanceOf(SourceRecord.Parsed.class);
        return ((SourceRecord.Parsed) record).row();
    }

    @Test
    void quotedFieldsKeepTheirDelimitersAndDoubledQuotes() throws IOException {
        List<SourceRecord> records = read("quotes.csv", schema(RecordSchema.UnknownFields.REJECT, string("name"), string("quote")), CsvOptions.DEFAULT);
        assertThat(row(records.get(0)).columns()).containsEntry("name", "Smith, John").containsEntry("quote", "He said \"hi\"");
        assertThat(row(records.get(1)).string("quote")).contains("a,b,c");
        assertThat(records).extracting(SourceRecord::position).containsExactly("record:1", "record:2");
    }

    @Test
    void aPendingRecordSaysHowManyCharactersItsFieldsHold() throws IOException {
        Path file = FIXTURES.resolve("quotes.csv");
        InputFile input = new InputFile(file.toUri().toString(), file, file.getFileName().toString(), Files.size(file));
        RecordSchema schema = schema(RecordSchema.UnknownFields.REJECT, string("name"), string("quote"));
        try (RecordReader reader = SourceFormat.CSV.open(input, "0123456789abcdef0123", ReadOptions.typed(schema, 1 << 20, CsvOptions.DEFAULT,
                Compression.AUTO), bytes -> {})) {
            // 1 + "Smith, John" + "He said "hi"", then 1 + "Plain" + "a,b,c": what batches bounded in bytes count
            assertThat(reader.nextPending().orElseThrow().bytes()).isEqualTo(1 + 11 + 12);
            assertThat(reader.nextPending().orElseThrow().bytes()).isEqualTo(1 + 5 + 5);
            assertThat(reader.nextPending()).isEmpty();
        }
    }

    @Test
    void quotedFieldsMaySpanLinesOfLfOrCrlf() throws IOException {
        List<SourceRecord> records = read("newlines.csv", schema(RecordSchema.UnknownFields.REJECT, string("body")), CsvOptions.DEFAULT);
        assertThat(records).extracting(record -> row(record).string("body").orElseThrow())
                .containsExactly("line one\nline two", "crlf one\r\ncrlf two", "single");
    }

    @Test
    void aByteOrderMarkIsNotPartOfTheFirstHeader() throws IOException {
        List<SourceRecord> records = read("bom.csv", schema(RecordSchema.UnknownFields.REJECT, string("name")), CsvOptions.DEFAULT);
        assertThat(row(records.get(0))).isEqualTo(new Row("1", java.util.Map.of("name", "Ada")));
    }

    @Test
    void crlfLineEndsAreNotPartOfTheLastField() throws IOException {
        List<SourceRecord> records = read("crlf.csv", schema(RecordSchema.UnknownFields.REJECT, string("name"), Column.optional("age", DataType.INT, "")),
                CsvOptions.DEFAULT);
        assertThat(records).extracting(record -> row(record).value("age").orElseThrow()).containsExactly(36, 85);
    }

    @Test
    void anUnquotedNullMarkerIsNullAndAQuotedOneOrAnEmptyFieldIsText() throws IOException {
        CsvOptions na = new CsvOptions(',', Optional.of('"'), Optional.empty(), true, "NA", StandardCharsets.UTF_8);
        List<SourceRecord> records = read("null-marker.csv", schema(RecordSchema.UnknownFields.REJECT, string("a"), string("b"),
                Column.optional("n", DataType.INT, "")), na);
        assertThat(row(records.get(0)).columns()).containsEntry("a", "").doesNotContainKeys("b", "n");
        assertThat(row(records.get(1)).columns()).containsEntry("a", "").containsEntry("b", "NA").doesNotContainKey("n");
        assertThat(row(records.get(2)).columns()).containsEntry("a", "x").containsEntry("b", "y").containsEntry("n", 7);
    }

    @Test
    void byDefaultAnUnquotedEmptyFieldIsNullAndAQuotedOneTheEmptyString() throws IOException {
        List<SourceRecord> records = read("empty-default.csv", schema(RecordSchema.UnknownFields.REJECT, string("a"), Column.optional("n", DataType.INT, "")),
                CsvOptions.DEFAULT);
        assertThat(row(records.get(0)).columns()).isEmpty();
        assertThat(row(records.get(1)).columns()).containsEntry("a", "").doesNotContainKey("n");
    }

    @Test
    void aDeclaredEncodingDecodesTheBytes() throws IOException {
        CsvOptions latin1 = new CsvOptions(',', Optional.of('"'), Optional.empty(), true, "", StandardCharsets.ISO_8859_1);
        List<SourceRecord> records = read("latin1.csv", schema(RecordSchema.UnknownFields.REJECT, string("name")), latin1);
        assertThat(records).extracting(record -> row(record).string("name").orElseThrow()).containsExactly("Café crème", "Señor");
    }

    @Test
    void textThatIsNotValidUtf8EndsTheFileWithAnInvalidUtf8ErrorNamingTheLineAfterTheRecordsBeforeIt() throws IOException {
        Path file = temp.resolve("invalid.csv");
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        bytes.write("id,name\n1,Ada\n2,Grace\n3,".getBytes(StandardCharsets.UTF_8));
        bytes.write(new byte[] {(byte) 0xC0, (byte) 0xAF});
        bytes.write("\n4,Edsger\n".getBytes(StandardCharsets.UTF_8));
        Files.write(file, bytes.toByteArray());
        InputFile input = new InputFile(file.toUri().toString(), file, "invalid.csv", Files.size(file));
        try (RecordReader reader = SourceFormat.CSV.open(input, "0123456789abcdef0123",
                ReadOptions.typed(schema(RecordSchema.UnknownFields.REJECT, string("name")), 1 << 20, CsvOptions.DEFAULT, Compression.AUTO), n -> {})) {
            assertThat(row(reader.next().orElseThrow()).string("name")).contains("Ada");
            assertThat(row(reader.next().orElseThrow()).string("name")).contains("Grace");
            assertThatThrownBy(reader::next).isInstanceOfSatisfying(UnreadableInputException.class, e -> {
                assertThat(e.reason()).isEqualTo("invalid-utf8");
                assertThat(e.getMessage()).contains("not valid UTF-8").contains("line 4");
            });
            assertThat(reader.finish()).isEqualTo(HashingInput.sha256Hex(input));
        }
    }

    @Test
    void aRaggedRowIsARejectAndTheOthersLand() throws IOException {
        List<SourceRecord> records = read("ragged.csv", schema(RecordSchema.UnknownFields.REJECT, string("a"), string("b")), CsvOptions.DEFAULT);
        assertThat(records).hasSize(4);
        assertThat(row(records.get(0)).id()).isEqualTo("1");
        assertThat(records.get(1)).isInstanceOfSatisfying(SourceRecord.Malformed.class, malformed -> {
            assertThat(malformed.reason()).isEqualTo("ragged-row");
            assertThat(malformed.detail()).startsWith("the record has 4 fields, the header 3");
            assertThat(malformed.raw()).isEqualTo("2,x,y,z");
        });
        assertThat(records.get(2)).isInstanceOfSatisfying(SourceRecord.Malformed.class, malformed -> assertThat(malformed.reason()).isEqualTo("ragged-row"));
        assertThat(row(records.get(3)).id()).isEqualTo("4");
    }

    @Test
    void valuesAreParsedByTheirColumnsTypesAndABadOneIsATypeMismatch() throws IOException {
        RecordSchema schema = schema(RecordSchema.UnknownFields.REJECT,
                Column.optional("flag", DataType.BOOLEAN, ""), Column.optional("count", DataType.INT, ""), Column.optional("amount", DataType.DOUBLE, ""),
                Column.optional("price", new DataType.Decimal(6, 2), ""), Column.optional("day", DataType.DATE, ""),
                Column.optional("at", DataType.TIMESTAMP, ""), Column.optional("tags", new DataType.ListOf(DataType.STRING), ""));
        List<SourceRecord> records = read("typed.csv", schema, CsvOptions.DEFAULT);
        Row first = row(records.get(0));
        assertThat(first.columns()).containsEntry("flag", true).containsEntry("count", 3).containsEntry("amount", 1.5)
                .containsEntry("price", new BigDecimal("9.99")).containsEntry("day", LocalDate.of(2024, 1, 2))
                .containsEntry("at", Instant.parse("2024-01-02T03:04:05Z")).containsEntry("tags", List.of("a", "b"));
        Row second = row(records.get(1));
        assertThat(second.columns()).containsEntry("flag", false).containsEntry("count", -4).containsEntry("price", new BigDecimal("0.10"))
                .containsEntry("at", Instant.parse("2024-02-29T23:59:59Z")).containsEntry("tags", List.of());
        assertThat((Double) second.value("amount").orElseThrow()).isNaN();
        assertThat(records.get(2)).isInstanceOfSatisfying(SourceRecord.Malformed.class, malformed -> {
            assertThat(malformed.reason()).isEqualTo("type-mismatch");
            assertThat(malformed.detail()).isEqualTo("column 'flag': 'yes' is not a boolean (true or false)");
            assertThat(malformed.raw()).isEqualTo("3,yes,x,y,1.234,2023-02-29,noon,nope");
        });
    }

    @Test
    void unknownColumnsAreRejectedKeptOrDropped() throws IOException {
        RecordSchema.UnknownFields[] policies = {RecordSchema.UnknownFields.REJECT, RecordSchema.UnknownFields.KEEP, RecordSchema.UnknownFields.DROP};
        List<SourceRecord> rejected = read("quotes.csv", schema(policies[0], string("name")), CsvOptions.DEFAULT);
        assertThat(rejected.get(0)).isInstanceOfSatisfying(SourceRecord.Malformed.class, malformed -> {
            assertThat(malformed.reason()).isEqualTo("unknown-field");
            assertThat(malformed.detail()).isEqualTo("the schema does not name field quote (source.unknownFields is reject)");
        });
        assertThat(row(read("quotes.csv", schema(policies[1], string("name")), CsvOptions.DEFAULT).get(0)).string("_extra"))
                .contains("{\"quote\":\"He said \\\"hi\\\"\"}");
        assertThat(row(read("quotes.csv", schema(policies[2], string("name")), CsvOptions.DEFAULT).get(0)).columns()).containsOnlyKeys("name");
    }

    @Test
    void gzipAndZstdInputsAreDetectedByTheirBytes() throws IOException {
        byte[] plain = Files.readAllBytes(FIXTURES.resolve("crlf.csv"));
        Path gzip = temp.resolve("data.csv.gz");
        try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gzip))) {
            out.write(plain);
        }
        Path zstd = temp.resolve("data.bin");
        Files.write(zstd, com.github.luben.zstd.Zstd.compress(plain));
        RecordSchema schema = schema(RecordSchema.UnknownFields.REJECT, string("name"), Column.optional("age", DataType.INT, ""));
        List<SourceRecord> expected = read("crlf.csv", schema, CsvOptions.DEFAULT);
        assertThat(read(gzip, schema, CsvOptions.DEFAULT, Compression.AUTO)).isEqualTo(expected);
        assertThat(read(zstd, schema, CsvOptions.DEFAULT, Compression.AUTO)).isEqualTo(expected);
        assertThat(read(zstd, schema, CsvOptions.DEFAULT, Compression.ZSTD)).isEqualTo(expected);
    }

    @Test
    void aRecordOverTheLimitIsARejectNotAHeldRecord() throws IOException {
        Path big = temp.resolve("big.csv");
        Files.writeString(big, "id,body\n1,short\n2,\"" + "x".repeat(200_000) + "\"\n3,after\n");
        InputFile input = new InputFile(big.toUri().toString(), big, "big.csv", Files.size(big));
        List<SourceRecord> records = new ArrayList<>();
        try (RecordReader reader = SourceFormat.CSV.open(input, "", ReadOptions.typed(schema(RecordSchema.UnknownFields.REJECT, string("body")), 50_000,
                CsvOptions.DEFAULT, Compression.AUTO), bytes -> {})) {
            Optional<SourceRecord> record;
            while ((record = reader.next()).isPresent()) {
                records.add(record.get());
            }
        }
        assertThat(row(records.get(0)).string("body")).contains("short");
        assertThat(records.get(1)).isInstanceOfSatisfying(SourceRecord.Malformed.class, malformed -> {
            assertThat(malformed.reason()).isEqualTo("record-too-large");
            assertThat(malformed.detail()).contains("longer than the limit of 50000 characters; the rest of the file was not read");
        });
        assertThat(records).hasSize(2);
    }

    /** The records of a fixture as text: a parsed row's columns, a malformed record's reason and raw text. */
    private static List<String> described(List<SourceRecord> records) {
        List<String> described = new ArrayList<>();
        for (SourceRecord record : records) {
            described.add(record instanceof SourceRecord.Malformed malformed ? malformed.reason() + " " + malformed.raw() : row(record).toString());
        }
        return described;
    }

    @Test
    void fastCsvAndCommonsCsvGiveTheSameRecordsForEveryFixture() throws IOException {
        // declaring an escape character that no fixture holds makes the reader use Commons CSV instead of FastCSV
        RecordSchema schema = schema(RecordSchema.UnknownFields.KEEP, string("a"), string("b"), string("name"), string("quote"), string("body"));
        List<String> fixtures;
        try (var files = Files.list(FIXTURES)) {
            // every fixture in UTF-8 (latin1.csv declares its encoding, which the same options cannot read)
            fixtures = files.map(file -> file.getFileName().toString()).filter(name -> name.endsWith(".csv") && !name.equals("latin1.csv")).sorted().toList();
        }
        assertThat(fixtures).contains("bom.csv", "crlf.csv", "newlines.csv", "null-marker.csv", "quotes.csv", "ragged.csv");
        for (String fixture : fixtures) {
            for (String nullValue : List.of("", "NA")) {
                CsvOptions fast = new CsvOptions(',', Optional.of('"'), Optional.empty(), true, nullValue, StandardCharsets.UTF_8);
                CsvOptions commons = new CsvOptions(',', Optional.of('"'), Optional.of('\\'), true, nullValue, StandardCharsets.UTF_8);
                assertThat(described(read(fixture, schema, fast))).as(fixture).isEqualTo(described(read(fixture, schema, commons))).isNotEmpty();
            }
        }
    }

    @Test
    void anEscapeCharacterEscapesQuotesAndDelimiters() throws IOException {
        Path file = temp.resolve("escaped.csv");
        Files.writeString(file, "id,name,quote\n1,\"Smith\\, John\",\"He said \\\"hi\\\"\"\n2,a\\,b,plain\n");
        CsvOptions escaped = new CsvOptions(',', Optional.of('"'), Optional.of('\\'), true, "", StandardCharsets.UTF_8);
        List<SourceRecord> records = read(file, schema(RecordSchema.UnknownFields.REJECT, string("name"), string("quote")), escaped, Compression.AUTO);
        assertThat(row(records.get(0)).columns()).containsEntry("name", "Smith, John").containsEntry("quote", "He said \"hi\"");
        assertThat(row(records.get(1)).columns()).containsEntry("name", "a,b").containsEntry("quote", "plain");
    }

    @Test
    void aQuoteLeftOpenAtTheEndIsNotValidCsvAfterTheRecordsBeforeIt() throws IOException {
        Path file = temp.resolve("open.csv");
        Files.writeString(file, "id,name\n1,Ada\n2,\"Grace\n3,Edsger\n");
        InputFile input = new InputFile(file.toUri().toString(), file, "open.csv", Files.size(file));
        try (RecordReader reader = SourceFormat.CSV.open(input, "", ReadOptions.typed(schema(RecordSchema.UnknownFields.REJECT, string("name")), 1 << 20,
                CsvOptions.DEFAULT, Compression.AUTO), n -> {})) {
            assertThat(row(reader.next().orElseThrow()).string("name")).contains("Ada");
            assertThatThrownBy(reader::next).isInstanceOf(IOException.class).hasMessageContaining("not valid CSV from line 3");
        }
    }
}

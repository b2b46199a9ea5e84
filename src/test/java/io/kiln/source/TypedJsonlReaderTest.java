package io.kiln.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.kiln.transform.Column;
import io.kiln.transform.DataType;

/**
 * A typed JSON line is read as a token stream; a path into a nested value reads that value as a
 * tree. A nested path changes nothing else the records give; several columns may read one field; a
 * key with dots comes before the path's walk.
 */
class TypedJsonlReaderTest {
    private static final Path FIXTURES = Path.of("src/test/resources/fixtures/typed");

    @TempDir
    Path temp;

    private static List<RecordSchema.Field> fixtureFields() throws IOException {
        List<RecordSchema.Field> fields = new ArrayList<>();
        for (JsonNode column : new ObjectMapper().readTree(FIXTURES.resolve("records.schema.json").toFile())) {
            String name = column.get("name").asText();
            fields.add(new RecordSchema.Field(new Column(name, DataType.parse(column.get("type").asText()), column.path("required").asBoolean(false), ""), name));
        }
        return fields;
    }

    private static List<SourceRecord> read(Path file, RecordSchema schema) throws IOException {
        InputFile input = new InputFile(file.toUri().toString(), file, file.getFileName().toString(), Files.size(file));
        List<SourceRecord> records = new ArrayList<>();
        try (RecordReader reader = SourceFormat.JSONL.open(input, "0123456789abcdef", ReadOptions.typed(schema, 1 << 20, CsvOptions.DEFAULT, Compression.AUTO), bytes -> {})) {
            Optional<SourceRecord> record;
            while ((record = reader.next()).isPresent()) {
                records.add(record.get());
            }
        }
        return records;
    }

    @Test
    void everyInvalidUtf8SequenceIsARejectOfItsLineAndTheFileReadsOn() throws IOException {
        Path file = Files.write(temp.resolve("invalid.jsonl"), JsonlReaderTest.linesWithInvalidUtf8());
        RecordSchema schema = new RecordSchema(List.of(new RecordSchema.Field(Column.optional("text", DataType.STRING, ""), "text")),
                new RecordSchema.FromField("id"), RecordSchema.UnknownFields.REJECT);
        List<SourceRecord> records = read(file, schema);
        int invalid = JsonlReaderTest.INVALID_UTF8.size();
        assertThat(records).hasSize(invalid + 3);
        assertThat(records.get(0)).isInstanceOf(SourceRecord.Parsed.class);
        assertThat(records.subList(1, invalid + 2)).allSatisfy(record -> assertThat(((SourceRecord.Malformed) record).reason()).isEqualTo("invalid-utf8"));
        assertThat(((SourceRecord.Malformed) records.get(1)).detail()).contains("byte " + (JsonlReaderTest.prefix("0").length() + 1)).contains("overlong");
        assertThat(((SourceRecord.Parsed) records.get(invalid + 2)).row().string("text")).contains("still read");
    }

    @Test
    void aNestedPathChangesNothingElseTheRecordsGive() throws IOException {
        Path fixture = FIXTURES.resolve("records.jsonl");
        RecordSchema flat = new RecordSchema(fixtureFields(), new RecordSchema.FromField("id"), RecordSchema.UnknownFields.KEEP);
        List<RecordSchema.Field> nested = new ArrayList<>(fixtureFields());
        nested.add(new RecordSchema.Field(Column.optional("meta_source", DataType.STRING, ""), "meta.source"));
        RecordSchema tree = new RecordSchema(nested, new RecordSchema.FromField("id"), RecordSchema.UnknownFields.KEEP);

        List<SourceRecord> streamed = read(fixture, flat);
        List<SourceRecord> parsed = read(fixture, tree);
        assertThat(streamed).hasSameSizeAs(parsed).hasSize(8);
        for (int i = 0; i < streamed.size(); i++) {
            SourceRecord a = streamed.get(i);
            SourceRecord b = parsed.get(i);
            if (a instanceof SourceRecord.Parsed row) {
                assertThat(((SourceRecord.Parsed) b).row().without(java.util.Set.of("meta_source"))).as("line %d", i + 1).isEqualTo(row.row());
            }
            else {
                assertThat(b).as("line %d", i + 1).isEqualTo(a);
            }
        }
        assertThat(((SourceRecord.Parsed) streamed.get(0)).row().value("_extra")).isEmpty();
    }

    @Test
    void brokenLinesAreRejectsOfTheSameKindWithOrWithoutANestedPath() throws IOException {
        Path file = temp.resolve("broken.jsonl");
        Files.writeString(file, """
                {"id": "a", "n": 1} trailing
                ["not", "an", "object"]
                {"id": "b", "n": 
                {"id": {"no": 1}, "n": 2}
                {"id": "c", "n": 3, "extra": [1, {"x": "y"}]}
                """);
        RecordSchema flat = new RecordSchema(List.of(new RecordSchema.Field(Column.optional("n", DataType.INT, ""), "n")),
                new RecordSchema.FromField("id"), RecordSchema.UnknownFields.KEEP);
        RecordSchema tree = new RecordSchema(List.of(new RecordSchema.Field(Column.optional("n", DataType.INT, ""), "n"),
                new RecordSchema.Field(Column.optional("x", DataType.STRING, ""), "extra.x")), new RecordSchema.FromField("id"), RecordSchema.UnknownFields.KEEP);
        List<SourceRecord> streamed = read(file, flat);
        List<SourceRecord> parsed = read(file, tree);
        assertThat(streamed).extracting(record -> record instanceof SourceRecord.Malformed malformed ? malformed.reason() : "row")
                .containsExactly("malformed-json", "not-an-object", "malformed-json", "type-mismatch", "row");
        assertThat(parsed).extracting(record -> record instanceof SourceRecord.Malformed malformed ? malformed.reason() : "row")
                .containsExactly("malformed-json", "not-an-object", "malformed-json", "type-mismatch", "row");
        assertThat(((SourceRecord.Malformed) streamed.get(3)).detail()).isEqualTo(((SourceRecord.Malformed) parsed.get(3)).detail())
                .isEqualTo("column 'id': {\"no\":1} is not a string or a whole number (field 'id')");
        assertThat(((SourceRecord.Parsed) streamed.get(4)).row().value("_extra")).contains("{\"extra\":[1,{\"x\":\"y\"}]}");
    }

    @Test
    void aRecordNestedTooDeeplyIsMalformedInPlainWords() throws IOException {
        Path file = temp.resolve("deep.jsonl");
        Files.writeString(file, "{\"id\": \"a\", \"n\": 1, \"extra\": " + "[".repeat(1500) + "]".repeat(1500) + "}\n"
                + "{\"id\": \"b\", \"n\": NaN}\n");
        RecordSchema flat = new RecordSchema(List.of(new RecordSchema.Field(Column.optional("n", DataType.INT, ""), "n")),
                new RecordSchema.FromField("id"), RecordSchema.UnknownFields.KEEP);
        List<SourceRecord> records = read(file, flat);
        assertThat(records).extracting(record -> ((SourceRecord.Malformed) record).reason()).containsExactly("malformed-json", "malformed-json");
        assertThat(((SourceRecord.Malformed) records.get(0)).detail()).isEqualTo("nested deeper than 1000 levels");
        assertThat(((SourceRecord.Malformed) records.get(1)).detail()).doesNotContain("`").doesNotContain("JsonReadFeature");
    }

    @Test
    void severalColumnsReadOneFieldAndAKeyWithDotsComesBeforeThePathsWalk() throws IOException {
        Path file = temp.resolve("paths.jsonl");
        Files.writeString(file, """
                {"id": "a", "n": 7, "meta": {"source": "walked", "rank": 2}, "meta.source": "literal"}
                {"id": "b", "meta.source": "literal", "meta": {"source": "walked", "rank": 3}, "n": 8}
                {"id": "c", "meta": {"source": "walked", "rank": 4}}
                """);
        RecordSchema schema = new RecordSchema(List.of(
                new RecordSchema.Field(Column.optional("n", DataType.INT, ""), "n"),
                new RecordSchema.Field(Column.optional("n_again", DataType.LONG, ""), "n"),
                new RecordSchema.Field(Column.optional("source", DataType.STRING, ""), "meta.source"),
                new RecordSchema.Field(Column.optional("rank", DataType.INT, ""), "meta.rank")),
                new RecordSchema.FromField("id"), RecordSchema.UnknownFields.REJECT);
        List<SourceRecord> records = read(file, schema);
        assertThat(records).extracting(record -> ((SourceRecord.Parsed) record).row().columns().toString()).containsExactly(
                "{n=7, n_again=7, rank=2, source=literal}", "{n=8, n_again=8, rank=3, source=literal}", "{rank=4, source=walked}");
    }
}

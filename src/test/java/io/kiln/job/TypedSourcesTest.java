package io.kiln.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.kiln.error.KilnException;
import io.kiln.error.Violation;
import io.kiln.lake.Publisher;

/** Typed sources end to end through the pipeline: declared and inferred schemas, type errors as rejects, schema evolution. */
class TypedSourcesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Path FIXTURES = Path.of("src/test/resources/fixtures/typed").toAbsolutePath();

    /** The 14 typed columns of {@code fixtures/typed/records.jsonl}. */
    static final String RECORDS_SCHEMA = read(FIXTURES.resolve("records.schema.json"));

    private static String read(Path file) {
        try {
            return Files.readString(file);
        }
        catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @TempDir
    Path temp;
    PipelineHarness harness;
    JdbcCatalog catalog;
    JobBinder binder;
    Publisher publisher;

    @BeforeEach
    void catalog() throws IOException {
        harness = new PipelineHarness(temp, List.of(FIXTURES, temp));
        catalog = harness.catalog;
        binder = harness.binder;
        publisher = harness.publisher;
    }

    @AfterEach
    void close() throws IOException {
        harness.close();
    }

    private static SourceSpec typed(String uri, String format, String schema, String id, String unknownFields) throws IOException {
        return new SourceSpec(uri, format, Map.of(), schema == null ? null : JSON.readTree(schema), id == null ? null : JSON.readTree(id), unknownFields,
                null, null, null);
    }

    private IngestPipeline.Result run(String jobId, JobSpec spec) {
        return harness.run(jobId, spec, 2, 3);
    }

    static List<Record> rows(Table table) throws IOException {
        return PipelineHarness.rows(table);
    }

    private static Record row(List<Record> rows, String id) {
        return rows.stream().filter(row -> row.getField("id").equals(id)).findFirst().orElseThrow();
    }

    @Test
    void everyDeclaredTypeLandsInItsIcebergColumnAndBadValuesAreRejectsNamingTheColumn() throws IOException {
        JobSpec spec = new JobSpec("typed.people", typed("file://" + FIXTURES + "/records.jsonl", "jsonl", RECORDS_SCHEMA, null, null), List.of(), null, null, null);
        IngestPipeline.Result result = run("typed-1", spec);

        assertThat(result.read()).isEqualTo(8);
        assertThat(result.written()).isEqualTo(3);
        assertThat(result.rejectedByReason()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "extract/type-mismatch", 3L, "extract/missing-value", 1L, "extract/unknown-field", 1L));

        Table table = catalog.loadTable(TableIdentifier.of("typed", "people"));
        assertThat(table.schema().columns()).extracting(Types.NestedField::name).containsExactly("id", "name", "active", "age", "visits", "score", "ratio",
                "price", "born", "seen_at", "avatar", "tags", "meta", "scores", "note",
                "_kiln_source_uri", "_kiln_source_sha256", "_kiln_source_pos", "_kiln_job_id", "_kiln_recipe");
        assertThat(table.schema().findField("name").isRequired()).isTrue();
        assertThat(table.schema().findType("price")).isEqualTo(Types.DecimalType.of(10, 2));
        assertThat(table.schema().findType("seen_at")).isEqualTo(Types.TimestampType.withZone());
        assertThat(table.schema().findType("meta").asStructType().fields()).extracting(Types.NestedField::name).containsExactly("source", "rank");
        assertThat(table.currentSnapshot().summary()).containsEntry("kiln.schema-id", Integer.toString(table.schema().schemaId()));
        assertThat(table.properties()).containsEntry("kiln.table-kind", "rows");

        List<Record> rows = rows(table);
        assertThat(rows).extracting(row -> row.getField("id")).containsExactlyInAnyOrder("r1", "r2", "3");
        Record ada = row(rows, "r1");
        assertThat(ada.getField("name")).isEqualTo("Ada");
        assertThat(ada.getField("active")).isEqualTo(true);
        assertThat(ada.getField("age")).isEqualTo(36);
        assertThat(ada.getField("visits")).isEqualTo(9007199254740993L);
        assertThat(ada.getField("score")).isEqualTo(0.5f);
        assertThat(ada.getField("ratio")).isEqualTo(0.1);
        assertThat(ada.getField("price")).isEqualTo(new BigDecimal("12.50"));
        assertThat(ada.getField("born")).isEqualTo(LocalDate.of(1815, 12, 10));
        assertThat(ada.getField("seen_at")).isEqualTo(OffsetDateTime.of(2024, 3, 1, 12, 30, 45, 123_456_000, ZoneOffset.UTC));
        assertThat(ada.getField("avatar")).isEqualTo(ByteBuffer.wrap("Kiln".getBytes(StandardCharsets.US_ASCII)));
        assertThat(ada.getField("tags")).isEqualTo(List.of("math", "engines"));
        Record meta = (Record) ada.getField("meta");
        assertThat(meta.getField("source")).isEqualTo("web");
        assertThat(meta.getField("rank")).isEqualTo(1);
        assertThat(ada.getField("scores")).isEqualTo(Arrays.asList(1.5, null, -2.25));
        assertThat(ada.getField("_kiln_source_pos")).isEqualTo("line:1");

        Record grace = row(rows, "r2");
        assertThat(grace.getField("seen_at")).isEqualTo(OffsetDateTime.of(2024, 3, 1, 12, 30, 45, 0, ZoneOffset.UTC));
        assertThat(grace.getField("price")).isEqualTo(new BigDecimal("-0.05"));
        assertThat(grace.getField("tags")).isEqualTo(List.of());
        assertThat(((Record) grace.getField("meta")).getField("rank")).isNull();
        Record linus = row(rows, "3");
        assertThat(linus.getField("active")).isNull();
        assertThat(linus.getField("meta")).isNull();

        List<Record> rejects = rows(catalog.loadTable(TableIdentifier.of("typed", "people__rejects")));
        assertThat(reject(rejects, "line:4").getField("detail")).isEqualTo("column 'age': 'thirty' is not an int");
        assertThat(reject(rejects, "line:5").getField("reason")).isEqualTo("missing-value");
        assertThat(reject(rejects, "line:5").getField("detail")).isEqualTo("column 'name' is required but the record has no value for field 'name'");
        assertThat(reject(rejects, "line:6").getField("detail")).isEqualTo("column 'born': '1930-02-30' is not a date (yyyy-mm-dd)");
        assertThat(reject(rejects, "line:7").getField("detail")).isEqualTo("column 'price': 1.234 is not a decimal(10,2) (more than 2 digits after the point)");
        assertThat(reject(rejects, "line:8").getField("reason")).isEqualTo("unknown-field");
        assertThat(reject(rejects, "line:8").getField("detail")).isEqualTo("the schema does not name field meta.extra (source.unknownFields is reject)");
        assertThat((String) reject(rejects, "line:4").getField("record")).isEqualTo("{\"id\": \"bad-int\", \"name\": \"Alan\", \"age\": \"thirty\", \"visits\": 1}");
    }

    /**
     * Content digest format 3 from the rows as the table holds them, read back (README, {@code kiln.content-digest}): per
     * row the sha256 of its input's URI, sha256 and recipe, its id, its position, then each data column with a value, by
     * name, with its typed encoding. A reader computes the digest of a snapshot without Kiln's rows.
     */
    @Test
    void theContentDigestIsComputedFromTheRowsTheTableHolds() throws IOException {
        JobSpec spec = new JobSpec("typed.digested", typed("file://" + FIXTURES + "/records.jsonl", "jsonl", RECORDS_SCHEMA, null, null), List.of(), null, null, null);
        IngestPipeline.Result result = run("digested-1", spec);
        Table table = catalog.loadTable(TableIdentifier.of("typed", "digested"));
        assertThat(table.currentSnapshot().summary()).containsEntry(IngestPipeline.CONTENT_DIGEST_FORMAT, "3");

        io.kiln.lake.ContentDigest digest = new io.kiln.lake.ContentDigest();
        List<Types.NestedField> columns = table.schema().columns().stream().filter(field -> !field.name().equals("id") && !io.kiln.lake.TableLayout.isReserved(field.name()))
                .sorted(java.util.Comparator.comparing(Types.NestedField::name)).toList();
        for (Record row : rows(table)) {
            digest.beginRow();
            digest.append(io.kiln.lake.ContentDigest.Field.hashOf((String) row.getField("_kiln_source_uri"), (String) row.getField("_kiln_source_sha256"),
                    (String) row.getField("_kiln_recipe")));
            digest.append((String) row.getField("id"));
            digest.append((String) row.getField("_kiln_source_pos"));
            for (Types.NestedField column : columns) {
                Object value = row.getField(column.name());
                if (value != null) {
                    digest.append(column.name());
                    digest.appendValue(kilnValue(value));
                }
            }
            digest.endRow();
        }
        assertThat(digest.rows()).isEqualTo(3);
        assertThat(digest.value()).isEqualTo(result.contentDigest()).isEqualTo(table.currentSnapshot().summary().get("kiln.content-digest"));
    }

    /** An Iceberg generic value as a row holds it: timestamps as instants, structs as maps in field order without their nulls. */
    private static Object kilnValue(Object value) {
        if (value instanceof OffsetDateTime time) {
            return time.toInstant();
        }
        if (value instanceof List<?> list) {
            return list.stream().map(element -> element == null ? null : kilnValue(element)).toList();
        }
        if (value instanceof Record struct) {
            Map<String, Object> fields = new java.util.LinkedHashMap<>();
            for (Types.NestedField field : struct.struct().fields()) {
                Object fieldValue = struct.getField(field.name());
                if (fieldValue != null) {
                    fields.put(field.name(), kilnValue(fieldValue));
                }
            }
            return fields;
        }
        return value;
    }

    private static Record reject(List<Record> rejects, String position) {
        return rejects.stream().filter(row -> row.getField("_kiln_source_pos").equals(position)).findFirst().orElseThrow();
    }

    @Test
    void unknownFieldsAreKeptAsJsonOrDroppedAsTheSpecSays() throws IOException {
        Path input = temp.resolve("extra.jsonl");
        Files.writeString(input, """
                {"id": "a", "name": "one", "colour": "blue", "meta": {"size": 3}}
                {"id": "b", "name": "two"}
                """);
        String schema = "[{\"name\": \"name\", \"type\": \"string\"}, {\"name\": \"meta\", \"type\": \"struct<weight:int>\"}]";
        run("keep", new JobSpec("typed.kept", typed("file://" + input, "jsonl", schema, null, "keep"), List.of(), null, null, null));
        List<Record> kept = rows(catalog.loadTable(TableIdentifier.of("typed", "kept")));
        assertThat(row(kept, "a").getField("_extra")).isEqualTo("{\"colour\":\"blue\",\"meta.size\":3}");
        assertThat(row(kept, "b").getField("_extra")).isNull();

        IngestPipeline.Result dropped = run("drop", new JobSpec("typed.dropped", typed("file://" + input, "jsonl", schema, null, "drop"), List.of(), null, null, null));
        assertThat(dropped.written()).isEqualTo(2);
        assertThat(catalog.loadTable(TableIdentifier.of("typed", "dropped")).schema().findField("_extra")).isNull();
    }

    @Test
    void idsFromPositionsAreTheInputsHashAndTheLine() throws IOException {
        Path input = temp.resolve("anonymous.jsonl");
        Files.writeString(input, "{\"v\": 1}\n\n{\"v\": 2}\n");
        run("position", new JobSpec("typed.anonymous", typed("file://" + input, "jsonl", "[{\"name\": \"v\", \"type\": \"int\"}]", "{\"from\": \"position\"}", null),
                List.of(), null, null, null));
        String sha256 = io.kiln.source.HashingInput.sha256Hex(new io.kiln.source.InputFile(input.toUri().toString(), input, "anonymous.jsonl", Files.size(input)));
        assertThat(rows(catalog.loadTable(TableIdentifier.of("typed", "anonymous")))).extracting(row -> row.getField("id"))
                .containsExactlyInAnyOrder(sha256.substring(0, 16) + ":line:1", sha256.substring(0, 16) + ":line:3");
    }

    @Test
    void anInferredSchemaGoesIntoTheRecipeAndTypesTheColumns() throws IOException {
        Path input = temp.resolve("inferred.jsonl");
        Files.writeString(input, """
                {"id": "a", "Count": 1, "Score": 1, "When": "2024-01-02", "At": "2024-01-02T03:04:05Z", "tags": ["x"], "meta": {"k": true}, "empty": null}
                {"id": "b", "Count": 2, "Score": 2.5, "When": "2024-01-03", "At": "2024-01-02 03:04:05", "tags": [], "meta": {"k": false, "n": 1}}
                """);
        BoundJob job = binder.bind(new JobSpec("typed.inferred", typed("file://" + input, "jsonl", "\"infer\"", null, null), List.of(), null, null, null));
        assertThat(job.declaredColumns()).extracting(column -> column.name() + " " + column.type().spec()).containsExactly(
                "count long", "score double", "when date", "at timestamp", "tags list<string>", "meta struct<k:boolean,n:long>", "empty string");
        assertThat(job.recipe().canonical()).contains("\"field\":\"Count\"").contains("\"type\":\"struct<k:boolean,n:long>\"");
    }

    @Test
    void aCompatibleJobAddsAndWidensColumnsAndAConflictingOneIsRefusedWhenCreated() throws IOException {
        Path first = temp.resolve("first.jsonl");
        Files.writeString(first, "{\"id\": \"a\", \"n\": 1, \"x\": 1.5}\n");
        run("evolve-1", new JobSpec("typed.evolving", typed("file://" + first, "jsonl", "[{\"name\": \"n\", \"type\": \"int\"}, {\"name\": \"x\", \"type\": \"float\"}]", null, null),
                List.of(), null, null, null));
        Table table = catalog.loadTable(TableIdentifier.of("typed", "evolving"));
        int firstSchema = table.schema().schemaId();

        Path second = temp.resolve("second.jsonl");
        Files.writeString(second, "{\"id\": \"b\", \"n\": 5000000000, \"x\": 2.5, \"label\": \"cat\"}\n");
        run("evolve-2", new JobSpec("typed.evolving", typed("file://" + second, "jsonl",
                "[{\"name\": \"n\", \"type\": \"long\"}, {\"name\": \"x\", \"type\": \"double\"}, {\"name\": \"label\", \"type\": \"string\"}]", null, null),
                List.of(), null, null, null));
        table.refresh();
        assertThat(table.schema().findType("n")).isEqualTo(Types.LongType.get());
        assertThat(table.schema().findType("x")).isEqualTo(Types.DoubleType.get());
        assertThat(table.schema().findField("label").isOptional()).isTrue();
        assertThat(table.schema().schemaId()).isNotEqualTo(firstSchema);
        assertThat(table.currentSnapshot().summary()).containsEntry("kiln.schema-id", Integer.toString(table.schema().schemaId()));
        List<Record> rows = rows(table);
        assertThat(row(rows, "a").getField("n")).isEqualTo(1L);
        assertThat(row(rows, "a").getField("label")).isNull();
        assertThat(row(rows, "b").getField("n")).isEqualTo(5_000_000_000L);

        // an int job still writes into the widened column
        run("evolve-3", new JobSpec("typed.evolving", typed("file://" + first, "jsonl", "[{\"name\": \"n\", \"type\": \"int\"}]", null, "drop"),
                List.of(), null, null, null));
        assertThat(rows(table)).filteredOn(row -> row.getField("_kiln_job_id").equals("evolve-3"))
                .extracting(row -> row.getField("id"), row -> row.getField("n"), row -> row.getField("x"))
                .containsExactly(org.assertj.core.groups.Tuple.tuple("a", 1L, null));

        Path third = temp.resolve("third.jsonl");
        Files.writeString(third, "{\"id\": \"c\", \"n\": \"many\"}\n");
        assertThatThrownBy(() -> binder.bind(new JobSpec("typed.evolving", typed("file://" + third, "jsonl", "[{\"name\": \"n\", \"type\": \"string\"}]", null, null),
                List.of(), null, null, null)))
                .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.violations()).extracting(Violation::field, Violation::message)
                        .containsExactly(org.assertj.core.groups.Tuple.tuple("source.schema", "column n of table typed.evolving is long; this job writes string")));
        assertThatThrownBy(() -> binder.bind(new JobSpec("typed.evolving", typed("file://" + third, "jsonl", "[{\"name\": \"other\", \"type\": \"string\"}]", null, "drop"),
                List.of(new StepSpec("normalize", Map.of())), null, null, null)))
                .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.violations()).extracting(Violation::field, Violation::message)
                        .containsExactly(org.assertj.core.groups.Tuple.tuple("steps[0]",
                                "normalize reads column 'text', which the rows do not have at this step; they have other")));
    }

    @Test
    void textStepsWorkOnAnyStringColumnNamedByTheirParameter() throws IOException {
        Path input = temp.resolve("captions.jsonl");
        Files.writeString(input, "{\"id\": \"a\", \"caption\": \"  Mail  me at ada@example.com  \", \"rank\": 2}\n{\"id\": \"b\", \"rank\": 3}\n");
        run("captions", new JobSpec("typed.captions", typed("file://" + input, "jsonl",
                "[{\"name\": \"caption\", \"type\": \"string\"}, {\"name\": \"rank\", \"type\": \"int\"}]", null, null),
                List.of(new StepSpec("normalize", Map.of("column", "caption")), new StepSpec("pii-redact", Map.of("column", "caption")),
                        new StepSpec("tokenize", Map.of("column", "caption"))), null, null, null));
        List<Record> rows = rows(catalog.loadTable(TableIdentifier.of("typed", "captions")));
        assertThat(row(rows, "a").getField("caption")).isEqualTo("Mail me at <EMAIL>");
        assertThat(row(rows, "a").getField("token_count")).isEqualTo(6);
        assertThat(row(rows, "b").getField("caption")).isNull();
        assertThat(row(rows, "b").getField("token_ids")).isNull();

        assertThatThrownBy(() -> binder.bind(new JobSpec("typed.captions2", typed("file://" + input, "jsonl",
                "[{\"name\": \"caption\", \"type\": \"string\"}, {\"name\": \"rank\", \"type\": \"int\"}]", null, null),
                List.of(new StepSpec("normalize", Map.of("column", "rank"))), null, null, null)))
                .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.violations()).extracting(Violation::message)
                        .containsExactly("normalize reads column 'rank' as string, but it is int"));
    }

    @Test
    void exactDedupComparesTheValuesOfAnyColumnButTheIdIsNotOne() throws IOException {
        Path input = temp.resolve("orders.jsonl");
        Files.writeString(input, """
                {"id": "a", "sku": 7, "qty": 1}
                {"id": "b", "sku": 7, "qty": 2}
                {"id": "c", "sku": 8, "qty": 1}
                {"id": "d", "qty": 5}
                {"id": "e", "qty": 6}
                """);
        String schema = "[{\"name\": \"sku\", \"type\": \"int\"}, {\"name\": \"qty\", \"type\": \"int\"}]";
        IngestPipeline.Result result = run("skus", new JobSpec("typed.skus", typed("file://" + input, "jsonl", schema, null, null),
                List.of(new StepSpec("dedup-exact", Map.of("column", "sku"))), null, null, null));
        assertThat(result.rejectedByReason()).containsExactly(Map.entry("dedup-exact@1/duplicate", 1L));
        assertThat(rows(catalog.loadTable(TableIdentifier.of("typed", "skus")))).extracting(row -> row.getField("id"))
                .containsExactlyInAnyOrder("a", "c", "d", "e");

        assertThatThrownBy(() -> binder.bind(new JobSpec("typed.skus", typed("file://" + input, "jsonl", schema, null, null),
                List.of(new StepSpec("dedup-exact", Map.of("column", "id"))), null, null, null)))
                .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.violations()).extracting(Violation::field, Violation::message)
                        .containsExactly(org.assertj.core.groups.Tuple.tuple("steps[0]",
                                "dedup-exact reads column 'id', which the rows do not have at this step; they have sku, qty")));
    }

    @Test
    void typedRowsGiveTheSameDigestWhateverTheThreadsAndBatchSize() throws IOException {
        Path csv = Path.of("src/test/resources/fixtures/csv/typed.csv").toAbsolutePath();
        Files.copy(csv, temp.resolve("typed.csv"));
        String schema = "[{\"name\": \"flag\", \"type\": \"string\"}, {\"name\": \"count\", \"type\": \"string\"}, {\"name\": \"amount\", \"type\": \"double\"},"
                + " {\"name\": \"price\", \"type\": \"decimal(6,3)\"}, {\"name\": \"day\", \"type\": \"string\"}, {\"name\": \"at\", \"type\": \"string\"},"
                + " {\"name\": \"tags\", \"type\": \"string\"}]";
        java.util.function.Function<String, JobSpec> spec = table -> {
            try {
                return new JobSpec(table, typed("file://" + temp.resolve("typed.csv"), "csv", schema, null, null), List.of(), null, null, null);
            }
            catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        BoundJob one = binder.bind(spec.apply("typed.one"));
        BoundJob other = binder.bind(spec.apply("typed.other"));
        IngestPipeline.Result single = new IngestPipeline(publisher, new IngestPipeline.Settings(1, 1, 1 << 20, 1 << 20, "test"))
                .run("digest-1", one, new JobProgress(), () -> false);
        IngestPipeline.Result parallel = new IngestPipeline(publisher, new IngestPipeline.Settings(4, 1000, 1 << 20, 1 << 20, "test"))
                .run("digest-2", other, new JobProgress(), () -> false);
        assertThat(single.written()).isEqualTo(2);
        assertThat(parallel.contentDigest()).isEqualTo(single.contentDigest());
        assertThat(one.recipe().canonical()).contains("\"csv\":{\"delimiter\":\",\"").contains("\"type\":\"decimal(6,3)\"");
    }

    @Test
    void aBadTypedSourceIsRefusedNamingEachField() throws IOException {
        Path input = temp.resolve("bad.jsonl");
        Files.writeString(input, "{\"id\": \"a\"}\n");
        JobSpec spec = new JobSpec("typed.bad", new SourceSpec("file://" + input, "jsonl", Map.of("text", "body"),
                json("[{\"name\": \"Name\", \"type\": \"string\"}, {\"name\": \"n\", \"type\": \"integer(4)\"}, {\"name\": \"id\", \"type\": \"string\"},"
                        + " {\"name\": \"x\", \"type\": \"decimal(50,2)\"}, {\"name\": \"_kiln_recipe\", \"type\": \"string\"}, {\"name\": \"y\", \"type\": \"int\", \"colour\": 1}]"),
                json("{\"from\": \"nowhere\"}"), null, new SourceSpec.CsvSpec(";;", null, null, null, null, "klingon"), "zstd", null), List.of(), null, null, null);
        assertThatThrownBy(() -> binder.bind(spec)).isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.violations())
                .extracting(violation -> violation.field() + ": " + violation.message()).containsExactlyInAnyOrder(
                        "source.fields.text: field mappings are for text sources; a typed source names its columns' fields in source.schema and its id in source.id",
                        "source.csv: applies to the csv format only",
                        "source.csv.delimiter: must be one character, was ';;'",
                        "source.csv.encoding: unknown encoding 'klingon'",
                        "source.id: must name the id's field (\"user_id\" or {\"field\": \"user_id\"}) or be {\"from\": \"position\"}",
                        "source.schema[0].name: must be a lower snake case column name (a-z, 0-9, _; not starting with a digit), was \"Name\"",
                        "source.schema[1].type: 'integer(4)' is not a type: unexpected text after the type (at character 8)",
                        "source.schema[2].name: column id is the row id, a string that every table has; name the field it comes from with source.id",
                        "source.schema[3].type: 'decimal(50,2)' is not a type: decimal precision must be between 1 and 38, was 50 (at character 14)",
                        "source.schema[4].name: column name _kiln_recipe is reserved for Kiln's own columns",
                        "source.schema[5].colour: unknown; a column has name, type, required, field and doc"));
    }

    static JsonNode json(String text) throws IOException {
        return JSON.readTree(text);
    }
}

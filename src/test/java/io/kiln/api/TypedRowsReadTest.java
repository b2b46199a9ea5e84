package io.kiln.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.parquet.ParquetSchemaUtil;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.LocalInputFile;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * A JSON lines file of 14 typed fields (nulls, a nested struct, lists, a timestamp, a decimal, binary)
 * goes in through the API and reads back identically through the rows endpoint (JSON lines and the
 * Arrow stream) and a Parquet export. Trino reads the same table in {@code TrinoIT}.
 */
@QuarkusTest
@QuarkusTestResource(TempDataDirectory.class)
class TypedRowsReadTest {
    static final Path RECORDS = Path.of("src/test/resources/fixtures/typed/records.jsonl").toAbsolutePath();
    private static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> COLUMNS = List.of("name", "active", "age", "visits", "score", "ratio", "price", "born", "seen_at", "avatar", "tags", "meta", "scores", "note");

    @ConfigProperty(name = "kiln.data-dir")
    String dataDirectory;

    /** The job spec of the 14-field fixture, whose schema is {@code records.schema.json}. */
    static Map<String, Object> spec(String table) throws IOException {
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("uri", "file://" + RECORDS);
        source.put("format", "jsonl");
        source.put("schema", JSON.readValue(RECORDS.resolveSibling("records.schema.json").toFile(), List.class));
        return Map.of("table", table, "source", source, "maxRejectedRate", 0.9);
    }

    private static long publish(String table) throws IOException {
        String id = given().contentType(ContentType.JSON).body(spec(table)).post("/v1/jobs").then().statusCode(202).extract().jsonPath().getString("id");
        JsonPath job = JobApiTest.awaitFinal(id);
        assertThat(job.getString("state")).as(job.prettify()).isEqualTo("PUBLISHED");
        assertThat(job.getLong("counts.written")).isEqualTo(3);
        assertThat(job.getLong("counts.rejected")).isEqualTo(5);
        return job.getLong("snapshotId");
    }

    /** The good lines of the fixture by id, as JSON objects of the 14 columns, with timestamps normalized to UTC. */
    private static Map<String, ObjectNode> expected() throws IOException {
        Map<String, ObjectNode> rows = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(RECORDS);
        for (String line : lines.subList(0, 3)) {
            ObjectNode input = (ObjectNode) JSON.readTree(line);
            ObjectNode row = JSON.createObjectNode();
            for (String column : COLUMNS) {
                row.set(column, input.has(column) ? input.get(column) : JSON.nullNode());
            }
            rows.put(input.get("id").asText(), row);
        }
        rows.get("r2").put("seen_at", "2024-03-01T12:30:45Z");
        return rows;
    }

    @Test
    void everyTypedColumnReadsBackAsWrittenThroughJsonLines() throws IOException {
        String table = "typed.read_" + UUID.randomUUID().toString().substring(0, 8).replace('-', '0');
        long snapshot = publish(table);
        byte[] body = given().queryParam("format", "jsonl").queryParam("columns", "id," + String.join(",", COLUMNS))
                .get("/v1/tables/" + table + "/snapshots/" + snapshot + "/rows").then().statusCode(200).extract().asByteArray();
        Map<String, ObjectNode> expected = expected();
        int rows = 0;
        for (String line : new String(body, StandardCharsets.UTF_8).split("\n")) {
            ObjectNode row = (ObjectNode) JSON.readTree(line);
            String id = row.remove("id").asText();
            assertThat(row).as("row %s", id).isEqualTo(expected.get(id));
            rows++;
        }
        assertThat(rows).isEqualTo(3);
        // the decimal keeps its scale and the long its 64 bits in the text itself
        assertThat(new String(body, StandardCharsets.UTF_8)).contains("\"visits\":9007199254740993").contains("\"price\":12.50").contains("\"price\":-0.05");

        // typed columns can be filtered on
        byte[] filtered = given().queryParam("columns", "id").queryParam("filter", "price >= 12.5 and born < '1900-01-01' and seen_at < '2024-03-01T12:31:00Z'")
                .get("/v1/tables/" + table + "/snapshots/" + snapshot + "/rows").then().statusCode(200).extract().asByteArray();
        assertThat(new String(filtered, StandardCharsets.UTF_8).strip()).isEqualTo("{\"id\":\"r1\"}");
    }

    @Test
    void everyTypedColumnReadsBackThroughTheArrowStreamWithArrowTypes() throws IOException {
        String table = "typed.arrow_" + UUID.randomUUID().toString().substring(0, 8).replace('-', '0');
        long snapshot = publish(table);
        byte[] body = given().queryParam("format", "arrow").queryParam("filter", "id = 'r1'")
                .get("/v1/tables/" + table + "/snapshots/" + snapshot + "/rows").then().statusCode(200).extract().asByteArray();
        try (BufferAllocator allocator = new RootAllocator();
                ArrowStreamReader reader = new ArrowStreamReader(new ByteArrayInputStream(body), allocator)) {
            VectorSchemaRoot root = reader.getVectorSchemaRoot();
            assertThat(reader.loadNextBatch()).isTrue();
            assertThat(root.getRowCount()).isEqualTo(1);
            Map<String, Object> row = new LinkedHashMap<>();
            for (FieldVector vector : root.getFieldVectors()) {
                row.put(vector.getName(), vector.getObject(0));
            }
            assertThat(root.getSchema().findField("price").getType()).isEqualTo(new ArrowType.Decimal(10, 2, 128));
            assertThat(root.getSchema().findField("meta").getType()).isEqualTo(ArrowType.Struct.INSTANCE);
            assertThat(row.get("price")).isEqualTo(new BigDecimal("12.50"));
            assertThat(row.get("visits")).isEqualTo(9007199254740993L);
            assertThat(row.get("born")).isEqualTo(Math.toIntExact(LocalDate.of(1815, 12, 10).toEpochDay()));
            assertThat(row.get("seen_at")).isEqualTo(1709296245123456L);
            assertThat((byte[]) row.get("avatar")).isEqualTo("Kiln".getBytes(StandardCharsets.US_ASCII));
            assertThat(row.get("tags").toString()).isEqualTo("[\"math\",\"engines\"]");
            assertThat(row.get("meta").toString()).isEqualTo("{\"source\":\"web\",\"rank\":1}");
            assertThat(row.get("scores").toString()).isEqualTo("[1.5,null,-2.25]");
            assertThat(row.get("note").toString()).isEqualTo("first");
        }
    }

    @Test
    void aParquetExportCarriesEveryTypedColumn() throws IOException {
        String table = "typed.export_" + UUID.randomUUID().toString().substring(0, 8).replace('-', '0');
        long snapshot = publish(table);
        Path directory = Path.of(dataDirectory).toAbsolutePath().normalize().resolve("exports").resolve(table.replace('.', '-'));
        RowsAndExportTest.export(table, Map.of("snapshotId", snapshot, "format", "parquet", "directory", directory.toString())).then().statusCode(200);
        Path file = directory.resolve("data/train-00000-of-00001.parquet");
        Schema schema;
        try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file))) {
            schema = ParquetSchemaUtil.convert(reader.getFooter().getFileMetaData().getSchema());
        }
        Map<String, Record> rows = new LinkedHashMap<>();
        try (CloseableIterable<Record> records = Parquet.read(org.apache.iceberg.Files.localInput(file.toFile())).project(schema)
                .createReaderFunc(fileSchema -> GenericParquetReaders.buildReader(schema, fileSchema)).build()) {
            records.forEach(record -> rows.put((String) record.getField("id"), record.copy()));
        }
        assertThat(rows).containsOnlyKeys("r1", "r2", "3");
        Record ada = rows.get("r1");
        assertThat(ada.getField("price")).isEqualTo(new BigDecimal("12.50"));
        assertThat(ada.getField("visits")).isEqualTo(9007199254740993L);
        assertThat(ada.getField("born")).isEqualTo(LocalDate.of(1815, 12, 10));
        assertThat(ada.getField("seen_at")).isEqualTo(OffsetDateTime.of(2024, 3, 1, 12, 30, 45, 123_456_000, ZoneOffset.UTC));
        assertThat(ada.getField("avatar")).isEqualTo(ByteBuffer.wrap("Kiln".getBytes(StandardCharsets.US_ASCII)));
        assertThat(ada.getField("tags")).isEqualTo(List.of("math", "engines"));
        assertThat(((Record) ada.getField("meta")).getField("rank")).isEqualTo(1);
        assertThat(ada.getField("scores")).isEqualTo(Arrays.asList(1.5, null, -2.25));
        assertThat(rows.get("r2").getField("price")).isEqualTo(new BigDecimal("-0.05"));
        assertThat(rows.get("3").getField("meta")).isNull();
    }

    @Test
    void aCsvJobWithItsDialectGoesThroughTheApiAndABadDialectIsA400() throws IOException {
        Path directory = Files.createDirectories(Path.of("target/test-inputs/csv-" + UUID.randomUUID()));
        Path file = directory.resolve("semicolons.csv");
        Files.write(file, "key;label;score\nk1;caf\u00e9;NA\nk2;\"NA\";1.5\n".getBytes(StandardCharsets.ISO_8859_1));
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("uri", file.toAbsolutePath().toUri().toString());
        source.put("format", "csv");
        source.put("id", "key");
        source.put("csv", Map.of("delimiter", ";", "nullValue", "NA", "encoding", "ISO-8859-1"));
        String table = "typed.csv_" + UUID.randomUUID().toString().substring(0, 8).replace('-', '0');
        String id = given().contentType(ContentType.JSON).body(Map.of("table", table, "source", source)).post("/v1/jobs")
                .then().statusCode(202).extract().jsonPath().getString("id");
        JsonPath job = JobApiTest.awaitFinal(id);
        assertThat(job.getString("state")).as(job.prettify()).isEqualTo("PUBLISHED");
        byte[] body = given().queryParam("columns", "id,label,score").get("/v1/tables/" + table + "/snapshots/" + job.getLong("snapshotId") + "/rows")
                .then().statusCode(200).extract().asByteArray();
        assertThat(new String(body, StandardCharsets.UTF_8).lines().sorted().toList())
                .containsExactly("{\"id\":\"k1\",\"label\":\"caf\u00e9\",\"score\":null}", "{\"id\":\"k2\",\"label\":\"NA\",\"score\":1.5}");

        source.put("csv", Map.of("delimiter", ";;", "encoding", "EBCDIC-9000"));
        given().contentType(ContentType.JSON).body(Map.of("table", table, "source", source)).post("/v1/jobs").then().statusCode(400)
                .body("error.code", org.hamcrest.Matchers.equalTo("INVALID_JOB_SPEC"))
                .body("error.violations.field", org.hamcrest.Matchers.containsInAnyOrder("source.csv.delimiter", "source.csv.encoding"))
                .body(org.hamcrest.Matchers.not(org.hamcrest.Matchers.containsString("Exception")));
    }
}

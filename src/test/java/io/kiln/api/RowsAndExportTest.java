package io.kiln.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
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

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import picocli.CommandLine;

@QuarkusTest
@QuarkusTestResource(TempDataDirectory.class)
class RowsAndExportTest {
    private static final String FIXTURES = Path.of("src/test/resources/fixtures").toAbsolutePath().toString();
    private static final ObjectMapper JSON = new ObjectMapper();

    @ConfigProperty(name = "kiln.data-dir")
    String dataDirectory;

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @Test
    void arrowStreamFromTheEndpointReadsBackWithArrowsOwnReaderAsTheJsonlRows() throws IOException {
        String table = "read.docs_" + suffix();
        long snapshot = publish(table, "clean.jsonl", "first-" + suffix());

        Response jsonl = given().get(rowsPath(table, snapshot) + "?format=jsonl");
        jsonl.then().statusCode(200).contentType("application/x-ndjson").header("Kiln-Snapshot-Id", Long.toString(snapshot));
        List<Map<String, Object>> jsonRows = jsonlRows(jsonl.asByteArray());
        assertThat(jsonRows).hasSize(40);
        assertThat(jsonRows.get(0).keySet()).containsExactly("id", "text", "_kiln_source_uri", "_kiln_source_sha256", "_kiln_source_pos",
                "_kiln_job_id", "_kiln_recipe");

        Response arrow = given().get(rowsPath(table, snapshot) + "?format=arrow");
        arrow.then().statusCode(200).contentType("application/vnd.apache.arrow.stream");
        try (BufferAllocator allocator = new RootAllocator();
                ArrowStreamReader reader = new ArrowStreamReader(new ByteArrayInputStream(arrow.asByteArray()), allocator)) {
            assertThat(arrowRows(reader)).isEqualTo(jsonRows);
        }
        assertThat(given().accept("application/vnd.apache.arrow.stream").get(rowsPath(table, snapshot)).asByteArray())
                .as("Accept picks Arrow when format is not given").isEqualTo(arrow.asByteArray());
        assertThat(jsonRows).extracting(row -> row.get("id")).containsExactlyInAnyOrderElementsOf(
                java.util.stream.IntStream.range(0, 40).mapToObj(i -> "clean-" + i).toList());
        assertThat(given().get(rowsPath(table, snapshot) + "?format=jsonl").asByteArray())
                .as("the same snapshot reads in the same order").isEqualTo(jsonl.asByteArray());
    }

    @Test
    void columnsFilterAndLimitShapeTheRows() throws IOException {
        String table = "read.shaped_" + suffix();
        long snapshot = publish(table, "clean.jsonl", null);

        byte[] body = given().queryParam("columns", "text,id").queryParam("filter", "id in ('clean-3', 'clean-30', 'clean-7') and text starts_with 'Document 3'")
                .get(rowsPath(table, snapshot)).then().statusCode(200).extract().asByteArray();
        List<Map<String, Object>> rows = jsonlRows(body);
        assertThat(rows).extracting(row -> row.get("id")).containsExactlyInAnyOrder("clean-3", "clean-30");
        assertThat(rows.get(0).keySet()).containsExactly("text", "id");

        assertThat(jsonlRows(given().queryParam("limit", 5).get(rowsPath(table, snapshot)).asByteArray())).hasSize(5);
        assertThat(jsonlRows(given().queryParam("limit", 0).get(rowsPath(table, snapshot)).asByteArray())).isEmpty();
        assertThat(jsonlRows(given().queryParam("filter", "id = 'nothing'").get(rowsPath(table, snapshot)).asByteArray())).isEmpty();
    }

    /** Data-parallel readers ask for shard i of n: the shards are disjoint, cover every row (of the split, when there is one) and never change. */
    @Test
    void shardsAreDisjointAndCoverEveryRow() throws IOException {
        String table = "read.shards_" + suffix();
        long snapshot = publish(table, "clean.jsonl", null);
        java.util.Set<Object> seen = new java.util.HashSet<>();
        int nonEmpty = 0;
        for (int shard = 0; shard < 4; shard++) {
            List<Object> ids = jsonlRows(given().queryParam("columns", "id").queryParam("shard", shard).queryParam("shards", 4).get(rowsPath(table, snapshot))
                    .then().statusCode(200).extract().asByteArray()).stream().map(row -> row.get("id")).toList();
            for (Object id : ids) {
                assertThat(seen.add(id)).as("%s is in one shard only", id).isTrue();
                assertThat(new io.kiln.read.ShardRule(shard, 4).contains((String) id)).isTrue();
            }
            nonEmpty += ids.isEmpty() ? 0 : 1;
        }
        assertThat(seen).hasSize(40);
        assertThat(nonEmpty).isEqualTo(4);
        io.kiln.read.SplitRule train = new io.kiln.read.SplitRule("train", 0.6, 17);
        long inSplit = 0;
        for (int shard = 0; shard < 3; shard++) {
            inSplit += jsonlRows(given().queryParam("shard", shard).queryParam("shards", 3).queryParam("split.fraction", 0.6).queryParam("split.seed", 17)
                    .get(rowsPath(table, snapshot)).asByteArray()).size();
        }
        assertThat(inSplit).isEqualTo(seen.stream().filter(id -> train.contains((String) id)).count());

        given().queryParam("shard", 4).queryParam("shards", 4).get(rowsPath(table, snapshot)).then().statusCode(400)
                .body("error.violations[0].field", equalTo("shard"));
        given().queryParam("shard", 0).get(rowsPath(table, snapshot)).then().statusCode(400).body("error.violations[0].field", equalTo("shards"));
        given().queryParam("shard", "x").queryParam("shards", 2).get(rowsPath(table, snapshot)).then().statusCode(400)
                .body("error.violations[0].field", equalTo("shard"));
    }

    @Test
    void aTrainingSplitReadsTheSameRowsFromTheEndpointAndTheExportAndIsInTheManifest() throws IOException {
        String table = "read.split_" + suffix();
        long snapshot = publish(table, "clean.jsonl", null);
        io.kiln.read.SplitRule train = new io.kiln.read.SplitRule("train", 0.6, 17);
        List<Object> expected = java.util.stream.IntStream.range(0, 40).mapToObj(i -> "clean-" + i).filter(train::contains).map(id -> (Object) id).toList();
        assertThat(expected).hasSizeBetween(15, 35);

        List<Map<String, Object>> rows = jsonlRows(given().queryParam("columns", "id").queryParam("split.fraction", "0.6").queryParam("split.seed", "17")
                .get(rowsPath(table, snapshot)).then().statusCode(200).extract().asByteArray());
        assertThat(rows).extracting(row -> row.get("id")).containsExactlyInAnyOrderElementsOf(expected);

        Path directory = exportRoot().resolve("split-" + suffix());
        export(table, Map.of("snapshotId", snapshot, "format", "jsonl", "columns", List.of("id"), "directory", directory.toString(),
                "split", Map.of("name", "train", "fraction", 0.6, "seed", 17))).then().statusCode(200)
                .body("rows", equalTo(expected.size())).body("split.name", equalTo("train")).body("split.fraction", equalTo(0.6f))
                .body("split.seed", equalTo(17));
        assertThat(jsonlRows(Files.readAllBytes(directory.resolve("data/train-00000-of-00001.jsonl")))).isEqualTo(rows);
        Path cli = exportRoot().resolve("split-cli-" + suffix());
        assertThat(new CommandLine(new io.kiln.cli.Kiln()).execute("--url", "http://localhost:" + port, "export", table, "--snapshot", Long.toString(snapshot),
                "--format", "jsonl", "--columns", "id", "--split-fraction", "0.6", "--split-seed", "17", "--out", cli.toString())).isZero();
        assertThat(Files.readAllBytes(cli.resolve("data/train-00000-of-00001.jsonl"))).as("kiln export --split-fraction").isEqualTo(Files.readAllBytes(directory.resolve("data/train-00000-of-00001.jsonl")));

        given().queryParam("split.fraction", "1.5").get(rowsPath(table, snapshot)).then().statusCode(400)
                .body("error.violations[0].field", equalTo("split.fraction"));
        given().queryParam("split.seed", "3").get(rowsPath(table, snapshot)).then().statusCode(400)
                .body("error.violations[0].field", equalTo("split.fractions"));
        assertExportViolation(table, Map.of("snapshotId", snapshot, "split", Map.of("fraction", 0, "seed", "x"), "directory",
                exportRoot().resolve("z").toString()), "split.fraction", "must be a number more than 0 and at most 1");
    }

    @Test
    void namedGroupSplitsAreDisjointCoverEveryRowKeepEachSenderOnOneSideAndAgreeWithTheSplitStepExportsAndTheResolver() throws IOException {
        String table = "read.groups_" + suffix();
        Map<String, Object> fractions = new LinkedHashMap<>();
        fractions.put("train", 0.8);
        fractions.put("validation", 0.1);
        fractions.put("test", 0.1);
        Map<String, Object> source = Map.of("uri", "file://" + FIXTURES + "/splits/mail.jsonl", "format", "jsonl",
                "schema", List.of(Map.of("name", "text", "type", "string"), Map.of("name", "sender", "type", "string")));
        String jobId = given().contentType(ContentType.JSON).body(Map.of("table", table, "source", source,
                "steps", List.of(Map.of("name", "split", "params", Map.of("fractions", fractions, "by", "sender", "seed", 7)))))
                .post("/v1/jobs").then().statusCode(202).extract().jsonPath().getString("id");
        JsonPath job = JobApiTest.awaitFinal(jobId);
        assertThat(job.getString("state")).as(job.prettify()).isEqualTo("PUBLISHED");
        long snapshot = job.getLong("snapshotId");
        List<Map<String, Object>> all = jsonlRows(given().queryParam("columns", "id,sender,split").get(rowsPath(table, snapshot)).then().statusCode(200)
                .extract().asByteArray());
        assertThat(all).hasSize(1200);

        Map<String, String> splitOfId = new java.util.HashMap<>();
        Map<String, String> splitOfSender = new java.util.HashMap<>();
        for (String name : fractions.keySet()) {
            List<Map<String, Object>> rows = jsonlRows(given().queryParam("columns", "id,sender,split").queryParam("split.fractions", "train:0.8,validation:0.1,test:0.1")
                    .queryParam("split.name", name).queryParam("split.by", "sender").queryParam("split.seed", 7).get(rowsPath(table, snapshot)).then().statusCode(200)
                    .extract().asByteArray());
            assertThat(rows).as("split %s", name).isNotEmpty().allSatisfy(row -> assertThat(row.get("split")).as("the split column of %s", row.get("id")).isEqualTo(name));
            for (Map<String, Object> row : rows) {
                assertThat(splitOfId.put((String) row.get("id"), name)).as("%s in two splits", row.get("id")).isNull();
                if (row.get("sender") != null) {
                    String before = splitOfSender.putIfAbsent((String) row.get("sender"), name);
                    assertThat(before == null || before.equals(name)).as("sender %s in %s and %s", row.get("sender"), before, name).isTrue();
                }
            }
            assertThat(rows.size() / 1200.0).as("the size of %s", name).isCloseTo(((Number) fractions.get(name)).doubleValue(), org.assertj.core.data.Offset.offset(0.05));

            Path directory = exportRoot().resolve("groups-" + name + "-" + suffix());
            export(table, Map.of("snapshotId", snapshot, "format", "jsonl", "columns", List.of("id", "sender", "split"), "directory", directory.toString(),
                    "split", Map.of("fractions", fractions, "name", name, "by", "sender", "seed", 7))).then().statusCode(200)
                    .body("rows", equalTo(rows.size())).body("splitName", equalTo(name)).body("split.by", equalTo("sender")).body("split.fractions.validation", equalTo(0.1f));
            assertThat(jsonlRows(Files.readAllBytes(directory.resolve("data/" + name + "-00000-of-00001.jsonl")))).isEqualTo(rows);
            Path cli = exportRoot().resolve("groups-cli-" + name + "-" + suffix());
            assertThat(new CommandLine(new io.kiln.cli.Kiln()).execute("--url", "http://localhost:" + port, "export", table, "--snapshot", Long.toString(snapshot),
                    "--format", "jsonl", "--columns", "id,sender,split", "--split-fractions", "train=0.8,validation=0.1,test=0.1", "--split-name", name,
                    "--split-by", "sender", "--split-seed", "7", "--out", cli.toString())).isZero();
            assertThat(jsonlRows(Files.readAllBytes(cli.resolve("data/" + name + "-00000-of-00001.jsonl")))).as("kiln export --split-fractions").isEqualTo(rows);

            JsonPath resolved = given().contentType(ContentType.JSON).body(Map.of("table", table, "snapshot", snapshot,
                    "split", Map.of("fractions", fractions, "name", name, "by", "sender", "seed", 7))).post("/v1/training/resolve").then().statusCode(200).extract().jsonPath();
            assertThat(resolved.getInt("rows")).isEqualTo(rows.size());
            assertThat(resolved.getString("trinoSql")).contains("COALESCE('7:sender=' || CAST(\"sender\" AS varchar), '7:' || id)");
            List<Map<String, Object>> byPath = jsonlRows(given().urlEncodingEnabled(false).get(resolved.getString("rowsPath")).then().statusCode(200).extract().asByteArray());
            assertThat(byPath).extracting(row -> row.get("id")).containsExactlyElementsOf(rows.stream().map(row -> row.get("id")).toList());
        }
        assertThat(splitOfId).hasSize(1200);
        assertThat(splitOfSender.keySet()).isEqualTo(all.stream().map(row -> row.get("sender")).filter(java.util.Objects::nonNull).collect(java.util.stream.Collectors.toSet()))
                .hasSizeGreaterThan(250);

        given().queryParam("split.fractions", "train:0.8,test:0.1").queryParam("split.name", "test").get(rowsPath(table, snapshot)).then().statusCode(400)
                .body("error.violations[0].field", equalTo("split.fractions")).body("error.violations[0].message", equalTo("the fractions must sum to 1, they sum to 0.9"));
        given().queryParam("split.fractions", "train:0.5,test:0.5").queryParam("split.name", "test").queryParam("split.by", "nosuch").get(rowsPath(table, snapshot))
                .then().statusCode(400).body("error.violations[0].field", equalTo("split.by"));
        given().contentType(ContentType.JSON).body(Map.of("table", table, "snapshot", snapshot, "split", Map.of("fractions", fractions, "name", "dev")))
                .post("/v1/training/resolve").then().statusCode(400).body("error.violations[0].field", equalTo("split.name"));
        given().contentType(ContentType.JSON).body(Map.of("table", table + "_bad", "source", source, "steps", List.of(Map.of("name", "split",
                "params", Map.of("fractions", Map.of("train", 0.7), "by", "sender"))))).post("/v1/jobs").then().statusCode(400)
                .body("error.violations[0].field", equalTo("steps[0].params.fractions"));
    }

    @Test
    void aPinNamesTheSnapshotToRead() throws IOException {
        String table = "read.pinned_" + suffix();
        String tag = "train-" + suffix();
        long snapshot = publish(table, "clean.jsonl", tag);
        publish(table, "mixed.jsonl", null);

        Response byTag = given().queryParam("columns", "id").get("/v1/tables/" + table + "/snapshots/" + tag + "/rows");
        byTag.then().statusCode(200).header("Kiln-Snapshot-Id", Long.toString(snapshot));
        assertThat(jsonlRows(byTag.asByteArray())).hasSize(40);
        given().get("/v1/tables/" + table + "/snapshots/main/rows").then().statusCode(400)
                .body("error.code", equalTo("INVALID_REQUEST")).body("error.message", containsString("'main' is a branch"));
    }

    @Test
    void anExportOfAPinnedSnapshotIsByteIdenticalAfterLaterPublishes() throws IOException {
        String table = "read.exported_" + suffix();
        long snapshot = publish(table, "clean.jsonl", null);
        Map<String, Map<String, String>> before = new TreeMap<>();
        for (String format : List.of("parquet", "jsonl", "arrow")) {
            before.put(format, exportAndHash(table, snapshot, format, "before"));
        }

        long later = publish(table, "mixed.jsonl", null);
        assertThat(later).isNotEqualTo(snapshot);
        for (String format : List.of("parquet", "jsonl", "arrow")) {
            Map<String, String> after = exportAndHash(table, snapshot, format, "after");
            assertThat(after).as(format + " export after a later publish").isEqualTo(before.get(format));
            assertThat(after).containsOnlyKeys("manifest.json", "README.md", "data/train-00000-of-00003." + format, "data/train-00001-of-00003." + format,
                    "data/train-00002-of-00003." + format);
        }
    }

    @Test
    void theManifestListsEveryShardWithItsRowsSizeAndSha256() throws IOException {
        String table = "read.manifest_" + suffix();
        long snapshot = publish(table, "clean.jsonl", null);
        Path directory = exportRoot().resolve("manifest-" + suffix());
        JsonPath manifest = export(table, Map.of("snapshotId", snapshot, "format", "parquet", "shardRows", 15,
                "columns", List.of("id", "text"), "filter", "id != 'clean-0'", "directory", directory.toString()))
                .then().statusCode(200).extract().jsonPath();

        assertThat(manifest.getString("table")).isEqualTo(table);
        assertThat(manifest.getLong("snapshotId")).isEqualTo(snapshot);
        assertThat(manifest.getList("columns")).containsExactly("id", "text");
        assertThat(manifest.getString("filter")).isEqualTo("id != 'clean-0'");
        assertThat(manifest.getLong("rows")).isEqualTo(39);
        assertThat(manifest.getList("files.rows", Integer.class)).containsExactly(15, 15, 9);
        Map<String, String> summary = given().get("/v1/tables/" + table + "/snapshots").jsonPath().getMap("snapshots[0].summary");
        assertThat(manifest.getString("recipe")).isEqualTo(summary.get("kiln.recipe"));
        assertThat(manifest.getString("contentDigest")).isEqualTo(summary.get("kiln.content-digest"));
        for (int i = 0; i < 3; i++) {
            Path file = directory.resolve(manifest.getString("files[" + i + "].path"));
            assertThat(sha256(Files.readAllBytes(file))).isEqualTo(manifest.getString("files[" + i + "].sha256"));
            assertThat(Files.size(file)).isEqualTo(manifest.getLong("files[" + i + "].bytes"));
        }
        assertThat(JSON.readTree(directory.resolve("manifest.json").toFile())).isEqualTo(JSON.readTree(manifest.prettify()));

        // the Parquet shards carry Iceberg's field ids and schema, and read back as the rows
        Path first = directory.resolve("data/train-00000-of-00003.parquet");
        Schema schema;
        try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(first))) {
            schema = ParquetSchemaUtil.convert(reader.getFooter().getFileMetaData().getSchema());
            assertThat(reader.getFooter().getFileMetaData().getKeyValueMetaData()).containsKey("iceberg.schema");
        }
        assertThat(schema.findField("id").fieldId()).isEqualTo(1);
        List<String> ids = new ArrayList<>();
        try (CloseableIterable<Record> records = Parquet.read(org.apache.iceberg.Files.localInput(first.toFile())).project(schema)
                .createReaderFunc(fileSchema -> GenericParquetReaders.buildReader(schema, fileSchema)).build()) {
            records.forEach(record -> ids.add((String) record.getField("id")));
        }
        assertThat(ids).hasSize(15).doesNotContain("clean-0");
    }

    @Test
    void arrowExportShardsAreArrowIpcFiles() throws IOException {
        String table = "read.arrowfiles_" + suffix();
        long snapshot = publish(table, "clean.jsonl", null);
        Path directory = exportRoot().resolve("arrow-" + suffix());
        export(table, Map.of("snapshotId", snapshot, "format", "arrow", "directory", directory.toString())).then().statusCode(200)
                .body("files.size()", equalTo(1)).body("rows", equalTo(40));
        List<Map<String, Object>> jsonRows = jsonlRows(given().get(rowsPath(table, snapshot)).asByteArray());
        try (BufferAllocator allocator = new RootAllocator();
                SeekableByteChannel channel = Files.newByteChannel(directory.resolve("data/train-00000-of-00001.arrow"));
                ArrowFileReader reader = new ArrowFileReader(channel, allocator)) {
            assertThat(arrowRows(reader)).isEqualTo(jsonRows);
        }
    }

    @Test
    void webDatasetExportShardsReadBackAsTheSameImagesCaptionsAndColumns() throws IOException {
        String table = "read.images_" + suffix();
        Path images = Files.createDirectories(Path.of("target/test-inputs/images-" + suffix())).toAbsolutePath();
        for (String name : List.of("rocket.jpg", "camera.png", "coins.png")) {
            Files.copy(Path.of("src/test/resources/images", name), images.resolve(name));
        }
        Map<String, Object> spec = Map.of("table", table, "source", Map.of("uri", "file://" + images, "format", "image"),
                "steps", List.of(Map.of("name", "image-normalize", "params", Map.of("resize", "fit", "width", 48, "height", 48))));
        String id = given().contentType(ContentType.JSON).body(spec).post("/v1/jobs").then().statusCode(202).extract().jsonPath().getString("id");
        JsonPath job = JobApiTest.awaitFinal(id);
        assertThat(job.getString("state")).as(job.prettify()).isEqualTo("PUBLISHED");
        long snapshot = job.getLong("snapshotId");
        Path directory = exportRoot().resolve("webdataset-" + suffix());
        export(table, Map.of("snapshotId", snapshot, "format", "webdataset", "directory", directory.toString())).then().statusCode(200)
                .body("files[0].path", equalTo("data/train-00000-of-00001.tar")).body("rows", equalTo(3));
        Map<String, byte[]> members = new TreeMap<>();
        try (org.apache.commons.compress.archivers.tar.TarArchiveInputStream tar = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(
                Files.newInputStream(directory.resolve("data/train-00000-of-00001.tar")))) {
            org.apache.commons.compress.archivers.tar.TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                assertThat(entry.getModTime().getTime()).isZero();
                members.put(entry.getName(), tar.readAllBytes());
            }
        }
        assertThat(members.keySet()).as("%s", members.keySet()).hasSize(6)
                .contains("000000000.json", "000000001.json", "000000002.json").containsOnlyOnce("000000000.json");
        List<Map<String, Object>> rows = jsonlRows(given().get(rowsPath(table, snapshot)).asByteArray());
        for (int i = 0; i < 3; i++) {
            Map<?, ?> json = JSON.readValue(members.get("%09d.json".formatted(i)), Map.class);
            Map<String, Object> row = rows.stream().filter(candidate -> candidate.get("id").equals(json.get("id"))).findFirst().orElseThrow();
            assertThat(json.get("pixel_sha256")).isEqualTo(row.get("pixel_sha256"));
            assertThat(json.containsKey("image")).isFalse();
            String extension = row.get("stored_format").equals("jpeg") ? "jpg" : "png";
            assertThat(java.util.Base64.getEncoder().encodeToString(members.get("%09d.%s".formatted(i, extension)))).isEqualTo(row.get("image"));
        }
        // the same rows give the same bytes
        Path again = exportRoot().resolve("webdataset-again-" + suffix());
        export(table, Map.of("snapshotId", snapshot, "format", "webdataset", "directory", again.toString())).then().statusCode(200);
        assertThat(Files.readAllBytes(again.resolve("data/train-00000-of-00001.tar"))).isEqualTo(Files.readAllBytes(directory.resolve("data/train-00000-of-00001.tar")));
    }

    @Test
    void theCliExportsIntoADirectoryItNames() throws IOException {
        String table = "read.cli_" + suffix();
        long snapshot = publish(table, "clean.jsonl", null);
        Path directory = exportRoot().resolve("cli-" + suffix());

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream original = System.out;
        int exitCode;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            exitCode = new CommandLine(new io.kiln.cli.Kiln()).execute("--url", "http://localhost:" + port, "export", table,
                    "--snapshot", Long.toString(snapshot), "--format", "jsonl", "--out", directory.toString(), "--columns", "id",
                    "--filter", "id starts_with 'clean-1'", "--shard-rows", "4");
        }
        finally {
            System.setOut(original);
        }
        assertThat(exitCode).as(out.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("Exported 11 rows of " + table + " at snapshot " + snapshot)
                .contains("data/train-00002-of-00003.jsonl").contains("manifest.json");
        List<String> lines = Files.readAllLines(directory.resolve("data/train-00000-of-00003.jsonl"));
        assertThat(lines).hasSize(4).allSatisfy(line -> assertThat(line).startsWith("{\"id\":\"clean-1").endsWith("\"}"));
    }

    @Test
    void unknownTablesSnapshotsAndPinsAre404() {
        String table = "read.missing_" + suffix();
        given().get(rowsPath(table, 1)).then().statusCode(404).body("error.code", equalTo("TABLE_NOT_FOUND"));
        long snapshot = publish(table, "clean.jsonl", null);
        given().get(rowsPath(table, snapshot + 1)).then().statusCode(404).body("error.code", equalTo("SNAPSHOT_NOT_FOUND"))
                .body("error.message", equalTo("Table " + table + " has no snapshot " + (snapshot + 1) + " (never published, or expired)"));
        given().get("/v1/tables/" + table + "/snapshots/no-such-pin/rows").then().statusCode(404).body("error.code", equalTo("PIN_NOT_FOUND"));
        export(table, Map.of("pin", "no-such-pin", "directory", exportRoot().resolve("x-" + suffix()).toString())).then().statusCode(404)
                .body("error.code", equalTo("PIN_NOT_FOUND"));
        export(table, Map.of("snapshotId", snapshot + 1, "directory", exportRoot().resolve("x-" + suffix()).toString())).then().statusCode(404)
                .body("error.code", equalTo("SNAPSHOT_NOT_FOUND"));
    }

    @Test
    void badColumnsFiltersAndFormatsAre400WithClearMessages() {
        String table = "read.bad_" + suffix();
        long snapshot = publish(table, "clean.jsonl", null);
        given().queryParam("columns", "id,colour").get(rowsPath(table, snapshot)).then().statusCode(400)
                .body("error.code", equalTo("INVALID_EXPORT"))
                .body("error.message", containsString("has no column 'colour'; its columns: id, text, _kiln_source_uri"))
                .body("error.violations[0].field", equalTo("columns"));
        given().queryParam("filter", "id = 42").get(rowsPath(table, snapshot)).then().statusCode(400)
                .body("error.code", equalTo("INVALID_FILTER"))
                .body("error.message", equalTo("Invalid filter: column 'id' is a string; quote the literal at position 6: '42'"));
        given().queryParam("filter", "id = 'a' or id = 'b'").get(rowsPath(table, snapshot)).then().statusCode(400)
                .body("error.code", equalTo("INVALID_FILTER")).body("error.message", containsString("expected 'and' or the end of the filter"));
        given().queryParam("format", "parquet").get(rowsPath(table, snapshot)).then().statusCode(400)
                .body("error.message", containsString("Parquet cannot stream"));
        given().queryParam("format", "csv").get(rowsPath(table, snapshot)).then().statusCode(400)
                .body("error.violations[0].field", equalTo("format"));
        given().queryParam("limit", -1).get(rowsPath(table, snapshot)).then().statusCode(400);
        given().queryParam("limit", "abc").get(rowsPath(table, snapshot)).then().statusCode(400)
                .body("error.violations[0].field", equalTo("limit")).body("error.violations[0].message", equalTo("must be a whole number, was 'abc'"));
        given().queryParam("limit", "ten").get("/v1/jobs").then().statusCode(400).body("error.violations[0].field", equalTo("limit"));
        given().queryParam("limit", 0).get("/v1/jobs").then().statusCode(400).body("error.violations[0].message", equalTo("must be at least 1, was 0"));
    }

    @Test
    void exportsStayInsideTheExportRootsAndNeverOverwrite() throws IOException {
        String table = "read.roots_" + suffix();
        long snapshot = publish(table, "clean.jsonl", null);
        assertExportViolation(table, Map.of("snapshotId", snapshot, "directory", "/tmp/kiln-outside-" + suffix()), "directory",
                "must be a directory inside the export roots");
        assertExportViolation(table, Map.of("snapshotId", snapshot, "directory", exportRoot().resolve("../escape-" + suffix()).toString()), "directory",
                "must be a directory inside the export roots");
        assertExportViolation(table, Map.of("snapshotId", snapshot, "directory", "relative/dir"), "directory", "must be an absolute path, was relative/dir");
        Path occupied = Files.createDirectories(exportRoot().resolve("occupied-" + suffix()));
        Files.writeString(occupied.resolve("keep.txt"), "mine");
        assertExportViolation(table, Map.of("snapshotId", snapshot, "directory", occupied.toString()), "directory", "exists and is not empty");
        assertThat(Files.readString(occupied.resolve("keep.txt"))).isEqualTo("mine");

        assertExportViolation(table, Map.of("directory", exportRoot().resolve("y").toString()), "snapshotId", "is required (or pin)");
        assertExportViolation(table, Map.of("snapshotId", snapshot, "pin", "p", "directory", exportRoot().resolve("y").toString()), "pin",
                "give snapshotId or pin, not both");
        assertExportViolation(table, Map.of("snapshotId", snapshot, "format", "csv", "directory", exportRoot().resolve("y").toString()), "format",
                "must be one of jsonl, arrow, parquet, webdataset, was csv");
        assertExportViolation(table, Map.of("snapshotId", snapshot, "shardRows", 0, "directory", exportRoot().resolve("y").toString()), "shardRows",
                "must be a positive whole number");
        assertExportViolation(table, Map.of("snapshotId", snapshot, "colour", "blue", "directory", exportRoot().resolve("y").toString()), "colour",
                "unknown field");
        export(table, Map.of("snapshotId", snapshot, "columns", List.of("nope"), "directory", exportRoot().resolve("z-" + suffix()).toString()))
                .then().statusCode(400).body("error.code", equalTo("INVALID_EXPORT"));
        assertThat(exportRoot().resolve("z")).doesNotExist();
    }

    private void assertExportViolation(String table, Map<String, Object> body, String field, String message) {
        export(table, body).then().statusCode(400).body("error.code", equalTo("INVALID_EXPORT"))
                .body("error.violations.find { it.field == '" + field + "' }.message", containsString(message));
    }

    private Map<String, String> exportAndHash(String table, long snapshot, String format, String label) throws IOException {
        Path directory = exportRoot().resolve(label + "-" + format + "-" + suffix());
        JsonPath manifest = export(table, Map.of("snapshotId", snapshot, "format", format, "shardRows", 15, "directory", directory.toString()))
                .then().statusCode(200).extract().jsonPath();
        assertThat(manifest.getLong("rows")).isEqualTo(40);
        Map<String, String> hashes = new TreeMap<>();
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                hashes.put(directory.relativize(file).toString(), sha256(Files.readAllBytes(file)));
            }
        }
        for (Map<String, Object> file : manifest.<Map<String, Object>>getList("files")) {
            assertThat(hashes.get((String) file.get("path"))).isEqualTo(file.get("sha256"));
        }
        return hashes;
    }

    private Path exportRoot() {
        return Path.of(dataDirectory).toAbsolutePath().normalize().resolve("exports");
    }

    /**
     * Asks for an export and, once it is accepted, follows it to its end: then the answer is its
     * manifest, downloaded as a client on another machine would (or the export, if it failed).
     */
    static Response export(String table, Map<String, Object> body) {
        Response accepted = given().contentType(ContentType.JSON).body(body).post("/v1/tables/" + table + "/exports");
        if (accepted.statusCode() != 202) {
            return accepted;
        }
        String id = accepted.jsonPath().getString("id");
        java.time.Instant deadline = java.time.Instant.now().plusSeconds(60);
        while (java.time.Instant.now().isBefore(deadline)) {
            Response export = given().get("/v1/exports/" + id);
            String state = export.jsonPath().getString("state");
            if (state.equals("SUCCEEDED")) {
                return given().get("/v1/exports/" + id + "/files/manifest.json");
            }
            if (state.equals("FAILED")) {
                return export;
            }
            try {
                Thread.sleep(50);
            }
            catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
        throw new AssertionError("export " + id + " did not end in 60 s");
    }

    private static String rowsPath(String table, long snapshot) {
        return "/v1/tables/" + table + "/snapshots/" + snapshot + "/rows";
    }

    /** Publishes the fixture into the table (creating it on first use) and returns the published snapshot id. */
    private static long publish(String table, String fixture, String tag) {
        Map<String, Object> source = fixture.equals("mixed.jsonl")
                ? Map.of("uri", "file://" + FIXTURES + "/docs/" + fixture, "format", "jsonl", "fields", Map.of("id", "doc.key", "text", "body"))
                : Map.of("uri", "file://" + FIXTURES + "/docs/" + fixture, "format", "jsonl");
        Map<String, Object> spec = new LinkedHashMap<>(Map.of("table", table, "source", source, "steps", List.of(Map.of("name", "normalize"))));
        if (tag != null) {
            spec.put("tag", tag);
        }
        String id = given().contentType(ContentType.JSON).body(spec).post("/v1/jobs").then().statusCode(202).extract().jsonPath().getString("id");
        JsonPath job = JobApiTest.awaitFinal(id);
        assertThat(job.getString("state")).as(job.prettify()).isEqualTo("PUBLISHED");
        return job.getLong("snapshotId");
    }

    private static List<Map<String, Object>> jsonlRows(byte[] body) throws IOException {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (String line : new String(body, StandardCharsets.UTF_8).split("\n")) {
            if (!line.isEmpty()) {
                JsonNode node = JSON.readTree(line);
                Map<String, Object> row = new LinkedHashMap<>();
                node.fields().forEachRemaining(field -> row.put(field.getKey(), field.getValue().isNull() ? null : field.getValue().asText()));
                rows.add(row);
            }
        }
        return rows;
    }

    private static List<Map<String, Object>> arrowRows(ArrowReader reader) throws IOException {
        List<Map<String, Object>> rows = new ArrayList<>();
        VectorSchemaRoot root = reader.getVectorSchemaRoot();
        while (reader.loadNextBatch()) {
            for (int row = 0; row < root.getRowCount(); row++) {
                Map<String, Object> values = new LinkedHashMap<>();
                for (FieldVector vector : root.getFieldVectors()) {
                    Object value = vector.getObject(row);
                    values.put(vector.getName(), value == null ? null : value.toString());
                }
                rows.add(values);
            }
        }
        return rows;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String suffix() {
        return UUID.randomUUID().toString().substring(0, 8).replace('-', '0');
    }
}

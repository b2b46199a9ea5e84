package io.kiln.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.oneOf;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import jakarta.inject.Inject;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ReadChannel;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericFileWriterFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.io.RollingDataWriter;
import org.apache.iceberg.types.Types;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.LocalInputFile;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/**
 * Exports are training-ready and self-describing: Hugging Face's layout and dataset card, vectors
 * as fixed-size lists, the snapshot, recipe and model in every file's schema metadata; they run in
 * the background and can be downloaded, file by file or as one tar, by a client on another machine.
 */
@QuarkusTest
@QuarkusTestResource(TempDataDirectory.class)
class ExportLayoutTest {
    private static final String FIXTURES = Path.of("src/test/resources/fixtures").toAbsolutePath().toString();

    @ConfigProperty(name = "kiln.data-dir")
    String dataDirectory;

    @Inject
    Catalog catalog;

    @Test
    void anExportIsSelfDescribingInHuggingFacesLayout() throws Exception {
        String table = "read.card_" + UUID.randomUUID().toString().substring(0, 8);
        String jobId = given().contentType(ContentType.JSON).body(Map.of("table", table,
                "source", Map.of("uri", "file://" + FIXTURES + "/docs/clean.jsonl", "format", "jsonl"),
                "steps", List.of(Map.of("name", "normalize")))).post("/v1/jobs").then().statusCode(202).extract().jsonPath().getString("id");
        JsonPath job = JobApiTest.awaitFinal(jobId);
        assertThat(job.getString("state")).as(job.prettify()).isEqualTo("PUBLISHED");
        String snapshot = job.getString("snapshotId");
        Map<String, String> summary = given().get("/v1/tables/" + table + "/snapshots/" + snapshot).jsonPath().getMap("summary");

        Path parquet = exportRoot().resolve("card-" + UUID.randomUUID());
        JsonPath manifest = RowsAndExportTest.export(table, Map.of("snapshotId", snapshot, "columns", List.of("id", "text"),
                "split", Map.of("name", "validation", "fraction", 1.0, "seed", 0), "shardRows", 25, "directory", parquet.toString()))
                .then().statusCode(200).extract().jsonPath();
        assertThat(manifest.getList("files.path", String.class)).containsExactly("data/validation-00000-of-00002.parquet", "data/validation-00001-of-00002.parquet");
        assertThat(manifest.getString("layout")).isEqualTo("huggingface");
        assertThat(manifest.getString("card")).isEqualTo("README.md");
        assertThat(manifest.getString("metadata.'kiln.snapshot-id'")).isEqualTo(snapshot);

        Map<String, String> footer;
        try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(parquet.resolve("data/validation-00000-of-00002.parquet")))) {
            footer = reader.getFooter().getFileMetaData().getKeyValueMetaData();
        }
        assertThat(footer).containsEntry("kiln.snapshot-id", snapshot).containsEntry("kiln.table", table).containsEntry("kiln.job-id", jobId)
                .containsEntry("kiln.recipe", summary.get("kiln.recipe")).containsEntry("kiln.content-digest", summary.get("kiln.content-digest"))
                .containsEntry("kiln.table-content-digest", summary.get("kiln.table-content-digest")).containsKey("iceberg.schema").containsKey("ARROW:schema");

        String card = Files.readString(parquet.resolve("README.md"));
        assertThat(card).startsWith("---\nconfigs:\n- config_name: default\n  data_files:\n  - split: validation\n    path: \"data/validation-*\"\n")
                .contains("| snapshot | `" + snapshot + "` |").contains("| recipe | `" + summary.get("kiln.recipe") + "` |")
                .contains("| job | `" + jobId + "` |").contains("40 exported of 40 in the snapshot")
                .contains("load_dataset(\"parquet\", data_files={\"validation\": \"data/validation-*.parquet\"})")
                .contains("clean.jsonl");
        assertThat(Files.readString(parquet.resolve("README.md"))).as("the same export gives the same card").isEqualTo(card);
    }

    /**
     * A vector column (a {@code list<float>} whose table records its dimension, as the embed steps
     * do) is an Arrow {@code FixedSizeList<float32>[dim]} in Arrow files and in Parquet's
     * {@code ARROW:schema}, with its dimension in the metadata and the manifest, and the same arrays
     * in JSON lines. (The table is written here with Iceberg: a model in this JVM would pin its
     * native tokenizer to the test's class loader.)
     */
    @Test
    void vectorsAreFixedSizeListsWithTheirDimensionInTheMetadata() throws Exception {
        String name = "vectors_" + UUID.randomUUID().toString().substring(0, 8);
        String table = "read." + name;
        org.apache.iceberg.Schema schema = new org.apache.iceberg.Schema(
                Types.NestedField.required(1, "id", Types.StringType.get()),
                Types.NestedField.required(2, "embedding", Types.ListType.ofRequired(3, Types.FloatType.get())));
        Table iceberg = catalog.createTable(TableIdentifier.of("read", name), schema, org.apache.iceberg.PartitionSpec.unpartitioned(),
                Map.of("kiln.column.embedding.dimension", "4", "kiln.column.embedding.model", "test-model"));
        RollingDataWriter<Record> writer = new RollingDataWriter<>(new GenericFileWriterFactory.Builder(iceberg).dataFileFormat(FileFormat.PARQUET).build(),
                OutputFileFactory.builderFor(iceberg, 0, 0).format(FileFormat.PARQUET).build(), iceberg.io(), 1 << 20, iceberg.spec(), null);
        for (int i = 0; i < 10; i++) {
            GenericRecord record = GenericRecord.create(schema);
            record.setField("id", "v-" + i);
            record.setField("embedding", List.of(i + 0.25f, -0.5f, 1.0f, (float) -i));
            writer.write(record);
        }
        writer.close();
        AppendFiles append = iceberg.newAppend();
        writer.result().dataFiles().forEach(append::appendFile);
        append.commit();
        String snapshot = Long.toString(iceberg.currentSnapshot().snapshotId());

        Path parquet = exportRoot().resolve("vectors-parquet-" + UUID.randomUUID());
        JsonPath manifest = RowsAndExportTest.export(table, Map.of("snapshotId", snapshot, "directory", parquet.toString())).then().statusCode(200)
                .extract().jsonPath();
        assertThat(manifest.getInt("dimensions.embedding")).isEqualTo(4);
        Map<String, String> footer;
        try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(parquet.resolve("data/train-00000-of-00001.parquet")))) {
            footer = reader.getFooter().getFileMetaData().getKeyValueMetaData();
        }
        assertThat(footer).containsEntry("kiln.column.embedding.dimension", "4").containsEntry("kiln.column.embedding.model", "test-model")
                .containsEntry("kiln.snapshot-id", snapshot);
        org.apache.arrow.vector.types.pojo.Schema stored = MessageSerializer.deserializeSchema(
                new ReadChannel(Channels.newChannel(new ByteArrayInputStream(Base64.getDecoder().decode(footer.get("ARROW:schema"))))));
        assertVector(stored.findField("embedding"), 4);
        assertThat(Files.readString(parquet.resolve("README.md"))).contains("`embedding` (vector of 4 float32)");

        Path arrow = exportRoot().resolve("vectors-arrow-" + UUID.randomUUID());
        RowsAndExportTest.export(table, Map.of("snapshotId", snapshot, "format", "arrow", "directory", arrow.toString())).then().statusCode(200);
        try (BufferAllocator allocator = new RootAllocator();
                SeekableByteChannel channel = Files.newByteChannel(arrow.resolve("data/train-00000-of-00001.arrow"));
                ArrowFileReader reader = new ArrowFileReader(channel, allocator)) {
            org.apache.arrow.vector.types.pojo.Schema fileSchema = reader.getVectorSchemaRoot().getSchema();
            assertVector(fileSchema.findField("embedding"), 4);
            assertThat(fileSchema.getCustomMetadata()).containsEntry("kiln.snapshot-id", snapshot).containsEntry("kiln.table", table)
                    .containsEntry("kiln.column.embedding.dimension", "4");
            assertThat(reader.loadNextBatch()).isTrue();
            FixedSizeListVector vectors = (FixedSizeListVector) reader.getVectorSchemaRoot().getVector("embedding");
            assertThat(vectors.getValueCount()).isEqualTo(10);
            assertThat(vectors.getDataVector().getValueCount()).as("one flat buffer of rows x 4 floats").isEqualTo(40);
            assertThat(List.copyOf(vectors.getObject(3))).isEqualTo(List.of(3.25f, -0.5f, 1.0f, -3.0f));
        }
        assertThat(given().queryParam("columns", "embedding").queryParam("filter", "id = 'v-3'").get("/v1/tables/" + table + "/snapshots/" + snapshot + "/rows")
                .jsonPath().getList("embedding", Float.class)).containsExactly(3.25f, -0.5f, 1.0f, -3.0f);
    }

    @Test
    void aFinishedExportDownloadsFileByFileOrAsOneTarAndNothingElse() throws Exception {
        String table = "read.download_" + UUID.randomUUID().toString().substring(0, 8);
        String jobId = given().contentType(ContentType.JSON).body(Map.of("table", table,
                "source", Map.of("uri", "file://" + FIXTURES + "/docs/clean.jsonl", "format", "jsonl"))).post("/v1/jobs").then().statusCode(202)
                .extract().jsonPath().getString("id");
        String snapshot = JobApiTest.awaitFinal(jobId).getString("snapshotId");
        Path directory = exportRoot().resolve("download-" + UUID.randomUUID());

        Response accepted = given().contentType(ContentType.JSON).header("Idempotency-Key", "download-" + directory.getFileName())
                .body(Map.of("snapshotId", snapshot, "format", "jsonl", "shardRows", 15, "directory", directory.toString())).post("/v1/tables/" + table + "/exports");
        accepted.then().statusCode(202).body("state", oneOf("QUEUED", "RUNNING", "SUCCEEDED")).body("snapshotId", equalTo(snapshot));
        String id = accepted.jsonPath().getString("id");
        given().contentType(ContentType.JSON).header("Idempotency-Key", "download-" + directory.getFileName())
                .body(Map.of("snapshotId", snapshot, "format", "jsonl", "shardRows", 15, "directory", directory.toString())).post("/v1/tables/" + table + "/exports")
                .then().statusCode(202).body("id", equalTo(id));
        JsonPath manifest = RowsAndExportTest.export(table, Map.of("snapshotId", snapshot, "format", "jsonl", "shardRows", 15,
                "directory", exportRoot().resolve("download-other-" + UUID.randomUUID()).toString())).then().statusCode(200).extract().jsonPath();
        assertThat(manifest.getLong("rows")).isEqualTo(40);
        JsonPath export = awaitSucceeded(id);
        assertThat(export.getLong("rowsWritten")).isEqualTo(40);
        assertThat(export.getList("files", String.class)).containsExactly("/v1/exports/" + id + "/files/data/train-00000-of-00003.jsonl",
                "/v1/exports/" + id + "/files/data/train-00001-of-00003.jsonl", "/v1/exports/" + id + "/files/data/train-00002-of-00003.jsonl",
                "/v1/exports/" + id + "/files/README.md", "/v1/exports/" + id + "/files/manifest.json");
        given().get("/v1/exports").then().statusCode(200).body("exports.id", hasItem(id));

        for (int i = 0; i < 3; i++) {
            String path = export.getString("manifest.files[" + i + "].path");
            Response file = given().get("/v1/exports/" + id + "/files/" + path);
            file.then().statusCode(200).contentType("application/x-ndjson").header("X-Kiln-Sha256", export.getString("manifest.files[" + i + "].sha256"));
            assertThat(file.asByteArray()).isEqualTo(Files.readAllBytes(directory.resolve(path)));
            assertThat(sha256(file.asByteArray())).isEqualTo(export.getString("manifest.files[" + i + "].sha256"));
        }
        given().get("/v1/exports/" + id + "/files/README.md").then().statusCode(200).contentType(org.hamcrest.Matchers.startsWith("text/markdown"));
        Files.writeString(directory.resolve("secret.txt"), "not part of the export");
        for (String path : List.of("secret.txt", "data/../secret.txt", "..%2F..%2Fetc%2Fpasswd", "data")) {
            given().urlEncodingEnabled(false).get("/v1/exports/" + id + "/files/" + path).then().statusCode(404).body("error.code", equalTo("RESOURCE_NOT_FOUND"));
        }
        given().get("/v1/exports/no-such-export").then().statusCode(404);

        Map<String, byte[]> members = new TreeMap<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new ByteArrayInputStream(
                given().get("/v1/exports/" + id + "/archive").then().statusCode(200).contentType("application/x-tar").extract().asByteArray()))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                members.put(entry.getName(), tar.readAllBytes());
            }
        }
        assertThat(members).containsOnlyKeys("data/train-00000-of-00003.jsonl", "data/train-00001-of-00003.jsonl", "data/train-00002-of-00003.jsonl",
                "README.md", "manifest.json");
        for (Map.Entry<String, byte[]> member : members.entrySet()) {
            assertThat(member.getValue()).as(member.getKey()).isEqualTo(Files.readAllBytes(directory.resolve(member.getKey())));
        }
    }

    private static void assertVector(Field field, int dimension) {
        assertThat(field.getType()).isEqualTo(new ArrowType.FixedSizeList(dimension));
        assertThat(field.getChildren().get(0).getType()).isEqualTo(new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE));
    }

    private static JsonPath awaitSucceeded(String id) throws InterruptedException {
        for (int i = 0; i < 600; i++) {
            JsonPath export = given().get("/v1/exports/" + id).then().statusCode(200).extract().jsonPath();
            if (!List.of("QUEUED", "RUNNING").contains(export.getString("state"))) {
                assertThat(export.getString("state")).as(export.prettify()).isEqualTo("SUCCEEDED");
                return export;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("export " + id + " did not end");
    }

    private Path exportRoot() {
        return Path.of(dataDirectory).toAbsolutePath().normalize().resolve("exports");
    }

    private static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}

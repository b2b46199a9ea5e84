package io.kiln.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

@QuarkusTest
@QuarkusTestResource(TempDataDirectory.class)
class PinAndMaintenanceTest {
    private static final String FIXTURES = Path.of("src/test/resources/fixtures").toAbsolutePath().toString();

    @Inject
    Catalog catalog;

    @Test
    void aPinnedSnapshotSurvivesExpiryWhileAnUnpinnedOneIsExpired() throws IOException {
        String table = "pins.docs_" + suffix();
        long first = publish(table, "docs/clean.jsonl");
        long second = publish(table, "docs/mixed.jsonl");
        long third = publish(table, "docs/clean.jsonl");

        given().contentType(ContentType.JSON)
                .body(Map.of("name", "train-v1", "snapshotId", first, "reason", "training run 42", "owner", "ml-platform"))
                .post("/v1/tables/" + table + "/pins")
                .then().statusCode(201).body("name", equalTo("train-v1")).body("snapshotId", equalTo(Long.toString(first))).body("owner", equalTo("ml-platform"));
        given().get("/v1/tables/" + table + "/pins").then().statusCode(200)
                .body("pins[0].name", equalTo("train-v1")).body("pins[0].reason", equalTo("training run 42"));

        JsonPath report = given().contentType(ContentType.JSON).body(Map.of("maxSnapshotAgeMs", 0))
                .post("/v1/tables/" + table + "/maintenance").then().statusCode(200).extract().jsonPath();

        assertThat(report.getList("expiredSnapshots")).as("64-bit ids are JSON strings").isNotEmpty().allMatch(String.class::isInstance);
        List<Long> expired = report.getList("expiredSnapshots", Long.class);
        List<Long> retained = report.getList("retainedSnapshots", Long.class);
        assertThat(retained).contains(first, third).doesNotContain(second);
        assertThat(expired).contains(second);
        given().get("/v1/tables/" + table + "/snapshots/" + second).then().statusCode(404).body("error.code", equalTo("SNAPSHOT_NOT_FOUND"));

        Table iceberg = catalog.loadTable(TableIdentifier.parse(table));
        assertThat(rows(iceberg, first)).as("the pinned snapshot's files are still there").hasSize(40);
        assertThat(iceberg.currentSnapshot().snapshotId()).isEqualTo(third);

        given().delete("/v1/tables/" + table + "/pins/train-v1").then().statusCode(204);
        given().get("/v1/tables/" + table + "/pins").then().statusCode(200).body("pins.size()", equalTo(0));
        JsonPath afterUnpin = given().contentType(ContentType.JSON).body(Map.of("maxSnapshotAgeMs", 0))
                .post("/v1/tables/" + table + "/maintenance").then().statusCode(200).extract().jsonPath();
        assertThat(afterUnpin.getList("expiredSnapshots", Long.class)).contains(first);
    }

    @Test
    void onlyAPublishedSnapshotCanBePinnedAndPinsAreValidated() {
        String table = "pins.checked_" + suffix();
        long published = publish(table, "docs/clean.jsonl");
        String rejectedJob = given().contentType(ContentType.JSON).body(Map.of(
                "table", table,
                "source", Map.of("uri", "file://" + FIXTURES + "/docs/mixed.jsonl", "format", "jsonl", "fields", Map.of("id", "doc.key", "text", "body")),
                "maxRejectedRate", 0.0)).post("/v1/jobs").then().statusCode(202).extract().jsonPath().getString("id");
        JsonPath rejected = JobApiTest.awaitFinal(rejectedJob);
        assertThat(rejected.getString("state")).isEqualTo("REJECTED");
        long staged = rejected.getLong("auditedSnapshotId");

        given().contentType(ContentType.JSON).body(Map.of("name", "bad", "snapshotId", staged, "reason", "r", "owner", "o"))
                .post("/v1/tables/" + table + "/pins")
                .then().statusCode(404).body("error.code", equalTo("SNAPSHOT_NOT_FOUND"))
                .body("error.message", startsWith("Snapshot " + staged + " of kiln." + table + " was never published (it is on branch audit-" + rejectedJob + ")"));
        given().contentType(ContentType.JSON).body(Map.of("name", "gone", "snapshotId", 12345L, "reason", "r", "owner", "o"))
                .post("/v1/tables/" + table + "/pins")
                .then().statusCode(404).body("error.message", equalTo("Table kiln." + table + " has no snapshot 12345: it never existed, or it was expired"));
        given().contentType(ContentType.JSON).body(Map.of("snapshotId", published))
                .post("/v1/tables/" + table + "/pins")
                .then().statusCode(400).body("error.code", equalTo("INVALID_REQUEST")).body("error.message", equalTo("The pin request is invalid"))
                .body("error.violations.field", equalTo(List.of("name", "owner", "reason")));
        given().contentType(ContentType.JSON).body(Map.of("name", "main", "snapshotId", published, "reason", "r", "owner", "o"))
                .post("/v1/tables/" + table + "/pins")
                .then().statusCode(400).body("error.violations.message", equalTo(List.of("'main' is reserved: it names the table's main branch")));
        given().contentType(ContentType.JSON).body(Map.of("name", "audit-job-1", "snapshotId", published, "reason", "r", "owner", "o"))
                .post("/v1/tables/" + table + "/pins")
                .then().statusCode(400).body("error.violations.message", equalTo(List.of("must not start with audit-: Kiln names its job branches so")));
        given().contentType(ContentType.JSON).body(Map.of("name", "v1", "snapshotId", published, "reason", "r", "owner", "o", "retentionDays", 30))
                .post("/v1/tables/" + table + "/pins").then().statusCode(201).body("maxRefAgeMs", equalTo(30L * 24 * 3600 * 1000));
        given().contentType(ContentType.JSON).body(Map.of("name", "v1", "snapshotId", published, "reason", "r", "owner", "o"))
                .post("/v1/tables/" + table + "/pins").then().statusCode(409).body("error.code", equalTo("PIN_EXISTS"));
        given().get("/v1/tables/" + table + "/pins/nope").then().statusCode(404).body("error.code", equalTo("PIN_NOT_FOUND"));
    }

    @Test
    void orphanFilesOlderThanTheGraceAreDeletedAndLiveFilesKept() throws IOException {
        String table = "pins.orphans_" + suffix();
        publish(table, "docs/clean.jsonl");
        Table iceberg = catalog.loadTable(TableIdentifier.parse(table));
        Path data = Path.of(URI.create(iceberg.location())).resolve("data");
        Path orphan = Files.writeString(data.resolve("00000-0-left-behind-by-a-crashed-job.parquet"), "not referenced by any snapshot");
        Files.setLastModifiedTime(orphan, FileTime.fromMillis(System.currentTimeMillis() - 7L * 24 * 3600 * 1000));
        Path young = Files.writeString(data.resolve("00000-0-still-being-written.parquet"), "a job may still commit this");

        JsonPath report = given().contentType(ContentType.JSON).body(Map.of("maxSnapshotAgeMs", 86_400_000L, "orphanGraceMs", 86_400_000L))
                .post("/v1/tables/" + table + "/maintenance").then().statusCode(200).extract().jsonPath();

        assertThat(report.getInt("orphanFilesDeleted")).isEqualTo(1);
        assertThat(orphan).doesNotExist();
        assertThat(young).exists();
        iceberg.refresh();
        assertThat(rows(iceberg, iceberg.currentSnapshot().snapshotId())).hasSize(40);
    }

    @Test
    void orphanCleanupKeepsTheIndexSegmentsAndInputManifestsThatSnapshotsName() throws IOException {
        String table = "pins.indexed_" + suffix();
        publish(table, "docs/clean.jsonl");
        Table iceberg = catalog.loadTable(TableIdentifier.parse(table));
        Path root = Path.of(URI.create(iceberg.location()));
        Path listed = old(Files.createDirectories(root.resolve("kiln-index/ids/id")).resolve("job-1.seg"));
        Path staged = old(root.resolve("kiln-index/ids/id/job-2.seg"));
        Path manifest = old(Files.createDirectories(root.resolve("kiln-manifests")).resolve("job-2.jsonl"));
        Path rejected = old(root.resolve("kiln-index/ids/id/job-of-an-expired-branch.seg"));
        iceberg.newAppend().set("kiln.id-index.id", "[\"" + listed.toUri() + "\"]").set("kiln.id-segment.id", staged.toUri().toString())
                .set("kiln.input-manifest-file", manifest.toUri().toString()).commit();

        JsonPath report = given().contentType(ContentType.JSON).body(Map.of("maxSnapshotAgeMs", 86_400_000L, "orphanGraceMs", 86_400_000L))
                .post("/v1/tables/" + table + "/maintenance").then().statusCode(200).extract().jsonPath();

        assertThat(report.getInt("orphanFilesDeleted")).isEqualTo(1);
        assertThat(rejected).doesNotExist();
        assertThat(listed).exists();
        assertThat(staged).exists();
        assertThat(manifest).exists();
    }

    private static Path old(Path file) throws IOException {
        Files.writeString(file, "index");
        Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() - 7L * 24 * 3600 * 1000));
        return file;
    }

    private static long publish(String table, String file) {
        Map<String, Object> source = file.contains("mixed")
                ? Map.of("uri", "file://" + FIXTURES + "/" + file, "format", "jsonl", "fields", Map.of("id", "doc.key", "text", "body"))
                : Map.of("uri", "file://" + FIXTURES + "/" + file, "format", "jsonl");
        String id = given().contentType(ContentType.JSON).body(Map.of("table", table, "source", source, "steps", List.of(Map.of("name", "normalize"))))
                .post("/v1/jobs").then().statusCode(202).extract().jsonPath().getString("id");
        JsonPath job = JobApiTest.awaitFinal(id);
        assertThat(job.getString("state")).isEqualTo("PUBLISHED");
        return job.getLong("snapshotId");
    }

    private static List<Record> rows(Table table, long snapshotId) throws IOException {
        List<Record> rows = new ArrayList<>();
        try (CloseableIterable<Record> records = IcebergGenerics.read(table).useSnapshot(snapshotId).build()) {
            records.forEach(record -> rows.add(record.copy()));
        }
        return rows;
    }

    private static String suffix() {
        return UUID.randomUUID().toString().substring(0, 8);
    }
}

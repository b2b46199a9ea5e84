package io.kiln.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

@QuarkusTest
@QuarkusTestResource(TempDataDirectory.class)
class TrainingAndReproduceTest {
    private static final String FIXTURES = Path.of("src/test/resources/fixtures").toAbsolutePath().toString();

    @Test
    void aTrainingConfigResolvesToItsPinnedSnapshot() {
        String table = "train.docs_" + suffix();
        JsonPath job = publish(table, "file://" + FIXTURES + "/docs/clean.jsonl");
        long snapshot = job.getLong("snapshotId");
        publish(table, "file://" + FIXTURES + "/docs/mixed.jsonl");
        given().contentType(ContentType.JSON).body(Map.of("name", "run-7", "snapshotId", snapshot, "reason", "baseline", "owner", "me"))
                .post("/v1/tables/" + table + "/pins").then().statusCode(201);

        JsonPath resolution = given().contentType(ContentType.JSON)
                .body(Map.of("table", table, "pin", "run-7", "columns", List.of("id", "text"), "split", Map.of("name", "train", "fraction", 0.9, "seed", 17)))
                .post("/v1/training/resolve").then().statusCode(200).extract().jsonPath();

        assertThat(resolution.getLong("snapshotId")).isEqualTo(snapshot);
        assertThat(resolution.getLong("snapshotRows")).isEqualTo(40);
        JsonPath fromYaml = given().contentType("application/yaml")
                .body(("table: " + table + "\npin: run-7\ncolumns: [id, text]\nsplit: {name: train, fraction: 0.9, seed: 17}\n").getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .post("/v1/training/resolve").then().statusCode(200).extract().jsonPath();
        assertThat(fromYaml.getString("rowsSha256")).as("the YAML file as it is resolves as its JSON does").isEqualTo(resolution.getString("rowsSha256"));
        assertThat(fromYaml.getString("snapshotId")).isEqualTo(resolution.getString("snapshotId"));
        given().contentType("application/yaml").body("table: [unclosed".getBytes(java.nio.charset.StandardCharsets.UTF_8)).post("/v1/training/resolve").then().statusCode(400)
                .body("error.code", org.hamcrest.Matchers.equalTo("INVALID_TRAINING_CONFIG"));
        assertThat(resolution.getString("jobId")).isEqualTo(job.getString("id"));
        assertThat(resolution.getString("recipe")).hasSize(64);
        assertThat(resolution.getString("contentDigest")).hasSize(64);
        assertThat(resolution.getString("trinoSql")).isEqualTo("SELECT \"id\", \"text\" FROM kiln." + table + " FOR VERSION AS OF " + snapshot + " WHERE "
                + new io.kiln.read.SplitRule("train", 0.9, 17).trinoPredicate("id"));
        assertThat(resolution.getString("split.name")).isEqualTo("train");
        String rowsPath = resolution.getString("rowsPath");
        assertThat(rowsPath).isEqualTo("/v1/tables/" + table + "/snapshots/" + snapshot + "/rows?columns=id%2Ctext&split.fraction=0.9&split.seed=17");
        String body = given().urlEncodingEnabled(false).get(rowsPath).then().statusCode(200).extract().asString();
        List<String> ids = body.lines().map(line -> io.restassured.path.json.JsonPath.from(line).getString("id")).toList();
        assertThat(resolution.getLong("rows")).as("the rows the config selects, not the snapshot's").isEqualTo(ids.size()).isLessThan(40);
        assertThat(resolution.getString("rowsSha256")).isEqualTo(sha256(body));
        io.kiln.read.SplitRule train = new io.kiln.read.SplitRule("train", 0.9, 17);
        assertThat(ids).as("the rows path reads the split the Trino SQL selects")
                .containsExactlyInAnyOrderElementsOf(java.util.stream.IntStream.range(0, 40).mapToObj(i -> "clean-" + i).filter(train::contains).toList());
    }

    /** The filter is part of the config's one truth: checked at resolve, applied by the SQL and the rows path alike. */
    @Test
    void aFilterIsValidatedAndAppliedEverywhere() {
        String table = "train.filtered_" + suffix();
        JsonPath job = publish(table, "file://" + FIXTURES + "/docs/clean.jsonl");
        long snapshot = job.getLong("snapshotId");
        JsonPath resolution = given().contentType(ContentType.JSON).body(Map.of("table", table, "snapshot", snapshot, "filter", "id != 'clean-3'"))
                .post("/v1/training/resolve").then().statusCode(200).extract().jsonPath();
        assertThat(resolution.getString("trinoSql")).isEqualTo("SELECT * FROM kiln." + table + " FOR VERSION AS OF " + snapshot + " WHERE \"id\" <> 'clean-3'");
        assertThat(resolution.getLong("rows")).isEqualTo(39);
        assertThat(resolution.getString("rowsPath")).endsWith("/rows?filter=id%20%21%3D%20%27clean-3%27");
        String body = given().urlEncodingEnabled(false).get(resolution.getString("rowsPath")).then().statusCode(200).extract().asString();
        assertThat(body.lines().count()).isEqualTo(39);
        assertThat(body).doesNotContain("\"clean-3\"");
        assertThat(resolution.getString("rowsSha256")).isEqualTo(sha256(body));

        given().contentType(ContentType.JSON).body(Map.of("table", table, "snapshot", snapshot, "filter", "label = 'x'")).post("/v1/training/resolve")
                .then().statusCode(400).body("error.code", equalTo("INVALID_FILTER"));
        given().contentType(ContentType.JSON).body(Map.of("table", table, "snapshot", snapshot, "filter", "id >> 3")).post("/v1/training/resolve")
                .then().statusCode(400).body("error.code", equalTo("INVALID_FILTER"));

        // the batch as staged, under its published audit record, is on main but was never published itself
        long staged = job.getLong("auditedSnapshotId");
        assertThat(staged).isNotEqualTo(snapshot);
        given().contentType(ContentType.JSON).body(Map.of("table", table, "snapshot", staged)).post("/v1/training/resolve")
                .then().statusCode(404).body("error.message", containsString("use snapshot " + snapshot));
        given().contentType(ContentType.JSON).body(Map.of("name", "staged", "snapshotId", staged, "reason", "r", "owner", "o"))
                .post("/v1/tables/" + table + "/pins").then().statusCode(404).body("error.message", containsString("as staged before its audit"));
    }

    private static String sha256(String text) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
        catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aBadTrainingConfigFailsClearly() {
        String table = "train.bad_" + suffix();
        long snapshot = publish(table, "file://" + FIXTURES + "/docs/clean.jsonl").getLong("snapshotId");
        given().contentType(ContentType.JSON).body(Map.of("table", table, "pin", "never-made")).post("/v1/training/resolve")
                .then().statusCode(404).body("error.code", equalTo("PIN_NOT_FOUND"))
                .body("error.message", equalTo("Table " + table + " has no pin 'never-made' (it was never created, was deleted, or its retention ran out)"));
        given().contentType(ContentType.JSON).body(Map.of("table", table, "snapshot", 42L)).post("/v1/training/resolve")
                .then().statusCode(404).body("error.code", equalTo("SNAPSHOT_NOT_FOUND")).body("error.message", startsWith("Table kiln." + table + " has no snapshot 42"));
        given().contentType(ContentType.JSON).body(Map.of("table", table, "snapshot", snapshot, "pin", "x")).post("/v1/training/resolve")
                .then().statusCode(400).body("error.violations[0].field", equalTo("snapshot"));
        given().contentType(ContentType.JSON).body(Map.of("table", table, "snapshot", snapshot, "columns", List.of("id", "label"))).post("/v1/training/resolve")
                .then().statusCode(400).body("error.violations[0].message", equalTo("snapshot " + snapshot + " of " + table + " has no column 'label'"));
        given().contentType(ContentType.JSON).body(Map.of("table", "train.nothing", "snapshot", snapshot)).post("/v1/training/resolve")
                .then().statusCode(404).body("error.code", equalTo("TABLE_NOT_FOUND"));
    }

    @Test
    void reproducingAPublishedJobGivesTheSameDigest() {
        JsonPath job = publish("train.repro_" + suffix(), "file://" + FIXTURES + "/docs/*.jsonl");

        JsonPath result = reproduce(job.getString("id"));

        assertThat(result.getString("outcome")).isEqualTo("IDENTICAL");
        assertThat(result.getBoolean("identical")).isTrue();
        assertThat(result.getString("reproducedDigest")).isEqualTo(result.getString("originalDigest"));
        assertThat(result.getList("inputs.status", String.class)).containsOnly("UNCHANGED").hasSize(2);
        assertThat(result.getString("scratchBranch")).startsWith("audit-reproduce-");
        given().get("/v1/tables/" + job.getString("table")).then().statusCode(200)
                .body("currentSnapshotId", equalTo(job.getString("snapshotId")))
                .body("refs." + result.getString("scratchBranch") + ".maxRefAgeMs", equalTo(86_400_000));
    }

    @Test
    void aJobOfMoreInputsThanASummaryListsKeepsTheirManifestInAFileAndReproduces() throws IOException {
        Path directory = Files.createDirectories(Path.of("target/test-inputs").toAbsolutePath().resolve("many-" + suffix()));
        int files = io.kiln.job.IngestPipeline.MANIFEST_INLINE_LIMIT + 1;
        for (int i = 0; i < files; i++) {
            Files.writeString(directory.resolve(String.format("part-%04d.jsonl", i)), "{\"id\": \"m-" + i + "\", \"text\": \"text " + i + "\"}\n");
        }
        JsonPath job = publish("train.many_" + suffix(), "file://" + directory + "/*.jsonl");
        JsonPath lineage = given().get("/v1/tables/" + job.getString("table") + "/snapshots/" + job.getLong("snapshotId") + "/lineage")
                .then().statusCode(200).extract().jsonPath();
        String manifest = lineage.getString("inputManifestFile");
        assertThat(manifest).endsWith("/kiln-manifests/" + job.getString("id") + ".jsonl");
        assertThat(lineage.getString("inputs")).isNull();
        List<String> lines = Files.readAllLines(Path.of(java.net.URI.create(manifest)));
        assertThat(lines).hasSize(files);
        assertThat(lines.get(7)).contains(directory.resolve("part-0007.jsonl").toUri().toString()).contains("\"sha256\"");

        JsonPath result = reproduce(job.getString("id"));

        assertThat(result.getString("outcome")).isEqualTo("IDENTICAL");
        assertThat(result.getList("inputs.status", String.class)).containsOnly("UNCHANGED").hasSize(files);
    }

    @Test
    void changedOrVanishedInputsAreReportedNotAMismatch() throws IOException {
        Path directory = Files.createDirectories(Path.of("target/test-inputs").toAbsolutePath().resolve("repro-" + suffix()));
        Path first = Files.writeString(directory.resolve("a.jsonl"), "{\"id\": \"1\", \"text\": \"one\"}\n");
        Path second = Files.writeString(directory.resolve("b.jsonl"), "{\"id\": \"2\", \"text\": \"two\"}\n");
        JsonPath job = publish("train.changed_" + suffix(), "file://" + directory + "/*.jsonl");

        Files.writeString(first, "{\"id\": \"1b\", \"text\": \"edited\"}\n", StandardOpenOption.APPEND);
        Files.delete(second);
        Files.writeString(directory.resolve("c.jsonl"), "{\"id\": \"3\", \"text\": \"three\"}\n");

        JsonPath result = reproduce(job.getString("id"));
        assertThat(result.getString("outcome")).isEqualTo("INPUTS_CHANGED");
        assertThat(result.getBoolean("identical")).isFalse();
        assertThat(result.getString("reproducedDigest")).isNull();
        Map<String, String> statuses = new java.util.TreeMap<>();
        result.getList("inputs", Map.class).forEach(input -> statuses.put(Path.of(java.net.URI.create((String) input.get("uri"))).getFileName().toString(), (String) input.get("status")));
        assertThat(statuses).containsExactlyEntriesOf(new java.util.TreeMap<>(Map.of("a.jsonl", "CHANGED", "b.jsonl", "MISSING", "c.jsonl", "ADDED")));
    }

    /** Asks for a reproduction (202 at once) and follows it until it ends; its result. */
    private static JsonPath reproduce(String jobId) {
        String id = given().post("/v1/jobs/" + jobId + "/reproduce").then().statusCode(202).body("state", org.hamcrest.Matchers.equalTo("QUEUED"))
                .extract().jsonPath().getString("id");
        java.time.Instant deadline = java.time.Instant.now().plusSeconds(60);
        while (java.time.Instant.now().isBefore(deadline)) {
            JsonPath reproduction = given().get("/v1/reproductions/" + id).then().statusCode(200).extract().jsonPath();
            if (reproduction.getString("state").equals("SUCCEEDED")) {
                return new JsonPath(given().get("/v1/reproductions/" + id).then().extract().jsonPath().prettify()).setRootPath("result");
            }
            assertThat(reproduction.getString("state")).as(reproduction.prettify()).isNotEqualTo("FAILED");
            try {
                Thread.sleep(50);
            }
            catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
        throw new AssertionError("reproduction " + id + " did not end in 60 s");
    }

    private static JsonPath publish(String table, String uri) {
        Map<String, Object> source = uri.contains("mixed")
                ? Map.of("uri", uri, "format", "jsonl", "fields", Map.of("id", "doc.key", "text", "body"))
                : Map.of("uri", uri, "format", "jsonl");
        String id = given().contentType(ContentType.JSON).body(Map.of("table", table, "source", source, "steps", List.of(Map.of("name", "normalize"))))
                .post("/v1/jobs").then().statusCode(202).extract().jsonPath().getString("id");
        JsonPath job = JobApiTest.awaitFinal(id);
        assertThat(job.getString("state")).as(job.prettify()).isEqualTo("PUBLISHED");
        return job;
    }

    private static String suffix() {
        return UUID.randomUUID().toString().substring(0, 8);
    }
}

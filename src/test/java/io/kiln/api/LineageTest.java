package io.kiln.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.nio.file.Path;
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
class LineageTest {
    private static final String FIXTURES = Path.of("src/test/resources/fixtures").toAbsolutePath().toString();

    @Test
    void aRowLeadsBackToItsSourceFilePositionAndRecipe() {
        String table = "lineage.docs_" + UUID.randomUUID().toString().substring(0, 8);
        JsonPath job = publish(table);

        JsonPath lineage = given().get("/v1/tables/" + table + "/rows/m-4/lineage").then().statusCode(200).extract().jsonPath();

        assertThat(lineage.getLong("snapshotId")).isEqualTo(job.getLong("snapshotId"));
        assertThat(lineage.getString("rows[0].sourceUri")).isEqualTo(Path.of(FIXTURES, "docs/mixed.jsonl").toUri().toString());
        assertThat(lineage.getString("rows[0].position")).isEqualTo("line:6");
        assertThat(lineage.getString("rows[0].sourceSha256")).hasSize(64);
        assertThat(lineage.getString("rows[0].jobId")).isEqualTo(job.getString("id"));
        assertThat(lineage.getLong("rows[0].publishedSnapshotId")).isEqualTo(job.getLong("snapshotId"));
        assertThat(lineage.getString("rows[0].recipeSpec.steps[0].step")).isEqualTo("normalize@1");
        given().get("/v1/tables/" + table + "/rows/no-such-row/lineage").then().statusCode(404).body("error.code", equalTo("RESOURCE_NOT_FOUND"));
    }

    @Test
    void aSnapshotLeadsToItsJobInputsRecipeChecksAndRejects() {
        String table = "lineage.snap_" + UUID.randomUUID().toString().substring(0, 8);
        JsonPath job = publish(table);

        JsonPath lineage = given().get("/v1/tables/" + table + "/snapshots/" + job.getLong("snapshotId") + "/lineage").then().statusCode(200).extract().jsonPath();

        assertThat(lineage.getString("jobId")).isEqualTo(job.getString("id"));
        assertThat(lineage.getBoolean("onMain")).isTrue();
        assertThat(lineage.getString("auditedSnapshotId")).isEqualTo(Long.toString(job.getLong("auditedSnapshotId")));
        assertThat(lineage.getString("inputs[0].uri")).endsWith("docs/mixed.jsonl");
        assertThat(lineage.getString("inputs[0].sha256")).hasSize(64);
        assertThat(lineage.getString("recipe")).hasSize(64);
        assertThat(lineage.getString("checksOutcome")).isEqualTo("PASSED");
        assertThat(lineage.getList("checks.rule", String.class)).contains("read = written + rejected");
        assertThat(lineage.getLong("rejects.count")).isEqualTo(3);
        assertThat(lineage.getMap("rejects.byReason")).containsEntry("extract/malformed-json", 1);
        assertThat(lineage.getString("rejects.trinoSql")).isEqualTo("SELECT * FROM kiln." + table + "__rejects WHERE _kiln_job_id = '" + job.getString("id") + "'");
    }

    private static JsonPath publish(String table) {
        String id = given().contentType(ContentType.JSON).body(Map.of("table", table,
                "source", Map.of("uri", "file://" + FIXTURES + "/docs/mixed.jsonl", "format", "jsonl", "fields", Map.of("id", "doc.key", "text", "body")),
                "steps", List.of(Map.of("name", "normalize")))).post("/v1/jobs").then().statusCode(202).extract().jsonPath().getString("id");
        JsonPath job = JobApiTest.awaitFinal(id);
        assertThat(job.getString("state")).isEqualTo("PUBLISHED");
        return job;
    }
}

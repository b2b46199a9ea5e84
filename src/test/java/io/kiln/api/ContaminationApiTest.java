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

/** The contamination step and report through the service: a pinned eval set, flagged rows, the report's dirty and clean items, clear errors. */
@QuarkusTest
@QuarkusTestResource(TempDataDirectory.class)
class ContaminationApiTest {
    private static final String FIXTURES = Path.of("src/test/resources/fixtures/contamination").toAbsolutePath().toString();

    private static long publish(String table, String file, List<Map<String, Object>> steps) {
        String id = given().contentType(ContentType.JSON).body(Map.of("table", table, "source", Map.of("uri", "file://" + FIXTURES + "/" + file, "format", "jsonl"),
                "steps", steps)).post("/v1/jobs").then().statusCode(202).extract().jsonPath().getString("id");
        JsonPath job = JobApiTest.awaitFinal(id);
        assertThat(job.getString("state")).as(job.prettify()).isEqualTo("PUBLISHED");
        return job.getLong("snapshotId");
    }

    @Test
    void flagsRowsAndReportsDirtyAndCleanEvalItems() {
        String suffix = UUID.randomUUID().toString().substring(0, 8).replace('-', '0');
        String evals = "evals.qa_" + suffix;
        long evalSnapshot = publish(evals, "evals.jsonl", List.of());
        given().contentType(ContentType.JSON).body(Map.of("name", "v1", "snapshotId", Long.toString(evalSnapshot), "reason", "benchmark", "owner", "test"))
                .post("/v1/tables/" + evals + "/pins").then().statusCode(201);
        String train = "train.docs_" + suffix;
        long snapshot = publish(train, "train.jsonl", List.of(Map.of("name", "contamination", "params", Map.of("evalSets", List.of(Map.of("table", evals, "pin", "v1"))))));

        String rows = given().queryParam("columns", "id,contaminated_by").queryParam("filter", "id = 'doc-verbatim'")
                .get("/v1/tables/" + train + "/snapshots/" + snapshot + "/rows").then().statusCode(200).extract().asString();
        assertThat(rows).contains("\"contaminated_by\":[\"" + evals + "/qa-001\"]");

        JsonPath report = given().queryParam("eval", evals + "@v1").get("/v1/tables/" + train + "/snapshots/" + snapshot + "/contamination")
                .then().statusCode(200).extract().jsonPath();
        assertThat(report.getList("dirty", String.class)).containsExactly("qa-001", "qa-002", "qa-007", "qa-008");
        assertThat(report.getList("clean", String.class)).containsExactly("qa-003", "qa-004", "qa-005", "qa-006");
        assertThat(report.getDouble("dirtyRate")).isEqualTo(0.5);
        assertThat(report.getString("evalSet.snapshotId")).isEqualTo(Long.toString(evalSnapshot));
        assertThat(report.getString("evalSet.rule")).isEqualTo("ngram-normalize@1");
        assertThat(report.getList("items.findAll { it.id == 'qa-002' }.rows.flatten()", String.class)).containsExactly("doc-edited");
        assertThat(report.getList("sharedSources")).isEmpty();

        String path = "/v1/tables/" + train + "/snapshots/" + snapshot + "/contamination";
        given().get(path).then().statusCode(400).body("error.violations[0].field", equalTo("eval"));
        given().queryParam("eval", evals).get(path).then().statusCode(400).body("error.violations[0].field", equalTo("eval"));
        given().queryParam("eval", evals + "@v9").get(path).then().statusCode(404).body("error.code", equalTo("PIN_NOT_FOUND"));
        given().queryParam("eval", evals + "@v1").queryParam("column", "nosuch").get(path).then().statusCode(400).body("error.violations[0].field", equalTo("column"));
        String body = given().queryParam("eval", evals + "@v1").queryParam("vectorColumn", "embedding").get(path).then().statusCode(400)
                .body("error.violations[0].field", equalTo("vectorColumn")).extract().asString();
        assertThat(body).doesNotContain("Exception").doesNotContain("io.kiln");

        given().contentType(ContentType.JSON).body(Map.of("table", train, "source", Map.of("uri", "file://" + FIXTURES + "/train.jsonl", "format", "jsonl"),
                "steps", List.of(Map.of("name", "contamination", "params", Map.of("evalSets", List.of(Map.of("table", evals, "pin", "v2")))))))
                .post("/v1/jobs").then().statusCode(400).body("error.violations[0].field", equalTo("steps[0].params.evalSets[0]"));
    }
}

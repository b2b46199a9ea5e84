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

/** The features report and the serving call over HTTP, on the Palmer penguins. */
@QuarkusTest
@QuarkusTestResource(TempDataDirectory.class)
class FeaturesApiTest {
    private static final String PENGUINS = Path.of("src/test/resources/fixtures/tabular/penguins.csv").toAbsolutePath().toString();

    @Test
    void servesAndReportsTheFittedFeaturesOfASnapshot() {
        String table = "zoo.penguins_" + UUID.randomUUID().toString().substring(0, 8).replace('-', '0');
        Map<String, Object> source = Map.of("uri", "file://" + PENGUINS, "format", "csv", "id", Map.of("from", "position"), "csv", Map.of("nullValue", "NA"));
        String jobId = given().contentType(ContentType.JSON).body(Map.of("table", table, "source", source, "maxRejectedRate", 0.1, "steps", List.of(
                Map.of("name", "impute", "params", Map.of("column", "body_mass_g", "strategy", "median", "groupBy", List.of("species"))),
                Map.of("name", "scale", "params", Map.of("column", "body_mass_g", "groupBy", List.of("species"), "into", "mass_z")))))
                .post("/v1/jobs").then().statusCode(202).extract().jsonPath().getString("id");
        JsonPath job = JobApiTest.awaitFinal(jobId);
        assertThat(job.getString("state")).as(job.prettify()).isEqualTo("PUBLISHED");
        long snapshot = job.getLong("snapshotId");

        JsonPath features = given().get("/v1/tables/" + table + "/snapshots/" + snapshot + "/features").then().statusCode(200).extract().jsonPath();
        assertThat(features.getList("features.name", String.class)).containsExactly("features-impute-body_mass_g", "features-scale-mass_z");
        assertThat(features.getDouble("features[1].state.groups.'[\"Gentoo\"]'.mean")).isBetween(5000.0, 5100.0);

        String rowId = given().queryParam("columns", "id,mass_z").queryParam("limit", 1).get("/v1/tables/" + table + "/snapshots/" + snapshot + "/rows")
                .then().statusCode(200).extract().asString();
        JsonPath first = JsonPath.from(rowId.strip());
        JsonPath served = given().contentType(ContentType.JSON).body(Map.of("records", List.of(
                Map.of("id", first.getString("id"), "species", "Adelie", "island", "Torgersen", "bill_length_mm", 39.1, "bill_depth_mm", 18.7,
                        "flipper_length_mm", 181, "body_mass_g", 3750, "sex", "male", "year", 2007))))
                .post("/v1/tables/" + table + "/snapshots/" + snapshot + "/transform").then().statusCode(200).extract().jsonPath();
        assertThat(served.getString("records[0].outcome")).isEqualTo("written");
        assertThat(served.getDouble("records[0].rows[0].mass_z")).isEqualTo(first.getDouble("mass_z"));

        given().contentType(ContentType.JSON).body(Map.of("records", List.of())).post("/v1/tables/" + table + "/snapshots/" + snapshot + "/transform")
                .then().statusCode(400).body("error.violations[0].field", equalTo("records"));
        given().get("/v1/tables/" + table + "/snapshots/1/features").then().statusCode(404);
    }
}

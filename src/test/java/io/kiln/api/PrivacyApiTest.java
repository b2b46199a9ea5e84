package io.kiln.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * The anonymize step through the API: the pseudonym key comes from configuration
 * ({@code kiln.privacy.keys.api-test} in the test profile) and never reaches a response or a log
 * line; the risk report of the snapshot agrees with a GROUP BY of the rows the rows endpoint serves.
 */
@QuarkusTest
@QuarkusTestResource(TempDataDirectory.class)
class PrivacyApiTest {
    private static final String KEY = "api-test-secret-key-5f1c9e2b7a";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Synthetic patients (made up here). */
    private static Path patients(int count) throws IOException {
        Path folder = Files.createDirectories(Path.of("target/test-inputs/privacy-api")).toAbsolutePath();
        StringBuilder lines = new StringBuilder();
        String[] diagnoses = {"flu", "asthma", "gastritis", "migraine"};
        for (int i = 0; i < count; i++) {
            lines.append(String.format("{\"id\": \"p%03d\", \"name\": \"Patient %d\", \"email\": \"patient%d@example.org\", \"zip\": \"130%02d\", \"age\": %d, \"diagnosis\": \"%s\"}%n",
                    i, i, i, i % 12, 20 + (i * 7) % 50, diagnoses[i % 4]));
        }
        Path file = folder.resolve("patients.jsonl");
        Files.writeString(file, lines);
        return file;
    }

    private static Map<String, Object> spec(String table, Path input, String keyId) {
        Map<String, Object> anonymize = new LinkedHashMap<>();
        anonymize.put("columns", Map.of(
                "name", Map.of("role", "identifier"),
                "email", Map.of("role", "identifier", "action", "pseudonymize"),
                "zip", Map.of("role", "quasi-identifier", "hierarchy", Map.of("type", "mask", "levels", 5)),
                "age", Map.of("role", "quasi-identifier", "hierarchy", Map.of("type", "intervals", "width", 10)),
                "diagnosis", Map.of("role", "sensitive")));
        anonymize.put("k", 4);
        anonymize.put("maxSuppression", 0.1);
        anonymize.put("keyId", keyId);
        return Map.of("table", table, "source", Map.of("uri", "file://" + input, "format", "jsonl", "schema", "infer"),
                "steps", List.of(Map.of("name", "anonymize", "params", anonymize)), "maxRejectedRate", 0.5);
    }

    @Test
    void theRiskReportAgreesWithAGroupByOfTheRowsAndTheKeyIsInNoResponseNorLogLine() throws IOException {
        Path input = patients(80);
        List<String> bodies = new ArrayList<>();
        String id = given().contentType(ContentType.JSON).body(spec("privacy_api.patients", input, "api-test")).post("/v1/jobs")
                .then().statusCode(202).extract().jsonPath().getString("id");
        JsonPath job = JobApiTest.awaitFinal(id);
        bodies.add(job.prettify());
        assertThat(job.getString("state")).as(job.prettify()).isEqualTo("PUBLISHED");
        String snapshot = job.getString("snapshotId");
        long written = job.getLong("counts.written");

        String table = "/v1/tables/privacy_api.patients";
        String rows = given().queryParam("format", "jsonl").get(table + "/snapshots/" + snapshot + "/rows").then().statusCode(200).extract().asString();
        bodies.add(rows);
        Map<List<String>, Integer> classes = new HashMap<>();
        for (String line : rows.split("\n")) {
            JsonNode row = JSON.readTree(line);
            assertThat(row.has("name")).isFalse();
            assertThat(row.get("email").asText()).matches("[0-9a-f]{64}");
            classes.merge(List.of(row.get("age").asText(), row.get("zip").asText()), 1, Integer::sum);
        }
        TreeMap<Integer, int[]> histogram = new TreeMap<>();
        classes.values().forEach(size -> {
            int[] entry = histogram.computeIfAbsent(size, ignored -> new int[2]);
            entry[0]++;
            entry[1] += size;
        });

        String reportBody = given().get(table + "/snapshots/" + snapshot + "/privacy").then().statusCode(200).extract().asString();
        bodies.add(reportBody);
        JsonPath report = JsonPath.from(reportBody);
        assertThat(report.getString("snapshotId")).isEqualTo(snapshot);
        assertThat(report.getList("quasiIdentifiers")).containsExactly("age", "zip");
        assertThat(report.getString("from")).isEqualTo("summary");
        assertThat(report.getLong("rows")).isEqualTo(written);
        assertThat(report.getLong("classes")).isEqualTo((long) classes.size());
        assertThat(report.getLong("smallestClass")).isEqualTo((long) histogram.firstKey()).isGreaterThanOrEqualTo(4);
        assertThat(report.getDouble("prosecutorRisk")).isCloseTo(1.0 / histogram.firstKey(), org.assertj.core.data.Offset.offset(1e-6));
        assertThat(report.getDouble("averageRisk")).isCloseTo((double) classes.size() / written, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(report.getDouble("sampleUniqueness")).isZero();
        List<Map<String, Object>> sizes = report.getList("classSizes");
        assertThat(sizes).hasSize(histogram.size());
        int i = 0;
        for (Map.Entry<Integer, int[]> entry : histogram.entrySet()) {
            assertThat(((Number) sizes.get(i).get("size")).intValue()).isEqualTo(entry.getKey());
            assertThat(((Number) sizes.get(i).get("classes")).intValue()).isEqualTo(entry.getValue()[0]);
            assertThat(((Number) sizes.get(i).get("rows")).intValue()).isEqualTo(entry.getValue()[1]);
            i++;
        }
        assertThat(report.getMap("anonymization")).containsEntry("k", "4").containsEntry("key-id", "api-test").containsKeys("levels", "loss", "suppressed-rows");

        // other quasi-identifiers on request; an unknown column is a 400 that names it
        String byDiagnosis = given().queryParam("quasiIdentifiers", "diagnosis").get(table + "/snapshots/" + snapshot + "/privacy")
                .then().statusCode(200).body("from", equalTo("request")).body("classes", equalTo(4)).extract().asString();
        bodies.add(byDiagnosis);
        given().queryParam("quasiIdentifiers", "age,nope").get(table + "/snapshots/" + snapshot + "/privacy")
                .then().statusCode(400).body("error.message", containsString("no column nope"));

        for (String path : List.of(table, table + "/snapshots", table + "/snapshots/" + snapshot, "/v1/jobs/" + id, "/v1/jobs")) {
            bodies.add(given().get(path).then().statusCode(200).extract().asString());
        }
        // a key id without a key is a 400 on keyId that names the setting, not the key of another id
        String refused = given().contentType(ContentType.JSON).body(spec("privacy_api.other", input, "missing")).post("/v1/jobs")
                .then().statusCode(400).body("error.violations[0].field", equalTo("steps[0].params.keyId"))
                .body("error.violations[0].message", containsString("kiln.privacy.keys.missing")).extract().asString();
        bodies.add(refused);

        assertThat(bodies).allSatisfy(body -> assertThat(body).doesNotContain(KEY));
        Path log = Path.of("target/quarkus-test.log");
        assertThat(log).exists();
        assertThat(Files.readString(log)).contains(id).doesNotContain(KEY);
    }
}

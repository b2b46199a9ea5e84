package io.kiln.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * OpenLineage run events: what a published and a rejected job send (the test profile appends them
 * to {@code target/openlineage-events.jsonl}), each event and each facet validated against
 * OpenLineage's JSON schemas (and Kiln's own facets against theirs). The HTTP transport is
 * {@code OpenLineageEmitterTest}'s.
 */
@QuarkusTest
@QuarkusTestResource(TempDataDirectory.class)
class OpenLineageTest {
    private static final Path EVENTS = Path.of("target/openlineage-events.jsonl");
    private static final String FIXTURES = Path.of("src/test/resources/fixtures").toAbsolutePath().toString();
    private static final ObjectMapper JSON = new ObjectMapper();
    @Test
    void aPublishedJobSendsStartAndCompleteWithItsInputsDigestsAndTheSnapshot() throws Exception {
        String table = "lineage.published_" + suffix();
        JsonPath job = JobApiTest.awaitFinal(submit(table, "docs/clean.jsonl", Map.of(), 0.5));
        assertThat(job.getString("state")).isEqualTo("PUBLISHED");
        String clean = FIXTURES + "/docs/clean.jsonl";

        List<JsonNode> events = eventsOf(job.getString("id"), "COMPLETE");
        assertThat(events).extracting(event -> event.path("eventType").asText()).containsExactly("START", "COMPLETE");
        events.forEach(OpenLineageSchemas::assertValid);
        JsonNode start = events.get(0);
        JsonNode complete = events.get(1);
        String runId = job.getString("id").substring("job-".length());
        for (JsonNode event : events) {
            assertThat(event.path("run").path("runId").asText()).isEqualTo(runId);
            assertThat(event.path("job").path("namespace").asText()).isEqualTo("kiln");
            assertThat(event.path("job").path("name").asText()).isEqualTo("ingest." + table);
            assertThat(event.path("job").path("facets").path("jobType").path("processingType").asText()).isEqualTo("BATCH");
            assertThat(event.path("outputs").get(0).path("name").asText()).isEqualTo(table);
            assertThat(event.path("inputs")).hasSize(1);
            assertThat(event.path("inputs").get(0).path("namespace").asText()).isEqualTo("file");
            assertThat(event.path("inputs").get(0).path("name").asText()).isEqualTo(clean);
            assertThat(event.path("inputs").get(0).path("inputFacets").path("inputStatistics").path("size").asLong()).isEqualTo(Files.size(Path.of(clean)));
        }
        assertThat(start.path("inputs").get(0).path("facets").has("version")).as("no digest before the file is read").isFalse();
        assertThat(complete.path("inputs").get(0).path("facets").path("version").path("datasetVersion").asText()).isEqualTo(sha256(Path.of(clean)));

        JsonNode output = complete.path("outputs").get(0);
        assertThat(output.path("facets").path("version").path("datasetVersion").asText()).isEqualTo(job.getString("snapshotId"));
        assertThat(output.path("outputFacets").path("outputStatistics").path("rowCount").asLong()).isEqualTo(job.getLong("counts.written"));
        assertThat(output.path("outputFacets").path("outputStatistics").path("fileCount").asLong()).isPositive();
        assertThat(output.path("facets").path("schema").path("fields")).extracting(field -> field.path("name").asText())
                .contains("id", "text", "_kiln_source_uri", "_kiln_source_sha256");
        assertThat(output.path("facets").path("storage").path("storageLayer").asText()).isEqualTo("iceberg");
        JsonPath lineage = given().get("/v1/tables/" + table + "/snapshots/" + job.getString("snapshotId") + "/lineage").then().statusCode(200)
                .extract().jsonPath();
        JsonNode snapshot = output.path("facets").path("kiln_snapshot");
        assertThat(snapshot.path("recipe").asText()).isEqualTo(lineage.getString("recipe"));
        assertThat(snapshot.path("contentDigest").asText()).isEqualTo(lineage.getString("contentDigest"));
        assertThat(snapshot.path("recipeSpec").path("steps").isArray()).isTrue();
        assertThat(output.path("facets").path("dataQualityAssertions").path("assertions")).isNotEmpty()
                .allSatisfy(assertion -> assertThat(assertion.path("success").asBoolean()).isTrue());
        JsonNode kilnJob = complete.path("run").path("facets").path("kiln_job");
        assertThat(kilnJob.path("jobId").asText()).isEqualTo(job.getString("id"));
        assertThat(kilnJob.path("rowsWritten").asLong()).isEqualTo(job.getLong("counts.written"));
        assertThat(complete.path("run").path("facets").path("processing_engine").path("name").asText()).isEqualTo("Kiln");
        assertThat(complete.path("run").path("facets").has("errorMessage")).isFalse();
    }

    @Test
    void aRejectedJobSendsFailWithItsFailedChecksAndItsRejects() throws Exception {
        String table = "lineage.rejected_" + suffix();
        JsonPath job = JobApiTest.awaitFinal(submit(table, "docs/mixed.jsonl", Map.of("id", "doc.key", "text", "body"), 0.0));
        assertThat(job.getString("state")).isEqualTo("REJECTED");

        List<JsonNode> events = eventsOf(job.getString("id"), "FAIL");
        assertThat(events).extracting(event -> event.path("eventType").asText()).containsExactly("START", "FAIL");
        events.forEach(OpenLineageSchemas::assertValid);
        JsonNode fail = events.get(1);
        assertThat(fail.path("run").path("facets").path("errorMessage").path("message").asText()).startsWith("CHECKS_FAILED: ")
                .contains("branch " + job.getString("branch")).doesNotContain("Exception");
        assertThat(fail.path("run").path("facets").path("errorMessage").path("programmingLanguage").asText()).isEqualTo("Java");
        JsonNode output = fail.path("outputs").get(0);
        assertThat(output.path("facets").path("version").path("datasetVersion").asText()).isEqualTo(job.getString("auditedSnapshotId"));
        assertThat(output.path("facets").path("kiln_snapshot").path("branch").asText()).isEqualTo(job.getString("branch"));
        assertThat(output.path("outputFacets").has("outputStatistics")).as("nothing was published").isFalse();
        assertThat(output.path("facets").path("dataQualityAssertions").path("assertions"))
                .anySatisfy(assertion -> assertThat(assertion.path("success").asBoolean()).isFalse());
        JsonNode kilnJob = fail.path("run").path("facets").path("kiln_job");
        assertThat(kilnJob.path("rowsRejected").asLong()).isEqualTo(job.getLong("counts.rejected")).isPositive();
        assertThat(kilnJob.path("rejectedByReason").size()).isPositive();
        assertThat(fail.path("inputs").get(0).path("facets").path("version").path("datasetVersion").asText())
                .isEqualTo(sha256(Path.of(FIXTURES, "docs/mixed.jsonl")));
    }

    @Test
    void theSchemasRefuseAnEventThatBreaksThem() throws Exception {
        String table = "lineage.broken_" + suffix();
        JsonPath job = JobApiTest.awaitFinal(submit(table, "docs/clean.jsonl", Map.of(), 0.5));
        JsonNode complete = eventsOf(job.getString("id"), "COMPLETE").get(1);
        OpenLineageSchemas.assertValid(complete);

        com.fasterxml.jackson.databind.node.ObjectNode noRunId = complete.deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) noRunId.path("run")).remove("runId");
        assertThat(OpenLineageSchemas.errors(noRunId, "https://openlineage.io/spec/2-0-2/OpenLineage.json")).isNotEmpty();
        com.fasterxml.jackson.databind.node.ObjectNode kilnJob = complete.path("run").path("facets").path("kiln_job").deepCopy();
        kilnJob.put("rowsRead", -1);
        assertThat(OpenLineageSchemas.errors(kilnJob, kilnJob.path("_schemaURL").asText())).isNotEmpty();
        com.fasterxml.jackson.databind.node.ObjectNode assertions = complete.path("outputs").get(0).path("facets").path("dataQualityAssertions").deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) assertions.path("assertions").get(0)).remove("success");
        assertThat(OpenLineageSchemas.errors(assertions, assertions.path("_schemaURL").asText())).isNotEmpty();
    }

    /** This job's events, once its final event {@code last} is in the file (they are sent on a thread of their own). */
    private static List<JsonNode> eventsOf(String jobId, String last) throws IOException, InterruptedException {
        String runId = jobId.substring("job-".length());
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (true) {
            List<JsonNode> events = new ArrayList<>();
            if (Files.exists(EVENTS)) {
                for (String line : Files.readAllLines(EVENTS, StandardCharsets.UTF_8)) {
                    JsonNode event = JSON.readTree(line);
                    if (event.path("run").path("runId").asText().equals(runId)) {
                        events.add(event);
                    }
                }
            }
            if (events.stream().anyMatch(event -> event.path("eventType").asText().equals(last)) || Instant.now().isAfter(deadline)) {
                return events;
            }
            Thread.sleep(100);
        }
    }

    private static String submit(String table, String fixture, Map<String, String> fields, double maxRejectedRate) {
        return given().contentType(ContentType.JSON).body(Map.of(
                "table", table,
                "source", fields.isEmpty() ? Map.of("uri", "file://" + FIXTURES + "/" + fixture, "format", "jsonl")
                        : Map.of("uri", "file://" + FIXTURES + "/" + fixture, "format", "jsonl", "fields", fields),
                "maxRejectedRate", maxRejectedRate)).post("/v1/jobs").then().statusCode(202).extract().jsonPath().getString("id");
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    private static String suffix() {
        return Long.toString(System.nanoTime(), 36);
    }
}

package io.kiln.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/** Jobs that race each other on one table, and where their rejects become visible. */
@QuarkusTest
@QuarkusTestResource(TempDataDirectory.class)
class ConcurrentJobsTest {
    private static final Path INPUTS = Path.of("target/test-inputs").toAbsolutePath();
    private static final String FIXTURES = Path.of("src/test/resources/fixtures").toAbsolutePath().toString();

    /**
     * 16 jobs submitted at once to one table, each deduplicating against it: the ones that lose the
     * race run again against the grown index instead of failing, and the counts are exact: each
     * shared line is kept once in all, every unique line once, and every duplicate is one reject
     * of the job that dropped it, on main with that job's publish.
     */
    @Test
    void concurrentDedupJobsAllPublishWithExactCounts() throws IOException {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String table = "race.dedup_" + suffix;
        int jobs = 16;
        int shared = 10;
        int unique = 10;
        List<String> ids = new ArrayList<>();
        for (int job = 0; job < jobs; job++) {
            StringBuilder lines = new StringBuilder();
            for (int i = 0; i < shared; i++) {
                lines.append("{\"id\":\"j").append(job).append("-s").append(i).append("\",\"text\":\"a line every job has, number ").append(i).append("\"}\n");
            }
            for (int i = 0; i < unique; i++) {
                lines.append("{\"id\":\"j").append(job).append("-u").append(i).append("\",\"text\":\"only job ").append(job).append(" has line ").append(i)
                        .append("\"}\n");
            }
            Path file = Files.createDirectories(INPUTS.resolve("race-" + suffix)).resolve("part-" + job + ".jsonl");
            Files.writeString(file, lines, StandardCharsets.UTF_8);
            ids.add(given().contentType(ContentType.JSON).body(Map.of("table", table, "source", Map.of("uri", "file://" + file, "format", "jsonl"),
                    "steps", List.of(Map.of("name", "normalize"), Map.of("name", "dedup-exact")), "maxRejectedRate", 1.0))
                    .post("/v1/jobs").then().statusCode(202).extract().jsonPath().getString("id"));
        }
        long written = 0;
        long rejected = 0;
        Map<String, Long> rejectedByJob = new TreeMap<>();
        for (String id : ids) {
            JsonPath job = JobApiTest.awaitFinal(id, 180);
            assertThat(job.getString("state")).as("job %s: %s", id, job.getString("error.message")).isEqualTo("PUBLISHED");
            assertThat(job.getLong("counts.read")).isEqualTo(shared + unique);
            written += job.getLong("counts.written");
            rejected += job.getLong("counts.rejected");
            rejectedByJob.put(id, job.getLong("counts.rejected"));
        }
        assertThat(written).isEqualTo(shared + (long) jobs * unique);
        assertThat(rejected).isEqualTo((long) (jobs - 1) * shared);
        JsonPath rows = given().get("/v1/tables/" + table + "/snapshots").then().statusCode(200).extract().jsonPath();
        assertThat(Long.parseLong(rows.getString("snapshots[0].summary.total-records"))).isEqualTo(written);
        assertThat(rejectsOnMainByJob(table)).isEqualTo(rejectedByJob);
    }

    /** A batch its checks reject leaves its rejects with it, off main: resubmitted, it does not write them twice. */
    @Test
    void theRejectsOfARejectedJobStayOffMain() {
        String table = "race.rejected_" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, Object> spec = Map.of("table", table,
                "source", Map.of("uri", "file://" + FIXTURES + "/docs/mixed.jsonl", "format", "jsonl", "fields", Map.of("id", "doc.key", "text", "body")),
                "steps", List.of(Map.of("name", "normalize")));
        Map<String, Object> strict = new java.util.HashMap<>(spec);
        strict.put("maxRejectedRate", 0.1);
        String rejectedId = given().contentType(ContentType.JSON).body(strict).post("/v1/jobs").then().statusCode(202).extract().jsonPath().getString("id");
        JsonPath rejected = JobApiTest.awaitFinal(rejectedId, 60);
        assertThat(rejected.getString("state")).isEqualTo("REJECTED");
        assertThat(rejected.getLong("counts.rejected")).isEqualTo(3);
        assertThat(rejectsOnMainByJob(table)).isEmpty();
        JsonPath rejectsTable = given().get("/v1/tables/" + table + "__rejects").then().statusCode(200).extract().jsonPath();
        assertThat(rejectsTable.getMap("refs")).containsKey("audit-" + rejectedId);

        String publishedId = given().contentType(ContentType.JSON).body(spec).post("/v1/jobs").then().statusCode(202).extract().jsonPath().getString("id");
        assertThat(JobApiTest.awaitFinal(publishedId, 60).getString("state")).isEqualTo("PUBLISHED");
        assertThat(rejectsOnMainByJob(table)).isEqualTo(Map.of(publishedId, 3L));
    }

    /** Rejects rows on main per job id, from the rejects table's snapshots in main's history. */
    private static Map<String, Long> rejectsOnMainByJob(String table) {
        JsonPath snapshots = given().get("/v1/tables/" + table + "__rejects/snapshots").then().statusCode(200).extract().jsonPath();
        Map<String, Long> byJob = new TreeMap<>();
        List<Map<String, Object>> all = snapshots.getList("snapshots");
        for (Map<String, Object> snapshot : all) {
            @SuppressWarnings("unchecked")
            Map<String, String> summary = (Map<String, String>) snapshot.get("summary");
            if (Boolean.TRUE.equals(snapshot.get("onMain")) && summary.get("kiln.job-id") != null) {
                byJob.merge(summary.get("kiln.job-id"), Long.parseLong(summary.getOrDefault("added-records", "0")), Long::sum);
            }
        }
        return byJob;
    }
}

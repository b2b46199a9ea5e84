package io.kiln.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/** {@code /q/metrics} (Prometheus) moves as a job runs, as rows are read and as an export is written. */
@QuarkusTest
@QuarkusTestResource(TempDataDirectory.class)
class MetricsTest {
    private static final String FIXTURES = Path.of("src/test/resources/fixtures").toAbsolutePath().toString();

    @ConfigProperty(name = "kiln.data-dir")
    String dataDirectory;

    @Test
    void metricsMoveAsAJobRunsAndItsRowsAreRead() throws java.io.IOException {
        String table = "metrics.mixed_" + UUID.randomUUID().toString().substring(0, 8);
        String before = scrape();
        assertThat(before).contains("kiln_jobs{state=\"QUEUED\"}").contains("kiln_jobs{state=\"RUNNING\"}").contains("kiln_check_engine_restarts");
        double published = value(before, "kiln_jobs_ended_total{state=\"PUBLISHED\"}");
        double normalized = value(before, "kiln_step_rows_total{step=\"normalize@1\"}");

        String id = given().contentType(ContentType.JSON).body(Map.of("table", table,
                "source", Map.of("uri", "file://" + FIXTURES + "/docs/mixed.jsonl", "format", "jsonl", "fields", Map.of("id", "doc.key", "text", "body")),
                "steps", List.of(Map.of("name", "normalize")))).post("/v1/jobs").then().statusCode(202).extract().jsonPath().getString("id");
        JsonPath job = JobApiTest.awaitFinal(id);
        assertThat(job.getString("state")).isEqualTo("PUBLISHED");

        String after = scrape();
        assertThat(value(after, "kiln_jobs_ended_total{state=\"PUBLISHED\"}")).isEqualTo(published + 1);
        assertThat(value(after, "kiln_rows_read_total{table=\"" + table + "\"}")).isEqualTo(13);
        assertThat(value(after, "kiln_rows_written_total{table=\"" + table + "\"}")).isEqualTo(10);
        assertThat(value(after, "kiln_rows_rejected_total{table=\"" + table + "\"}")).isEqualTo(3);
        assertThat(value(after, "kiln_rows_rejected_by_reason_total{reason=\"extract/malformed-json\",table=\"" + table + "\"}")).isEqualTo(1);
        assertThat(value(after, "kiln_input_bytes_total{table=\"" + table + "\"}")).isPositive();
        assertThat(value(after, "kiln_step_rows_total{step=\"normalize@1\"}")).isGreaterThanOrEqualTo(normalized + 11);

        double rowsBytes = value(after, "kiln_rows_bytes_total{format=\"jsonl\"}");
        long body = given().get("/v1/tables/" + table + "/snapshots/" + job.getString("snapshotId") + "/rows").then().statusCode(200).extract().asByteArray().length;
        assertThat(value(scrape(), "kiln_rows_bytes_total{format=\"jsonl\"}")).isEqualTo(rowsBytes + body);

        double exportBytes = value(scrape(), "kiln_export_bytes_total{format=\"jsonl\"}");
        JsonPath manifest = RowsAndExportTest.export(table, Map.of("snapshotId", job.getString("snapshotId"), "format", "jsonl",
                "directory", Path.of(dataDirectory).toAbsolutePath().resolve("exports").resolve(table).toString())).then().statusCode(200).extract().jsonPath();
        assertThat(value(scrape(), "kiln_export_bytes_total{format=\"jsonl\"}")).isEqualTo(exportBytes + manifest.getLong("files[0].bytes"));

        // every series the Grafana dashboard in deploy/ plots is one Kiln serves
        String scrape = scrape();
        java.util.regex.Matcher names = java.util.regex.Pattern.compile("kiln_[a-z_]+")
                .matcher(java.nio.file.Files.readString(Path.of("deploy/grafana/kiln-dashboard.json")));
        java.util.Set<String> plotted = new java.util.TreeSet<>();
        while (names.find()) {
            plotted.add(names.group());
        }
        assertThat(plotted).hasSizeGreaterThan(8).allSatisfy(name -> assertThat(scrape).as("the dashboard's %s", name).containsPattern("(?m)^" + name + "[{ ]"));
    }

    private static String scrape() {
        return given().get("/q/metrics").then().statusCode(200).extract().asString();
    }

    /** The sample of {@code series} (name and labels as Prometheus writes them), 0 when absent. */
    private static double value(String scrape, String series) {
        return scrape.lines().filter(line -> line.startsWith(series + " ")).findFirst()
                .map(line -> Double.parseDouble(line.substring(series.length() + 1).strip())).orElse(0.0);
    }
}

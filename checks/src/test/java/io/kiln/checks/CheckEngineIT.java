package io.kiln.checks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/** The engine as Kiln runs it: the packaged jar and lib/ in a child JVM, spoken to over HTTP. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CheckEngineIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path directory;

    private static Process engine;
    private static BufferedReader stdout;
    private static String listeningLine;
    private static URI base;
    private static TestTables tables;

    @BeforeAll
    static void startEngine() throws Exception {
        Path engineDirectory = Path.of(System.getProperty("kiln.engine.directory", "target/engine")).toAbsolutePath();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx1g");
        command.addAll(Files.readAllLines(engineDirectory.resolve("jvm.options")).stream().filter(line -> !line.isBlank()).toList());
        command.addAll(List.of("-cp", engineDirectory.resolve("kiln-check-engine.jar") + ":" + engineDirectory.resolve("lib") + "/*",
                "io.kiln.checks.CheckEngine", "--port", "0", "--master", "local[2]",
                "--metrics-dir", directory.resolve("metrics").toString()));
        long started = System.nanoTime();
        engine = new ProcessBuilder(command)
                .redirectError(Path.of("target", "check-engine-it.log").toFile())
                .start();
        stdout = new BufferedReader(new InputStreamReader(engine.getInputStream(), StandardCharsets.UTF_8));
        listeningLine = CompletableFuture.supplyAsync(() -> {
            try {
                return stdout.readLine();
            }
            catch (IOException e) {
                throw new RuntimeException(e);
            }
        }).get(90, TimeUnit.SECONDS);
        System.err.printf("engine LISTENING after %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        assertThat(listeningLine).matches("KILN-CHECK-ENGINE LISTENING [0-9]+");
        base = URI.create("http://127.0.0.1:" + listeningLine.substring(listeningLine.lastIndexOf(' ') + 1));
        tables = new TestTables(directory, "kiln");
    }

    @AfterAll
    static void stopEngine() throws Exception {
        if (engine != null && engine.isAlive()) {
            engine.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        if (tables != null) {
            tables.close();
        }
    }

    @Test
    @Order(1)
    void validatesSuitesWhileSparkStarts() throws Exception {
        HttpResponse<String> valid = post("/validate", Map.of("rules", "Rules = [ RowCount > 0, IsUnique \"id\" ]\n"
                + "Anomalies = [ RowCount maxIncrease 3.0 ]"));
        HttpResponse<String> invalid = post("/validate", Map.of("rules", "Rules = [\n  RowCount > 0,\n  IsUnique\n]"));

        assertThat(valid.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(valid.body())).isEqualTo(JSON.readTree("""
                {"valid": true, "rules": ["RowCount > 0", "IsUnique \\"id\\""], "anomalies": ["RowCount maxIncrease 3.0"]}"""));
        assertThat(invalid.statusCode()).isEqualTo(200);
        JsonNode error = JSON.readTree(invalid.body());
        assertThat(error.get("valid").asBoolean()).isFalse();
        assertThat(error.get("error").asText()).isEqualTo("Invalid DQDL: line 3: Parsing Error: Rule Type: IsUnique is not valid");

        HttpResponse<String> privacy = post("/validate", Map.of("rules",
                "Rules = [ KAnonymity [\"age\", \"zip\"] >= 5, RowCount > 0, LDiversity \"diagnosis\" [\"age\"] >= 2 ]"));
        HttpResponse<String> badPrivacy = post("/validate", Map.of("rules", "Rules = [\n  RowCount > 0,\n  KAnonymity >= 5\n]"));

        assertThat(JSON.readTree(privacy.body())).isEqualTo(JSON.readTree("""
                {"valid": true, "rules": ["RowCount > 0", "KAnonymity [\\"age\\", \\"zip\\"] >= 5",
                 "LDiversity \\"diagnosis\\" [\\"age\\"] >= 2"], "anomalies": []}"""));
        assertThat(JSON.readTree(badPrivacy.body()).get("error").asText()).isEqualTo(
                "line 3: KAnonymity needs a list of quasi-identifier columns, e.g. KAnonymity [\"age\", \"zip\"] >= 5");
    }

    @Test
    @Order(2)
    void healthTurnsUpOnceSparkRuns() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        HttpResponse<String> health = get("/health");
        while (health.statusCode() == 503 && System.nanoTime() < deadline) {
            assertThat(JSON.readTree(health.body()).get("status").asText()).isEqualTo("STARTING");
            Thread.sleep(200);
            health = get("/health");
        }
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(health.body())).isEqualTo(JSON.readTree("{\"status\":\"UP\",\"spark\":\"3.5.7\"}"));
    }

    @Test
    @Order(3)
    void verifiesASnapshotAndRecordsItsMetrics() throws Exception {
        Table table = tables.createTextTable("demo.docs");
        long snapshot = TestTables.append(table, TestTables.docs(0, 1000));

        long started = System.nanoTime();
        HttpResponse<String> response = post("/verify", verifyRequest("demo.docs", snapshot, Files.readString(Path.of("suites/text-default.dqdl"))));
        System.err.printf("first /verify of 1000 rows took %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode report = JSON.readTree(response.body());
        assertThat(report.get("outcome").asText()).as(response.body()).isEqualTo("PASSED");
        assertThat(report.get("snapshotId").asLong()).isEqualTo(snapshot);
        assertThat(report.get("rows").asLong()).isEqualTo(1000);
        assertThat(report.get("durationMillis").asLong()).isPositive();
        JsonNode unique = report.get("rules").get(2);
        assertThat(unique.get("rule").asText()).isEqualTo("IsUnique \"id\"");
        assertThat(unique.get("outcome").asText()).isEqualTo("PASSED");
        assertThat(unique.get("message").asText()).isEmpty();
        assertThat(unique.get("metrics").get("Column.id.Uniqueness").asDouble()).isEqualTo(1.0);

        JsonNode metrics = JSON.readTree(get("/metrics?table=demo.docs").body());
        assertThat(metrics.get("table").asText()).isEqualTo("demo.docs");
        assertThat(metrics.get("history")).hasSize(1);
        assertThat(metrics.get("history").get(0).get("timestampMillis").asLong()).isEqualTo(1_763_700_000_000L);
        assertThat(metrics.get("history").get(0).get("tags").get("snapshot").asText()).isEqualTo(Long.toString(snapshot));
        assertThat(metrics.get("history").get(0).get("metrics").get("Size").asDouble()).isEqualTo(1000.0);
    }

    @Test
    @Order(4)
    void answersHealthAndValidateWhileAVerificationRuns() throws Exception {
        Table table = tables.createTextTable("demo.more");
        long snapshot = TestTables.append(table, TestTables.docs(0, 20_000));
        CompletableFuture<HttpResponse<String>> verification = HTTP.sendAsync(
                HttpRequest.newBuilder(base.resolve("/verify"))
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(
                                verifyRequest("demo.more", snapshot, "Rules = [ IsUnique \"id\", ColumnLength \"text\" >= 1 ]"))))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        Thread.sleep(100);

        long started = System.nanoTime();
        assertThat(get("/health").statusCode()).isEqualTo(200);
        assertThat(post("/validate", Map.of("rules", "Rules = [ RowCount > 0 ]")).statusCode()).isEqualTo(200);
        long answeredMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

        assertThat(answeredMillis).isLessThan(1000);
        HttpResponse<String> response = verification.get(60, TimeUnit.SECONDS);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(JSON.readTree(response.body()).get("rows").asLong()).isEqualTo(20_000);
    }

    @Test
    @Order(5)
    void answersEveryErrorAsJsonWithoutStackTraces() throws Exception {
        Table table = tables.createTextTable("demo.errors");
        long snapshot = TestTables.append(table, TestTables.docs(0, 3));

        assertError(post("/verify", verifyRequest("demo.nope", snapshot, "Rules = [ RowCount > 0 ]")),
                404, "TABLE_NOT_FOUND", "No table demo.nope in catalog kiln");
        assertError(post("/verify", verifyRequest("demo.errors", 42, "Rules = [ RowCount > 0 ]")),
                404, "SNAPSHOT_NOT_FOUND", "Table demo.errors in catalog kiln has no snapshot 42");
        assertError(post("/verify", verifyRequest("demo.errors", snapshot, "Rules = [ RowCount > ]")),
                400, "INVALID_RULES", null);
        assertError(post("/verify", Map.of("table", "demo.errors")), 400, "INVALID_REQUEST", "catalog is missing");
        assertError(send(HttpRequest.newBuilder(base.resolve("/verify")).POST(HttpRequest.BodyPublishers.ofString("{not json"))),
                400, "INVALID_REQUEST", "Invalid JSON at line 1, column 3");
        Map<String, Object> typo = verifyRequest("demo.errors", snapshot, "Rules = [ RowCount > 0 ]");
        typo.put("snapshotID", 1);
        assertError(post("/verify", typo), 400, "INVALID_REQUEST", "Unknown field 'snapshotID'");
        Map<String, Object> wrongType = verifyRequest("demo.errors", snapshot, "Rules = [ RowCount > 0 ]");
        wrongType.put("snapshotId", "latest");
        assertError(post("/verify", wrongType), 400, "INVALID_REQUEST", "Invalid value for 'snapshotId'");
        assertError(get("/verify"), 405, "METHOD_NOT_ALLOWED", "Use POST");
        assertError(get("/nope"), 404, "NOT_FOUND", "No endpoint /nope");
        assertError(get("/metrics?table=../../etc/passwd"), 400, "INVALID_REQUEST", null);
        Map<String, Object> badCatalog = verifyRequest("demo.errors", snapshot, "Rules = [ RowCount > 0 ]");
        badCatalog.put("catalog", Map.of("name", "broken", "properties", Map.of(
                "type", "jdbc", "uri", "jdbc:sqlite:" + directory.resolve("missing/dir/catalog.db"), "jdbc.schema-version", "V1")));
        assertError(post("/verify", badCatalog), 502, "CATALOG_FAILURE", null);
    }

    @Test
    @Order(6)
    void exitsWhenItsStdinClosesAndPrintsNothingElse() throws Exception {
        engine.getOutputStream().close();

        assertThat(engine.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(engine.exitValue()).isZero();
        assertThat(stdout.readLine()).isNull();
    }

    private static void assertError(HttpResponse<String> response, int status, String code, String message) throws IOException {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("code").asText()).isEqualTo(code);
        assertThat(body.get("error").asText()).isNotBlank().doesNotContain("\tat ").doesNotContain("Exception");
        if (message != null) {
            assertThat(body.get("error").asText()).isEqualTo(message);
        }
    }

    private static Map<String, Object> verifyRequest(String table, long snapshot, String rules) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("catalog", Map.of("name", tables.spec().name(), "properties", tables.spec().properties()));
        request.put("table", table);
        request.put("snapshotId", snapshot);
        request.put("rules", rules);
        request.put("resultKey", Map.of("timestampMillis", 1_763_700_000_000L,
                "tags", Map.of("job", "job-abc", "table", table, "snapshot", Long.toString(snapshot))));
        request.put("saveMetricsOnPass", true);
        return request;
    }

    private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(base.resolve(path)).GET());
    }

    private static HttpResponse<String> post(String path, Object body) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(base.resolve(path)).POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return HTTP.send(request.timeout(Duration.ofSeconds(120)).build(), HttpResponse.BodyHandlers.ofString());
    }
}

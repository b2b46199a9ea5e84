package io.kiln.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Write-audit-publish against the real check engine (Spark + Deequ in its own JVM, started and
 * supervised by the packaged service), as a user runs it.
 */
class WriteAuditPublishIT {
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
    private static final String PRIVACY_KEY = "wap-it-pseudonym-key-4d2f8a";
    private static Path work;
    private static Path inputs;
    private static KilnProcess kiln;

    @BeforeAll
    static void start() throws Exception {
        work = Files.createTempDirectory("kiln-wap-it");
        inputs = Files.createDirectories(work.resolve("inputs"));
        Path suites = Files.createDirectories(work.resolve("suites"));
        Files.copy(Path.of("checks/suites/text-default.dqdl"), suites.resolve("text-default.dqdl"));
        Files.writeString(suites.resolve("broken.dqdl"), "Rules = [\n    RowCount >> 0,\n]\n");
        Files.writeString(suites.resolve("images.dqdl"), "Rules = [ RowCount > 0, ColumnValues \"stored_width\" >= 64, Completeness \"phash\" = 1.0 ]\n");
        Files.writeString(suites.resolve("row-jumps.dqdl"), "Rules = [ RowCount > 0 ]\nAnomalies = [ RowCount maxIncrease 3.0 ]\n");
        Files.writeString(suites.resolve("privacy.dqdl"), "Rules = [\n    RowCount > 0,\n    KAnonymity [\"age\", \"zip\"] >= 3,\n    LDiversity \"diagnosis\" [\"age\", \"zip\"] >= 2\n]\n");
        // keeps the engine busy for seconds (a join of about 900 M pairs), so that it can be killed mid-audit
        Files.writeString(suites.resolve("slow.dqdl"),
                "Rules = [ RowCount > 0, CustomSql \"select count(*) from primary a join primary b on substr(a.id, 3, 2) = substr(b.id, 3, 2)\" > 0 ]\n");
        Path log = Files.createFile(work.resolve("kiln.log"));
        kiln = KilnProcess.start(Map.of(
                "KILN_DATA_DIR", work.resolve("data").toString(),
                "KILN_SOURCE_ROOTS", inputs.toString(),
                "KILN_CHECKS_SUITES_DIRECTORY", suites.toString(),
                "KILN_CHECKS_ENGINE_DIRECTORY", Path.of("checks/target/engine").toAbsolutePath().toString(),
                "KILN_CHECKS_ENGINE_SPARK_MASTER", "local[2]",
                "KILN_CHECKS_ENGINE_HEALTH_INTERVAL", "1s",
                "KILN_PRIVACY_KEYS_WAP", PRIVACY_KEY), List.of(), log);
        awaitEngine(0);
    }

    @AfterAll
    static void stop() throws Exception {
        if (kiln != null) {
            kiln.close();
        }
    }

    @Test
    void aGoodBatchPassesItsSuiteAndIsPublished() throws IOException {
        String table = table("good");
        JsonNode job = run(table, write("good", 200, i -> "{\"id\": \"g-" + i + "\", \"text\": \"document " + i + "\"}"), "text-default", true);

        assertThat(job.get("state").asText()).as(job.toString()).isEqualTo("PUBLISHED");
        List<String> rules = new ArrayList<>();
        job.get("checks").forEach(check -> {
            assertThat(check.get("outcome").asText()).as(check.toString()).isEqualTo("PASSED");
            rules.add(check.get("source").asText() + ": " + check.get("rule").asText());
        });
        assertThat(rules).contains("kiln: read = written + rejected", "text-default: IsUnique \"id\"", "text-default: RowCount > 0");
        JsonNode snapshot = kiln.get("/v1/tables/" + table + "/snapshots/" + job.get("snapshotId").asLong()).json();
        assertThat(snapshot.at("/summary/kiln.checks.outcome").asText()).isEqualTo("PASSED");
        assertThat(snapshot.at("/summary/kiln.checks.suite").asText()).isEqualTo("text-default");
        assertThat(snapshot.at("/summary/kiln.audited-snapshot-id").asLong()).isEqualTo(job.get("auditedSnapshotId").asLong());
        assertThat(snapshot.get("current").asBoolean()).isTrue();
        JsonNode history = kiln.get("/v1/tables/" + table + "/checks").json().get("history");
        assertThat(history).hasSize(1);
    }

    @Test
    void duplicateIdsAreRejectedAndMainDoesNotMove() throws IOException {
        String table = table("dups");
        JsonNode first = run(table, write("dups-1", 50, i -> "{\"id\": \"d-" + i + "\", \"text\": \"first " + i + "\"}"), "text-default", true);
        assertThat(first.get("state").asText()).isEqualTo("PUBLISHED");
        long main = first.get("snapshotId").asLong();

        JsonNode bad = run(table, write("dups-2", 50, i -> "{\"id\": \"d-" + (i % 10) + "\", \"text\": \"again " + i + "\"}"), "text-default", true);

        assertThat(bad.get("state").asText()).as(bad.toString()).isEqualTo("REJECTED");
        assertThat(bad.at("/error/code").asText()).isEqualTo("CHECKS_FAILED");
        assertThat(failedRules(bad)).contains("IsUnique \"id\"");
        JsonNode description = kiln.get("/v1/tables/" + table).json();
        assertThat(description.get("currentSnapshotId").asLong()).as("main is unchanged").isEqualTo(main);
        String branch = bad.get("branch").asText();
        assertThat(description.at("/refs/" + branch + "/type").asText()).isEqualTo("branch");
        assertThat(description.at("/refs/" + branch + "/maxRefAgeMs").asLong()).isEqualTo(Duration.ofDays(7).toMillis());
    }

    @Test
    void anIdFromAnEarlierBatchIsFoundByCheckingOnlyTheNewBatchAgainstTheTable() throws IOException {
        String table = table("again");
        JsonNode first = run(table, write("again-1", 100, i -> "{\"id\": \"u-" + (1000 + i) + "\", \"text\": \"first " + i + "\"}"), "text-default", true);
        assertThat(first.get("state").asText()).as(first.toString()).isEqualTo("PUBLISHED");
        assertThat(check(first, "IsUnique \"id\"").get("message").asText()).endsWith("the table had no rows before");
        JsonNode head = kiln.get("/v1/tables/" + table + "/snapshots/" + first.get("snapshotId").asLong()).json();
        assertThat(head.at("/summary/kiln.unique-columns").asText()).as("the audit proved id unique at main's head").startsWith("{\"id\":");

        JsonNode second = run(table, write("again-2", 50, i -> "{\"id\": \"u-" + (2000 + i) + "\", \"text\": \"second " + i + "\"}"), "text-default", true);
        assertThat(second.get("state").asText()).as(second.toString()).isEqualTo("PUBLISHED");
        JsonNode unique = check(second, "IsUnique \"id\"");
        assertThat(unique.get("message").asText()).isEqualTo("the batch's 50 values are distinct (hashed by Kiln while writing) and none is among the 100"
                + " of base snapshot " + first.get("snapshotId").asLong() + " (Kiln's id index, 1 segment)");
        JsonNode secondHead = kiln.get("/v1/tables/" + table + "/snapshots/" + second.get("snapshotId").asLong()).json();
        assertThat(JSON.readTree(secondHead.at("/summary/kiln.id-index.id").asText())).as("each publish adds its segment to main's id index").hasSize(2);

        long main = second.get("snapshotId").asLong();
        JsonNode bad = run(table, write("again-3", 20, i -> "{\"id\": \"u-" + (i == 7 ? 1042 : 3000 + i) + "\", \"text\": \"third " + i + "\"}"),
                "text-default", true);

        assertThat(bad.get("state").asText()).as(bad.toString()).isEqualTo("REJECTED");
        assertThat(failedRules(bad)).containsExactly("IsUnique \"id\"");
        assertThat(check(bad, "IsUnique \"id\"").get("message").asText()).isEqualTo("1 of the batch's 20 values of id are already in base snapshot " + main);
        assertThat(kiln.get("/v1/tables/" + table).json().get("currentSnapshotId").asLong()).as("main is unchanged").isEqualTo(main);
    }

    @Test
    void emptyTextsAreRejected() throws IOException {
        JsonNode bad = run(table("empty"), write("empty", 30, i -> "{\"id\": \"e-" + i + "\", \"text\": \"" + (i % 3 == 0 ? "" : "text " + i) + "\"}"),
                "text-default", false);
        assertThat(bad.get("state").asText()).as(bad.toString()).isEqualTo("REJECTED");
        assertThat(failedRules(bad)).anyMatch(rule -> rule.startsWith("ColumnLength \"text\""));
        assertThat(kiln.get("/v1/tables/" + table("never") + "").status()).isEqualTo(404);
    }

    @Test
    void aSuiteWithASyntaxErrorIsA400AtJobCreation() throws IOException {
        Path file = write("syntax", 5, i -> "{\"id\": \"s-" + i + "\", \"text\": \"t\"}");
        KilnProcess.Response response = kiln.post("/v1/jobs", spec(table("syntax"), file, "broken", true));
        assertThat(response.status()).isEqualTo(400);
        JsonNode violation = response.json().at("/error/violations/0");
        assertThat(violation.get("field").asText()).isEqualTo("checks");
        assertThat(violation.get("message").asText()).startsWith("the suite is not valid DQDL: ");
        JsonNode validation = kiln.post("/v1/checks/validate", Map.of("suite", "Rules = [ RowCount >> 0 ]")).json();
        assertThat(validation.get("valid").asBoolean()).isFalse();
        assertThat(kiln.post("/v1/checks/validate", Map.of("name", "text-default")).json().get("valid").asBoolean()).isTrue();
    }

    @Test
    void twoJobsRacingOnOneTableBothPublishWithExactRowCounts() throws Exception {
        String table = table("race");
        Path a = write("race-a", 300, i -> "{\"id\": \"a-" + i + "\", \"text\": \"a " + i + "\"}");
        Path b = write("race-b", 500, i -> "{\"id\": \"b-" + i + "\", \"text\": \"b " + i + "\"}");
        CompletableFuture<JsonNode> first = CompletableFuture.supplyAsync(() -> run(table, a, "text-default", true));
        CompletableFuture<JsonNode> second = CompletableFuture.supplyAsync(() -> run(table, b, "text-default", true));
        assertThat(first.get().get("state").asText()).as(first.get().toString()).isEqualTo("PUBLISHED");
        assertThat(second.get().get("state").asText()).as(second.get().toString()).isEqualTo("PUBLISHED");
        JsonNode newest = kiln.get("/v1/tables/" + table + "/snapshots").json().at("/snapshots/0/summary");
        assertThat(newest.get("total-records").asLong()).isEqualTo(800);
    }

    @Test
    void aRowCountJumpAfterAHistoryOfNormalBatchesIsAnAnomaly() throws IOException {
        String table = table("anomaly");
        for (int batch = 0; batch < 3; batch++) {
            int offset = batch * 100;
            JsonNode normal = run(table, write("normal-" + batch, 100, i -> "{\"id\": \"n-" + (offset + i) + "\", \"text\": \"t\"}"), "row-jumps", true);
            assertThat(normal.get("state").asText()).as(normal.toString()).isEqualTo("PUBLISHED");
        }
        JsonNode jump = run(table, write("jump", 500, i -> "{\"id\": \"j-" + i + "\", \"text\": \"t\"}"), "row-jumps", true);
        assertThat(jump.get("state").asText()).as(jump.toString()).isEqualTo("REJECTED");
        assertThat(failedRules(jump)).singleElement().asString().contains("RowCount");
        assertThat(kiln.get("/v1/tables/" + table + "/checks").json().get("history")).as("a rejected batch does not enter the history").hasSize(3);
    }

    @Test
    void anEngineKilledMidAuditIsRestartedAndTheWaitingBatchIsAuditedAgainAndPublished() throws Exception {
        String table = table("crash");
        Path big = write("crash", 300_000, i -> "{\"id\": \"c-" + i + "\", \"text\": \"some text for row " + i + " to give the audit work\"}");
        JsonNode engine = kiln.get("/v1/checks/engine").json();
        long pid = engine.get("pid").asLong();
        int restarts = engine.get("restarts").asInt();

        String id = kiln.post("/v1/jobs", spec(table, big, "slow", true)).json().get("id").asText();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
        while (!kiln.get("/v1/jobs/" + id).json().get("state").asText().equals("AUDITING")) {
            assertThat(Instant.now()).as("job reached AUDITING").isBefore(deadline);
            Thread.sleep(20);
        }
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        // readiness says DOWN while the engine is gone, and UP again once it is back (below)
        Instant downBy = Instant.now().plus(Duration.ofSeconds(60));
        KilnProcess.Response readiness = kiln.get("/q/health/ready");
        while (readiness.status() != 503) {
            assertThat(Instant.now()).as("readiness went DOWN after the engine was killed: %s", readiness.body()).isBefore(downBy);
            Thread.sleep(50);
            readiness = kiln.get("/q/health/ready");
        }
        assertThat(readiness.body()).contains("\"checkEngine\"").doesNotContain("Exception");

        // the batch waits on its branch while the engine restarts, then its audit runs again and it publishes, once
        JsonNode job = kiln.awaitFinalJob(id, Duration.ofSeconds(300));
        assertThat(job.get("state").asText()).as(job.toString()).isEqualTo("PUBLISHED");
        assertThat(job.at("/counts/written").asLong()).isEqualTo(300_000);
        assertThat(kiln.get("/v1/tables/" + table).json().get("currentSnapshotId").asLong()).isEqualTo(job.get("snapshotId").asLong());

        awaitEngine(restarts + 1);
        assertThat(kiln.get("/v1/checks/engine").json().get("pid").asLong()).isNotEqualTo(pid);
        assertThat(kiln.get("/q/health/ready").status()).as("readiness is UP again with the engine").isEqualTo(200);
        JsonNode after = run(table("after_crash"), write("after", 20, i -> "{\"id\": \"x-" + i + "\", \"text\": \"t\"}"), "text-default", true);
        assertThat(after.get("state").asText()).as(after.toString()).isEqualTo("PUBLISHED");
    }

    @Test
    void aSuiteGatesImageBatchesOnTheirColumns() throws IOException {
        String table = table("images");
        Path large = Files.createDirectories(inputs.resolve("images-large-" + UUID.randomUUID()));
        Path small = Files.createDirectories(inputs.resolve("images-small-" + UUID.randomUUID()));
        for (String name : List.of("rocket.jpg", "camera.png")) {
            Files.copy(Path.of("src/test/resources/images", name), large.resolve(name));
        }
        for (String name : List.of("palette_color.png", "no_time_for_that_tiny.gif")) {
            Files.copy(Path.of("src/test/resources/images", name), small.resolve(name));
        }
        java.util.function.Function<Path, Map<String, Object>> spec = folder -> Map.of("table", table,
                "source", Map.of("uri", folder.toUri().toString(), "format", "image"),
                "steps", List.of(Map.of("name", "image-normalize", "params", Map.of("resize", "fit", "width", 128, "height", 128)),
                        Map.of("name", "dedup-image")),
                "checks", "images");
        KilnProcess.Response accepted = kiln.post("/v1/jobs", spec.apply(large));
        JsonNode good = kiln.awaitFinalJob(accepted.json().get("id").asText());
        assertThat(good.get("state").asText()).as(good.toString()).isEqualTo("PUBLISHED");
        assertThat(check(good, "ColumnValues \"stored_width\" >= 64").get("outcome").asText()).isEqualTo("PASSED");

        // images smaller than the suite allows (fit never enlarges them): the batch is rejected, main stays
        JsonNode bad = kiln.awaitFinalJob(kiln.post("/v1/jobs", spec.apply(small)).json().get("id").asText());
        assertThat(bad.get("state").asText()).as(bad.toString()).isEqualTo("REJECTED");
        assertThat(failedRules(bad)).containsExactly("ColumnValues \"stored_width\" >= 64");
        assertThat(kiln.get("/v1/tables/" + table).json().get("currentSnapshotId").asLong()).isEqualTo(good.get("snapshotId").asLong());
    }

    /** A synthetic patient (made up here): {@code zip} and {@code age} are quasi-identifiers. */
    private static String patient(String id, String zip, int age, String diagnosis) {
        return String.format("{\"id\": \"%s\", \"email\": \"%s@example.org\", \"zip\": \"%s\", \"age\": %d, \"diagnosis\": \"%s\"}", id, id, zip, age, diagnosis);
    }

    private static JsonNode anonymized(String table, Path input, int k) {
        Map<String, Object> anonymize = new LinkedHashMap<>();
        anonymize.put("columns", Map.of(
                "email", Map.of("role", "identifier", "action", "pseudonymize"),
                "zip", Map.of("role", "quasi-identifier", "hierarchy", Map.of("type", "mask", "levels", 5)),
                "age", Map.of("role", "quasi-identifier", "hierarchy", Map.of("type", "intervals", "width", 10)),
                "diagnosis", Map.of("role", "sensitive")));
        anonymize.put("k", k);
        anonymize.put("levels", Map.of("age", 1, "zip", 2));
        anonymize.put("keyId", "wap");
        KilnProcess.Response accepted = kiln.post("/v1/jobs", Map.of("table", table, "checks", "privacy",
                "source", Map.of("uri", input.toUri().toString(), "format", "jsonl", "schema", "infer"),
                "steps", List.of(Map.of("name", "anonymize", "params", anonymize))));
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        return kiln.awaitFinalJob(accepted.json().get("id").asText());
    }

    @Test
    void privacyRulesGateEachPublishOnTheWholeTableNotOnTheBatch() throws IOException {
        String table = table("privacy");
        String[] diagnoses = {"flu", "asthma", "gastritis"};
        JsonNode first = anonymized(table, write("patients-1", 24, i -> patient("p" + i, "130" + (i % 2) + i % 10, 20 + (i % 4) * 10 + i % 7, diagnoses[i % 3])), 3);
        assertThat(first.get("state").asText()).as(first.toString()).isEqualTo("PUBLISHED");
        assertThat(check(first, "KAnonymity [\"age\", \"zip\"] >= 3").get("outcome").asText()).isEqualTo("PASSED");
        long main = first.get("snapshotId").asLong();
        JsonNode rows = kiln.get("/v1/tables/" + table + "/snapshots/" + main + "/privacy").json();
        assertThat(rows.get("smallestClass").asLong()).isGreaterThanOrEqualTo(3);
        assertThat(kiln.get("/v1/tables/" + table + "/snapshots/" + main + "/rows?format=jsonl").body()).doesNotContain("@example.org").doesNotContain(PRIVACY_KEY);

        // two rows: alone they are classes of one, in the table they join classes of 3 or more, so the table is still 3-anonymous
        JsonNode joining = anonymized(table, write("patients-2", 2, i -> patient("q" + i, "13000", 20 + i * 10, diagnoses[i])), 1);
        assertThat(joining.get("state").asText()).as(joining.toString()).isEqualTo("PUBLISHED");
        main = joining.get("snapshotId").asLong();

        // two rows in a new class of two: the table's smallest class drops below 3, and the publish is refused
        JsonNode breaking = anonymized(table, write("patients-3", 2, i -> patient("r" + i, "99000", 61, diagnoses[i])), 1);
        assertThat(breaking.get("state").asText()).as(breaking.toString()).isEqualTo("REJECTED");
        assertThat(failedRules(breaking)).containsExactly("KAnonymity [\"age\", \"zip\"] >= 3");
        assertThat(check(breaking, "KAnonymity [\"age\", \"zip\"] >= 3").get("message").asText())
                .isEqualTo("1 of the " + (rows.get("classes").asLong() + 1) + " classes of [age, zip] has fewer than 3 rows (the smallest has 2); 2 rows are in it");
        assertThat(kiln.get("/v1/tables/" + table).json().get("currentSnapshotId").asLong()).as("main is unchanged").isEqualTo(main);
        assertThat(kiln.log()).doesNotContain(PRIVACY_KEY);
    }

    private static JsonNode check(JsonNode job, String rule) {
        for (JsonNode check : job.get("checks")) {
            if (check.get("rule").asText().equals(rule)) {
                return check;
            }
        }
        throw new AssertionError("no check " + rule + " in " + job);
    }

    private static List<String> failedRules(JsonNode job) {
        List<String> failed = new ArrayList<>();
        job.get("checks").forEach(check -> {
            if (!check.get("outcome").asText().equals("PASSED")) {
                failed.add(check.get("rule").asText());
            }
        });
        return failed;
    }

    private static JsonNode run(String table, Path input, String suite, boolean normalize) {
        KilnProcess.Response accepted = kiln.post("/v1/jobs", spec(table, input, suite, normalize));
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        return kiln.awaitFinalJob(accepted.json().get("id").asText());
    }

    private static Map<String, Object> spec(String table, Path input, String suite, boolean normalize) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("table", table);
        spec.put("source", Map.of("uri", input.toUri().toString(), "format", "jsonl"));
        spec.put("steps", normalize ? List.of(Map.of("name", "normalize")) : List.of());
        spec.put("checks", suite);
        return spec;
    }

    private static Path write(String name, int rows, java.util.function.IntFunction<String> line) throws IOException {
        Path file = inputs.resolve(name + "-" + UUID.randomUUID() + ".jsonl");
        try (Writer writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (int i = 0; i < rows; i++) {
                writer.write(line.apply(i));
                writer.write('\n');
            }
        }
        return file;
    }

    private static String table(String name) {
        return "wap." + name + "_" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static void awaitEngine(int minimumRestarts) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(240));
        JsonNode status = null;
        while (Instant.now().isBefore(deadline)) {
            status = kiln.get("/v1/checks/engine").json();
            if (status.get("state").asText().equals("UP") && status.get("restarts").asInt() >= minimumRestarts) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("check engine not UP: " + status + "\n" + kiln.logTail());
    }
}

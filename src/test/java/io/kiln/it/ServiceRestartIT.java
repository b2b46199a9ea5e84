package io.kiln.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

class ServiceRestartIT {
    @TempDir
    Path temp;

    @Test
    void aQueuedJobSurvivesACrashAndRunsAfterTheRestart() throws Exception {
        Path dataDirectory = temp.resolve("data");
        Path fixtures = Path.of("src/test/resources/fixtures").toAbsolutePath();
        Path log = Files.createFile(temp.resolve("kiln.log"));
        Path inputs = Files.createDirectories(temp.resolve("inputs"));
        Path vanishing = Files.copy(fixtures.resolve("docs/clean.jsonl"), inputs.resolve("vanishing.jsonl"));
        String roots = fixtures + "," + inputs;
        Path lineage = temp.resolve("openlineage.jsonl");
        Map<String, String> environment = Map.of("KILN_DATA_DIR", dataDirectory.toString(), "KILN_SOURCE_ROOTS", roots,
                "KILN_OPENLINEAGE_TRANSPORT", "file", "KILN_OPENLINEAGE_FILE", lineage.toString());
        Map<String, Object> spec = Map.of(
                "table", "demo.restart",
                "source", Map.of("uri", "file://" + fixtures + "/docs/clean.jsonl", "format", "jsonl"),
                "steps", List.of(Map.of("name", "normalize")));

        String id;
        String orphan;
        try (KilnProcess accepting = KilnProcess.start(Map.of("KILN_DATA_DIR", dataDirectory.toString(),
                "KILN_SOURCE_ROOTS", roots, "KILN_WORKERS", "0"), List.of(), log)) {
            KilnProcess.Response accepted = accepting.post("/v1/jobs", spec);
            assertThat(accepted.status()).isEqualTo(202);
            id = accepted.json().get("id").asText();
            assertThat(accepting.get("/v1/jobs/" + id).json().get("state").asText()).isEqualTo("QUEUED");
            orphan = accepting.post("/v1/jobs", Map.of("table", "demo.orphan", "source", Map.of("uri", "file://" + vanishing, "format", "jsonl"))).json()
                    .get("id").asText();
            accepting.kill();
        }
        Files.delete(vanishing);

        try (KilnProcess restarted = KilnProcess.start(environment, List.of(), log)) {
            JsonNode job = restarted.awaitFinalJob(id);
            assertThat(job.get("state").asText()).as(restarted.logTail()).isEqualTo("PUBLISHED");
            assertThat(job.at("/counts/written").asLong()).isEqualTo(40);
            JsonNode snapshots = restarted.get("/v1/tables/demo.restart/snapshots").json().get("snapshots");
            assertThat(snapshots).as("the staged snapshot and its audit record").hasSize(2);
            assertThat(snapshots.get(0).at("/snapshotId").asLong()).isEqualTo(job.get("snapshotId").asLong());
            assertThat(snapshots.get(0).at("/summary/kiln.job-id").asText()).isEqualTo(id);
            assertThat(snapshots.get(0).at("/summary/kiln.checks.outcome").asText()).isEqualTo("PASSED");
            assertThat(snapshots.get(1).at("/snapshotId").asLong()).isEqualTo(job.get("auditedSnapshotId").asLong());

            // a queued job whose input vanished before it ran: it fails, and its run still starts before it ends in OpenLineage
            JsonNode failed = restarted.awaitFinalJob(orphan);
            assertThat(failed.get("state").asText()).isEqualTo("FAILED");
            assertThat(failed.at("/error/message").asText()).startsWith("The job's spec no longer binds: ");
            List<JsonNode> events = new java.util.ArrayList<>();
            java.time.Instant deadline = java.time.Instant.now().plusSeconds(30);
            while (events.size() < 2 && java.time.Instant.now().isBefore(deadline)) {
                Thread.sleep(100);
                events.clear();
                if (Files.exists(lineage)) {
                    for (String line : Files.readAllLines(lineage)) {
                        JsonNode event = new com.fasterxml.jackson.databind.ObjectMapper().readTree(line);
                        if (event.at("/run/runId").asText().equals(orphan.substring("job-".length()))) {
                            events.add(event);
                        }
                    }
                }
            }
            assertThat(events).extracting(event -> event.get("eventType").asText()).containsExactly("START", "FAIL");
            assertThat(events.get(1).at("/run/facets/errorMessage/message").asText()).startsWith("SOURCE_UNREADABLE: The job's spec no longer binds: ");
            events.forEach(io.kiln.api.OpenLineageSchemas::assertValid);
        }
    }
}

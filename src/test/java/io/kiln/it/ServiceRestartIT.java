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
        Map<String, String> environment = Map.of("KILN_DATA_DIR", dataDirectory.toString(), "KILN_SOURCE_ROOTS", fixtures.toString());
        Map<String, Object> spec = Map.of(
                "table", "demo.restart",
                "source", Map.of("uri", "file://" + fixtures + "/docs/clean.jsonl", "format", "jsonl"),
                "steps", List.of(Map.of("name", "normalize")));

        String id;
        try (KilnProcess accepting = KilnProcess.start(Map.of("KILN_DATA_DIR", dataDirectory.toString(),
                "KILN_SOURCE_ROOTS", fixtures.toString(), "KILN_WORKERS", "0"), List.of(), log)) {
            KilnProcess.Response accepted = accepting.post("/v1/jobs", spec);
            assertThat(accepted.status()).isEqualTo(202);
            id = accepted.json().get("id").asText();
            assertThat(accepting.get("/v1/jobs/" + id).json().get("state").asText()).isEqualTo("QUEUED");
            accepting.kill();
        }

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
        }
    }
}

package io.kiln.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The lineage gate on splits: a split by row id puts one sender's messages on both sides, which the
 * rule {@code SplitLeakage "split" "sender" = 0} refuses (main unchanged); the same split grouped by
 * sender passes it.
 */
class SplitLeakageTest {
    private static final Path FIXTURES = Path.of("src/test/resources/fixtures/splits").toAbsolutePath();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;
    PipelineHarness harness;

    @BeforeEach
    void catalog() throws IOException {
        harness = new PipelineHarness(temp, List.of(FIXTURES, temp));
        Files.createDirectories(temp.resolve("suites"));
        Files.writeString(temp.resolve("suites/no-leaks.dqdl"), "Rules = [ SplitLeakage \"split\" \"sender\" = 0 ]\n");
    }

    @AfterEach
    void close() throws IOException {
        harness.close();
    }

    private static JobSpec spec(Map<String, Object> splitParams) throws IOException {
        SourceSpec source = new SourceSpec("file://" + FIXTURES + "/mail.jsonl", "jsonl", Map.of(),
                JSON.readTree("[{\"name\": \"text\", \"type\": \"string\"}, {\"name\": \"sender\", \"type\": \"string\"}]"), null, null, null, null, null);
        return new JobSpec("mail.split", source, List.of(new StepSpec("split", splitParams)), "no-leaks", 0.5, null);
    }

    @Test
    void aSplitThatPutsASenderOnBothSidesIsRejectedAndOneBySenderPublishes() throws IOException {
        Map<String, Object> fractions = new LinkedHashMap<>();
        fractions.put("train", 0.8);
        fractions.put("test", 0.2);
        harness.run("by-sender", spec(Map.of("fractions", fractions, "by", "sender", "seed", 3)), 2, 100);
        Table table = harness.catalog.loadTable(TableIdentifier.of("mail", "split"));
        long published = table.currentSnapshot().snapshotId();

        PipelineHarness.Audited byId = harness.audit("by-id", spec(Map.of("fractions", fractions, "seed", 3)), 2, 100);
        assertThat(byId.outcome().published()).isFalse();
        assertThat(byId.outcome().checks()).filteredOn(check -> !check.passed()).singleElement().satisfies(check -> {
            assertThat(check.rule()).isEqualTo("SplitLeakage \"split\" \"sender\" = 0");
            assertThat(check.message()).containsPattern("[0-9]+ of the 294 groups of sender have rows in more than one split: sender[0-9]{3}@example.org in test and train");
            assertThat(check.metrics().get("leaking-groups")).isGreaterThan(50.0);
        });
        table.refresh();
        assertThat(table.currentSnapshot().snapshotId()).as("main").isEqualTo(published);
    }
}

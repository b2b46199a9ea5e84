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

    @Test
    void nearDuplicateClustersStayOnOneSideWhenTheSplitIsGroupedByCluster() throws IOException {
        // 40 documents, each written three times with another last word: near-duplicates (Jaccard of 5-word shingles 0.96)
        java.util.Random random = new java.util.Random(7);
        String[] words = "river stone lantern market harvest signal copper meadow engine orchard ledger window valley thunder garden".split(" ");
        StringBuilder lines = new StringBuilder();
        for (int document = 0; document < 40; document++) {
            List<String> text = new java.util.ArrayList<>();
            for (int i = 0; i < 60; i++) {
                text.add(words[random.nextInt(words.length)] + (document * 61 + i));
            }
            for (String ending : List.of("alpha", "beta", "gamma")) {
                lines.append("{\"id\": \"d").append(String.format(java.util.Locale.ROOT, "%03d", (document * 37 + ending.length() * 11) % 1000)).append('-').append(ending)
                        .append("\", \"text\": \"").append(String.join(" ", text)).append(' ').append(ending).append("\"}\n");
            }
        }
        Path file = Files.writeString(temp.resolve("copies.jsonl"), lines);
        Files.writeString(temp.resolve("suites/no-cluster-leaks.dqdl"), "Rules = [ SplitLeakage \"split\" \"cluster\" = 0 ]\n");
        Map<String, Object> fractions = new LinkedHashMap<>();
        fractions.put("train", 0.5);
        fractions.put("test", 0.5);
        SourceSpec source = new SourceSpec("file://" + file, "jsonl", Map.of(), null, null, null, null, null, null);
        StepSpec clusters = new StepSpec("dedup-near", Map.of("clusterColumn", "cluster"));

        PipelineHarness.Audited byId = harness.audit("copies-by-id", new JobSpec("mail.copies", source,
                List.of(clusters, new StepSpec("split", Map.of("fractions", fractions, "seed", 1))), "no-cluster-leaks", 0.5, null), 2, 7);
        assertThat(byId.result().written()).as("every copy kept, with its cluster").isEqualTo(120);
        assertThat(byId.outcome().published()).isFalse();
        assertThat(byId.outcome().checks()).filteredOn(check -> !check.passed()).singleElement()
                .satisfies(check -> assertThat(check.message()).contains("of the 40 groups of cluster have rows in more than one split"));

        harness.run("copies-by-cluster", new JobSpec("mail.copies", source,
                List.of(clusters, new StepSpec("split", Map.of("fractions", fractions, "seed", 1, "by", "cluster"))), "no-cluster-leaks", 0.5, null), 2, 7);
        Map<Object, java.util.Set<Object>> splitsOfCluster = new java.util.HashMap<>();
        PipelineHarness.rows(harness.catalog.loadTable(TableIdentifier.of("mail", "copies")))
                .forEach(row -> splitsOfCluster.computeIfAbsent(row.getField("cluster"), any -> new java.util.HashSet<>()).add(row.getField("split")));
        assertThat(splitsOfCluster).hasSize(40).allSatisfy((cluster, splits) -> assertThat(splits).as("cluster %s", cluster).hasSize(1));
    }
}

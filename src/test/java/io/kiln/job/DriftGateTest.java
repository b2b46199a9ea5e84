package io.kiln.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntFunction;

import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.kiln.check.CheckResult;
import io.kiln.lake.Pins;

/**
 * Drift against a pinned baseline as a suite rule: a batch drawn like the baseline publishes; one
 * whose ages are shifted, or whose countries are reweighted, is REJECTED with the measure, which the
 * test computes again by hand from the baseline's deciles and the category shares.
 */
class DriftGateTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SCHEMA = "[{\"name\": \"text\", \"type\": \"string\"}, {\"name\": \"age\", \"type\": \"int\"}, {\"name\": \"country\", \"type\": \"string\"}]";

    @TempDir
    Path temp;
    PipelineHarness harness;

    @BeforeEach
    void catalog() throws IOException {
        harness = new PipelineHarness(temp, List.of(temp));
        Files.createDirectories(temp.resolve("suites"));
        Files.writeString(temp.resolve("suites/drift.dqdl"), "Rules = [ Drift \"age\" \"baseline-v1\" <= 0.1, Drift js \"age\" \"baseline-v1\" <= 0.05, "
                + "Drift \"country\" \"baseline-v1\" <= 0.1 ]\n");
    }

    @AfterEach
    void close() throws IOException {
        harness.close();
    }

    /** 1,000 rows: ages from {@code age}, countries A, B, C in the shares given (per 10 rows). */
    private JobSpec batch(String name, IntFunction<Integer> age, int a, int b, String checks) throws IOException {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            int slot = i % 10;
            String country = slot < a ? "A" : slot < a + b ? "B" : "C";
            lines.append(String.format("{\"id\": \"%s-%04d\", \"text\": \"t\", \"age\": %d, \"country\": \"%s\"}%n", name, i, age.apply(i), country));
        }
        Path file = Files.writeString(temp.resolve(name + ".jsonl"), lines);
        return new JobSpec("people.ages", new SourceSpec("file://" + file, "jsonl", Map.of(), JSON.readTree(SCHEMA), null, null, null, null, null), List.of(),
                checks, 0.5, null);
    }

    @Test
    void aBatchLikeTheBaselinePublishesAndAShiftedOneIsRejectedWithItsMeasure() throws IOException {
        harness.run("baseline", batch("base", i -> i, 5, 3, null), 2, 100);
        Table table = harness.catalog.loadTable(TableIdentifier.of("people", "ages"));
        new Pins(harness.publisher).create(table, "baseline-v1", table.currentSnapshot().snapshotId(), "test", "the training set's distribution", Optional.empty());

        PipelineHarness.Audited alike = harness.audit("alike", batch("alike", i -> (i * 7) % 1000, 5, 3, "drift"), 2, 100);
        assertThat(alike.outcome().published()).as("%s", alike.outcome().checks()).isTrue();
        assertThat(rule(alike, "Drift \"age\"").metrics().get("psi")).isCloseTo(0.0, within(1e-12));

        PipelineHarness.Audited shifted = harness.audit("shifted", batch("shifted", i -> i + 300, 5, 3, "drift"), 2, 100);
        assertThat(shifted.outcome().published()).isFalse();
        // by hand: the baseline's deciles cut at 100, 200 ... 900; the shifted ages 300..1299 leave bins 0-2 empty
        // (counted as 1e-4), fill bins 3-8 with 0.1 each as the baseline does, and put 0.4 in the last bin
        double empty = 1e-4;
        double psi = 3 * (empty - 0.1) * Math.log(empty / 0.1) + (0.4 - 0.1) * Math.log(0.4 / 0.1);
        CheckResult age = rule(shifted, "Drift \"age\"");
        assertThat(age.passed()).isFalse();
        assertThat(age.metrics().get("psi")).isCloseTo(psi, within(1e-12));
        assertThat(age.metrics()).containsEntry("baseline-rows", 1000.0).containsEntry("batch-rows", 1000.0);
        assertThat(age.message()).startsWith("psi of age is 2.4861 against baseline-v1");
        // Jensen-Shannon over the same bins, base 2: bins 0-2 only in the baseline, 3-8 equal, bin 9 0.1 against 0.4
        double js = 0;
        for (double[] pq : new double[][] {{0.1, 0}, {0.1, 0}, {0.1, 0}, {0.1, 0.4}}) {
            double m = (pq[0] + pq[1]) / 2;
            js += (pq[0] > 0 ? 0.5 * pq[0] * Math.log(pq[0] / m) : 0) + (pq[1] > 0 ? 0.5 * pq[1] * Math.log(pq[1] / m) : 0);
        }
        assertThat(rule(shifted, "Drift js").metrics().get("js")).isCloseTo(js / Math.log(2), within(1e-12));
        table.refresh();
        assertThat(table.currentSnapshot().summary().get("kiln.job-id")).as("main keeps the alike batch").isEqualTo("alike");

        PipelineHarness.Audited reweighted = harness.audit("reweighted", batch("reweighted", i -> i, 2, 3, "drift"), 2, 100);
        CheckResult country = rule(reweighted, "Drift \"country\"");
        assertThat(country.passed()).isFalse();
        // A: 0.5 against 0.2, C: 0.2 against 0.5 -> L-infinity 0.3
        assertThat(country.metrics().get("linf")).isCloseTo(0.3, within(1e-12));
        assertThat(rule(reweighted, "Drift \"age\"").passed()).isTrue();
    }

    private static CheckResult rule(PipelineHarness.Audited audited, String prefix) {
        return audited.outcome().checks().stream().filter(check -> check.rule().startsWith(prefix)).findFirst().orElseThrow();
    }
}

package io.kiln.checks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazon.deequ.repository.ResultKey;
import com.amazon.deequ.repository.fs.FileSystemMetricsRepository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Verification of real Iceberg snapshots with real Spark and Deequ, in-process. */
class VerifierIT {
    private static final String SUITE = """
            Rules = [
                RowCount > 0,
                IsComplete "id",
                IsUnique "id",
                IsComplete "text",
                ColumnLength "text" >= 1
            ]
            Anomalies = [ RowCount maxIncrease 3.0 ]
            """;

    @TempDir
    Path directory;

    private TestTables tables;
    private MetricsHistory history;
    private Verifier verifier;
    private long clock = 1_763_700_000_000L;

    @BeforeEach
    void setUp() {
        tables = new TestTables(directory, "kiln");
        history = new MetricsHistory(directory.resolve("metrics"));
        verifier = new Verifier(SharedSpark.runtime(), history);
    }

    @AfterEach
    void tearDown() throws IOException {
        tables.close();
    }

    @Test
    void passesGoodDataAndRecordsItsMetrics() {
        Table table = tables.createTextTable("demo.docs");
        long snapshot = TestTables.append(table, TestTables.docs(0, 50));

        VerificationReport report = verify("demo.docs", snapshot, SUITE);

        assertThat(report.outcome()).isEqualTo(RuleResult.Outcome.PASSED);
        assertThat(report.snapshotId()).isEqualTo(snapshot);
        assertThat(report.rows()).isEqualTo(50);
        assertThat(report.metricsSaved()).isTrue();
        assertThat(report.rules()).extracting(RuleResult::rule).containsExactly(
                "RowCount > 0", "IsComplete \"id\"", "IsUnique \"id\"", "IsComplete \"text\"",
                "ColumnLength \"text\" >= 1", "RowCount maxIncrease 3.0");
        assertThat(report.rules()).allSatisfy(rule -> assertThat(rule.message()).isEmpty());
        assertThat(report.rules().get(2).metrics()).containsEntry("Column.id.Uniqueness", 1.0);
        // no history yet: the anomaly rule passes
        assertThat(report.rules().get(5).metrics()).containsOnlyKeys("current");

        List<HistoryEntry> entries = history.entries(byTableName("demo.docs"));
        assertThat(entries).singleElement().satisfies(entry -> {
            assertThat(entry.timestampMillis()).isEqualTo(clock);
            assertThat(entry.tags()).containsEntry("snapshot", Long.toString(snapshot)).containsEntry("job", "job-1");
            assertThat(entry.metrics()).containsEntry("Size", 50.0).containsEntry("Column.id.Uniqueness", 1.0);
        });
    }

    @Test
    void failsDuplicateIdsWithAMessage() {
        Table table = tables.createTextTable("demo.docs");
        List<TestTables.Doc> docs = new ArrayList<>(TestTables.docs(0, 8));
        docs.add(new TestTables.Doc("doc-3", "the same id again"));
        docs.add(new TestTables.Doc("doc-4", "and again"));
        long snapshot = TestTables.append(table, docs);

        VerificationReport report = verify("demo.docs", snapshot, SUITE);

        assertThat(report.outcome()).isEqualTo(RuleResult.Outcome.FAILED);
        RuleResult unique = rule(report, "IsUnique \"id\"");
        assertThat(unique.outcome()).isEqualTo(RuleResult.Outcome.FAILED);
        assertThat(unique.message()).contains("0.6").contains("does not meet the constraint requirement");
        assertThat(unique.metrics()).containsEntry("Column.id.Uniqueness", 0.6);
        assertThat(rule(report, "IsComplete \"id\"").passed()).isTrue();
    }

    @Test
    void failsEmptyTextOnLengthAndMissingTextOnCompleteness() {
        Table table = tables.createTextTable("demo.docs");
        List<TestTables.Doc> docs = new ArrayList<>(TestTables.docs(0, 8));
        docs.add(new TestTables.Doc("doc-empty", ""));
        docs.add(new TestTables.Doc("doc-null", null));
        long snapshot = TestTables.append(table, docs);

        VerificationReport report = verify("demo.docs", snapshot, SUITE);

        assertThat(report.outcome()).isEqualTo(RuleResult.Outcome.FAILED);
        assertThat(rule(report, "IsComplete \"text\"")).satisfies(rule -> {
            assertThat(rule.passed()).isFalse();
            assertThat(rule.message()).contains("0.9");
        });
        assertThat(rule(report, "ColumnLength \"text\" >= 1")).satisfies(rule -> {
            assertThat(rule.passed()).isFalse();
            assertThat(rule.message()).contains("0.0");
        });
    }

    @Test
    void readsExactlyTheRequestedSnapshot() {
        Table table = tables.createTextTable("demo.docs");
        long good = TestTables.append(table, TestTables.docs(0, 20));
        long bad = TestTables.append(table, List.of(new TestTables.Doc("doc-1", "")));

        VerificationReport earlier = verify("demo.docs", good, SUITE);
        VerificationReport later = verify("demo.docs", bad, SUITE);

        assertThat(earlier.outcome()).isEqualTo(RuleResult.Outcome.PASSED);
        assertThat(earlier.rows()).isEqualTo(20);
        assertThat(later.outcome()).isEqualTo(RuleResult.Outcome.FAILED);
        assertThat(later.rows()).isEqualTo(21);
        assertThat(rule(later, "IsUnique \"id\"").passed()).isFalse();
    }

    @Test
    void customSqlQueriesTheVerifiedSnapshotAsPrimary() {
        Table table = tables.createTextTable("demo.docs");
        long first = TestTables.append(table, TestTables.docs(0, 20));
        TestTables.append(table, TestTables.docs(20, 5));

        VerificationReport report = verify("demo.docs", first,
                "Rules = [ CustomSql \"select count(*) from primary\" = 20, "
                        + "CustomSql \"select count(distinct id) from primary where text like 'Paragraph%'\" = 20 ]");

        assertThat(report.rules()).allSatisfy(rule -> assertThat(rule.passed()).as(rule.message()).isTrue());
    }

    @Test
    void failsAFiveFoldRowCountJumpAfterThreeNormalRuns() {
        Table table = tables.createTextTable("demo.docs");
        for (int run = 0; run < 3; run++) {
            long snapshot = TestTables.append(table, TestTables.docs(run * 100, 100));
            assertThat(verify("demo.docs", snapshot, SUITE).outcome()).isEqualTo(RuleResult.Outcome.PASSED);
        }
        // 300 rows so far; 1200 more make 1500: five times the previous passed run
        long jump = TestTables.append(table, TestTables.docs(300, 1200));

        VerificationReport report = verify("demo.docs", jump, SUITE);

        assertThat(report.outcome()).isEqualTo(RuleResult.Outcome.FAILED);
        assertThat(report.metricsSaved()).isFalse();
        RuleResult anomaly = rule(report, "RowCount maxIncrease 3.0");
        assertThat(anomaly.passed()).isFalse();
        assertThat(anomaly.message()).isEqualTo(
                "RowCount went from 300 in the previous passed run to 1500: ratio 5 is above maxIncrease 3.0");
        assertThat(anomaly.metrics()).containsEntry("current", 1500.0).containsEntry("previous", 300.0)
                .containsEntry("ratio", 5.0);
        assertThat(report.rules()).filteredOn(rule -> !rule.rule().startsWith("RowCount max")).allMatch(RuleResult::passed);
    }

    @Test
    void withABaseSnapshotAnomaliesCompareBatchesNotTheGrowingTable() {
        Table table = tables.createTextTable("demo.batches");
        Long base = null;
        for (int run = 0; run < 3; run++) {
            long snapshot = TestTables.append(table, TestTables.docs(run * 100, 100));
            VerificationReport normal = verify("demo.batches", snapshot, base, SUITE);
            assertThat(normal.outcome()).as(normal.rules().toString()).isEqualTo(RuleResult.Outcome.PASSED);
            assertThat(normal.rows()).as("the DQDL rules see the whole table").isEqualTo((run + 1) * 100L);
            base = snapshot;
        }
        // the table only grows from 300 to 800 rows (2.7x), but the batch is 5x the previous batch
        long jump = TestTables.append(table, TestTables.docs(300, 500));

        VerificationReport report = verify("demo.batches", jump, base, SUITE);

        RuleResult anomaly = rule(report, "RowCount maxIncrease 3.0");
        assertThat(anomaly.passed()).isFalse();
        assertThat(anomaly.metrics()).containsEntry("current", 500.0).containsEntry("previous", 100.0);
        assertThat(history.entries(byTableName("demo.batches"))).hasSize(3)
                .allSatisfy(entry -> assertThat(entry.metrics()).containsEntry("Size", 100.0));
    }

    @Test
    void failedRunLeavesTheHistoryUnchanged() throws IOException {
        Table table = tables.createTextTable("demo.docs");
        long good = TestTables.append(table, TestTables.docs(0, 30));
        verify("demo.docs", good, SUITE);
        Path file = history.file(byTableName("demo.docs"));
        String before = Files.readString(file);
        long bad = TestTables.append(table, TestTables.docs(0, 5));

        VerificationReport report = verify("demo.docs", bad, SUITE);

        assertThat(report.outcome()).isEqualTo(RuleResult.Outcome.FAILED);
        assertThat(report.metricsSaved()).isFalse();
        assertThat(Files.readString(file)).isEqualTo(before);
        assertThat(history.entries(byTableName("demo.docs"))).singleElement()
                .satisfies(entry -> assertThat(entry.metrics()).containsEntry("Size", 30.0));
    }

    @Test
    void doesNotRecordMetricsWhenNotAskedTo() {
        Table table = tables.createTextTable("demo.docs");
        long snapshot = TestTables.append(table, TestTables.docs(0, 10));

        VerificationReport report = verifier.verify(new VerifyRequest(tables.spec(), "demo.docs", snapshot, SUITE,
                null, false, null));

        assertThat(report.outcome()).isEqualTo(RuleResult.Outcome.PASSED);
        assertThat(report.metricsSaved()).isFalse();
        assertThat(history.entries(byTableName("demo.docs"))).isEmpty();
    }

    @Test
    void historyIsReadableByDeequsFileSystemMetricsRepository() {
        Table table = tables.createTextTable("demo.docs");
        long snapshot = TestTables.append(table, TestTables.docs(0, 40));
        verify("demo.docs", snapshot, SUITE);

        SharedSpark.runtime().withSession(spark -> {
            FileSystemMetricsRepository repository =
                    FileSystemMetricsRepository.apply(spark, history.file(byTableName("demo.docs")).toUri().toString());
            ResultKey key = new ResultKey(clock, Scala.immutableMap(Map.of(
                    "job", "job-1", "table", "demo.docs", "snapshot", Long.toString(snapshot))));
            assertThat(repository.loadByKey(key).isDefined()).isTrue();
            assertThat(MetricsHistory.metricValues(repository.loadByKey(key).get())).containsEntry("Size", 40.0);
            return null;
        });
    }

    @Test
    void refusesAnUnknownTableOrSnapshot() {
        Table table = tables.createTextTable("demo.docs");
        long snapshot = TestTables.append(table, TestTables.docs(0, 3));

        assertThatThrownBy(() -> verify("demo.nope", snapshot, SUITE))
                .isInstanceOfSatisfying(EngineException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TABLE_NOT_FOUND))
                .hasMessage("No table demo.nope in catalog kiln");
        assertThatThrownBy(() -> verify("demo.docs", snapshot + 1, SUITE))
                .isInstanceOfSatisfying(EngineException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.SNAPSHOT_NOT_FOUND))
                .hasMessage("Table demo.docs in catalog kiln has no snapshot " + (snapshot + 1));
        assertThatThrownBy(() -> verify("demo.docs", snapshot, "Rules = [ IsUnique ]"))
                .isInstanceOfSatisfying(EngineException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_RULES));
        assertThat(history.entries(byTableName("demo.docs"))).isEmpty();
    }

    @Test
    void failsARuleOnAMissingColumn() {
        Table table = tables.createTextTable("demo.docs");
        long snapshot = TestTables.append(table, TestTables.docs(0, 3));

        VerificationReport report = verify("demo.docs", snapshot, "Rules = [ RowCount > 0, IsComplete \"token_count\" ]");

        assertThat(report.outcome()).isEqualTo(RuleResult.Outcome.FAILED);
        assertThat(rule(report, "IsComplete \"token_count\"").message()).contains("token_count");
    }

    @Test
    void defaultTextSuitePassesAWellFormedTable() throws IOException {
        String suite = Files.readString(Path.of("suites/text-default.dqdl"));
        Table table = tables.createTextTable("demo.docs");
        long snapshot = TestTables.append(table, TestTables.docs(0, 25));

        VerificationReport report = verify("demo.docs", snapshot, suite);

        assertThat(report.rules()).allSatisfy(rule -> assertThat(rule.passed()).as(rule.rule() + ": " + rule.message()).isTrue());
        assertThat(report.rules()).hasSize(11);
    }

    @Test
    void distinctFromBaseReadsOnlyBaseFilesWithinTheBatchsBoundsAndFindsARepeatedId() {
        Table table = tables.createTextTable("demo.docs");
        long first = TestTables.append(table, TestTables.docs(100, 100));
        // doc-200 ... doc-249 lie above the base's doc-100 ... doc-199: no base file can hold one of them
        long second = TestTables.append(table, TestTables.docs(200, 50));

        VerificationReport disjoint = verify("demo.docs", second, first, "Rules = [ RowCount > 0 ]", List.of("id"));

        assertThat(disjoint.outcome()).isEqualTo(RuleResult.Outcome.PASSED);
        assertThat(rule(disjoint, "DistinctFromBase \"id\"").metrics())
                .containsEntry("batchRows", 50.0).containsEntry("baseFilesRead", 0.0).containsEntry("valuesInBase", 0.0);

        // doc-1000 ... sort between doc-100 and doc-199: the first file is read, and holds none of them
        long third = TestTables.append(table, TestTables.docs(1000, 10));
        VerificationReport overlapping = verify("demo.docs", third, second, "Rules = [ RowCount > 0 ]", List.of("id"));

        assertThat(overlapping.outcome()).isEqualTo(RuleResult.Outcome.PASSED);
        assertThat(rule(overlapping, "DistinctFromBase \"id\"").metrics())
                .containsEntry("batchRows", 10.0).containsEntry("baseFilesRead", 1.0).containsEntry("valuesInBase", 0.0);

        List<TestTables.Doc> again = new ArrayList<>(TestTables.docs(2000, 4));
        again.add(new TestTables.Doc("doc-150", "an id the base already has"));
        long fourth = TestTables.append(table, again);
        VerificationReport repeated = verify("demo.docs", fourth, third, "Rules = [ RowCount > 0 ]", List.of("id"));

        assertThat(repeated.outcome()).isEqualTo(RuleResult.Outcome.FAILED);
        assertThat(repeated.metricsSaved()).isFalse();
        RuleResult distinct = rule(repeated, "DistinctFromBase \"id\"");
        assertThat(distinct.passed()).isFalse();
        assertThat(distinct.message()).isEqualTo("1 of the batch's 5 values of id are already in base snapshot " + third);
        assertThat(distinct.metrics()).containsEntry("valuesInBase", 1.0);
        assertThat(rule(repeated, "RowCount > 0").passed()).isTrue();
    }

    @Test
    void runsPrivacyRulesOnTheWholeSnapshotNotOnTheBatch() {
        Table table = tables.createTextTable("demo.docs");
        long first = TestTables.append(table, TestTables.docs(0, 40));
        long second = TestTables.append(table, TestTables.docs(40, 10));
        String kAnonymity = "KAnonymity [\"_kiln_job_id\", \"_kiln_recipe\"] >= 50";

        VerificationReport passed = verify("demo.docs", second, first,
                "Rules = [ " + kAnonymity + ", RowCount > 0 ]\nAnomalies = [ RowCount maxIncrease 100 ]");

        assertThat(passed.outcome()).isEqualTo(RuleResult.Outcome.PASSED);
        assertThat(passed.rules()).extracting(RuleResult::rule).containsExactly("RowCount > 0", kAnonymity, "RowCount maxIncrease 100.0");
        // every row has the same job and recipe: one class of the table's 50 rows (the batch has 10)
        assertThat(rule(passed, kAnonymity).metrics()).containsEntry("k", 50.0).containsEntry("classes", 1.0);

        VerificationReport failed = verify("demo.docs", second, first,
                "Rules = [ KAnonymity [\"_kiln_job_id\"] > 50 ]\nAnomalies = [ RowCount maxIncrease 100 ]");

        assertThat(failed.outcome()).isEqualTo(RuleResult.Outcome.FAILED);
        assertThat(failed.metricsSaved()).isFalse();
        assertThat(rule(failed, "KAnonymity [\"_kiln_job_id\"] > 50").message())
                .isEqualTo("1 of the 1 classes of [_kiln_job_id] has 50 rows or fewer (the smallest has 50); 50 rows are in it");
    }

    @Test
    void distinctFromBaseNeedsABaseSnapshot() {
        assertThatThrownBy(() -> new VerifyRequest(tables.spec(), "demo.docs", 1L, "Rules = [ RowCount > 0 ]", null, true, null, List.of("id"), null))
                .isInstanceOfSatisfying(EngineException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST))
                .hasMessage("distinctFromBase needs a baseSnapshotId");
    }

    private VerificationReport verify(String table, long snapshot, String suite) {
        return verify(table, snapshot, null, suite);
    }

    private VerificationReport verify(String table, long snapshot, Long base, String suite) {
        return verify(table, snapshot, base, suite, List.of());
    }

    private VerificationReport verify(String table, long snapshot, Long base, String suite, List<String> distinctFromBase) {
        clock += 60_000;
        return verifier.verify(new VerifyRequest(tables.spec(), table, snapshot, suite,
                new ResultKeySpec(clock, Map.of("job", "job-1", "table", table, "snapshot", Long.toString(snapshot))), true, base,
                distinctFromBase, null));
    }

    /** The history of a request that names no catalog. */
    private static MetricsHistory.Key byTableName(String table) {
        return new MetricsHistory.Key(Optional.empty(), table);
    }

    private static RuleResult rule(VerificationReport report, String text) {
        return report.rules().stream().filter(rule -> rule.rule().equals(text)).findFirst()
                .orElseThrow(() -> new AssertionError("no rule " + text + " in " + report.rules()));
    }
}

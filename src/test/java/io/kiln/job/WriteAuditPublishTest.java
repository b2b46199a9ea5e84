package io.kiln.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import jakarta.validation.Validation;
import jakarta.validation.Validator;

import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.kiln.catalog.CatalogIdentity;
import io.kiln.catalog.CatalogSettings;
import io.kiln.catalog.KilnCatalog;
import io.kiln.check.Auditor;
import io.kiln.check.CheckResult;
import io.kiln.check.CheckSuites;
import io.kiln.error.ErrorCode;
import io.kiln.error.KilnException;
import io.kiln.lake.Publisher;
import io.kiln.transform.StepRegistry;

/**
 * Write-audit-publish with Kiln's own rules (no suite, so no check engine): staging on a branch,
 * rejection leaving main untouched, and racing publishers that re-stage instead of losing or
 * duplicating rows. The suite side runs against the real engine in WriteAuditPublishIT.
 */
class WriteAuditPublishTest {
    private static final Validator VALIDATOR = Validation.byDefaultProvider().configure()
            .messageInterpolator(new ParameterMessageInterpolator())
            .buildValidatorFactory().getValidator();

    @TempDir
    Path temp;
    Path inputs;
    CatalogSettings settings;
    JdbcCatalog catalog;
    JobBinder binder;
    Publisher publisher;

    @BeforeEach
    void setUp() throws IOException {
        inputs = Files.createDirectories(temp.resolve("inputs"));
        settings = new CatalogSettings("kiln", "jdbc:sqlite:" + temp.resolve("catalog.db"), Optional.empty(), Optional.empty(),
                "file://" + Files.createDirectories(temp.resolve("warehouse")));
        catalog = KilnCatalog.open(settings);
        binder = new JobBinder(VALIDATOR, StepRegistry.defaultRegistry(), List.of(inputs), catalog, new CheckSuites(temp.resolve("suites")), Optional.empty(), 0.5);
        publisher = new Publisher(catalog, KilnCatalog.claimWarehouse(settings, CatalogIdentity.of(settings)));
        write("good.jsonl", 200, 0);
        write("half-broken.jsonl", 10, 10);
        write("batch-a.jsonl", 300, 0);
        write("batch-b.jsonl", 500, 0);
    }

    @AfterEach
    void close() throws IOException {
        catalog.close();
    }

    @Test
    void aBatchThatFailsItsChecksLeavesMainUntouchedAndIsKeptOnItsBranch() throws IOException {
        Publication.Outcome good = ingest("job-good", spec("demo.wap", "good.jsonl", null));
        Table table = catalog.loadTable(TableIdentifier.of("demo", "wap"));
        long mainBefore = table.currentSnapshot().snapshotId();
        assertThat(good.snapshotId()).isEqualTo(mainBefore);

        Publication.Outcome bad = ingest("job-bad", spec("demo.wap", "half-broken.jsonl", 0.2));

        assertThat(bad.published()).isFalse();
        assertThat(bad.checks()).filteredOn(result -> !result.passed()).extracting(CheckResult::rule).containsExactly("rejected rate <= 0.2");
        assertThat(bad.checks()).filteredOn(result -> !result.passed()).extracting(CheckResult::message).containsExactly("10 of 20 records rejected (0.5000)");
        table.refresh();
        assertThat(table.currentSnapshot().snapshotId()).as("main is unchanged").isEqualTo(mainBefore);
        assertThat(rows(table, "main")).hasSize(200);
        assertThat(table.refs()).containsKey("audit-job-bad");
        assertThat(table.refs().get("audit-job-bad").maxRefAgeMs()).isEqualTo(Duration.ofDays(3).toMillis());
        assertThat(rows(table, "audit-job-bad")).as("the batch stays inspectable on its branch").hasSize(210);
        Table rejects = catalog.loadTable(TableIdentifier.of("demo", "wap__rejects"));
        assertThat(rows(rejects, "main")).as("a rejected batch's rejects stay off main").isEmpty();
        assertThat(rejects.refs().get("audit-job-bad").maxRefAgeMs()).isEqualTo(Duration.ofDays(3).toMillis());
        assertThat(rows(rejects, "audit-job-bad")).as("and wait on its branch, with it").hasSize(10);
        assertThat(table.snapshot(bad.snapshotId()).summary()).containsEntry("kiln.checks.outcome", "FAILED")
                .containsEntry("kiln.audited-snapshot-id", Long.toString(bad.auditedSnapshotId()));
        assertThat(table.snapshot(bad.snapshotId()).summary().get("kiln.checks.results")).contains("rejected rate <= 0.2");
    }

    @Test
    void whenMainMovesAfterStagingTheBatchIsRestagedAndReauditedNotLostOrDuplicated() throws IOException {
        BoundJob jobA = binder.bind(spec("demo.race", "batch-a.jsonl", null));
        BoundJob jobB = binder.bind(spec("demo.race", "batch-b.jsonl", null));
        IngestPipeline.Result stagedA = pipeline().run("job-a", jobA, new JobProgress(), () -> false);
        IngestPipeline.Result stagedB = pipeline().run("job-b", jobB, new JobProgress(), () -> false);
        assertThat(stagedB.staged().orElseThrow().baseSnapshotId()).isEqualTo(stagedA.staged().orElseThrow().baseSnapshotId());

        Publication.Outcome a = publication().run("job-a", jobA, stagedA);
        Publication.Outcome b = publication().run("job-b", jobB, stagedB);

        assertThat(a.published()).isTrue();
        assertThat(b.published()).isTrue();
        assertThat(b.auditedSnapshotId()).as("B was audited again on the new head").isNotEqualTo(stagedB.staged().orElseThrow().snapshotId());
        assertThat(a.restages()).isZero();
        assertThat(b.restages()).as("counted as a commit retry").isEqualTo(1);
        Table table = catalog.loadTable(TableIdentifier.of("demo", "race"));
        assertThat(table.currentSnapshot().snapshotId()).isEqualTo(b.snapshotId());
        List<Record> rows = rows(table, "main");
        assertThat(rows).hasSize(800);
        assertThat(rows.stream().map(row -> (String) row.getField("id")).distinct()).hasSize(800);
        assertThat(table.refs()).containsOnlyKeys("main");
        io.kiln.lake.ContentDigest everyRow = new io.kiln.lake.ContentDigest();
        rows.forEach(row -> everyRow.add((String) row.getField("id"), (String) row.getField("text"), (String) row.getField("_kiln_source_uri"),
                (String) row.getField("_kiln_source_sha256"), (String) row.getField("_kiln_source_pos"), (String) row.getField("_kiln_recipe")));
        assertThat(table.currentSnapshot().summary())
                .as("the table digest, chained through both publishes, is the digest of every row on main")
                .containsEntry("kiln.table-content-digest", everyRow.value())
                .containsEntry("kiln.table-rows", "800");
        assertThat(publisher.findPublished(table, "job-a")).contains(a.snapshotId());
        assertThat(publisher.findPublished(table, "job-b")).contains(b.snapshotId());
    }

    @Test
    void jobsRacingOnOneTableFromManyThreadsAllPublishWithExactCounts() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(4);
        List<Future<Publication.Outcome>> outcomes = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String file = i % 2 == 0 ? "batch-a.jsonl" : "batch-b.jsonl";
            String jobId = "job-" + i;
            Callable<Publication.Outcome> task = () -> ingest(jobId, spec("demo.many", file, null));
            outcomes.add(threads.submit(task));
        }
        for (Future<Publication.Outcome> outcome : outcomes) {
            assertThat(outcome.get().published()).isTrue();
        }
        threads.shutdown();
        Table table = catalog.loadTable(TableIdentifier.of("demo", "many"));
        List<Record> rows = rows(table, "main");
        assertThat(rows).hasSize(3 * 300 + 3 * 500);
        assertThat(rows.stream().map(row -> (String) row.getField("_kiln_job_id")).distinct()).hasSize(6);
    }

    @Test
    void aTagTakenAfterTheJobWasAcceptedFailsThePublishClearly() throws IOException {
        JobSpec tagged = new JobSpec("demo.tags", spec("demo.tags", "good.jsonl", null).source(), List.of(), null, null, "v1");
        BoundJob job = binder.bind(tagged);
        IngestPipeline.Result staged = pipeline().run("job-tag", job, new JobProgress(), () -> false);
        Table table = catalog.loadTable(TableIdentifier.of("demo", "tags"));
        ingest("job-other", spec("demo.tags", "batch-a.jsonl", null));
        table.refresh();
        table.manageSnapshots().createTag("v1", table.currentSnapshot().snapshotId()).commit();

        assertThatThrownBy(() -> publication().run("job-tag", job, staged))
                .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TAG_EXISTS));
    }

    private Publication.Outcome ingest(String jobId, JobSpec spec) {
        BoundJob job = binder.bind(spec);
        return publication().run(jobId, job, pipeline().run(jobId, job, new JobProgress(), () -> false));
    }

    /**
     * Two jobs deduplicate against the same published index; the first publishes. The second's
     * decisions are stale: its staging (rows and rejects) is discarded rather than published or
     * failed, and its next run decides against the grown index, with exact counts.
     */
    @Test
    void aDedupJobOvertakenByAnotherIsDiscardedAndRunsAgainExactly() throws IOException {
        JobSpec first = dedupSpec("demo.race", "batch-a.jsonl");
        JobSpec second = dedupSpec("demo.race", "batch-b.jsonl");
        IngestPipeline.Result a = pipeline().run("job-a", binder.bind(first), new JobProgress(), () -> false);
        IngestPipeline.Result b = pipeline().run("job-b", binder.bind(second), new JobProgress(), () -> false);
        assertThat(b.written()).as("job b decided against an empty index").isEqualTo(500);
        assertThat(publication().run("job-a", binder.bind(first), a).published()).isTrue();

        assertThatThrownBy(() -> publication().run("job-b", binder.bind(second), b)).isInstanceOf(Publication.StaleIndexException.class);
        Table table = catalog.loadTable(TableIdentifier.of("demo", "race"));
        Table rejects = catalog.loadTable(TableIdentifier.of("demo", "race__rejects"));
        assertThat(table.refs()).doesNotContainKey("audit-job-b");
        assertThat(rejects.refs()).doesNotContainKey("audit-job-b");
        assertThat(b.staged().orElseThrow().files()).allSatisfy(file -> assertThat(Path.of(java.net.URI.create(file.location()))).doesNotExist());
        assertThat(rows(table, "main")).hasSize(300);

        IngestPipeline.Result again = pipeline().run("job-b", binder.bind(second), new JobProgress(), () -> false);
        assertThat(publication().run("job-b", binder.bind(second), again).published()).isTrue();
        assertThat(again.written()).isEqualTo(200);
        assertThat(again.rejected()).isEqualTo(300);
        assertThat(rows(table, "main")).hasSize(500);
        assertThat(rows(rejects, "main")).hasSize(300).allSatisfy(reject -> assertThat(reject.getField("_kiln_job_id")).isEqualTo("job-b"));
    }

    private JobSpec dedupSpec(String table, String file) {
        return new JobSpec(table, new SourceSpec("file://" + inputs + "/" + file, "jsonl", Map.of()),
                List.of(new StepSpec("normalize", Map.of()), new StepSpec("dedup-exact", Map.of())), null, 1.0, null);
    }

    private IngestPipeline pipeline() {
        return new IngestPipeline(publisher, new IngestPipeline.Settings(2, 50, 1 << 20, 1 << 20, "test"));
    }

    private Publication publication() {
        return new Publication(publisher, new Auditor(Optional.empty()), settings, Duration.ofDays(3));
    }

    private JobSpec spec(String table, String file, Double maxRejectedRate) {
        return new JobSpec(table, new SourceSpec("file://" + inputs + "/" + file, "jsonl", Map.of()), List.of(new StepSpec("normalize", Map.of())),
                null, maxRejectedRate, null);
    }

    private void write(String name, int good, int broken) throws IOException {
        try (Writer writer = Files.newBufferedWriter(inputs.resolve(name), StandardCharsets.UTF_8)) {
            for (int i = 0; i < good; i++) {
                writer.write("{\"id\": \"" + name + "-" + i + "\", \"text\": \"text " + i + "\"}\n");
            }
            for (int i = 0; i < broken; i++) {
                writer.write("{\"id\": \"broken-" + i + "\", \n");
            }
        }
    }

    private static List<Record> rows(Table table, String ref) throws IOException {
        table.refresh();
        List<Record> rows = new ArrayList<>();
        try (CloseableIterable<Record> records = IcebergGenerics.read(table).useSnapshot(table.refs().get(ref).snapshotId()).build()) {
            records.forEach(record -> rows.add(record.copy()));
        }
        return rows;
    }
}

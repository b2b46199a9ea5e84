package io.kiln.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.kiln.check.Auditor;
import io.kiln.check.CheckResult;
import io.kiln.lake.Publisher;

/** A job run again after its publish but before its record was updated (a crash between the two) reads its audit back from the snapshot. */
class RecoveredPublishTest {
    @TempDir
    Path temp;

    @Test
    void aJobRunAgainAfterItsPublishFindsItsAuditedSnapshotAndChecksInTheSnapshot() throws IOException {
        Path inputs = Files.createDirectories(temp.resolve("inputs"));
        Files.writeString(inputs.resolve("part.jsonl"), "{\"id\": \"a\", \"text\": \"one\"}\n{\"id\": \"b\", \"text\": \"two\"}\n");
        try (PipelineHarness harness = new PipelineHarness(temp.resolve("lake"), List.of(inputs))) {
            JobSpec spec = new JobSpec("demo.recovered", new SourceSpec("file://" + inputs, "jsonl", Map.of("id", "id", "text", "text")),
                    List.of(new StepSpec("normalize", Map.of())), null, null, null);
            IngestPipeline pipeline = new IngestPipeline(harness.publisher, new IngestPipeline.Settings(1, 10, 1 << 20, 1 << 20, "test"));
            BoundJob job = harness.binder.bind(spec);
            IngestPipeline.Result first = pipeline.run("job-1", job, new JobProgress(), () -> false);
            Publication.Outcome published = new Publication(harness.publisher, new Auditor(Optional.empty()), harness.settings, Duration.ofDays(1))
                    .run("job-1", job, first);
            assertThat(published.published()).isTrue();

            // the service stopped before the job's record said PUBLISHED: the job runs again, and finds its publish
            IngestPipeline.Result again = pipeline.run("job-1", harness.binder.bind(spec), new JobProgress(), () -> false);
            assertThat(again.publishedSnapshotId()).contains(published.snapshotId());

            Publication.RecordedAudit audit = Publication.recordedAudit(again.table(), again.publishedSnapshotId().orElseThrow());
            assertThat(audit.auditedSnapshotId()).contains(published.auditedSnapshotId());
            assertThat(audit.checks()).extracting(CheckResult::rule, CheckResult::outcome)
                    .containsExactlyElementsOf(published.checks().stream().map(check -> org.assertj.core.groups.Tuple.tuple(check.rule(), check.outcome())).toList());
            assertThat(audit.checks()).isNotEmpty();
        }
    }

    /**
     * A crash (or a failed merge) after the rows' publish and before their rejects joined main: the
     * table's next job merges them, and the job run again finds them merged; once either way.
     */
    @Test
    void aJobRunAgainAfterItsPublishBringsItsRejectsToMainOnce() throws IOException {
        Path inputs = Files.createDirectories(temp.resolve("inputs"));
        Files.writeString(inputs.resolve("part.jsonl"), "{\"id\": \"a\", \"text\": \"one\"}\n{\"id\": \"b\", \n{\"id\": \"c\", \"text\": \"three\"}\n");
        try (PipelineHarness harness = new PipelineHarness(temp.resolve("lake"), List.of(inputs))) {
            JobSpec spec = new JobSpec("demo.halfway", new SourceSpec("file://" + inputs, "jsonl", Map.of("id", "id", "text", "text")),
                    List.of(new StepSpec("normalize", Map.of())), null, 0.9, null);
            IngestPipeline pipeline = new IngestPipeline(harness.publisher, new IngestPipeline.Settings(1, 10, 1 << 20, 1 << 20, "test"));
            IngestPipeline.Result first = pipeline.run("job-1", harness.binder.bind(spec), new JobProgress(), () -> false);
            Publisher.Staged staged = first.staged().orElseThrow();
            // the rows publish as Publication publishes them; the service dies before the rejects join main
            assertThat(harness.publisher.publish(first.table(), "job-1", staged, Map.of(Publisher.CHECKS_OUTCOME, "PASSED"), Optional.empty())).isPresent();
            assertThat(PipelineHarness.rows(first.rejectsTable())).isEmpty();

            // the table's next job, another one, brings them (a job whose merge failed after its publish is never run again)
            IngestPipeline.Result next = pipeline.run("job-2", harness.binder.bind(spec), new JobProgress(), () -> false);
            assertThat(PipelineHarness.rows(next.rejectsTable())).hasSize(1).allSatisfy(reject -> assertThat(reject.getField("_kiln_job_id")).isEqualTo("job-1"));
            assertThat(harness.publisher.mergeRejectsOfPublished(next.table(), next.rejectsTable())).as("job-2 is not published yet").isZero();

            for (int run = 0; run < 2; run++) {
                IngestPipeline.Result again = pipeline.run("job-1", harness.binder.bind(spec), new JobProgress(), () -> false);
                assertThat(again.publishedSnapshotId()).isPresent();
                assertThat(PipelineHarness.rows(again.rejectsTable())).hasSize(1).allSatisfy(reject -> assertThat(reject.getField("reason")).isEqualTo("malformed-json"));
                assertThat(again.rejectsTable().refs()).doesNotContainKey(Publisher.branchOf("job-1"));
            }
        }
    }
}

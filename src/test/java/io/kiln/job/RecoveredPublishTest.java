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
}

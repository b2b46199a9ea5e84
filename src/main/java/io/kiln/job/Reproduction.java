package io.kiln.job;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.kiln.error.ErrorCode;
import io.kiln.error.KilnException;
import io.kiln.lake.Publisher;
import io.kiln.source.InputFile;

/**
 * Re-runs a published job's spec on the same inputs into a scratch branch and compares content
 * digests. Inputs are checked against the input manifest of the published snapshot first: an
 * input that changed, vanished or appeared makes the run incomparable, and is reported as such,
 * never as a digest mismatch.
 */
public final class Reproduction {
    static final long SCRATCH_RETENTION_MILLIS = 24L * 3600 * 1000;
    private static final ObjectMapper JSON = new ObjectMapper();

    public enum Outcome { IDENTICAL, DIFFERENT, INPUTS_CHANGED }

    public record Input(String uri, String status, String originalSha256, String currentSha256) {}

    public record Result(Outcome outcome, boolean identical, String jobId, @JsonFormat(shape = JsonFormat.Shape.STRING) @Schema(type = SchemaType.STRING, format = "int64") long snapshotId, String originalDigest, String reproducedDigest,
            String originalRecipe, String reproducedRecipe, String scratchBranch, List<Input> inputs, String reason) {
        public Result {
            requireNonNull(outcome, "outcome is null");
            inputs = List.copyOf(inputs);
        }
    }

    private final Catalog catalog;
    private final Publisher publisher;
    private final JobBinder binder;
    private final IngestPipeline pipeline;

    Reproduction(Catalog catalog, Publisher publisher, JobBinder binder, IngestPipeline pipeline) {
        this.catalog = catalog;
        this.publisher = publisher;
        this.binder = binder;
        this.pipeline = pipeline;
    }

    /**
     * The spec with each step pinned to the version the original run used (as its recipe records
     * it), so that a step whose current version is newer reproduces what the job made; the spec as
     * it is when the recipe is missing or does not match its steps.
     */
    static JobSpec pinnedVersions(JobSpec spec, String recipeSpec) {
        if (recipeSpec == null) {
            return spec;
        }
        try {
            List<?> recorded = (List<?>) JSON.readValue(recipeSpec, Map.class).get("steps");
            if (recorded == null || recorded.size() != spec.steps().size()) {
                return spec;
            }
            List<StepSpec> pinned = new ArrayList<>();
            for (int i = 0; i < recorded.size(); i++) {
                String id = (String) ((Map<?, ?>) recorded.get(i)).get("step");
                StepSpec step = spec.steps().get(i);
                int at = id == null ? -1 : id.lastIndexOf('@');
                if (at < 0 || !id.substring(0, at).equals(step.name())) {
                    return spec;
                }
                pinned.add(step.withVersion(Integer.parseInt(id.substring(at + 1))));
            }
            return spec.withSteps(pinned);
        }
        catch (java.io.IOException | RuntimeException e) {
            return spec;
        }
    }

    Result run(Job job) {
        if (job.state() != JobState.PUBLISHED || job.snapshotId() == null) {
            throw new KilnException(ErrorCode.JOB_NOT_CANCELLABLE, "Only a PUBLISHED job can be reproduced; job " + job.id() + " is " + job.state());
        }
        Table table = catalog.loadTable(TableIdentifier.parse(job.table()));
        Snapshot published = table.snapshot(job.snapshotId());
        if (published == null) {
            throw new KilnException(ErrorCode.SNAPSHOT_NOT_FOUND, "Snapshot " + job.snapshotId() + " of job " + job.id() + " no longer exists (expired)");
        }
        Map<String, String> summary = published.summary();
        String originalDigest = summary.get("kiln.content-digest");
        String manifestJson = summary.get(IngestPipeline.INPUT_MANIFEST);
        String manifestFile = summary.get(IngestPipeline.INPUT_MANIFEST_FILE);
        if (originalDigest == null || (manifestJson == null && manifestFile == null)) {
            throw new KilnException(ErrorCode.SNAPSHOT_NOT_FOUND, "Snapshot " + job.snapshotId() + " does not record its inputs (not written by Kiln)");
        }
        Map<String, String> original = new LinkedHashMap<>();
        try {
            InputPlan.recorded(table, summary).forEach(entry -> original.put(entry.uri(), entry.sha256()));
        }
        catch (java.io.IOException | RuntimeException e) {
            throw new KilnException(ErrorCode.SNAPSHOT_NOT_FOUND, "The input manifest of snapshot " + job.snapshotId() + " cannot be read"
                    + (manifestFile == null ? "" : " (" + manifestFile + ")") + ": " + e.getMessage(), e);
        }

        List<Input> inputs = new ArrayList<>();
        BoundJob bound = null;
        Map<String, InputFile> current = new LinkedHashMap<>();
        try {
            bound = binder.bind(pinnedVersions(job.spec(), summary.get("kiln.recipe-spec")));
            bound.inputs().forEach(file -> current.put(file.uri(), file));
        }
        catch (KilnException e) {
            // the source matches nothing any more: every input vanished
        }
        boolean comparable = true;
        for (Map.Entry<String, String> entry : original.entrySet()) {
            InputFile file = current.get(entry.getKey());
            if (file == null) {
                inputs.add(new Input(entry.getKey(), "MISSING", entry.getValue(), null));
                comparable = false;
                continue;
            }
            String sha256 = InputPlan.sha256Of(file);
            boolean same = sha256.equals(entry.getValue());
            inputs.add(new Input(entry.getKey(), same ? "UNCHANGED" : "CHANGED", entry.getValue(), sha256));
            comparable &= same;
        }
        for (InputFile file : current.values()) {
            if (!original.containsKey(file.uri())) {
                inputs.add(new Input(file.uri(), "ADDED", null, InputPlan.sha256Of(file)));
                comparable = false;
            }
        }
        if (!comparable || bound == null) {
            return new Result(Outcome.INPUTS_CHANGED, false, job.id(), job.snapshotId(), originalDigest, null, summary.get("kiln.recipe"), null, null, inputs,
                    "the inputs are not the ones the job read; the digests cannot be compared");
        }

        String runId = "reproduce-" + UUID.randomUUID();
        IngestPipeline.Result result = pipeline.run(runId, bound, new JobProgress(), () -> false, Optional.of(summary));
        Publisher.Staged staged = result.staged().orElseThrow();
        table.manageSnapshots().setMaxRefAgeMs(staged.branch(), SCRATCH_RETENTION_MILLIS).commit();
        boolean identical = originalDigest.equals(result.contentDigest());
        String reason = identical ? "" : bound.recipe().sha256().equals(summary.get("kiln.recipe"))
                ? "same inputs and recipe, different rows: a step is not deterministic"
                : "the recipe changed (a step's version or parameters differ from the original run)";
        return new Result(identical ? Outcome.IDENTICAL : Outcome.DIFFERENT, identical, job.id(), job.snapshotId(), originalDigest, result.contentDigest(),
                summary.get("kiln.recipe"), bound.recipe().sha256(), staged.branch(), inputs, reason);
    }
}

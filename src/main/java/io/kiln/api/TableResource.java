package io.kiln.api;

import java.util.List;
import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;

import org.eclipse.microprofile.openapi.annotations.Operation;

import io.kiln.KilnConfig;
import io.kiln.api.auth.Roles;
import io.kiln.catalog.CatalogSettings;
import io.kiln.read.TableBrowser;

@Path("/v1/tables")
@RolesAllowed(Roles.READER)
public class TableResource {
    @Inject
    TableBrowser tables;
    @Inject
    CatalogSettings catalog;
    @Inject
    KilnConfig config;
    @Inject
    io.kiln.check.CheckService checkService;
    @Inject
    io.kiln.lake.Publisher publisher;
    @Inject
    io.kiln.job.JobService jobs;

    @GET
    @Operation(summary = "List tables as <namespace>.<name>")
    public Map<String, List<String>> list() {
        return Map.of("tables", tables.tables());
    }

    @GET
    @Path("/{table}")
    @Operation(summary = "A table: schema, current snapshot, refs and properties")
    public TableBrowser.TableDescription table(@PathParam("table") String table) {
        return tables.describe(table);
    }

    @GET
    @Path("/{table}/snapshots")
    @Operation(summary = "A table's snapshots, newest first, each with its Kiln summary")
    public SnapshotList snapshots(@PathParam("table") String table) {
        return new SnapshotList(table, tables.snapshots(table));
    }

    @GET
    @Path("/{table}/snapshots/{snapshotId}")
    @Operation(summary = "One snapshot with its summary and the Trino SQL that reads it (FOR VERSION AS OF its id, or a tag)")
    public TableBrowser.SnapshotDetail snapshot(@PathParam("table") String table, @PathParam("snapshotId") long snapshotId) {
        return tables.snapshot(table, snapshotId, config.trinoCatalog().orElse(catalog.name()));
    }

    @GET
    @Path("/{table}/snapshots/{snapshotId}/privacy")
    @Operation(summary = "The re-identification risk of a snapshot over the whole table: class sizes by quasi-identifiers, prosecutor and average risk, "
            + "sample uniqueness, and what its anonymize step chose")
    public io.kiln.read.PrivacyReport.Report privacy(@PathParam("table") String table, @PathParam("snapshotId") long snapshotId,
            @jakarta.ws.rs.QueryParam("quasiIdentifiers") String quasiIdentifiers) {
        java.util.Optional<List<String>> requested = quasiIdentifiers == null || quasiIdentifiers.isBlank() ? java.util.Optional.empty()
                : java.util.Optional.of(java.util.Arrays.stream(quasiIdentifiers.split(",")).map(String::strip).filter(name -> !name.isEmpty()).toList());
        return io.kiln.read.PrivacyReport.of(table, tables.table(table), snapshotId, requested);
    }

    @GET
    @Path("/{table}/snapshots/{snapshotId}/labels")
    @Operation(summary = "What the label step measured on its batch at or before a snapshot: coverage, overlap, conflict and accuracy per labeling function; "
            + "the label model's coverage, precision, recall, F1 and confusion matrix against the gold labels")
    public io.kiln.read.LabelReport.Report labels(@PathParam("table") String table, @PathParam("snapshotId") long snapshotId) {
        return io.kiln.read.LabelReport.of(table, tables.table(table), snapshotId);
    }

    @GET
    @Path("/{table}/snapshots/{snapshotId}/contamination")
    @Operation(summary = "How a snapshot overlaps an eval set (eval=<table>@<pin or snapshot id>): the dirty eval items, whose n-grams the rows share, "
            + "with the first such rows, and the clean ones; with vectorColumn, each eval item's most similar rows by exact cosine similarity")
    public io.kiln.read.ContaminationReport.Report contamination(@PathParam("table") String table, @PathParam("snapshotId") long snapshotId,
            @org.eclipse.microprofile.openapi.annotations.parameters.Parameter(description = "the eval set: <table>@<pin or snapshot id>") @jakarta.ws.rs.QueryParam("eval") String eval,
            @org.eclipse.microprofile.openapi.annotations.parameters.Parameter(description = "the snapshot's text column (default text)") @jakarta.ws.rs.QueryParam("column") String column,
            @org.eclipse.microprofile.openapi.annotations.parameters.Parameter(description = "the eval set's text column (default text)") @jakarta.ws.rs.QueryParam("evalColumn") String evalColumn,
            @org.eclipse.microprofile.openapi.annotations.parameters.Parameter(description = "a vector column both tables have (same embedding model): lists each eval item's most similar rows") @jakarta.ws.rs.QueryParam("vectorColumn") String vectorColumn,
            @org.eclipse.microprofile.openapi.annotations.parameters.Parameter(description = "n-gram length (default 13)") @jakarta.ws.rs.QueryParam("n") String n,
            @org.eclipse.microprofile.openapi.annotations.parameters.Parameter(description = "ignore n-grams found in more eval items than this (default 10)") @jakarta.ws.rs.QueryParam("frequencyCap") String frequencyCap,
            @org.eclipse.microprofile.openapi.annotations.parameters.Parameter(description = "most similar rows listed per eval item (default 5, at most 100)") @jakarta.ws.rs.QueryParam("neighbours") String neighbours) {
        if (eval == null || eval.isBlank()) {
            throw new io.kiln.error.KilnException(io.kiln.error.ErrorCode.INVALID_REQUEST, "The eval set is required",
                    List.of(new io.kiln.error.Violation("eval", "is required: <table>@<pin or snapshot id>, such as evals.qa@v1")));
        }
        io.kiln.read.ContaminationReport.Request request = new io.kiln.read.ContaminationReport.Request(eval.strip(), column == null ? "text" : column,
                evalColumn == null ? "text" : evalColumn, java.util.Optional.ofNullable(vectorColumn).filter(name -> !name.isBlank()),
                (int) QueryParameters.wholeNumber("n", n, 1).orElse(13), (int) QueryParameters.wholeNumber("frequencyCap", frequencyCap, 1).orElse(10),
                (int) QueryParameters.wholeNumber("neighbours", neighbours, 1).orElse(5));
        if (request.n() > 64 || request.neighbours() > io.kiln.read.ContaminationReport.MAX_NEIGHBOURS) {
            throw new io.kiln.error.KilnException(io.kiln.error.ErrorCode.INVALID_REQUEST, "The report's parameters are invalid",
                    List.of(new io.kiln.error.Violation(request.n() > 64 ? "n" : "neighbours", request.n() > 64 ? "must be at most 64" : "must be at most 100")));
        }
        return io.kiln.read.ContaminationReport.of(table, tables.table(table), snapshotId, tables::table, request);
    }

    @GET
    @Path("/{table}/snapshots/{snapshotId}/features")
    @Operation(summary = "The fitted state of a snapshot's feature steps (impute, scale): each step's JSON artifact (statistics per group, fill values), "
            + "its location and sha256, as the job fitted them; what serving loads to transform records as the training rows were")
    public io.kiln.read.FeaturesReport.Report features(@PathParam("table") String table, @PathParam("snapshotId") long snapshotId) {
        return io.kiln.read.FeaturesReport.of(table, tables.table(table), snapshotId);
    }

    /** {@code records}: JSON objects with an {@code id} and the source's declared columns by name. */
    public record TransformRequest(com.fasterxml.jackson.databind.JsonNode records) {}

    @POST
    @Path("/{table}/snapshots/{snapshotId}/transform")
    @Operation(summary = "The serving path: apply a published snapshot's recipe and fitted state (scale and impute statistics) to records sent in the request, "
            + "giving each record's rows as the table holds them, or why it is rejected; steps that decide over a whole job (dedup, labels, anonymize) are refused")
    public Map<String, Object> transform(@PathParam("table") String table, @PathParam("snapshotId") long snapshotId, TransformRequest request) {
        tables.table(table);
        Map<String, Object> answer = new java.util.LinkedHashMap<>();
        answer.put("table", table);
        answer.put("snapshotId", Long.toString(snapshotId));
        answer.put("records", jobs.transform(table, snapshotId, request == null ? null : request.records()));
        return answer;
    }

    @GET
    @Path("/{table}/checks")
    @Operation(summary = "The table's data-quality metric history (from the check engine's metrics repository), oldest first")
    public com.fasterxml.jackson.databind.JsonNode checks(@PathParam("table") String table) {
        tables.describe(table);
        return checkService.metrics(table);
    }

    /** {@code orphanGraceMs}: clean orphan files older than this; absent, orphans are left alone. */
    public record MaintenanceRequest(Long maxSnapshotAgeMs, Long orphanGraceMs) {}

    @POST
    @Path("/{table}/maintenance")
    @Operation(summary = "Expire unpinned, untagged, non-current snapshots older than maxSnapshotAgeMs; optionally delete orphan files")
    @RolesAllowed(Roles.ADMIN)
    public io.kiln.lake.Maintenance.Report maintenance(@PathParam("table") String table, MaintenanceRequest request) {
        if (request == null || request.maxSnapshotAgeMs() == null || request.maxSnapshotAgeMs() < 0) {
            throw io.kiln.error.KilnException.invalidSpec(List.of(new io.kiln.error.Violation("maxSnapshotAgeMs", "is required and must not be negative")));
        }
        if (request.orphanGraceMs() != null && request.orphanGraceMs() < 0) {
            throw io.kiln.error.KilnException.invalidSpec(List.of(new io.kiln.error.Violation("orphanGraceMs", "must not be negative")));
        }
        return new io.kiln.lake.Maintenance(publisher).run(tables.table(table), request.maxSnapshotAgeMs(),
                java.util.Optional.ofNullable(request.orphanGraceMs()), System.currentTimeMillis());
    }

    public record SnapshotList(String table, List<TableBrowser.SnapshotDescription> snapshots) {}
}

package io.kiln.api;

import java.time.Instant;
import java.util.List;

import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonFormat;

import io.kiln.job.Job;
import io.kiln.job.Operations;
import io.kiln.read.ExportManifest;
import io.kiln.read.Exports;

/**
 * An export as the API shows it. {@code snapshotId} is set when it was asked by id (a pin is
 * resolved when the export runs; the manifest then names both); {@code rowsWritten} counts while it
 * runs; {@code manifest} and {@code files} (download paths) come once it has SUCCEEDED.
 */
public record ExportView(
        String id,
        Operations.State state,
        String table,
        @JsonFormat(shape = JsonFormat.Shape.STRING) @Schema(type = SchemaType.STRING, format = "int64") Long snapshotId,
        String pin,
        @Schema(enumeration = {"parquet", "jsonl", "arrow", "webdataset"}) String format,
        String directory,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt,
        long rowsWritten,
        ExportManifest manifest,
        List<String> files,
        Job.JobError error) {

    static ExportView of(Exports.Export export) {
        Operations.Operation<Exports.Order, ExportManifest> operation = export.operation();
        return new ExportView(operation.id(), operation.state(), operation.request().table(),
                operation.result().map(ExportManifest::snapshotId).or(() -> export.request().snapshotId()).orElse(null),
                export.request().pin().orElse(null), export.request().format().formatName(), export.request().directory().toString(),
                operation.createdAt(), operation.startedAt().orElse(null), operation.finishedAt().orElse(null), export.rowsWritten(),
                operation.result().orElse(null),
                operation.result().map(manifest -> manifest.paths().stream().map(path -> "/v1/exports/" + operation.id() + "/files/" + path).toList()).orElse(null),
                operation.error().orElse(null));
    }
}

package io.kiln.api;

import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;

import org.eclipse.microprofile.openapi.annotations.Operation;

import com.fasterxml.jackson.databind.JsonNode;

import io.kiln.read.ExportManifest;
import io.kiln.read.ExportRequest;
import io.kiln.read.Exporter;

@Path("/v1/tables/{table}/exports")
public class ExportResource {
    @Inject
    Exporter exporter;

    /**
     * Body: {@code {"snapshotId": 123 | "pin": "name", "columns": [...], "filter": "...",
     * "format": "parquet|jsonl|arrow", "shardRows": N, "shardBytes": N, "directory": "/abs/path"}}.
     * Answers when the export is complete, with its manifest.
     */
    @POST
    @Operation(summary = "Export a pinned snapshot (columns, filter) as Parquet, JSONL or Arrow IPC shards with a manifest (rows, sha256) into a directory inside the export roots")
    public ExportManifest export(@PathParam("table") String table, JsonNode body) {
        return exporter.export(table, ExportRequest.fromJson(body));
    }
}

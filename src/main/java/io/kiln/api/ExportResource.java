package io.kiln.api;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import com.fasterxml.jackson.databind.JsonNode;

import io.kiln.api.auth.Roles;
import io.kiln.read.Exports;

@Path("/v1/tables/{table}/exports")
@RolesAllowed(Roles.READER)
public class ExportResource {
    @Inject
    Exports exports;

    /** The request body, for the OpenAPI document (the resource reads it as JSON to name every bad field at once). */
    @Schema(name = "ExportRequest")
    public record Body(
            @Schema(type = SchemaType.STRING, format = "int64", description = "the snapshot (or give pin)") String snapshotId,
            @Schema(description = "a pin (tag) name (or give snapshotId)") String pin,
            @Schema(description = "columns in output order; default all") List<String> columns,
            @Schema(description = "the rows endpoint's filter") String filter,
            @Schema(description = "a training config's split: {name, fraction, seed}; name (default train) names the shards") Map<String, Object> split,
            @Schema(enumeration = {"parquet", "jsonl", "arrow", "webdataset"}, defaultValue = "parquet") String format,
            @Schema(description = "rows per shard at most (default 1,000,000)") Long shardRows,
            @Schema(description = "about this many bytes per shard at most (default 128 MiB)") Long shardBytes,
            @Schema(required = true, description = "an absolute, new or empty directory inside kiln.export-roots") String directory) {}

    @POST
    @Operation(summary = "Export a pinned snapshot (columns, filter, split) as Parquet, JSONL, Arrow IPC or WebDataset shards in Hugging Face's layout "
            + "(data/<split>-00000-of-0000N.<ext>, a dataset card README.md, manifest.json). Checks the request at once, then writes in the background: "
            + "follow GET /v1/exports/{id}")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Body.class)))
    @APIResponse(responseCode = "202", description = "Accepted and QUEUED (or, for a retried Idempotency-Key, the export accepted first)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ExportView.class)))
    @APIResponse(responseCode = "400", description = "The request is invalid: each violation names its field", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = ErrorBody.class)))
    public Response export(@PathParam("table") String table, JsonNode body,
            @Parameter(description = "Makes retries safe: the same key returns the same export") @HeaderParam("Idempotency-Key") String idempotencyKey) {
        Optional<String> key = Optional.ofNullable(idempotencyKey).filter(value -> !value.isBlank());
        return Response.accepted(ExportView.of(exports.submit(table, body, key))).type(MediaType.APPLICATION_JSON).build();
    }
}

package io.kiln.api;

import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;

import org.eclipse.microprofile.openapi.annotations.Operation;

import io.kiln.read.TableBrowser;

@Path("/v1/tables")
public class TableResource {
    @Inject
    TableBrowser tables;

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

    public record SnapshotList(String table, List<TableBrowser.SnapshotDescription> snapshots) {}
}

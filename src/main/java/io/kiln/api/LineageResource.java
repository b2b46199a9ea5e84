package io.kiln.api;

import java.util.Optional;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;

import org.eclipse.microprofile.openapi.annotations.Operation;

import io.kiln.KilnConfig;
import io.kiln.api.auth.Roles;
import io.kiln.catalog.CatalogSettings;
import io.kiln.read.Lineage;
import io.kiln.read.TableBrowser;

@Path("/v1/tables/{table}")
@RolesAllowed(Roles.READER)
public class LineageResource {
    @Inject
    TableBrowser tables;
    @Inject
    KilnConfig config;
    @Inject
    CatalogSettings catalog;

    @GET
    @Path("/rows/{rowId}/lineage")
    @Operation(summary = "Where a row came from: source file, its sha256, position, job and recipe (at ?snapshot=, default the current one)")
    public Lineage.RowLineage row(@PathParam("table") String table, @PathParam("rowId") String rowId, @QueryParam("snapshot") Long snapshot) {
        return new Lineage().row(tables.table(table), table, rowId, Optional.ofNullable(snapshot));
    }

    @GET
    @Path("/snapshots/{snapshotId}/lineage")
    @Operation(summary = "How a snapshot was made: job, inputs with their sha256, recipe, check results and rejects")
    public Lineage.SnapshotLineage snapshot(@PathParam("table") String table, @PathParam("snapshotId") long snapshotId) {
        return new Lineage().snapshot(tables.table(table), table, snapshotId, config.trinoCatalog().orElse(catalog.name()));
    }
}

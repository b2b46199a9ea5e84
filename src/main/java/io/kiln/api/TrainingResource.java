package io.kiln.api;

import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;

import org.eclipse.microprofile.openapi.annotations.Operation;

import io.kiln.error.ErrorCode;
import io.kiln.error.KilnException;
import io.kiln.KilnConfig;
import io.kiln.catalog.CatalogSettings;
import io.kiln.read.Resolver;
import io.kiln.read.SnapshotReader;
import io.kiln.read.TableBrowser;
import io.kiln.read.TrainingConfig;

@Path("/v1/training")
public class TrainingResource {
    @Inject
    TableBrowser tables;
    @Inject
    SnapshotReader reader;
    @Inject
    KilnConfig config;
    @Inject
    CatalogSettings catalog;

    @POST
    @Path("/resolve")
    @Operation(summary = "Resolve a training config (table + pin or snapshot id, columns, filter, split) to its exact snapshot, the rows it selects (count and SHA-256 of the rows path's JSON lines), and the Trino SQL and rows path that read exactly those rows")
    public Resolver.Resolution resolve(TrainingConfig config) {
        if (config == null) {
            throw new KilnException(ErrorCode.INVALID_TRAINING_CONFIG, "The body must be a training config");
        }
        return new Resolver(tables, this.config.trinoCatalog().orElse(catalog.name()), reader.allocator()).resolve(config);
    }
}

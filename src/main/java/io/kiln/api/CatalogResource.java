package io.kiln.api;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;

import io.kiln.api.auth.Roles;
import io.kiln.catalog.CatalogSettings;
import io.kiln.catalog.TrinoCatalogProperties;

@Path("/v1/catalog")
@RolesAllowed(Roles.READER)
public class CatalogResource {
    @Inject
    CatalogSettings settings;

    @GET
    @Path("/trino")
    @Produces(MediaType.TEXT_PLAIN)
    @Operation(summary = "Trino catalog properties that read this Kiln's tables (save as etc/catalog/<name>.properties)")
    public String trino() {
        return TrinoCatalogProperties.render(TrinoCatalogProperties.of(settings));
    }
}

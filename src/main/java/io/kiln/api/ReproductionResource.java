package io.kiln.api;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;

import org.eclipse.microprofile.openapi.annotations.Operation;

import io.kiln.api.auth.Roles;
import io.kiln.job.Reproductions;

@Path("/v1/reproductions")
@RolesAllowed(Roles.READER)
public class ReproductionResource {
    @Inject
    Reproductions reproductions;

    @GET
    @Path("/{id}")
    @Operation(summary = "A reproduction: QUEUED, RUNNING, SUCCEEDED (with its result: IDENTICAL, DIFFERENT or INPUTS_CHANGED) or FAILED")
    public ReproductionView reproduction(@PathParam("id") String id) {
        return ReproductionView.of(reproductions.reproduction(id));
    }
}

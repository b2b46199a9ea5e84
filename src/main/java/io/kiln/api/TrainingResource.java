package io.kiln.api;

import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;

import org.eclipse.microprofile.openapi.annotations.Operation;

import io.kiln.error.ErrorCode;
import io.kiln.error.KilnException;
import io.kiln.read.Resolver;
import io.kiln.read.TableBrowser;
import io.kiln.read.TrainingConfig;

@Path("/v1/training")
public class TrainingResource {
    @Inject
    TableBrowser tables;

    @POST
    @Path("/resolve")
    @Operation(summary = "Resolve a training config (table + pin or snapshot id) to its exact snapshot: id, recipe, rows and content digest")
    public Resolver.Resolution resolve(TrainingConfig config) {
        if (config == null) {
            throw new KilnException(ErrorCode.INVALID_TRAINING_CONFIG, "The body must be a training config");
        }
        return new Resolver(tables).resolve(config);
    }
}

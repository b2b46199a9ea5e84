package io.kiln.api;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.kiln.api.auth.Roles;
import io.kiln.error.ErrorCode;
import io.kiln.error.KilnException;
import io.kiln.KilnConfig;
import io.kiln.catalog.CatalogSettings;
import io.kiln.read.Resolver;
import io.kiln.read.SnapshotReader;
import io.kiln.read.TableBrowser;
import io.kiln.read.TrainingConfig;

@Path("/v1/training")
@RolesAllowed(Roles.READER)
public class TrainingResource {
    /** Strict, as the service reads JSON bodies: an unknown field is an error, not ignored. */
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

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
    @Consumes(MediaType.APPLICATION_JSON)
    public Resolver.Resolution resolve(TrainingConfig config) {
        if (config == null) {
            throw new KilnException(ErrorCode.INVALID_TRAINING_CONFIG, "The body must be a training config");
        }
        return new Resolver(tables, this.config.trinoCatalog().orElse(catalog.name()), reader.allocator()).resolve(config);
    }

    /** The same, for a training config file posted as it is (the YAML that {@code kiln resolve} reads). */
    @POST
    @Path("/resolve")
    @Consumes({"application/yaml", "application/x-yaml", "text/yaml"})
    @Operation(summary = "Resolve a training config given as YAML (the file as it is); the answer is the same as for JSON")
    public Resolver.Resolution resolveYaml(String yaml) {
        TrainingConfig config;
        try {
            config = YAML.readValue(yaml, TrainingConfig.class);
        }
        catch (JsonProcessingException e) {
            throw new KilnException(ErrorCode.INVALID_TRAINING_CONFIG, "The training config is not valid YAML for a training config: "
                    + e.getOriginalMessage() + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"));
        }
        return resolve(config);
    }
}

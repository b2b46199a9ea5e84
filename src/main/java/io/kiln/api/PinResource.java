package io.kiln.api;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import io.kiln.api.auth.Roles;
import io.kiln.error.ErrorCode;
import io.kiln.error.KilnException;
import io.kiln.error.Violation;
import io.kiln.lake.Pins;
import io.kiln.lake.Publisher;
import io.kiln.read.TableBrowser;

@Path("/v1/tables/{table}/pins")
@RolesAllowed(Roles.READER)
public class PinResource {
    @Inject
    TableBrowser tables;
    @Inject
    Publisher publisher;
    @Inject
    jakarta.validation.Validator validator;
    @Inject
    io.kiln.api.auth.Authentication authentication;
    @Inject
    io.quarkus.security.identity.SecurityIdentity identity;

    /** {@code retentionDays}: how long the pin keeps its snapshot; absent, until it is deleted. */
    public record PinRequest(
            @NotBlank(message = "is required") @Pattern(regexp = "[A-Za-z0-9][A-Za-z0-9._-]{0,127}", message = "must be 1-128 letters, digits, '.', '_' or '-'") String name,
            @NotNull(message = "is required") @Schema(type = SchemaType.STRING, format = "int64", description = "a string (a number is read too)") Long snapshotId,
            @NotBlank(message = "is required: say why this data is pinned") String reason,
            @Schema(description = "who pins: with API keys, the key's or token's name (leave it out); without authentication, required") String owner,
            @Positive(message = "must be positive") Integer retentionDays) {}

    @POST
    @Operation(summary = "Pin a published snapshot for a training run: an Iceberg tag that snapshot expiry keeps, with who and why")
    @APIResponse(responseCode = "201", description = "Pinned", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Pins.Pin.class)))
    @RolesAllowed(Roles.WRITER)
    public Response create(@PathParam("table") String table, PinRequest request) {
        if (request == null) {
            throw invalidPin(List.of(new Violation("body", "a pin needs name, snapshotId, reason and owner")));
        }
        List<Violation> violations = new java.util.ArrayList<>(validator.validate(request).stream()
                .map(violation -> new Violation(violation.getPropertyPath().toString(), violation.getMessage()))
                .toList());
        if (request.name() != null && request.name().equals(io.kiln.lake.Publisher.MAIN)) {
            violations.add(new Violation("name", "'" + io.kiln.lake.Publisher.MAIN + "' is reserved: it names the table's main branch"));
        }
        else if (request.name() != null && request.name().startsWith(io.kiln.lake.Publisher.JOB_BRANCH_PREFIX)) {
            violations.add(new Violation("name", "must not start with " + io.kiln.lake.Publisher.JOB_BRANCH_PREFIX + ": Kiln names its job branches so"));
        }
        // the owner is who calls, when Kiln knows: a key's name, never what the request says
        String owner = request.owner();
        if (authentication.mode() != io.kiln.api.auth.Authentication.Mode.NONE) {
            String caller = identity.getPrincipal().getName();
            if (owner != null && !owner.equals(caller)) {
                violations.add(new Violation("owner", "is who pins: " + caller + ", who is authenticated; leave it out"));
            }
            owner = caller;
        }
        else if (owner == null || owner.isBlank()) {
            violations.add(new Violation("owner", "is required: say who pinned it"));
        }
        violations.sort(java.util.Comparator.comparing(Violation::field));
        if (!violations.isEmpty()) {
            throw invalidPin(violations);
        }
        Pins.Pin pin = new Pins(publisher).create(tables.table(table), request.name(), request.snapshotId(), owner, request.reason(),
                Optional.ofNullable(request.retentionDays()).map(days -> Duration.ofDays(days).toMillis()));
        return Response.status(201).entity(pin).build();
    }

    @GET
    @Operation(summary = "The table's pins")
    public Map<String, List<Pins.Pin>> list(@PathParam("table") String table) {
        return Map.of("pins", new Pins(publisher).list(tables.table(table)));
    }

    @GET
    @Path("/{name}")
    public Pins.Pin get(@PathParam("table") String table, @PathParam("name") String name) {
        return new Pins(publisher).get(tables.table(table), name);
    }

    @DELETE
    @Path("/{name}")
    @Operation(summary = "Unpin: the snapshot becomes subject to expiry like any other")
    @RolesAllowed(Roles.ADMIN)
    public Response delete(@PathParam("table") String table, @PathParam("name") String name) {
        new Pins(publisher).delete(tables.table(table), name);
        return Response.noContent().build();
    }

    private static KilnException invalidPin(List<Violation> violations) {
        return new KilnException(ErrorCode.INVALID_REQUEST, "The pin request is invalid", violations);
    }
}

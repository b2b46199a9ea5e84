package io.kiln.api;

import java.util.List;
import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;

import org.eclipse.microprofile.openapi.annotations.Operation;

import io.kiln.api.auth.Roles;
import io.kiln.check.CheckEngine;
import io.kiln.check.CheckService;
import io.kiln.error.ErrorCode;
import io.kiln.error.KilnException;
import io.kiln.error.Violation;

@Path("/v1/checks")
@RolesAllowed(Roles.READER)
public class CheckResource {
    @Inject
    CheckService checks;

    /** Either the text of a suite, or the name of one in the suites directory. */
    public record ValidateRequest(String suite, String name) {}

    @POST
    @Path("/validate")
    @Operation(summary = "Check a DQDL suite without running it: {\"suite\": \"Rules = [...]\"} or {\"name\": \"text-default\"}")
    public CheckEngine.Validation validate(ValidateRequest request) {
        if (request == null || (request.suite() == null) == (request.name() == null)) {
            throw new KilnException(ErrorCode.INVALID_REQUEST, "Give either suite (the DQDL text) or name (a suite in the suites directory)",
                    List.of(new Violation("suite", "exactly one of suite and name is required")));
        }
        String suite = request.suite() != null ? request.suite() : checks.suites().read(request.name()).orElseThrow(() ->
                new KilnException(ErrorCode.INVALID_REQUEST, "Unknown suite '" + request.name() + "'; known suites: " + String.join(", ", checks.suites().names()),
                        List.of(new Violation("name", "unknown suite"))));
        return checks.validate(suite);
    }

    @GET
    @Path("/suites")
    @Operation(summary = "The suites a JobSpec's checks field can name")
    public Map<String, List<String>> suites() {
        return Map.of("suites", checks.suites().names());
    }

    @GET
    @Path("/engine")
    @Operation(summary = "The check engine's state (UP, STARTING, UNAVAILABLE, EXTERNAL, OFF), process id and restarts")
    public CheckEngine.Status engine() {
        return checks.status();
    }
}

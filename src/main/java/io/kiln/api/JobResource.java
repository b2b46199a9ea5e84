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
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import com.fasterxml.jackson.core.JsonProcessingException;

import io.kiln.api.auth.Roles;
import io.kiln.error.ErrorCode;
import io.kiln.error.KilnException;
import io.kiln.job.Job;
import io.kiln.job.JobService;
import io.kiln.job.JobSpec;
import io.kiln.job.Reproductions;

@Path("/v1/jobs")
@RolesAllowed(Roles.READER)
public class JobResource {
    @Inject
    JobService jobs;

    @Inject
    JobSpecReader specs;

    @Inject
    Reproductions reproductions;

    @Inject
    io.quarkus.security.identity.SecurityIdentity identity;

    @POST
    @Operation(summary = "Submit an ingestion job", description = "Validates and binds the spec, persists the job as QUEUED and returns 202. "
            + "A retry with the same Idempotency-Key and spec returns the same job.")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = JobSpec.class)))
    @APIResponse(responseCode = "202", description = "Accepted and QUEUED (or, for a retried Idempotency-Key, the job accepted first)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = JobView.class)))
    @APIResponse(responseCode = "400", description = "The spec is invalid: each violation names its field", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = ErrorBody.class)))
    @APIResponse(responseCode = "409", description = "The Idempotency-Key was used with another spec", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = ErrorBody.class)))
    @APIResponse(responseCode = "413", description = "The body is too large", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = ErrorBody.class)))
    @APIResponse(responseCode = "503", description = "The check engine cannot validate the spec's suite now; retry with the same Idempotency-Key",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ErrorBody.class)))
    @RolesAllowed(Roles.WRITER)
    public Response submit(byte[] body,
            @Parameter(description = "Makes retries safe: the same key returns the same job") @HeaderParam("Idempotency-Key") String idempotencyKey)
            throws JsonProcessingException {
        JobSpec spec = specs.read(body);
        Optional<String> key = Optional.ofNullable(idempotencyKey).filter(value -> !value.isBlank());
        if (key.isPresent() && key.get().length() > 256) {
            throw new KilnException(ErrorCode.INVALID_REQUEST, "Idempotency-Key must be at most 256 characters");
        }
        Job job = jobs.submit(spec, key, identity.getPrincipal().getName());
        return Response.accepted(view(job)).type(MediaType.APPLICATION_JSON).build();
    }

    @GET
    @Operation(summary = "List jobs, newest first")
    public Map<String, List<JobView>> list(@Parameter(description = "at most this many jobs (1 to 1000, default 100)") @QueryParam("limit") String limit) {
        int bounded = (int) Math.min(QueryParameters.wholeNumber("limit", limit, 1).orElse(100), 1000);
        return Map.of("jobs", jobs.jobs(bounded).stream().map(this::view).toList());
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "A job: state, counts, rejects by reason, snapshot id, progress")
    public JobView job(@PathParam("id") String id) {
        return view(jobs.job(id));
    }

    @POST
    @Path("/{id}/cancel")
    @Operation(summary = "Cancel a queued or running job; nothing of it is committed")
    @RolesAllowed(Roles.WRITER)
    public JobView cancel(@PathParam("id") String id) {
        return view(jobs.cancel(id));
    }

    @POST
    @Path("/{id}/reproduce")
    @Operation(summary = "Re-run a published job on the same inputs (checked by sha256) into a scratch branch; identical content digest or not. "
            + "Answers at once; follow GET /v1/reproductions/{id} until it SUCCEEDED, then read its result")
    @APIResponse(responseCode = "202", description = "Accepted and QUEUED (or, for a retried Idempotency-Key, the reproduction accepted first)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ReproductionView.class)))
    @RolesAllowed(Roles.WRITER)
    public Response reproduce(@PathParam("id") String id,
            @Parameter(description = "Makes retries safe: the same key returns the same reproduction") @HeaderParam("Idempotency-Key") String idempotencyKey) {
        Optional<String> key = Optional.ofNullable(idempotencyKey).filter(value -> !value.isBlank());
        return Response.accepted(ReproductionView.of(reproductions.submit(id, key))).type(MediaType.APPLICATION_JSON).build();
    }

    private JobView view(Job job) {
        return JobView.of(job, jobs.progress(job.id()), jobs.cancelling(job.id()));
    }
}

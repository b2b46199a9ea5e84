package io.kiln.api;

import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;

/**
 * Documents the error answer of every operation: whatever the status, an error is the one
 * {@link ErrorBody} shape, so each operation gets a {@code default} response with that schema
 * (registered with {@code mp.openapi.filter}). Operations that list their error statuses keep them.
 */
public class ErrorResponses implements OASFilter {
    @Override
    public Operation filterOperation(Operation operation) {
        APIResponses responses = operation.getResponses();
        if (responses == null) {
            responses = OASFactory.createAPIResponses();
            operation.setResponses(responses);
        }
        if (!responses.hasAPIResponse(APIResponses.DEFAULT)) {
            responses.addAPIResponse(APIResponses.DEFAULT, OASFactory.createAPIResponse()
                    .description("An error: a stable code, a message in plain words, and for a bad request each field that is wrong")
                    .content(OASFactory.createContent().addMediaType("application/json",
                            OASFactory.createMediaType().schema(OASFactory.createSchema().ref("#/components/schemas/Error")))));
        }
        return operation;
    }
}

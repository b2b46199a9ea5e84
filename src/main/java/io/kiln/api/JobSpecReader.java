package io.kiln.api;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;

import io.kiln.error.ErrorCode;
import io.kiln.error.JsonProblems;
import io.kiln.error.KilnException;
import io.kiln.error.Violation;
import io.kiln.job.JobSpec;

/**
 * Reads a JobSpec from a request body, strictly: UTF-8 (overlong and other invalid sequences
 * refused), one JSON object and nothing after it, no duplicate keys, nesting at most
 * {@value #MAX_NESTING_DEPTH} levels, and no coercion between strings, numbers and booleans
 * ({@code "tag": 5} is not the tag "5"). What the JSON says is then checked by
 * {@link io.kiln.job.JobBinder}; mapping errors (a wrong type, an unknown field) go to
 * {@link ErrorMappers}, which names the field.
 */
@Singleton
public class JobSpecReader {
    static final int MAX_NESTING_DEPTH = 1000;

    private final ObjectMapper mapper;

    @Inject
    public JobSpecReader(ObjectMapper base) {
        ObjectMapper strict = base.copy();
        strict.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build());
        strict.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        strict.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        strict.coercionConfigFor(LogicalType.Integer)
                .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        strict.coercionConfigFor(LogicalType.Float)
                .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        strict.coercionConfigFor(LogicalType.Boolean)
                .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        this.mapper = strict;
    }

    /**
     * @throws KilnException INVALID_REQUEST when the body is not UTF-8 JSON, INVALID_JOB_SPEC naming
     *         the field for what the reader itself refuses
     * @throws com.fasterxml.jackson.databind.JsonMappingException when a field has the wrong type or is unknown
     */
    public JobSpec read(byte[] body) throws JsonProcessingException {
        String text = utf8(body);
        JsonNode tree;
        try (JsonParser parser = mapper.createParser(text)) {
            tree = mapper.readTree(parser);
            if (tree == null || tree.isMissingNode()) {
                throw new KilnException(ErrorCode.INVALID_REQUEST, "The request body must be a JobSpec");
            }
            if (hasMore(parser)) {
                throw KilnException.invalidSpec(List.of(new Violation("body", "has content after the JSON object")));
            }
        }
        catch (JsonProcessingException e) {
            throw new KilnException(ErrorCode.INVALID_REQUEST, "The request body is not valid JSON: " + JsonProblems.describe(e));
        }
        catch (IOException e) {
            throw new KilnException(ErrorCode.INVALID_REQUEST, "The request body cannot be read: " + JsonProblems.describe(e));
        }
        if (!tree.isObject()) {
            throw KilnException.invalidSpec(List.of(new Violation("body", "must be a JSON object (a JobSpec)")));
        }
        // an empty mapping says nothing, so it is a mistake; left out, the fields id and text are read
        JsonNode fields = tree.path("source").path("fields");
        if (fields.isObject() && fields.isEmpty()) {
            throw KilnException.invalidSpec(List.of(new Violation("source.fields", "must map id, text or both; leave it out to read the fields id and text")));
        }
        return mapper.treeToValue(tree, JobSpec.class);
    }

    private static boolean hasMore(JsonParser parser) {
        try {
            return parser.nextToken() != null;
        }
        catch (IOException e) {
            return true;
        }
    }

    private static String utf8(byte[] body) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(body);
        CharBuffer out = CharBuffer.allocate(body.length);
        var result = decoder.decode(in, out, true);
        if (result.isError()) {
            throw new KilnException(ErrorCode.INVALID_REQUEST, "The request body is not valid UTF-8: an invalid byte sequence at offset " + in.position());
        }
        decoder.flush(out);
        String text = out.flip().toString();
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }
}

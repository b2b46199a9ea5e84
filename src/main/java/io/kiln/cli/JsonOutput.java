package io.kiln.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.UncheckedIOException;

final class JsonOutput
{
    private JsonOutput() {}

    static void print(JsonNode tree)
    {
        try {
            System.out.println(KilnClient.newObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(tree));
        }
        catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}

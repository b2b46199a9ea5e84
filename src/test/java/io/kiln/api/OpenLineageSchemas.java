package io.kiln.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

/**
 * OpenLineage's JSON schemas (test resources {@code openlineage/spec/}, as published at the client's
 * version) and Kiln's facets' (main resources {@code openlineage/facets/}), resolved by their URLs
 * without a network; format assertions on.
 */
public final class OpenLineageSchemas {
    private static final JsonSchemaFactory SCHEMAS = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012, builder -> builder
            .schemaMappers(mappers -> mappers
                    .mapPrefix("https://openlineage.io/spec/", "classpath:openlineage/spec/")
                    .mapPrefix("https://kiln.dev/openlineage/facets/1-0-0/", "classpath:openlineage/facets/")));
    private static final SchemaValidatorsConfig STRICT = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();

    private OpenLineageSchemas() {}

    /** What is wrong with {@code node} against the schema at {@code schemaUrl} (a fragment names a definition). */
    public static Set<ValidationMessage> errors(JsonNode node, String schemaUrl) {
        return SCHEMAS.getSchema(SchemaLocation.of(schemaUrl), STRICT).validate(node);
    }

    /** Validates the event against OpenLineage's run event schema, and every facet in it against the schema its {@code _schemaURL} names. */
    public static void assertValid(JsonNode event) {
        assertNoErrors(SCHEMAS.getSchema(SchemaLocation.of("https://openlineage.io/spec/2-0-2/OpenLineage.json"), STRICT), event, "the event");
        List<JsonNode> facetMaps = new ArrayList<>(List.of(event.path("run").path("facets"), event.path("job").path("facets")));
        for (String datasets : List.of("inputs", "outputs")) {
            for (JsonNode dataset : event.path(datasets)) {
                facetMaps.add(dataset.path("facets"));
                facetMaps.add(dataset.path("inputFacets"));
                facetMaps.add(dataset.path("outputFacets"));
            }
        }
        int facets = 0;
        for (JsonNode map : facetMaps) {
            for (Map.Entry<String, JsonNode> facet : map.properties()) {
                String schemaUrl = facet.getValue().path("_schemaURL").asText();
                assertThat(schemaUrl).as(facet.getKey()).matches("https://(openlineage\\.io/spec|kiln\\.dev/openlineage)/.+#/\\$defs/.+");
                assertNoErrors(SCHEMAS.getSchema(SchemaLocation.of(schemaUrl), STRICT), facet.getValue(), "facet " + facet.getKey());
                facets++;
            }
        }
        assertThat(facets).as("facets validated").isGreaterThanOrEqualTo(3);
    }

    private static void assertNoErrors(JsonSchema schema, JsonNode node, String what) {
        Set<ValidationMessage> errors = schema.validate(node);
        assertThat(errors).as(what + " against " + schema.getSchemaLocation() + ": " + node).isEmpty();
    }
}

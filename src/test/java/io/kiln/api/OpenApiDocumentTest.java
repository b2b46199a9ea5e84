package io.kiln.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * The OpenAPI document says what the endpoints really answer: each real response below (success
 * and error) is checked against the schema the document gives for its path, method and status.
 * Every property the response carries must be declared with the JSON type it really has (a 64-bit
 * id declared as a string must be one), and enums must hold the value.
 */
@QuarkusTest
@QuarkusTestResource(TempDataDirectory.class)
class OpenApiDocumentTest {
    private static final String FIXTURES = Path.of("src/test/resources/fixtures").toAbsolutePath().toString();
    private static final ObjectMapper JSON = new ObjectMapper();

    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "kiln.data-dir")
    String dataDirectory;

    @Test
    void everyResponseMatchesTheDocumentedSchema() throws Exception {
        JsonNode document = JSON.readTree(given().get("/q/openapi?format=json").then().statusCode(200).extract().asString());
        String table = "demo.openapi_" + UUID.randomUUID().toString().substring(0, 8);
        List<String> problems = new ArrayList<>();

        Response submitted = given().contentType(ContentType.JSON).body(Map.of("table", table,
                "source", Map.of("uri", "file://" + FIXTURES + "/docs/clean.jsonl", "format", "jsonl"),
                "steps", List.of(Map.of("name", "normalize")))).post("/v1/jobs");
        check(document, "post", "/v1/jobs", submitted, problems);
        String jobId = submitted.jsonPath().getString("id");
        String snapshotId = JobApiTest.awaitFinal(jobId).getString("snapshotId");

        check(document, "get", "/v1/jobs/{id}", given().get("/v1/jobs/" + jobId), problems);
        check(document, "get", "/v1/jobs", given().get("/v1/jobs"), problems);
        check(document, "get", "/v1/jobs/{id}", given().get("/v1/jobs/no-such-job"), problems);
        check(document, "get", "/v1/jobs", given().get("/v1/jobs?limit=abc"), problems);
        check(document, "post", "/v1/jobs", given().contentType(ContentType.JSON).body(Map.of("table", "x")).post("/v1/jobs"), problems);
        check(document, "get", "/v1/tables", given().get("/v1/tables"), problems);
        check(document, "get", "/v1/tables/{table}", given().get("/v1/tables/" + table), problems);
        check(document, "get", "/v1/tables/{table}/snapshots", given().get("/v1/tables/" + table + "/snapshots"), problems);
        check(document, "get", "/v1/tables/{table}/snapshots/{snapshotId}", given().get("/v1/tables/" + table + "/snapshots/" + snapshotId), problems);
        check(document, "get", "/v1/tables/{table}/snapshots/{snapshotId}/privacy",
                given().queryParam("quasiIdentifiers", "text").get("/v1/tables/" + table + "/snapshots/" + snapshotId + "/privacy"), problems);
        check(document, "get", "/v1/tables/{table}/snapshots/{snapshotId}/privacy",
                given().get("/v1/tables/" + table + "/snapshots/" + snapshotId + "/privacy"), problems);
        check(document, "get", "/v1/tables/{table}/snapshots/{snapshotId}/labels",
                given().get("/v1/tables/" + table + "/snapshots/" + snapshotId + "/labels"), problems);
        check(document, "get", "/v1/tables/{table}/snapshots/{snapshotId}/lineage",
                given().get("/v1/tables/" + table + "/snapshots/" + snapshotId + "/lineage"), problems);
        check(document, "post", "/v1/tables/{table}/pins", given().contentType(ContentType.JSON)
                .body(Map.of("name", "run-1", "snapshotId", snapshotId, "reason", "the document test", "owner", "tester"))
                .post("/v1/tables/" + table + "/pins"), problems);
        check(document, "get", "/v1/tables/{table}/pins", given().get("/v1/tables/" + table + "/pins"), problems);
        check(document, "get", "/v1/tables/{table}/snapshots/{snapshotId}/contamination",
                given().queryParam("eval", table + "@run-1").get("/v1/tables/" + table + "/snapshots/" + snapshotId + "/contamination"), problems);
        check(document, "post", "/v1/training/resolve", given().contentType(ContentType.JSON)
                .body(Map.of("table", table, "pin", "run-1", "columns", List.of("id", "text"))).post("/v1/training/resolve"), problems);
        check(document, "post", "/v1/training/resolve", given().contentType(ContentType.JSON)
                .body(Map.of("table", table, "pin", "no-such-pin")).post("/v1/training/resolve"), problems);
        Response exported = given().contentType(ContentType.JSON).body(Map.of("pin", "run-1", "format", "jsonl",
                "directory", Path.of(dataDirectory).toAbsolutePath().resolve("exports").resolve(table).toString())).post("/v1/tables/" + table + "/exports");
        check(document, "post", "/v1/tables/{table}/exports", exported, problems);
        RowsAndExportTest.export(table, Map.of("pin", "run-1", "directory", Path.of(dataDirectory).toAbsolutePath().resolve("exports").resolve(table + "-2").toString()));
        check(document, "get", "/v1/exports/{id}", given().get("/v1/exports/" + exported.jsonPath().getString("id")), problems);
        check(document, "post", "/v1/tables/{table}/exports", given().contentType(ContentType.JSON).body(Map.of("pin", "run-1", "format", "csv"))
                .post("/v1/tables/" + table + "/exports"), problems);
        Response reproducing = given().post("/v1/jobs/" + jobId + "/reproduce");
        check(document, "post", "/v1/jobs/{id}/reproduce", reproducing, problems);
        check(document, "get", "/v1/reproductions/{id}", given().get("/v1/reproductions/" + reproducing.jsonPath().getString("id")), problems);
        check(document, "post", "/v1/tables/{table}/maintenance", given().contentType(ContentType.JSON)
                .body(Map.of("maxSnapshotAgeMs", 0)).post("/v1/tables/" + table + "/maintenance"), problems);

        assertThat(problems).isEmpty();
        assertThat(document.path("components").path("schemas").path("ExportRequest").path("properties").path("format").path("enum"))
                .as("the export formats are an enum").extracting(JsonNode::asText).containsExactly("parquet", "jsonl", "arrow", "webdataset");
        for (String schema : List.of("JobView", "Resolution", "Pin", "SnapshotDescription", "TableDescription")) {
            JsonNode id = document.path("components").path("schemas").path(schema).path("properties")
                    .path(schema.equals("TableDescription") ? "currentSnapshotId" : "snapshotId");
            assertThat(id.path("type").asText()).as("%s's snapshot id is documented as a string: %s", schema, id).isEqualTo("string");
        }
    }

    private static void check(JsonNode document, String method, String path, Response response, List<String> problems) throws Exception {
        JsonNode operation = document.path("paths").path(path).path(method);
        String where = method.toUpperCase() + " " + path + " " + response.statusCode();
        if (operation.isMissingNode()) {
            problems.add(where + ": not in the document");
            return;
        }
        JsonNode responses = operation.path("responses");
        JsonNode documented = responses.has(Integer.toString(response.statusCode())) ? responses.get(Integer.toString(response.statusCode())) : responses.path("default");
        if (documented.isMissingNode()) {
            problems.add(where + ": status not documented (documented: " + fieldNames(responses) + ")");
            return;
        }
        JsonNode schema = documented.path("content").path("application/json").path("schema");
        if (schema.isMissingNode()) {
            problems.add(where + ": no application/json schema");
            return;
        }
        validate(document, schema, JSON.readTree(response.asString()), where + " $", problems);
    }

    private static void validate(JsonNode document, JsonNode schema, JsonNode value, String at, List<String> problems) {
        if (schema.has("$ref")) {
            String name = schema.get("$ref").asText().replace("#/components/schemas/", "");
            JsonNode target = document.path("components").path("schemas").path(name);
            if (target.isMissingNode()) {
                problems.add(at + ": the document refers to a schema it lacks: " + name);
                return;
            }
            validate(document, target, value, at, problems);
            return;
        }
        if (schema.has("allOf")) {
            schema.get("allOf").forEach(part -> validate(document, part, value, at, problems));
            return;
        }
        if (value.isNull() || schema.isEmpty()) {
            return;
        }
        String type = schema.path("type").isArray() ? schema.path("type").get(0).asText() : schema.path("type").asText("");
        boolean matches = switch (type) {
            case "string" -> value.isTextual();
            case "integer" -> value.isIntegralNumber();
            case "number" -> value.isNumber();
            case "boolean" -> value.isBoolean();
            case "array" -> value.isArray();
            case "object" -> value.isObject();
            default -> true;
        };
        if (!matches) {
            problems.add(at + ": documented as " + type + (schema.has("format") ? " (" + schema.get("format").asText() + ")" : "") + ", was " + value);
            return;
        }
        if (schema.has("enum") && value.isTextual()) {
            boolean known = false;
            for (JsonNode option : schema.get("enum")) {
                known |= option.asText().equals(value.asText());
            }
            if (!known) {
                problems.add(at + ": " + value + " is not in the documented enum " + schema.get("enum"));
            }
        }
        if (value.isArray() && schema.has("items")) {
            for (int i = 0; i < value.size(); i++) {
                validate(document, schema.get("items"), value.get(i), at + "[" + i + "]", problems);
            }
        }
        if (value.isObject()) {
            JsonNode properties = schema.path("properties");
            JsonNode additional = schema.path("additionalProperties");
            for (Iterator<Map.Entry<String, JsonNode>> fields = value.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                if (properties.has(field.getKey())) {
                    validate(document, properties.get(field.getKey()), field.getValue(), at + "." + field.getKey(), problems);
                }
                else if (additional.isObject()) {
                    validate(document, additional, field.getValue(), at + "." + field.getKey(), problems);
                }
                else if (!additional.asBoolean(false) && !properties.isMissingNode()) {
                    problems.add(at + "." + field.getKey() + ": not documented (documented: " + fieldNames(properties) + ")");
                }
            }
        }
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}

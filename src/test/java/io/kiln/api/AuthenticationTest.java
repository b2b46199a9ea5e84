package io.kiln.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.kiln.api.auth.ApiKeys;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * Kiln with API keys: every endpoint of the OpenAPI document refuses a call without a key (401,
 * with Kiln's error body), each role reaches what it may and no more (403 beyond), and the caller is
 * recorded: a job's submittedBy, a pin's owner, the snapshot summary and the audit log.
 */
@QuarkusTest
@TestProfile(AuthenticationTest.WithApiKeys.class)
class AuthenticationTest {
    static final String READER = "kiln_reader-secret-0123456789";
    static final String WRITER = "kiln_writer-secret-0123456789";
    static final String ADMIN = "kiln_admin-secret-0123456789";
    private static final String FIXTURES = Path.of("src/test/resources/fixtures").toAbsolutePath().toString();
    private static final ObjectMapper JSON = new ObjectMapper();

    public static class WithApiKeys implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Path directory = Path.of("target").resolve("kiln-test-auth-" + System.nanoTime()).toAbsolutePath();
            try {
                Files.createDirectories(directory);
            }
            catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Map<String, String> config = new java.util.HashMap<>(Map.of(
                    "kiln.data-dir", directory.resolve("data").toString(),
                    "kiln.source-roots", FIXTURES,
                    "quarkus.log.file.enabled", "true",
                    "quarkus.log.file.path", directory.resolve("kiln.log").toString()));
            key(config, "etl", WRITER, "writer", "airflow-etl");
            key(config, "notebook", READER, "reader", "ana");
            key(config, "ops", ADMIN, "admin", "platform-ops");
            return config;
        }

        private static void key(Map<String, String> config, String id, String secret, String role, String name) {
            config.put("kiln.auth.api-keys." + id + ".sha256", HexFormat.of().formatHex(ApiKeys.sha256(secret)));
            config.put("kiln.auth.api-keys." + id + ".role", role);
            config.put("kiln.auth.api-keys." + id + ".name", name);
        }
    }

    private static Path log() {
        return Path.of(ConfigProvider.getConfig().getValue("quarkus.log.file.path", String.class));
    }

    /** Every operation of the OpenAPI document, as method and path with its parameters filled in. */
    private static List<String[]> operations() throws IOException {
        JsonNode document = JSON.readTree(given().accept("application/json").get("/q/openapi?format=json").then().statusCode(200).extract().asString());
        List<String[]> operations = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = document.path("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            String concrete = path.getKey().replaceAll("\\{table\\}", "demo.docs").replaceAll("\\{[^}]*\\}", "1");
            for (Iterator<String> methods = path.getValue().fieldNames(); methods.hasNext(); ) {
                String method = methods.next();
                if (List.of("get", "post", "put", "delete", "patch").contains(method)) {
                    operations.add(new String[] {method.toUpperCase(java.util.Locale.ROOT), concrete});
                }
            }
        }
        return operations;
    }

    private static Response call(String method, String path, String key) {
        var request = given().contentType("application/json").body("{}");
        if (key != null) {
            request = request.header("Authorization", "Bearer " + key);
        }
        return request.request(method, path);
    }

    @Test
    void everyEndpointOfTheOpenApiDocumentRefusesACallWithoutAKnownKey() throws IOException {
        List<String[]> operations = operations();
        assertThat(operations).as("the document lists the API").hasSizeGreaterThan(25);
        for (String[] operation : operations) {
            Response response = call(operation[0], operation[1], null);
            assertThat(response.statusCode()).as("%s %s without a key", operation[0], operation[1]).isEqualTo(401);
            assertThat(response.jsonPath().getString("error.code")).as("%s %s", operation[0], operation[1]).isEqualTo("UNAUTHENTICATED");
            assertThat(response.header("WWW-Authenticate")).startsWith("Bearer");
            Response wrong = call(operation[0], operation[1], "kiln_not-a-key");
            assertThat(wrong.statusCode()).as("%s %s with an unknown key", operation[0], operation[1]).isEqualTo(401);
            assertThat(wrong.asString()).doesNotContain("kiln_not-a-key").doesNotContain("Exception");
        }
        given().get("/q/health/live").then().statusCode(200);
    }

    @Test
    void eachRoleReachesWhatItMayAndNoMore() throws IOException {
        for (String[] operation : operations()) {
            boolean writes = operation[0].equals("DELETE") || operation[1].endsWith("/maintenance") || operation[1].startsWith("/v1/jobs") && operation[0].equals("POST")
                    || operation[1].endsWith("/pins") && operation[0].equals("POST");
            boolean admin = operation[0].equals("DELETE") || operation[1].endsWith("/maintenance");
            int reader = call(operation[0], operation[1], READER).statusCode();
            int writer = call(operation[0], operation[1], WRITER).statusCode();
            int ops = call(operation[0], operation[1], ADMIN).statusCode();
            assertThat(reader).as("reader: %s %s", operation[0], operation[1]).matches(status -> writes ? status == 403 : status != 401 && status != 403);
            assertThat(writer).as("writer: %s %s", operation[0], operation[1]).matches(status -> admin ? status == 403 : status != 401 && status != 403);
            assertThat(ops).as("admin: %s %s", operation[0], operation[1]).matches(status -> status != 401 && status != 403);
        }
        Response forbidden = call("POST", "/v1/jobs", READER);
        assertThat(forbidden.jsonPath().getString("error.code")).isEqualTo("FORBIDDEN");
        assertThat(forbidden.jsonPath().getString("error.requestId")).isNotBlank();
    }

    @Test
    void theCallerIsRecordedOnTheJobTheSnapshotThePinAndInTheAuditLog() throws IOException, InterruptedException {
        String table = "auth.docs";
        Map<String, Object> spec = Map.of("table", table, "source", Map.of("uri", "file://" + FIXTURES + "/docs/clean.jsonl", "format", "jsonl"));
        String id = given().header("X-Kiln-Api-Key", WRITER).contentType("application/json").body(spec).post("/v1/jobs").then().statusCode(202)
                .body("submittedBy", equalTo("airflow-etl")).extract().path("id");
        String state = "";
        for (int i = 0; i < 600 && !state.equals("PUBLISHED") && !state.equals("FAILED"); i++) {
            Thread.sleep(100);
            state = given().header("Authorization", "Bearer " + READER).get("/v1/jobs/" + id).then().statusCode(200).extract().path("state");
        }
        assertThat(state).isEqualTo("PUBLISHED");
        String snapshot = given().header("Authorization", "Bearer " + READER).get("/v1/jobs/" + id).then().extract().path("snapshotId");
        given().header("Authorization", "Bearer " + READER).get("/v1/tables/" + table + "/snapshots/" + snapshot).then().statusCode(200)
                .body("summary.'kiln.submitted-by'", equalTo("airflow-etl"));

        given().header("Authorization", "Bearer " + WRITER).contentType("application/json")
                .body(Map.of("name", "v1", "snapshotId", snapshot, "reason", "training run 7", "owner", "somebody-else"))
                .post("/v1/tables/" + table + "/pins").then().statusCode(400).body("error.violations[0].field", equalTo("owner"));
        given().header("Authorization", "Bearer " + WRITER).contentType("application/json").body(Map.of("name", "v1", "snapshotId", snapshot, "reason", "training run 7"))
                .post("/v1/tables/" + table + "/pins").then().statusCode(201).body("owner", equalTo("airflow-etl"));
        given().header("Authorization", "Bearer " + WRITER).delete("/v1/tables/" + table + "/pins/v1").then().statusCode(403);
        given().header("Authorization", "Bearer " + ADMIN).delete("/v1/tables/" + table + "/pins/v1").then().statusCode(204);

        String audit = String.join("\n", Files.readAllLines(log()).stream().filter(line -> line.contains("io.kiln.audit")).toList());
        assertThat(audit).contains("airflow-etl (writer) POST /v1/jobs -> 202 request ")
                .contains("airflow-etl (writer) POST /v1/tables/auth.docs/pins -> 400")
                .contains("airflow-etl (writer) POST /v1/tables/auth.docs/pins -> 201")
                .contains("airflow-etl (writer) DELETE /v1/tables/auth.docs/pins/v1 -> 403")
                .contains("platform-ops (admin) DELETE /v1/tables/auth.docs/pins/v1 -> 204")
                .containsPattern("unauthenticated \\(-\\) POST /v1/jobs -> 401 request [0-9a-f-]{36}");
        // no key, not even the wrong one a client sent, is in the service's log
        assertThat(Files.readString(log())).doesNotContain(WRITER).doesNotContain(ADMIN).doesNotContain(READER).doesNotContain("kiln_not-a-key");
    }
}

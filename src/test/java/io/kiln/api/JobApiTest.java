package io.kiln.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.notNullValue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

@QuarkusTest
@QuarkusTestResource(TempDataDirectory.class)
class JobApiTest {
    private static final String FIXTURES = Path.of("src/test/resources/fixtures").toAbsolutePath().toString();

    @Test
    void aValidJobPublishesItsRowsWithLineageAndSummary() {
        String table = "demo.clean_" + suffix();
        Response accepted = submit(Map.of(
                "table", table,
                "source", Map.of("uri", "file://" + FIXTURES + "/docs/clean.jsonl", "format", "jsonl"),
                "steps", List.of(Map.of("name", "normalize"))), null);
        accepted.then().statusCode(202).body("id", notNullValue()).body("state", equalTo("QUEUED")).body("table", equalTo(table));

        JsonPath job = awaitFinal(accepted.jsonPath().getString("id"));
        assertThat(job.getString("state")).isEqualTo("PUBLISHED");
        assertThat(job.getLong("counts.read")).isEqualTo(40);
        assertThat(job.getLong("counts.written")).isEqualTo(40);
        assertThat(job.getLong("counts.rejected")).isZero();
        assertThat(job.getLong("snapshotId")).isNotZero();
        assertThat(job.<Object>get("snapshotId")).as("64-bit ids are JSON strings: JavaScript and jq round numbers above 2^53").isInstanceOf(String.class);
        assertThat(job.getString("steps[0].step")).isEqualTo("normalize@1");
        assertThat(job.getDouble("progress.fraction")).isEqualTo(1.0);

        given().get("/v1/tables").then().statusCode(200).body("tables", hasItems(table, table + "__rejects"));
        given().get("/v1/tables/" + table).then().statusCode(200)
                .body("currentSnapshotId", equalTo(job.getString("snapshotId")))
                .body("refs.main.snapshotId", equalTo(job.getString("snapshotId")))
                .body("schema.name", hasItems("id", "text", "_kiln_source_uri", "_kiln_source_sha256", "_kiln_source_pos", "_kiln_job_id", "_kiln_recipe"));
        JsonPath snapshots = given().get("/v1/tables/" + table + "/snapshots").then().statusCode(200).extract().jsonPath();
        Map<String, String> summary = snapshots.getMap("snapshots[0].summary");
        assertThat(summary).containsEntry("kiln.job-id", job.getString("id"))
                .containsEntry("kiln.rows-read", "40")
                .containsEntry("kiln.rows-written", "40")
                .containsEntry("kiln.rows-rejected", "0")
                .containsKeys("kiln.recipe", "kiln.version", "kiln.input-digest", "kiln.content-digest", "kiln.input-manifest");
    }

    @Test
    void malformedLinesAreRejectedWithReasonsAndTheRestIsIngested() {
        String table = "demo.mixed_" + suffix();
        JsonPath job = awaitFinal(submit(Map.of(
                "table", table,
                "source", Map.of("uri", "file://" + FIXTURES + "/docs/mixed.jsonl", "format", "jsonl",
                        "fields", Map.of("id", "doc.key", "text", "body")),
                "steps", List.of(Map.of("name", "normalize"))), null).then().statusCode(202).extract().jsonPath().getString("id"));

        assertThat(job.getString("state")).isEqualTo("PUBLISHED");
        assertThat(job.getLong("counts.read")).isEqualTo(13);
        assertThat(job.getLong("counts.written")).isEqualTo(10);
        assertThat(job.getLong("counts.rejected")).isEqualTo(3);
        assertThat(job.getMap("rejectedByReason", String.class, Integer.class)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "extract/malformed-json", 1, "extract/not-an-object", 1, "normalize@1/empty-text", 1));
        assertThat(job.getLong("counts.read")).isEqualTo(job.getLong("counts.written") + job.getLong("counts.rejected"));
        Map<String, String> rejectsSummary = given().get("/v1/tables/" + table + "__rejects/snapshots").then().statusCode(200)
                .extract().jsonPath().getMap("snapshots[0].summary");
        assertThat(rejectsSummary).containsEntry("added-records", "3").containsEntry("kiln.job-id", job.getString("id"));
    }

    @Test
    void plainTextFilesAreOneDocumentEach() {
        JsonPath job = awaitFinal(submit(Map.of(
                "table", "demo.texts_" + suffix(),
                "source", Map.of("uri", "file://" + FIXTURES + "/texts", "format", "text"),
                "steps", List.of(Map.of("name", "normalize", "params", Map.of("form", "NFKC")))), null).jsonPath().getString("id"));
        assertThat(job.getString("state")).isEqualTo("PUBLISHED");
        assertThat(job.getLong("counts.written")).isEqualTo(2);
    }

    @Test
    void badSpecsAreA400NamingEachField() {
        assertViolation(Map.of("source", Map.of("uri", "file://" + FIXTURES + "/docs/clean.jsonl", "format", "jsonl")),
                "table", "is required");
        assertViolation(spec("demo.bad", "file://" + FIXTURES + "/docs/clean.jsonl", List.of(Map.of("name", "lowercase-everything"))),
                "steps[0].name", "unknown step 'lowercase-everything'; known steps: anonymize, audio-features, audio-normalize, audio-segments, bucketize, chunk, clean, clip, contamination, dedup-audio, dedup-exact, dedup-image, dedup-near, embed, embed-audio, embed-image, encode, filter, image-normalize, image-stats, image-visual-words, impute, label, language, log, normalize, pii-redact, quality-filter, scale, select, split, tokenize");
        assertViolation(spec("demo.bad", "file://" + FIXTURES + "/docs/clean.jsonl", List.of(Map.of("name", "dedup-near", "version", 9))),
                "steps[0].version", "step 'dedup-near' has no version 9; its versions are 1, 2");
        assertViolation(spec("demo.bad", "file://" + FIXTURES + "/docs/clean.jsonl", List.of(Map.of("name", "pii-redact", "version", 0))),
                "steps[0].version", "must be 1 or more");
        assertViolation(spec("demo.bad", "file://" + FIXTURES + "/docs/missing.jsonl", List.of()),
                "source.uri", "does not exist: " + FIXTURES + "/docs/missing.jsonl");
        assertViolation(spec("demo.bad", "file://" + FIXTURES + "/docs/*.parquet", List.of()),
                "source.uri", "matches no files");
        assertViolation(spec("demo.bad", "s3://bucket/docs/*.jsonl", List.of()),
                "source.uri", "must be a file URI (file:///path), was scheme s3");
        assertViolation(spec("demo.bad", "file:///etc/hostname", List.of()),
                "source.uri", "is outside the configured source roots");
        assertViolation(spec("demo.bad", "file:///etc/shadow", List.of()),
                "source.uri", "is outside the configured source roots");
        assertViolation(spec("demo.bad", "file:///etc/no-such-file-" + suffix(), List.of()),
                "source.uri", "is outside the configured source roots");
        assertViolation(spec("demo.bad", "file://" + FIXTURES + "/docs/clean.jsonl", List.of(Map.of("name", "normalize", "params", Map.of("form", "NFD")))),
                "steps[0].params.form", "must be one of NFC, NFKC, was NFD");
        assertViolation(spec("demo.bad", "file://" + FIXTURES + "/docs/clean.jsonl", List.of(Map.of("name", "embed",
                "params", Map.of("modelPath", "/nowhere/model.onnx", "tokenizerPath", "/nowhere/tokenizer.json")))),
                "steps[0].params.modelPath", "is outside the configured source roots");
        assertViolation(spec("Demo.Bad-Name", "file://" + FIXTURES + "/docs/clean.jsonl", List.of()),
                "table", "must be <namespace>.<name>: lower-case letters, digits and underscores, each starting with a letter");
        assertViolation(Map.of("table", "demo.bad", "source", Map.of("uri", "file://" + FIXTURES + "/docs/clean.jsonl", "format", "xml")),
                "source.format", "unknown format 'xml'; known formats: jsonl, csv, parquet, text, document, auto, image, audio, webdataset, label-studio");
        assertViolation(Map.of("table", "demo.bad", "source", Map.of("uri", "file://" + FIXTURES + "/docs/clean.jsonl", "format", "jsonl"), "colour", "blue"),
                "colour", "unknown field");
        // the test service runs without the check engine: no retry can make a suite run, so it is a 400, not a 503
        assertViolation(Map.of("table", "demo.bad", "source", Map.of("uri", "file://" + FIXTURES + "/docs/clean.jsonl", "format", "jsonl"), "checks",
                "text-default"), "checks", "names a check suite, but this service runs without the check engine (kiln.checks.engine.mode=off): "
                + "leave checks out, or run the service with the engine");
    }

    @Test
    void aSpecIsReadStrictlyNotCoercedOrTrimmed() {
        String clean = "file://" + FIXTURES + "/docs/clean.jsonl";
        assertRawViolation("{\"table\": \"demo.trailing\", \"source\": {\"uri\": \"" + clean + "\", \"format\": \"jsonl\"}} xyz",
                "body", "has content after the JSON object");
        assertRawViolation("{\"table\": \"demo.trailing\", \"source\": {\"uri\": \"" + clean + "\", \"format\": \"jsonl\"}} {}",
                "body", "has content after the JSON object");
        assertViolation(Map.of("table", "demo.bad", "source", Map.of("uri", clean, "format", "jsonl", "fields", Map.of())),
                "source.fields", "must map id, text or both; leave it out to read the fields id and text");
        assertViolation(Map.of("table", "demo.bad", "source", Map.of("uri", clean, "format", "jsonl", "fields", Map.of("id", 1))),
                "source.fields.id", "must be a string, was a number");
        assertViolation(Map.of("table", "demo.bad", "source", Map.of("uri", clean, "format", "jsonl"), "tag", 5),
                "tag", "must be a string, was a number");
        assertViolation(Map.of("table", "demo.bad", "source", Map.of("uri", clean, "format", true)),
                "source.format", "must be a string, was a boolean");
        assertViolation(spec("demo.bad", clean, List.of(Map.of("name", "normalize", "version", "1"))),
                "steps[0].version", "must be a whole number, was a string");
        assertViolation(spec("demo.bad", clean, List.of(Map.of("name", "normalize", "version", 1.5))),
                "steps[0].version", "must be a whole number, was a number");
        assertRawViolation("{\"table\": \"demo.bad\", \"source\": {\"uri\": \"" + clean + "\", \"format\": \"jsonl\", \"fields\": {\"id\": null}}}",
                "source.fields.id", "must name a JSON field");
        assertViolation(Map.of("table", "demo.bad", "source", Map.of("uri", clean, "format", "jsonl"), "tag", "main"),
                "tag", "'main' is reserved: it names the table's main branch");
        assertViolation(Map.of("table", "demo.bad", "source", Map.of("uri", clean, "format", "jsonl"), "tag", "audit-job-1"),
                "tag", "must not start with audit-: Kiln names its job branches so");
        List<Map<String, Object>> tooMany = Collections.nCopies(10_000, Map.of("name", "normalize"));
        assertViolation(spec("demo.bad", clean, tooMany), "steps", "must be at most 100 steps, was 10000");
    }

    @Test
    void aBodyOverTheLimitGetsA413WithTheErrorBody() throws IOException {
        String declaredTooLarge = rawPost("Content-Length: 20000000\r\n\r\n{", "");
        assertThat(declaredTooLarge).startsWith("HTTP/1.1 413 ");
        assertThat(JsonPath.from(body(declaredTooLarge)).getString("error.code")).isEqualTo("REQUEST_TOO_LARGE");
        assertThat(JsonPath.from(body(declaredTooLarge)).getString("error.message")).isEqualTo("The request body is too large: the limit is 10485760 bytes");
        String chunk = Integer.toHexString(1 << 20) + "\r\n" + " ".repeat(1 << 20) + "\r\n";
        String streamedTooLarge = rawPost("Transfer-Encoding: chunked\r\n\r\n", chunk.repeat(11) + "0\r\n\r\n");
        assertThat(streamedTooLarge).startsWith("HTTP/1.1 413 ");
        assertThat(JsonPath.from(body(streamedTooLarge)).getString("error.code")).isEqualTo("REQUEST_TOO_LARGE");
        String streamedSmall = rawPost("Transfer-Encoding: chunked\r\n\r\n", "2\r\n{}\r\n0\r\n\r\n");
        assertThat(streamedSmall).startsWith("HTTP/1.1 400 ");
        assertThat(JsonPath.from(body(streamedSmall)).getString("error.violations.find { it.field == 'table' }.message")).isEqualTo("is required");
    }

    @Test
    void unreadableBodiesGetAMessageThatSaysWhyInPlainWords() {
        byte[] invalidUtf8 = "{\"table\": \"demo.\u00ff\"}".getBytes(StandardCharsets.ISO_8859_1);
        Response notUtf8 = given().contentType(ContentType.JSON).body(invalidUtf8).post("/v1/jobs");
        notUtf8.then().statusCode(400).body("error.code", equalTo("INVALID_REQUEST"))
                .body("error.message", equalTo("The request body is not valid UTF-8: an invalid byte sequence at offset 16"));
        assertNoInternals(notUtf8.asString());
        byte[] overlong = {'{', '"', 't', 'a', 'b', 'l', 'e', '"', ':', '"', (byte) 0xC0, (byte) 0xAF, '"', '}'};
        given().contentType(ContentType.JSON).body(overlong).post("/v1/jobs").then().statusCode(400)
                .body("error.message", equalTo("The request body is not valid UTF-8: an invalid byte sequence at offset 10"));

        for (String deep : List.of("[".repeat(50_000) + "]".repeat(50_000), "{\"a\":".repeat(50_000) + "1" + "}".repeat(50_000))) {
            Response tooDeep = given().contentType(ContentType.JSON).body(deep).post("/v1/jobs");
            tooDeep.then().statusCode(400).body("error.code", equalTo("INVALID_REQUEST"))
                    .body("error.message", equalTo("The request body is not valid JSON: nested deeper than 1000 levels"));
            assertNoInternals(tooDeep.asString());
            assertThat(tooDeep.asString()).doesNotContain("StreamReadConstraints").doesNotContain("`");
        }
    }

    /** A POST of /v1/jobs written by hand: the headers after Content-Type, then the body; the answer as text. */
    private static String rawPost(String headers, String body) throws IOException {
        try (Socket socket = new Socket("localhost", RestAssured.port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/jobs HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n" + headers).getBytes(StandardCharsets.ISO_8859_1));
            out.write(body.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            for (int n; !complete(answer.toString(StandardCharsets.ISO_8859_1)) && (n = in.read(buffer)) >= 0; ) {
                answer.write(buffer, 0, n);
            }
            return answer.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private static boolean complete(String answer) {
        int end = answer.indexOf("\r\n\r\n");
        if (end < 0) {
            return false;
        }
        java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(answer.substring(0, end));
        return length.find() && answer.length() - end - 4 >= Integer.parseInt(length.group(1));
    }

    private static String body(String answer) {
        return answer.substring(answer.indexOf("\r\n\r\n") + 4);
    }

    @Test
    void everyProblemOfASpecIsReportedAtOnce() {
        Response response = submit(Map.of("source", Map.of("uri", "ftp://x/y", "format", "jsonl"),
                "steps", List.of(Map.of("name", "nope"))), null);
        response.then().statusCode(400).body("error.code", equalTo("INVALID_JOB_SPEC"));
        assertThat(response.jsonPath().getList("error.violations.field", String.class)).containsExactly("source.uri", "steps[0].name", "table");
    }

    @Test
    void brokenRequestsGetClearErrorsWithoutInternals() {
        Response response = given().contentType(ContentType.JSON).body("{\"table\": ").post("/v1/jobs");
        response.then().statusCode(400).body("error.code", equalTo("INVALID_REQUEST"));
        assertNoInternals(response.asString());
        Response wrongType = given().contentType(ContentType.JSON).body("{\"table\": \"demo.x\", \"steps\": \"normalize\"}").post("/v1/jobs");
        wrongType.then().statusCode(400).body("error.violations[0].field", equalTo("steps"));
        assertNoInternals(wrongType.asString());
        given().get("/v1/jobs/job-does-not-exist").then().statusCode(404).body("error.code", equalTo("JOB_NOT_FOUND"));
        given().get("/v1/tables/demo.nothing_here").then().statusCode(404).body("error.code", equalTo("TABLE_NOT_FOUND"));
    }

    @Test
    void aRetryWithTheSameIdempotencyKeyReturnsTheSameJob() {
        String key = "retry-" + UUID.randomUUID();
        Map<String, Object> spec = spec("demo.idem_" + suffix(), "file://" + FIXTURES + "/docs/clean.jsonl", List.of());
        String first = submit(spec, key).then().statusCode(202).extract().jsonPath().getString("id");
        String second = submit(spec, key).then().statusCode(202).extract().jsonPath().getString("id");
        assertThat(second).isEqualTo(first);
        awaitFinal(first);
        assertThat(given().get("/v1/jobs?limit=1000").jsonPath().getList("jobs.id", String.class).stream().filter(first::equals)).hasSize(1);

        Response conflict = submit(spec("demo.other", "file://" + FIXTURES + "/docs/clean.jsonl", List.of()), key);
        conflict.then().statusCode(409).body("error.code", equalTo("IDEMPOTENCY_KEY_REUSED"))
                .body("error.message", containsString(first));
    }

    @Test
    void aFinishedJobCannotBeCancelled() {
        String id = submit(spec("demo.done_" + suffix(), "file://" + FIXTURES + "/docs/clean.jsonl", List.of()), null).jsonPath().getString("id");
        awaitFinal(id);
        given().post("/v1/jobs/" + id + "/cancel").then().statusCode(409).body("error.code", equalTo("JOB_NOT_CANCELLABLE"));
    }

    /** A cancel of a running job answers CANCELLING (it stops at its next batch), and the job ends CANCELLED with nothing published. */
    @Test
    void aRunningJobShowsCancellingUntilItStops() throws IOException {
        Path file = java.nio.file.Files.createDirectories(Path.of("target/test-inputs").toAbsolutePath()).resolve("long-" + suffix() + ".jsonl");
        try (var out = java.nio.file.Files.newBufferedWriter(file)) {
            for (int i = 0; i < 400_000; i++) {
                out.write("{\"id\": \"l" + i + "\", \"text\": \"line number " + i + " of a long input\"}\n");
            }
        }
        String table = "demo.cancel_" + suffix();
        String id = submit(Map.of("table", table, "source", Map.of("uri", "file://" + file, "format", "jsonl"), "steps", List.of(Map.of("name", "normalize"))), null)
                .then().statusCode(202).extract().jsonPath().getString("id");
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (!given().get("/v1/jobs/" + id).jsonPath().getString("state").equals("RUNNING") && Instant.now().isBefore(deadline)) {
            Thread.onSpinWait();
        }
        given().post("/v1/jobs/" + id + "/cancel").then().statusCode(200).body("state", equalTo("CANCELLING"));
        JsonPath ended = awaitFinal(id);
        assertThat(ended.getString("state")).isEqualTo("CANCELLED");
        assertThat(ended.getString("snapshotId")).isNull();
        java.nio.file.Files.delete(file);
    }

    @Test
    void servesTheOpenApiDocumentAndSwaggerUi() {
        given().get("/q/openapi?format=json").then().statusCode(200).body(containsString("/v1/jobs/{id}/cancel"))
                .body("paths.'/v1/jobs'.post.requestBody.content.'application/json'.schema.'$ref'", equalTo("#/components/schemas/JobSpec"));
        given().get("/q/swagger-ui/").then().statusCode(200);
    }

    /** The OpenAPI document says what POST /v1/jobs really answers: 202 with a job, and errors in the one error shape. */
    @Test
    void theOpenApiDocumentMatchesWhatSubmittingAnswers() {
        JsonPath document = given().get("/q/openapi?format=json").then().statusCode(200).extract().jsonPath();
        Map<String, Object> responses = document.getMap("paths.'/v1/jobs'.post.responses");
        assertThat(responses).containsKeys("202", "400", "409", "413", "503").doesNotContainKey("200");
        assertThat(document.getString("paths.'/v1/jobs'.post.responses.'202'.content.'application/json'.schema.'$ref'")).isEqualTo("#/components/schemas/JobView");
        assertThat(document.getString("paths.'/v1/jobs'.post.responses.'400'.content.'application/json'.schema.'$ref'")).isEqualTo("#/components/schemas/Error");
        Map<String, Object> jobSchema = document.getMap("components.schemas.JobView.properties");
        Map<String, Object> errorSchema = document.getMap("components.schemas.ErrorDetail.properties");
        java.util.Set<String> jobFields = jobSchema.keySet();
        java.util.Set<String> errorFields = errorSchema.keySet();
        List<String> codes = document.getList("components.schemas.ErrorCode.enum");

        Response accepted = submit(Map.of("table", "demo.openapi_" + suffix(), "source", Map.of("uri", "file://" + FIXTURES + "/docs/clean.jsonl", "format", "jsonl")), null);
        assertThat(accepted.statusCode()).isEqualTo(202);
        assertThat(jobFields).containsAll(accepted.jsonPath().<String, Object>getMap("").keySet());
        Response refused = submit(Map.of("table", "Not A Table"), null);
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.jsonPath().<String, Object>getMap("").keySet()).containsExactly("error");
        assertThat(errorFields).containsAll(refused.jsonPath().<String, Object>getMap("error").keySet());
        assertThat(codes).contains(refused.jsonPath().getString("error.code"));
        awaitFinal(accepted.jsonPath().getString("id"));

        // every operation documents its errors in that one shape
        Map<String, Map<String, Map<String, Object>>> paths = document.getMap("paths");
        int operations = 0;
        for (Map.Entry<String, Map<String, Map<String, Object>>> path : paths.entrySet()) {
            for (Map.Entry<String, Map<String, Object>> operation : path.getValue().entrySet()) {
                @SuppressWarnings("unchecked")
                Map<String, Object> operationResponses = (Map<String, Object>) operation.getValue().get("responses");
                assertThat(operationResponses).as("%s %s", operation.getKey(), path.getKey()).containsKey("default");
                assertThat(String.valueOf(operationResponses.get("default"))).as("%s %s", operation.getKey(), path.getKey()).contains("#/components/schemas/Error");
                operations++;
            }
        }
        assertThat(operations).isGreaterThan(20);
    }

    private static Map<String, Object> spec(String table, String uri, List<Map<String, Object>> steps) {
        return Map.of("table", table, "source", Map.of("uri", uri, "format", "jsonl"), "steps", steps);
    }

    private static void assertViolation(Map<String, Object> spec, String field, String message) {
        Response response = submit(spec, null);
        response.then().statusCode(400)
                .body("error.code", equalTo("INVALID_JOB_SPEC"))
                .body("error.violations.find { it.field == '" + field + "' }.message", equalTo(message));
        assertNoInternals(response.asString());
    }

    private static void assertRawViolation(String body, String field, String message) {
        Response response = given().contentType(ContentType.JSON).body(body).post("/v1/jobs");
        response.then().statusCode(400)
                .body("error.code", equalTo("INVALID_JOB_SPEC"))
                .body("error.violations.find { it.field == '" + field + "' }.message", equalTo(message));
        assertNoInternals(response.asString());
    }

    private static void assertNoInternals(String body) {
        assertThat(body).doesNotContain("Exception").doesNotContain("io.kiln").doesNotContain("com.fasterxml").doesNotContain("\tat ");
    }

    private static Response submit(Map<String, Object> spec, String idempotencyKey) {
        var request = given().contentType(ContentType.JSON).body(spec);
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return request.post("/v1/jobs");
    }

    static JsonPath awaitFinal(String id) {
        return awaitFinal(id, 60);
    }

    static JsonPath awaitFinal(String id, int seconds) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(seconds));
        while (Instant.now().isBefore(deadline)) {
            JsonPath job = given().get("/v1/jobs/" + id).then().statusCode(200).extract().jsonPath();
            if (List.of("PUBLISHED", "REJECTED", "FAILED", "CANCELLED").contains(job.getString("state"))) {
                return job;
            }
            try {
                Thread.sleep(100);
            }
            catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
        throw new AssertionError("job " + id + " did not finish in " + seconds + " s");
    }

    private static String suffix() {
        return UUID.randomUUID().toString().substring(0, 8);
    }
}

package io.kiln.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.iceberg.inmemory.InMemoryCatalog;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

import io.kiln.KilnConfig;
import io.kiln.catalog.CatalogSettings;
import io.kiln.source.InputFile;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** The emitter against a real HTTP server: what it posts, with the API key, and that a failing lineage server never fails a job. */
class OpenLineageEmitterTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void postsEachEventInOrderToTheEndpointWithTheApiKey() throws Exception {
        List<String> requests = new CopyOnWriteArrayList<>();
        HttpServer server = server(201, requests);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try {
            OpenLineageEmitter emitter = emitter(settings("http", Optional.of(url(server)), Optional.of("lineage-key-3f9a"), Optional.empty()), meters);
            Job failed = failedJob();
            emitter.started(failed, List.of(new InputFile("file:///data/raw/part-0.jsonl", Path.of("/data/raw/part-0.jsonl"), "part-0.jsonl", 1234)));
            emitter.ended(failed);
            emitter.close();
        }
        finally {
            server.stop(0);
        }
        assertThat(requests).hasSize(2).allSatisfy(request -> assertThat(request).startsWith("POST /api/v1/lineage Bearer lineage-key-3f9a {"));
        JsonNode start = JSON.readTree(requests.get(0).substring(requests.get(0).indexOf('{')));
        JsonNode fail = JSON.readTree(requests.get(1).substring(requests.get(1).indexOf('{')));
        assertThat(start.path("eventType").asText()).isEqualTo("START");
        assertThat(start.path("run").path("runId").asText()).isEqualTo("0b9c5d2e-4f7a-4d3e-9a51-2c8f0e6b7d14");
        assertThat(start.path("inputs").get(0).path("name").asText()).isEqualTo("/data/raw/part-0.jsonl");
        assertThat(start.path("run").path("facets").path("kiln_job").path("submittedBy").asText()).isEqualTo("airflow-etl");
        assertThat(fail.path("eventType").asText()).isEqualTo("FAIL");
        assertThat(fail.path("run").path("facets").path("errorMessage").path("message").asText())
                .isEqualTo("SOURCE_UNREADABLE: The job's source matches no file any more");
        assertThat(fail.path("outputs").get(0).path("name").asText()).isEqualTo("demo.docs");
        assertThat(meters.counter("kiln.openlineage.events", "outcome", "sent").count()).isEqualTo(2);
    }

    @Test
    void aLineageServerThatFailsIsCountedAndNeverFailsTheJob() throws Exception {
        List<String> requests = new CopyOnWriteArrayList<>();
        HttpServer server = server(500, requests);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try {
            OpenLineageEmitter emitter = emitter(settings("http", Optional.of(url(server)), Optional.empty(), Optional.empty()), meters);
            emitter.ended(failedJob());
            emitter.close();
        }
        finally {
            server.stop(0);
        }
        assertThat(requests).singleElement().asString().startsWith("POST /api/v1/lineage null {");
        assertThat(meters.counter("kiln.openlineage.events", "outcome", "failed").count()).isEqualTo(1);
        assertThat(meters.counter("kiln.openlineage.events", "outcome", "sent").count()).isZero();
    }

    @Test
    void aJobCancelledBeforeItStartedSendsNothing() throws Exception {
        List<String> requests = new CopyOnWriteArrayList<>();
        HttpServer server = server(201, requests);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try {
            OpenLineageEmitter emitter = emitter(settings("http", Optional.of(url(server)), Optional.empty(), Optional.empty()), meters);
            Job queued = Job.queued("job-1f0e2d3c-4b5a-4968-8776-a5b4c3d2e1f0", null, "0".repeat(64), failedJob().spec(), Instant.parse("2026-12-06T12:00:00Z"), "etl");
            emitter.ended(queued.ended(JobState.CANCELLED, Instant.parse("2026-12-06T12:00:05Z"), null));
            emitter.ended(failedJob());
            emitter.close();
        }
        finally {
            server.stop(0);
        }
        assertThat(requests).singleElement().asString().contains("\"eventType\":\"FAIL\"").doesNotContain("1f0e2d3c");
        assertThat(meters.counter("kiln.openlineage.events", "outcome", "sent").count()).isEqualTo(1);
    }

    @Test
    void noneSendsNothingAndCountsNothing() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        OpenLineageEmitter off = emitter(settings("none", Optional.empty(), Optional.empty(), Optional.empty()), meters);
        off.started(failedJob(), List.of());
        off.ended(failedJob());
        off.close();
        assertThat(meters.getMeters()).isEmpty();
    }

    @Test
    void aTransportWithoutItsDestinationOrOfAnUnknownKindIsRefused() {
        assertThatThrownBy(() -> OpenLineageEmitter.transport(settings("http", Optional.empty(), Optional.empty(), Optional.empty())))
                .hasMessage("kiln.openlineage.transport=http needs kiln.openlineage.url (KILN_OPENLINEAGE_URL), e.g. http://marquez:5000");
        assertThatThrownBy(() -> OpenLineageEmitter.transport(settings("file", Optional.empty(), Optional.empty(), Optional.empty())))
                .hasMessage("kiln.openlineage.transport=file needs kiln.openlineage.file (KILN_OPENLINEAGE_FILE): the file events are appended to");
        assertThatThrownBy(() -> OpenLineageEmitter.transport(settings("kafka", Optional.empty(), Optional.empty(), Optional.empty())))
                .hasMessage("kiln.openlineage.transport must be none, http or file, not 'kafka'");
        assertThat(OpenLineageEmitter.transport(settings("none", Optional.empty(), Optional.empty(), Optional.empty()))).isNull();
    }

    @Test
    void theLoggedUrlHasNoCredentials() {
        assertThat(OpenLineageEmitter.withoutSecrets(URI.create("https://etl:s3cret@marquez.internal:5000/base?token=abc"))).isEqualTo("https://marquez.internal:5000/base");
    }

    private static Job failedJob() {
        JobSpec spec = new JobSpec("demo.docs", new SourceSpec("file:///data/raw/*.jsonl", "jsonl", Map.of("id", "id", "text", "text")), List.of(), null, null, null);
        Instant now = Instant.parse("2026-12-06T12:00:00Z");
        return Job.queued("job-0b9c5d2e-4f7a-4d3e-9a51-2c8f0e6b7d14", null, "0".repeat(64), spec, now, "airflow-etl").running(now.plusSeconds(1))
                .ended(JobState.FAILED, now.plusSeconds(2), new Job.JobError("SOURCE_UNREADABLE", "The job's source matches no file any more"));
    }

    private static OpenLineageEmitter emitter(KilnConfig.OpenLineage settings, SimpleMeterRegistry meters) {
        InMemoryCatalog catalog = new InMemoryCatalog();
        catalog.initialize("kiln", Map.of());
        OpenLineageEmitter emitter = new OpenLineageEmitter();
        emitter.open(settings, catalog, new CatalogSettings("kiln", "jdbc:sqlite:/tmp/catalog.db", Optional.empty(), Optional.empty(), "file:///tmp/warehouse"),
                meters, "test");
        return emitter;
    }

    private static HttpServer server(int status, List<String> requests) throws java.io.IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " " + exchange.getRequestHeaders().getFirst("Authorization") + " "
                    + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
        return server;
    }

    private static URI url(HttpServer server) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private static KilnConfig.OpenLineage settings(String transport, Optional<URI> url, Optional<String> apiKey, Optional<String> file) {
        return new KilnConfig.OpenLineage() {
            @Override
            public String transport() {
                return transport;
            }

            @Override
            public Optional<URI> url() {
                return url;
            }

            @Override
            public String endpoint() {
                return "/api/v1/lineage";
            }

            @Override
            public Optional<String> apiKey() {
                return apiKey;
            }

            @Override
            public Duration timeout() {
                return Duration.ofSeconds(5);
            }

            @Override
            public Optional<String> file() {
                return file;
            }

            @Override
            public String namespace() {
                return "kiln";
            }
        };
    }
}

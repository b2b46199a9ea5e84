package io.kiln.checks;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's HTTP API on 127.0.0.1. JSON in, JSON out; every error is {@code {"error": "...", "code": "..."}}
 * with a 4xx/5xx status. {@code /health}, {@code /validate} and {@code /metrics} never wait for Spark work.
 */
final class HttpApi implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
    private static final int MAX_BODY_BYTES = 4 * 1024 * 1024;

    private final HttpServer server;
    private final ExecutorService executor;
    private final SparkRuntime runtime;
    private final Verifier verifier;
    private final MetricsHistory history;
    private final ObjectMapper json = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private record ValidateRequest(String rules) {}

    private HttpApi(HttpServer server, ExecutorService executor, SparkRuntime runtime, Verifier verifier,
                    MetricsHistory history) {
        this.server = server;
        this.executor = executor;
        this.runtime = runtime;
        this.verifier = verifier;
        this.history = history;
    }

    static HttpApi start(String bindAddress, int port, SparkRuntime runtime, Verifier verifier, MetricsHistory history) throws IOException {
        requireNonNull(runtime, "runtime is null");
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(bindAddress), port), 64);
        AtomicInteger threads = new AtomicInteger();
        // unbounded: verifications queued for Spark must never keep /health and /validate waiting
        ExecutorService executor = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "kiln-http-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        HttpApi api = new HttpApi(server, executor, runtime, verifier, history);
        server.createContext("/", api::handle);
        server.start();
        return api;
    }

    int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            try {
                switch (path) {
                    case "/health" -> {
                        requireMethod(method, "GET");
                        health(exchange);
                    }
                    case "/validate" -> {
                        requireMethod(method, "POST");
                        validate(exchange);
                    }
                    case "/verify" -> {
                        requireMethod(method, "POST");
                        VerifyRequest request = read(exchange, VerifyRequest.class);
                        send(exchange, 200, verifier.verify(request));
                    }
                    case "/metrics" -> {
                        requireMethod(method, "GET");
                        metrics(exchange);
                    }
                    default -> throw new EngineException(ErrorCode.NOT_FOUND, "No endpoint " + path);
                }
            }
            catch (EngineException e) {
                if (e.code().httpStatus() >= 500) {
                    LOG.warn("{} {}: {}", method, path, e.getMessage());
                }
                sendError(exchange, e.code(), e.getMessage());
            }
            catch (VirtualMachineError e) {
                throw e;
            }
            catch (Throwable e) {
                LOG.error("{} {} failed", method, path, e);
                sendError(exchange, ErrorCode.INTERNAL_ERROR, "Internal error: " + Messages.brief(e));
            }
        }
        catch (IOException e) {
            LOG.debug("Client went away: {}", e.getMessage());
        }
    }

    private void health(HttpExchange exchange) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        SparkRuntime.Status status = runtime.status();
        body.put("status", status.name());
        runtime.sparkVersion().ifPresent(version -> body.put("spark", version));
        runtime.failure().ifPresent(error -> body.put("error", error));
        send(exchange, status == SparkRuntime.Status.UP ? 200 : 503, body);
    }

    private void validate(HttpExchange exchange) throws IOException {
        ValidateRequest request = read(exchange, ValidateRequest.class);
        if (request.rules() == null) {
            throw new EngineException(ErrorCode.INVALID_REQUEST, "rules is missing");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        try {
            Suite suite = SuiteParser.parse(request.rules());
            body.put("valid", true);
            body.put("rules", suite.snapshotRuleTexts());
            body.put("anomalies", suite.anomalyTexts());
        }
        catch (EngineException e) {
            if (e.code() != ErrorCode.INVALID_RULES) {
                throw e;
            }
            body.put("valid", false);
            body.put("error", e.getMessage());
        }
        send(exchange, 200, body);
    }

    /** {@code ?table=<ns>.<table>&catalogId=<id>}: the table's history in that catalog ({@code catalogId} absent: the history kept by table name alone). */
    private void metrics(HttpExchange exchange) throws IOException {
        Map<String, String> query = query(exchange);
        MetricsHistory.Key key = new MetricsHistory.Key(Optional.ofNullable(query.get("catalogId")), query.get("table"));
        List<HistoryEntry> entries = history.entries(key);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("table", key.table());
        key.catalogId().ifPresent(id -> body.put("catalogId", id));
        body.put("history", entries);
        send(exchange, 200, body);
    }

    private static void requireMethod(String actual, String expected) {
        if (!expected.equals(actual)) {
            throw new EngineException(ErrorCode.METHOD_NOT_ALLOWED, "Use " + expected);
        }
    }

    private <T> T read(HttpExchange exchange, Class<T> type) throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readNBytes(MAX_BODY_BYTES + 1);
        }
        if (body.length > MAX_BODY_BYTES) {
            throw new EngineException(ErrorCode.REQUEST_TOO_LARGE, "Request body is over " + MAX_BODY_BYTES + " bytes");
        }
        try {
            return json.readValue(body, type);
        }
        catch (JsonMappingException e) {
            // a record's compact constructor rejected a value: its message is ours
            if (e.getCause() instanceof EngineException engineException) {
                throw engineException;
            }
            String field = e.getPath().stream()
                    .map(reference -> reference.getFieldName() != null ? reference.getFieldName() : "[" + reference.getIndex() + "]")
                    .collect(Collectors.joining("."));
            if (e instanceof UnrecognizedPropertyException) {
                throw new EngineException(ErrorCode.INVALID_REQUEST, "Unknown field '" + field + "'", e);
            }
            throw new EngineException(ErrorCode.INVALID_REQUEST, field.isEmpty()
                    ? "Invalid request body: expected a JSON object"
                    : "Invalid value for '" + field + "'", e);
        }
        catch (JsonProcessingException e) {
            throw new EngineException(ErrorCode.INVALID_REQUEST, "Invalid JSON at line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr(), e);
        }
    }

    private static Map<String, String> query(HttpExchange exchange) {
        Map<String, String> parameters = new LinkedHashMap<>();
        String raw = exchange.getRequestURI().getRawQuery();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int equals = pair.indexOf('=');
                String name = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
                String value = equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
                parameters.put(name, value);
            }
        }
        return parameters;
    }

    private void send(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = json.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private void sendError(HttpExchange exchange, ErrorCode code, String message) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message);
        body.put("code", code.name());
        send(exchange, code.httpStatus(), body);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}

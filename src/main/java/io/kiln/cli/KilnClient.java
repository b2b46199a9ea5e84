package io.kiln.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/** A thin, blocking client for the Kiln HTTP API. Thread-safe. */
final class KilnClient
{
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final int MAXIMUM_QUOTED_BODY = 300;

    /** How many times a submission is sent, with its Idempotency-Key, when the answer does not come (a timeout, a dropped connection, a 503). */
    static final int SUBMIT_ATTEMPTS = 5;

    private final URI baseUrl;
    private final Duration requestTimeout;
    private final HttpClient http;
    private final ObjectMapper json;

    private final Optional<String> apiKey;

    private KilnClient(URI baseUrl)
    {
        this(baseUrl, REQUEST_TIMEOUT, ApiKeySource.find());
    }

    KilnClient(URI baseUrl, Duration requestTimeout)
    {
        this(baseUrl, requestTimeout, Optional.empty());
    }

    /** {@code apiKey}: sent as {@code Authorization: Bearer} with every request, when present. */
    KilnClient(URI baseUrl, Duration requestTimeout, Optional<String> apiKey)
    {
        this.apiKey = requireNonNull(apiKey, "apiKey is null");
        this.baseUrl = requireNonNull(baseUrl, "baseUrl is null");
        this.requestTimeout = requireNonNull(requestTimeout, "requestTimeout is null");
        this.http = HttpClient.newBuilder()
                .connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
        this.json = newObjectMapper();
    }

    static ObjectMapper newObjectMapper()
    {
        return new ObjectMapper()
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    }

    /** Checks the URL now, so that a typo is a usage error and not a connection error later. */
    static KilnClient forUrl(String url)
    {
        String trimmed = url == null ? "" : url.strip();
        URI parsed;
        try {
            parsed = new URI(trimmed.endsWith("/") ? trimmed.substring(0, trimmed.length() - 1) : trimmed);
        }
        catch (URISyntaxException e) {
            throw new UsageFailureException("invalid service URL '%s': %s".formatted(url, e.getReason()));
        }
        String scheme = parsed.getScheme() == null ? "" : parsed.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || parsed.getHost() == null) {
            throw new UsageFailureException("invalid service URL '%s': expected http://HOST:PORT, for example %s".formatted(url, Kiln.DEFAULT_URL));
        }
        return new KilnClient(parsed);
    }

    URI baseUrl()
    {
        return baseUrl;
    }

    /**
     * Submits a job with an Idempotency-Key (a new random one unless given), and sends it again with
     * the same key when no answer came: the service then returns the job it accepted, never a second one.
     */
    Job submit(byte[] specification, Optional<String> idempotencyKey)
    {
        requireNonNull(specification, "specification is null");
        return postOnce("/v1/jobs", specification, idempotencyKey, "submission", Job.class);
    }

    /**
     * POSTs {@code body} (JSON) with an Idempotency-Key (a new random one unless given), and sends it
     * again with the same key when no answer came, so that a lost answer never makes a second job,
     * export or reproduction.
     */
    <T> T postOnce(String path, byte[] body, Optional<String> idempotencyKey, String what, Class<T> type)
    {
        requireNonNull(body, "body is null");
        requireNonNull(idempotencyKey, "idempotencyKey is null");
        String key = idempotencyKey.orElseGet(() -> "kiln-cli-" + java.util.UUID.randomUUID());
        for (int attempt = 1;; attempt++) {
            HttpRequest request = request(path)
                    .header("Content-Type", "application/json")
                    .header("Idempotency-Key", key)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build();
            try {
                return read(send(request), type);
            }
            catch (ServiceUnreachableException | ServiceErrorException e) {
                if (attempt >= SUBMIT_ATTEMPTS || !answerMayBeLost(e)) {
                    throw e;
                }
                System.err.printf("kiln: no answer to the %s (%s); sending it again with Idempotency-Key %s%n", what, e.getMessage(), key);
                try {
                    Thread.sleep(1000L << (attempt - 1));
                }
                catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /**
     * Polls an operation ({@code /v1/exports/{id}}, {@code /v1/reproductions/{id}}) until its state
     * is SUCCEEDED or FAILED, telling {@code progress} each answer, and returns the last.
     */
    JsonNode follow(String path, java.util.function.Consumer<JsonNode> progress)
    {
        for (long wait = 100;; wait = Math.min(wait * 2, 1000)) {
            JsonNode operation = tree(path);
            progress.accept(operation);
            String state = operation.path("state").asText();
            if (state.equals("SUCCEEDED") || state.equals("FAILED")) {
                return operation;
            }
            try {
                Thread.sleep(wait);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ServiceUnreachableException(baseUrl, "interrupted", e);
            }
        }
    }

    /** Copies the body of a GET of {@code path} into {@code file} as it arrives, and returns its sha256 (hex). */
    String download(String path, java.nio.file.Path file)
    {
        java.security.MessageDigest sha256;
        try {
            sha256 = java.security.MessageDigest.getInstance("SHA-256");
        }
        catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (java.io.OutputStream out = new java.security.DigestOutputStream(new java.io.BufferedOutputStream(
                java.nio.file.Files.newOutputStream(file, java.nio.file.StandardOpenOption.CREATE_NEW)), sha256)) {
            stream(path, out, "*/*");
        }
        catch (IOException e) {
            throw new UsageFailureException("cannot write " + file + ": " + e.getMessage());
        }
        return java.util.HexFormat.of().formatHex(sha256.digest());
    }

    /** A timeout or a connection dropped after the request went out (the job may exist), or a 503 (the service could not take it now). */
    private static boolean answerMayBeLost(RuntimeException e)
    {
        if (e instanceof ServiceErrorException error) {
            return error.status() == 503;
        }
        Throwable cause = e.getCause();
        return cause instanceof IOException && !(cause instanceof ConnectException) && !(cause instanceof HttpConnectTimeoutException)
                && !(cause instanceof UnknownHostException);
    }

    /** POSTs a JSON body and returns the JSON answer (for the commands that just show it). */
    JsonNode post(String path, JsonNode body)
    {
        byte[] bytes;
        try {
            bytes = json.writeValueAsBytes(body);
        }
        catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return read(send(request(path)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
                .build()), JsonNode.class);
    }

    /** DELETEs {@code path}; the service's answer, if it has a body. */
    void delete(String path)
    {
        send(request(path).DELETE().build());
    }

    /** Copies the body of a GET of {@code path} to {@code out} as it arrives (rows can be many), and returns the byte count. */
    long stream(String path, java.io.OutputStream out)
    {
        return stream(path, out, "application/x-ndjson");
    }

    private long stream(String path, java.io.OutputStream out, String accept)
    {
        HttpRequest request = authorized(HttpRequest.newBuilder(URI.create(baseUrl + path))).header("Accept", accept).GET().build();
        HttpResponse<java.io.InputStream> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServiceUnreachableException(baseUrl, "interrupted", e);
        }
        catch (IOException e) {
            throw new ServiceUnreachableException(baseUrl, describe(e), e);
        }
        try (java.io.InputStream body = response.body()) {
            if (response.statusCode() / 100 != 2) {
                throw error(response.statusCode(), request.method(), response.uri().getRawPath(), body.readAllBytes());
            }
            return body.transferTo(out);
        }
        catch (IOException e) {
            throw new ServiceUnreachableException(baseUrl, describe(e), e);
        }
    }

    Job job(String jobId)
    {
        return read(get(jobPath(jobId)), Job.class);
    }

    List<Job> jobs()
    {
        return read(get("/v1/jobs"), JobList.class).jobs();
    }

    List<String> tables()
    {
        return read(get("/v1/tables"), TableList.class).tables();
    }

    Snapshot.Listing snapshots(String table)
    {
        return read(get(snapshotsPath(table)), Snapshot.Listing.class);
    }

    /** The service's answer for {@code path} as a JSON tree, for {@code --json} output. */
    JsonNode tree(String path)
    {
        return read(get(path), JsonNode.class);
    }

    /** The Trino catalog properties that read this service's tables. */
    String trinoCatalogProperties()
    {
        HttpResponse<byte[]> response = send(authorized(HttpRequest.newBuilder(URI.create(baseUrl + "/v1/catalog/trino")))
                .timeout(requestTimeout)
                .header("Accept", "text/plain")
                .GET()
                .build());
        return new String(response.body(), java.nio.charset.StandardCharsets.UTF_8);
    }

    static String jobPath(String jobId)
    {
        return "/v1/jobs/" + pathSegment(jobId);
    }

    static String snapshotsPath(String table)
    {
        return "/v1/tables/" + pathSegment(table) + "/snapshots";
    }

    private HttpResponse<byte[]> get(String path)
    {
        return send(request(path).GET().build());
    }

    private HttpRequest.Builder authorized(HttpRequest.Builder builder)
    {
        apiKey.ifPresent(key -> builder.header("Authorization", "Bearer " + key));
        return builder;
    }

    private HttpRequest.Builder request(String path)
    {
        return authorized(HttpRequest.newBuilder(URI.create(baseUrl + path)))
                .timeout(requestTimeout)
                .header("Accept", "application/json");
    }

    private HttpResponse<byte[]> send(HttpRequest request)
    {
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServiceUnreachableException(baseUrl, "interrupted", e);
        }
        catch (IOException e) {
            throw new ServiceUnreachableException(baseUrl, describe(e), e);
        }
        if (response.statusCode() / 100 != 2) {
            throw error(response);
        }
        return response;
    }

    private <T> T read(HttpResponse<byte[]> response, Class<T> type)
    {
        try {
            return json.readValue(response.body(), type);
        }
        catch (IOException | IllegalArgumentException e) {
            String detail = e instanceof JsonProcessingException processing ? processing.getOriginalMessage() : e.getMessage();
            throw new ServiceErrorException(
                    response.statusCode(),
                    "UNREADABLE_RESPONSE",
                    "%s %s answered with a body this client cannot read (%s): %s".formatted(
                            response.request().method(), response.uri().getRawPath(), detail, quote(response.body())),
                    List.of());
        }
    }

    private ServiceErrorException error(HttpResponse<byte[]> response)
    {
        return error(response.statusCode(), response.request().method(), response.uri().getRawPath(), response.body());
    }

    private ServiceErrorException error(int status, String method, String rawPath, byte[] body)
    {
        String fallbackCode = "HTTP_" + status;
        String fallbackMessage = "%s %s answered HTTP %d%s".formatted(method, rawPath, status, body.length == 0 ? "" : ": " + quote(body));
        JsonNode error;
        try {
            error = json.readTree(body).path("error");
        }
        catch (IOException e) {
            return new ServiceErrorException(status, fallbackCode, fallbackMessage, List.of());
        }
        if (!error.isObject()) {
            return new ServiceErrorException(status, fallbackCode, fallbackMessage, List.of());
        }
        List<ServiceErrorException.Violation> violations = new ArrayList<>();
        for (JsonNode violation : error.path("violations")) {
            violations.add(new ServiceErrorException.Violation(
                    violation.path("field").asText(""),
                    violation.path("message").asText("")));
        }
        return new ServiceErrorException(
                status,
                error.path("code").asText(fallbackCode),
                error.path("message").asText(fallbackMessage),
                violations);
    }

    private String describe(IOException failure)
    {
        if (failure instanceof HttpConnectTimeoutException) {
            return "timed out connecting after " + CONNECT_TIMEOUT.toSeconds() + " s";
        }
        if (failure instanceof HttpTimeoutException) {
            return "no answer within " + requestTimeout.toSeconds() + " s";
        }
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof UnresolvedAddressException || cause instanceof UnknownHostException) {
                return "unknown host";
            }
        }
        if (failure instanceof ConnectException) {
            return "connection refused";
        }
        String message = failure.getMessage();
        return message == null || message.isBlank() ? "connection failed" : "connection failed: " + message;
    }

    private static String quote(byte[] body)
    {
        String text = new String(body, StandardCharsets.UTF_8).strip().replaceAll("\\s+", " ");
        return text.length() <= MAXIMUM_QUOTED_BODY ? text : text.substring(0, MAXIMUM_QUOTED_BODY) + "...";
    }

    /**
     * Percent-encodes every byte but the unreserved ones: safe as one path segment or as a query
     * value; {@link java.net.URLEncoder} is for forms and turns spaces into '+'.
     */
    static String pathSegment(String value)
    {
        requireNonNull(value, "value is null");
        StringBuilder encoded = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (c < 0x80 && (Character.isLetterOrDigit(c) || "-._~".indexOf(c) >= 0)) {
                encoded.append(c);
            }
            else {
                encoded.append('%').append(String.format(Locale.ROOT, "%02X", b & 0xff));
            }
        }
        return encoded.toString();
    }

    record JobList(List<Job> jobs)
    {
        JobList
        {
            jobs = jobs == null ? List.of() : List.copyOf(jobs);
        }
    }

    record TableList(List<String> tables)
    {
        TableList
        {
            tables = tables == null ? List.of() : List.copyOf(tables);
        }
    }
}

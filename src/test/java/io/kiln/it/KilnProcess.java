package io.kiln.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The packaged service ({@code java -jar target/quarkus-app/quarkus-run.jar}) as a real process,
 * configured through environment variables exactly as a user would.
 */
final class KilnProcess implements AutoCloseable {
    private static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final Process process;
    private final int port;
    private final Path log;

    private KilnProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    static KilnProcess start(Map<String, String> environment, List<String> systemProperties, Path log) throws IOException {
        assertThat(JAR).as("the packaged service; run the build's package phase first").exists();
        int port = freePort();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(systemProperties);
        command.add("-jar");
        command.add(JAR.toString());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(environment);
        // the ITs start many services; the one that embeds loads its model when its job is submitted
        builder.environment().putIfAbsent("KILN_EMBED_PRELOAD", "none");
        builder.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
        KilnProcess kiln = new KilnProcess(builder.start(), port, log);
        kiln.awaitReady();
        return kiln;
    }

    /** The service's base URL, for clients that are not this class (the Python client). */
    String url() {
        return "http://127.0.0.1:" + port;
    }

    private void awaitReady() {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(180));
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new AssertionError("Kiln exited with " + process.exitValue() + ":\n" + logTail());
            }
            try {
                if (HTTP.send(HttpRequest.newBuilder(uri("/q/health/ready")).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            }
            catch (IOException e) {
                // not listening yet
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            sleep(200);
        }
        throw new AssertionError("Kiln was not ready in 90 s:\n" + logTail());
    }

    Response post(String path, Object body) {
        try {
            HttpRequest request = HttpRequest.newBuilder(uri(path))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                    .build();
            return send(request);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Response get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).build());
    }

    JsonNode awaitFinalJob(String id) {
        return awaitFinalJob(id, Duration.ofSeconds(90));
    }

    JsonNode awaitFinalJob(String id, Duration patience) {
        Instant deadline = Instant.now().plus(patience);
        while (Instant.now().isBefore(deadline)) {
            JsonNode job = get("/v1/jobs/" + id).json();
            if (List.of("PUBLISHED", "REJECTED", "FAILED", "CANCELLED").contains(job.path("state").asText())) {
                return job;
            }
            sleep(200);
        }
        throw new AssertionError("job " + id + " did not finish:\n" + logTail());
    }

    /** Kills the service the hard way, as a crash or an OOM kill would. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(java.util.concurrent.TimeUnit.SECONDS.toMillis(20), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
        }
    }

    /** Everything the service has logged so far. */
    String log() {
        try {
            return Files.readString(log);
        }
        catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        }
        catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private volatile String apiKey;

    /** Sends {@code key} as the API key with every later call (null: none). */
    void useApiKey(String key) {
        this.apiKey = key;
    }

    private Response send(HttpRequest original) {
        HttpRequest request = apiKey == null ? original : HttpRequest.newBuilder(original, (name, value) -> true).header("Authorization", "Bearer " + apiKey).build();
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.body());
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    record Response(int status, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            }
            catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }
    }
}

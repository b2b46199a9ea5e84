package io.kiln.check;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Writer;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.jboss.logging.Logger;

/**
 * The check engine as a child JVM that Kiln starts, keeps warm, health-checks and restarts when
 * it dies; or, in external mode, an engine someone else runs. The child reads its stdin and exits
 * when it closes, so it never outlives Kiln.
 */
public final class ManagedCheckEngine implements CheckEngine, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ManagedCheckEngine.class);
    private static final String LISTENING = "KILN-CHECK-ENGINE LISTENING ";
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * How to run the engine. {@code catalogId}: the catalog's identity, which keys its metric
     * histories in the engine, so that two catalogs' tables of one name never share one (the
     * managed engine's metrics directory is Kiln's, so histories it kept by table name alone are
     * this catalog's).
     */
    public record Settings(String catalogId, boolean managed, Optional<String> externalUrl, Path directory, Path javaHome, String sparkMaster, String heap,
            Path metricsDirectory, Path log, Duration timeout, Duration startTimeout, Duration healthInterval) {}

    private final Settings settings;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ScheduledExecutorService supervisor = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "kiln-check-engine-supervisor");
        thread.setDaemon(true);
        return thread;
    });
    private final Object lock = new Object();
    private Process process;
    private OutputStream lifeline;
    private String baseUrl;
    private String state = "STOPPED";
    private String lastError;
    private int restarts;
    private int failedHealthChecks;
    private volatile boolean closed;

    public ManagedCheckEngine(Settings settings) {
        this.settings = settings;
    }

    /** Starts the engine in the background and keeps it running. */
    public void start() {
        if (settings.externalUrl().isPresent()) {
            synchronized (lock) {
                baseUrl = settings.externalUrl().get().replaceAll("/+$", "");
                state = "EXTERNAL";
            }
            return;
        }
        supervisor.execute(this::launch);
        long interval = settings.healthInterval().toMillis();
        supervisor.scheduleWithFixedDelay(this::superviseOnce, interval, interval, TimeUnit.MILLISECONDS);
    }

    private void launch() {
        Path jar = settings.directory().resolve("kiln-check-engine.jar");
        if (!Files.isRegularFile(jar)) {
            fail("the check engine is not built at " + settings.directory().toAbsolutePath() + " (./mvnw package builds it)");
            return;
        }
        try {
            List<String> command = new ArrayList<>();
            command.add(settings.javaHome().resolve("bin/java").toString());
            command.add("-Xmx" + settings.heap());
            Path options = settings.directory().resolve("jvm.options");
            if (Files.isRegularFile(options)) {
                Files.readAllLines(options).stream().map(String::trim).filter(line -> !line.isEmpty() && !line.startsWith("#")).forEach(command::add);
            }
            command.add("-cp");
            command.add(jar.toAbsolutePath() + ":" + settings.directory().toAbsolutePath().resolve("lib") + "/*");
            command.add("io.kiln.checks.CheckEngine");
            command.addAll(List.of("--port", "0", "--master", settings.sparkMaster(), "--metrics-dir", settings.metricsDirectory().toAbsolutePath().toString(),
                    "--unkeyed-history-catalog", settings.catalogId()));
            Files.createDirectories(settings.metricsDirectory());
            Files.createDirectories(settings.log().getParent());
            Process started = new ProcessBuilder(command)
                    .redirectError(ProcessBuilder.Redirect.appendTo(settings.log().toFile()))
                    .start();
            synchronized (lock) {
                process = started;
                lifeline = started.getOutputStream();
                state = "STARTING";
                baseUrl = null;
                failedHealthChecks = 0;
            }
            LOG.infof("Check engine starting (pid %d, Spark master %s, log %s)", started.pid(), settings.sparkMaster(), settings.log());
            Thread reader = new Thread(() -> readStdout(started), "kiln-check-engine-stdout");
            reader.setDaemon(true);
            reader.start();
        }
        catch (IOException e) {
            fail("the check engine could not be started: " + e.getMessage());
        }
    }

    private void readStdout(Process started) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(started.getInputStream(), StandardCharsets.UTF_8));
                Writer log = Files.newBufferedWriter(settings.log(), StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.startsWith(LISTENING)) {
                    int port = Integer.parseInt(line.substring(LISTENING.length()).trim());
                    synchronized (lock) {
                        if (process == started) {
                            baseUrl = "http://127.0.0.1:" + port;
                        }
                    }
                }
                log.write(line);
                log.write('\n');
                log.flush();
            }
        }
        catch (IOException | NumberFormatException e) {
            LOG.debugf("check engine output ended: %s", e.getMessage());
        }
    }

    private void superviseOnce() {
        if (closed) {
            return;
        }
        Process current;
        synchronized (lock) {
            current = process;
        }
        if (current == null) {
            return;
        }
        if (!current.isAlive()) {
            restart("the check engine exited with " + current.exitValue());
            return;
        }
        String url;
        synchronized (lock) {
            url = baseUrl;
        }
        if (url == null) {
            return;
        }
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url + "/health")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            synchronized (lock) {
                failedHealthChecks = 0;
                if (response.statusCode() == 200 && process == current) {
                    if (!"UP".equals(state)) {
                        LOG.infof("Check engine is UP at %s", url);
                    }
                    state = "UP";
                    lastError = null;
                }
            }
        }
        catch (IOException e) {
            boolean restart;
            synchronized (lock) {
                failedHealthChecks++;
                restart = failedHealthChecks >= 3;
            }
            if (restart) {
                restart("the check engine stopped answering health checks: " + e.getMessage());
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void restart(String reason) {
        LOG.warnf("%s; restarting it", reason);
        synchronized (lock) {
            if (process != null) {
                process.destroyForcibly();
            }
            process = null;
            baseUrl = null;
            lastError = reason;
            restarts++;
        }
        if (!closed) {
            launch();
        }
    }

    private void fail(String reason) {
        LOG.warn(reason);
        synchronized (lock) {
            state = "UNAVAILABLE";
            lastError = reason;
        }
    }

    @Override
    public Status status() {
        synchronized (lock) {
            Long pid = process == null ? null : process.pid();
            Integer port = baseUrl == null ? null : URI.create(baseUrl).getPort();
            return new Status(state, pid, port, restarts, lastError);
        }
    }

    @Override
    public Validation validate(String suite) {
        ObjectNode body = JSON.createObjectNode().put("rules", suite);
        JsonNode answer = call("/validate", body, Duration.ofSeconds(30));
        List<String> rules = new ArrayList<>();
        answer.path("rules").forEach(rule -> rules.add(rule.asText()));
        answer.path("anomalies").forEach(rule -> rules.add(rule.asText()));
        return new Validation(answer.path("valid").asBoolean(false), answer.path("error").asText(null), rules);
    }

    @Override
    public List<CheckResult> verify(Verification request) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode catalog = body.putObject("catalog");
        catalog.put("name", request.catalogName());
        ObjectNode properties = catalog.putObject("properties");
        properties.put("type", "jdbc");
        request.catalogProperties().forEach(properties::put);
        body.put("table", request.table());
        body.put("snapshotId", request.snapshotId());
        if (request.baseSnapshotId() != null) {
            body.put("baseSnapshotId", request.baseSnapshotId());
        }
        body.put("rules", request.suite());
        if (!request.distinctFromBase().isEmpty()) {
            request.distinctFromBase().forEach(body.putArray("distinctFromBase")::add);
        }
        ObjectNode key = body.putObject("resultKey");
        key.put("timestampMillis", System.currentTimeMillis());
        key.putObject("tags").put("job", request.jobId()).put("table", request.table()).put("snapshot", Long.toString(request.snapshotId()));
        body.put("saveMetricsOnPass", true);
        body.put("catalogId", settings.catalogId());

        JsonNode answer = call("/verify", body, settings.timeout());
        if (!answer.has("outcome") || !answer.path("rules").isArray()) {
            throw new CheckEngineException("the check engine's answer has no outcome or rules");
        }
        List<CheckResult> results = new ArrayList<>();
        for (JsonNode rule : answer.path("rules")) {
            Map<String, Double> metrics = new LinkedHashMap<>();
            Iterator<Map.Entry<String, JsonNode>> fields = rule.path("metrics").fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> metric = fields.next();
                if (metric.getValue().isNumber()) {
                    metrics.put(metric.getKey(), metric.getValue().asDouble());
                }
            }
            CheckResult.Outcome outcome = "PASSED".equals(rule.path("outcome").asText()) ? CheckResult.Outcome.PASSED : CheckResult.Outcome.FAILED;
            results.add(new CheckResult(request.suiteName(), rule.path("rule").asText("?"), outcome, rule.path("message").asText(""), metrics));
        }
        if ("PASSED".equals(answer.path("outcome").asText()) != results.stream().allMatch(CheckResult::passed)) {
            throw new CheckEngineException("the check engine's outcome contradicts its rule results");
        }
        return results;
    }

    @Override
    public JsonNode metrics(String table) {
        return get("/metrics?table=" + URLEncoder.encode(table, StandardCharsets.UTF_8) + "&catalogId=" + URLEncoder.encode(settings.catalogId(), StandardCharsets.UTF_8));
    }

    private JsonNode get(String path) {
        String url = awaitUrl();
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return parse(response);
        }
        catch (IOException e) {
            throw new CheckEngineException("the check engine did not answer: " + e.getMessage(), e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CheckEngineException("interrupted", e);
        }
    }

    private JsonNode call(String path, JsonNode body, Duration timeout) {
        String url = awaitUrl();
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url + path))
                    .timeout(timeout)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                    .build(), HttpResponse.BodyHandlers.ofString());
            return parse(response);
        }
        catch (HttpTimeoutException e) {
            throw new CheckEngineException("the check engine did not answer within " + timeout.toSeconds() + " s", e);
        }
        catch (ConnectException e) {
            throw new CheckEngineException("the check engine is not reachable", e);
        }
        catch (IOException e) {
            throw new CheckEngineException("the check engine failed while answering (" + e.getMessage() + ")", e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CheckEngineException("interrupted", e);
        }
    }

    private static JsonNode parse(HttpResponse<String> response) {
        JsonNode answer;
        try {
            answer = JSON.readTree(response.body());
        }
        catch (JsonProcessingException e) {
            throw new CheckEngineException("the check engine answered HTTP " + response.statusCode() + " with a body that is not JSON");
        }
        if (response.statusCode() != 200) {
            throw new CheckEngineException(answer.path("error").asText("the check engine answered HTTP " + response.statusCode()));
        }
        return answer;
    }

    /** Waits (up to the start timeout) for a starting engine to listen. */
    private String awaitUrl() {
        Instant deadline = Instant.now().plus(settings.startTimeout());
        while (true) {
            synchronized (lock) {
                if (baseUrl != null) {
                    return baseUrl;
                }
                if ("UNAVAILABLE".equals(state) || closed) {
                    throw new CheckEngineException(lastError == null ? "the check engine is unavailable" : lastError);
                }
            }
            if (Instant.now().isAfter(deadline)) {
                throw new CheckEngineException("the check engine did not start within " + settings.startTimeout().toSeconds() + " s");
            }
            try {
                Thread.sleep(100);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CheckEngineException("interrupted", e);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        supervisor.shutdownNow();
        Process current;
        synchronized (lock) {
            current = process;
            state = "STOPPED";
            try {
                if (lifeline != null) {
                    lifeline.close();
                }
            }
            catch (IOException ignored) {
                // the engine goes anyway
            }
        }
        if (current != null) {
            current.destroy();
            try {
                if (!current.waitFor(10, TimeUnit.SECONDS)) {
                    current.destroyForcibly();
                }
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                current.destroyForcibly();
            }
        }
    }
}

package io.kiln.checks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.iceberg.Table;

/**
 * Not a test: measures the packaged engine as Kiln runs it (cold start to LISTENING and to /health UP,
 * first and warm /verify of a 100k-row snapshot with the default text suite, RSS). Run after
 * {@code ../mvnw -B package} with the test class path, see checks/README.md. Arguments: rows (100000),
 * Spark master (local[*]), milliseconds to wait after UP before the first /verify (0).
 */
public final class EngineBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();

    private EngineBenchmark() {}

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        String master = args.length > 1 ? args[1] : "local[*]";
        long pauseAfterUpMillis = args.length > 2 ? Long.parseLong(args[2]) : 0;
        Path directory = Files.createTempDirectory("kiln-engine-bench");
        TestTables tables = new TestTables(directory, "kiln");
        Table table = tables.createTextTable("bench.docs");
        long snapshot = TestTables.append(table, TestTables.docs(0, rows));
        String suite = Files.readString(Path.of("suites/text-default.dqdl"));

        Path engineDirectory = Path.of("target/engine").toAbsolutePath();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx1g");
        command.addAll(Files.readAllLines(engineDirectory.resolve("jvm.options")));
        command.addAll(List.of("-cp", engineDirectory.resolve("kiln-check-engine.jar") + ":" + engineDirectory.resolve("lib") + "/*",
                "io.kiln.checks.CheckEngine", "--port", "0", "--master", master,
                "--metrics-dir", directory.resolve("metrics").toString()));
        long started = System.nanoTime();
        Process engine = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            String line = new BufferedReader(new InputStreamReader(engine.getInputStream(), StandardCharsets.UTF_8)).readLine();
            long listening = millisSince(started);
            URI base = URI.create("http://127.0.0.1:" + line.substring(line.lastIndexOf(' ') + 1));
            HttpClient http = HttpClient.newHttpClient();
            while (http.send(HttpRequest.newBuilder(base.resolve("/health")).build(), HttpResponse.BodyHandlers.ofString()).statusCode() != 200) {
                Thread.sleep(50);
            }
            long up = millisSince(started);
            Thread.sleep(pauseAfterUpMillis);
            List<Long> verifications = new ArrayList<>();
            JsonNode last = null;
            for (int run = 0; run < 6; run++) {
                Map<String, Object> request = new LinkedHashMap<>();
                request.put("catalog", Map.of("name", tables.spec().name(), "properties", tables.spec().properties()));
                request.put("table", "bench.docs");
                request.put("snapshotId", snapshot);
                request.put("rules", suite);
                request.put("saveMetricsOnPass", false);
                long before = System.nanoTime();
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(base.resolve("/verify"))
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(request))).build(),
                        HttpResponse.BodyHandlers.ofString());
                verifications.add(millisSince(before));
                last = JSON.readTree(response.body());
                if (response.statusCode() != 200) {
                    throw new IllegalStateException(response.body());
                }
            }
            long rss = Files.readAllLines(Path.of("/proc", Long.toString(engine.pid()), "status")).stream()
                    .filter(status -> status.startsWith("VmRSS:")).map(status -> status.replaceAll("[^0-9]", ""))
                    .mapToLong(Long::parseLong).findFirst().orElse(-1) / 1024;
            List<Long> warm = verifications.subList(1, verifications.size());
            System.out.printf("master %s, %d cores, %d rows, outcome %s%n", master, Runtime.getRuntime().availableProcessors(),
                    rows, last.get("outcome").asText());
            System.out.printf("process start -> LISTENING: %d ms%n", listening);
            System.out.printf("process start -> /health UP: %d ms%n", up);
            System.out.printf("first /verify (%d ms after UP; waits for the warm-up): %d ms%n", pauseAfterUpMillis, verifications.get(0));
            System.out.printf("warm /verify: %s ms (min %d)%n", warm, warm.stream().mapToLong(Long::longValue).min().orElse(-1));
            System.out.printf("engine RSS after the runs: %d MB%n", rss);
        }
        finally {
            engine.destroy();
            engine.waitFor(30, TimeUnit.SECONDS);
            tables.close();
        }
    }

    private static long millisSince(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
    }
}

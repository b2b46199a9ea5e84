package io.kiln.cli;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A single-node Trino server on this machine, started from an unpacked {@code trino-server-core}
 * and a plugin directory (the Iceberg plugin plus sqlite-jdbc), on a JDK 24 or later. Used by
 * {@code kiln trino} and by the integration tests.
 */
public final class LocalTrino implements AutoCloseable {
    public static final int MINIMUM_JAVA = 24;

    private final Process process;
    private final int port;
    private final Path log;

    private LocalTrino(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Where the build unpacks Trino ({@code ./mvnw dependency:unpack@trino}). */
    public record Installation(Path server, Path plugins) {
        public Installation {
            requireNonNull(server, "server is null");
            requireNonNull(plugins, "plugins is null");
        }

        public static Installation under(Path directory) {
            Path server = directory.resolve("trino-server-core-" + TrinoVersion.VERSION);
            return new Installation(server, directory.resolve("plugins"));
        }

        public Optional<String> problem() {
            if (!Files.isDirectory(server.resolve("lib"))) {
                return Optional.of("Trino is not unpacked at " + server + " (run: ./mvnw -q dependency:unpack@trino dependency:copy@trino-extras)");
            }
            if (!Files.isDirectory(plugins)) {
                return Optional.of("the Trino Iceberg plugin is not unpacked at " + plugins);
            }
            return Optional.empty();
        }
    }

    /**
     * Starts Trino with one catalog per entry of {@code catalogs} (name to properties) and waits
     * until it answers a query.
     */
    public static LocalTrino start(Installation installation, Path javaHome, Path workDirectory, Map<String, String> catalogs, Optional<Integer> port)
            throws IOException {
        return start(installation, javaHome, workDirectory, catalogs, port, Map.of());
    }

    /** {@code environment} carries the secrets the catalog properties name as {@code ${ENV:...}}. */
    public static LocalTrino start(Installation installation, Path javaHome, Path workDirectory, Map<String, String> catalogs, Optional<Integer> port,
            Map<String, String> environment)
            throws IOException {
        installation.problem().ifPresent(problem -> {
            throw new IllegalStateException(problem);
        });
        int httpPort = port.orElseGet(LocalTrino::freePort);
        Path etc = Files.createDirectories(workDirectory.resolve("etc"));
        Path catalogDirectory = Files.createDirectories(etc.resolve("catalog"));
        try (Stream<Path> old = Files.list(catalogDirectory)) {
            for (Path file : old.toList()) {
                Files.delete(file);
            }
        }
        for (Map.Entry<String, String> catalog : catalogs.entrySet()) {
            Files.writeString(catalogDirectory.resolve(catalog.getKey() + ".properties"), catalog.getValue());
        }
        Map<String, String> config = new java.util.LinkedHashMap<>(serverProperties(httpPort, "127.0.0.1"));
        config.put("plugin.dir", installation.plugins().toAbsolutePath().toString());
        config.put("catalog.config-dir", catalogDirectory.toAbsolutePath().toString());
        Files.writeString(etc.resolve("config.properties"), io.kiln.catalog.TrinoCatalogProperties.render(config));
        Path log = workDirectory.resolve("trino.log");
        List<String> command = new ArrayList<>(List.of(
                javaHome.resolve("bin/java").toString(),
                "-Xmx1G",
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseG1GC",
                "-XX:+ExitOnOutOfMemoryError",
                "-Djdk.attach.allowAttachSelf=true",
                "--enable-native-access=ALL-UNNAMED",
                "-Dnode.environment=kiln",
                "-Dnode.id=kiln-local",
                "-Dnode.data-dir=" + Files.createDirectories(workDirectory.resolve("data")).toAbsolutePath(),
                "-Dconfig=" + etc.resolve("config.properties").toAbsolutePath(),
                "-cp", installation.server().resolve("lib").toAbsolutePath() + "/*",
                "io.trino.server.TrinoServer"));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
        builder.environment().putAll(environment);
        Process process = builder.start();
        LocalTrino trino = new LocalTrino(process, httpPort, log);
        try {
            trino.awaitQueryable(Duration.ofSeconds(120), catalogs.keySet());
        }
        catch (RuntimeException e) {
            trino.close();
            throw e;
        }
        return trino;
    }

    /**
     * The single-node server settings that the tests, {@code kiln trino} and docker-compose's
     * {@code deploy/trino/etc/config.properties} share.
     */
    public static Map<String, String> serverProperties(int port, String host) {
        Map<String, String> properties = new java.util.LinkedHashMap<>();
        properties.put("coordinator", "true");
        properties.put("node-scheduler.include-coordinator", "true");
        properties.put("http-server.http.port", Integer.toString(port));
        properties.put("discovery.uri", "http://" + host + ":" + port);
        properties.put("query.max-memory", "512MB");
        properties.put("query.max-memory-per-node", "512MB");
        return properties;
    }

    public int port() {
        return port;
    }

    public String jdbcUrl(String catalog) {
        return "jdbc:trino://127.0.0.1:" + port + "/" + catalog;
    }

    public Path log() {
        return log;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public int waitFor() throws InterruptedException {
        return process.waitFor();
    }

    /**
     * Trino answers {@code SELECT 1} before its node is in the scheduler's node map, and a query that
     * scans a table fails with "No nodes available to run query" until it is (the map is refreshed every
     * few seconds): wait until a scan of a system table and of each catalog's information schema runs.
     */
    private void awaitQueryable(Duration timeout, java.util.Collection<String> catalogs) {
        List<String> probes = new ArrayList<>(List.of("SELECT count(*) FROM system.runtime.nodes"));
        catalogs.forEach(catalog -> probes.add("SELECT count(*) FROM \"" + catalog + "\".information_schema.schemata"));
        HttpClient http = HttpClient.newHttpClient();
        Instant deadline = Instant.now().plus(timeout);
        String lastProblem = "not started";
        int next = 0;
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Trino exited with " + process.exitValue() + "; see " + log);
            }
            try {
                Optional<String> problem = Optional.empty();
                while (next < probes.size() && (problem = problem(http, probes.get(next))).isEmpty()) {
                    next++;
                }
                if (next == probes.size()) {
                    return;
                }
                lastProblem = probes.get(next) + ": " + problem.orElse("");
            }
            catch (IOException e) {
                lastProblem = e.toString();
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            sleep(500);
        }
        throw new IllegalStateException("Trino did not answer a query within " + timeout.toSeconds() + " s (" + lastProblem + "); see " + log);
    }

    /** Empty when {@code sql} runs to its end without an error; else the start of Trino's answer. */
    private Optional<String> problem(HttpClient http, String sql) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/statement"))
                .header("X-Trino-User", "kiln")
                .POST(HttpRequest.BodyPublishers.ofString(sql))
                .build(), HttpResponse.BodyHandlers.ofString());
        String body = response.body();
        while (response.statusCode() == 200 && body.contains("\"nextUri\"") && !body.contains("\"error\"")) {
            String nextUri = body.replaceAll("(?s).*\"nextUri\"\\s*:\\s*\"([^\"]+)\".*", "$1");
            response = http.send(HttpRequest.newBuilder(URI.create(nextUri)).build(), HttpResponse.BodyHandlers.ofString());
            body = response.body();
        }
        if (response.statusCode() == 200 && body.contains("\"FINISHED\"") && !body.contains("\"error\"")) {
            return Optional.empty();
        }
        return Optional.of(body.length() > 300 ? body.substring(0, 300) : body);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    /**
     * A JDK that can run Trino: {@code KILN_TRINO_JAVA_HOME}, else {@code JAVA_HOME} or the running JVM
     * when it is new enough, else the newest JDK 24+ under /usr/lib/jvm.
     */
    public static Optional<Path> findJava() {
        List<Path> candidates = new ArrayList<>();
        Optional.ofNullable(System.getenv("KILN_TRINO_JAVA_HOME")).map(Path::of).ifPresent(candidates::add);
        Optional.ofNullable(System.getenv("JAVA_HOME")).map(Path::of).ifPresent(candidates::add);
        candidates.add(Path.of(System.getProperty("java.home")));
        for (Path root : List.of(Path.of("/usr/lib/jvm"), Path.of("/usr/java"), Path.of("/opt/java"))) {
            if (Files.isDirectory(root)) {
                try (Stream<Path> homes = Files.list(root)) {
                    homes.sorted(Comparator.comparing(LocalTrino::featureVersion).reversed()).forEach(candidates::add);
                }
                catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return candidates.stream()
                .filter(home -> Files.isExecutable(home.resolve("bin/java")))
                .filter(home -> featureVersion(home) >= MINIMUM_JAVA)
                .findFirst();
    }

    static int featureVersion(Path javaHome) {
        Path release = javaHome.resolve("release");
        if (!Files.isRegularFile(release)) {
            return 0;
        }
        try {
            Properties properties = new Properties();
            properties.load(Files.newBufferedReader(release, StandardCharsets.UTF_8));
            String version = properties.getProperty("JAVA_VERSION", "\"0\"").replace("\"", "");
            String feature = version.split("[.+-]")[0];
            return Integer.parseInt(feature);
        }
        catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
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
}

package io.kiln.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/** S3Mock (com.adobe.testing:s3mock, the executable jar the build copies) as a real S3-compatible server. */
final class S3Mock implements AutoCloseable {
    private final Process process;
    private final int port;

    private S3Mock(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static S3Mock start(Path root, String bucket) throws IOException, InterruptedException {
        Path jar = Path.of(System.getProperty("kiln.s3mock.jar", "target/s3mock/s3mock.jar"));
        if (!Files.isRegularFile(jar)) {
            String message = "S3Mock is missing at " + jar + " (the build's pre-integration-test phase copies it)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(message);
            }
            Assumptions.abort(message);
        }
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Files.createDirectories(root);
        Process process = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-jar", jar.toString(),
                "--server.port=0",
                "--com.adobe.testing.s3mock.httpPort=" + port,
                "--com.adobe.testing.s3mock.store.root=" + root,
                "--com.adobe.testing.s3mock.store.initialBuckets=" + bucket,
                "--spring.main.banner-mode=off"))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(root.resolveSibling("s3mock.log").toFile()))
                .start();
        S3Mock mock = new S3Mock(process, port);
        HttpClient http = HttpClient.newHttpClient();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(deadline)) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(mock.endpoint() + "/")).build(), HttpResponse.BodyHandlers.ofString())
                        .body().contains("<Name>" + bucket + "</Name>")) {
                    return mock;
                }
            }
            catch (IOException e) {
                // not listening yet
            }
            if (!process.isAlive()) {
                break;
            }
            Thread.sleep(200);
        }
        mock.close();
        throw new AssertionError("S3Mock did not start; see " + root.resolveSibling("s3mock.log"));
    }

    String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}

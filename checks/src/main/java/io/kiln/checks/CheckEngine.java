package io.kiln.checks;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The check engine process: Spark (local or a cluster) + Deequ behind a small HTTP API on 127.0.0.1.
 *
 * <p>Protocol with the parent: once the HTTP server listens, exactly one line
 * {@code KILN-CHECK-ENGINE LISTENING <port>} goes to stdout; logs go to stderr. Spark starts in the
 * background right away ({@code /health} says when it is UP). The engine exits when its stdin closes
 * (its parent died) and on SIGTERM.
 */
public final class CheckEngine implements AutoCloseable {
    public static final String LISTENING = "KILN-CHECK-ENGINE LISTENING";

    private final SparkRuntime runtime;
    private final HttpApi api;

    private CheckEngine(SparkRuntime runtime, HttpApi api) {
        this.runtime = runtime;
        this.api = api;
    }

    /** Starts Spark in the background and the HTTP server now. */
    public static CheckEngine start(EngineOptions options) throws IOException {
        MetricsHistory history = new MetricsHistory(options.metricsDirectory());
        options.unkeyedHistoryCatalog().ifPresent(catalogId -> {
            int moved = history.adoptUnkeyed(catalogId);
            if (moved > 0) {
                LoggerFactory.getLogger(CheckEngine.class).info("Moved {} metric histories kept by table name alone to catalog {}", moved, catalogId);
            }
        });
        SparkRuntime runtime = SparkRuntime.start(options.master(), options.sparkConf());
        Verifier verifier = new Verifier(runtime, history);
        Thread warmUp = new Thread(verifier::warmUp, "kiln-spark-warm-up");
        warmUp.setDaemon(true);
        warmUp.start();
        try {
            return new CheckEngine(runtime, HttpApi.start(options.bindAddress(), options.port(), runtime, verifier, history));
        }
        catch (IOException | RuntimeException e) {
            runtime.close();
            throw e;
        }
    }

    public int port() {
        return api.port();
    }

    @Override
    public void close() {
        api.close();
        runtime.close();
    }

    public static void main(String[] args) {
        PrintStream stdout = System.out;
        // nothing but the LISTENING line may reach stdout
        System.setOut(System.err);
        EngineOptions options;
        try {
            options = EngineOptions.parse(args);
        }
        catch (IllegalArgumentException e) {
            System.err.println("kiln-check-engine: " + e.getMessage());
            System.exit(64);
            return;
        }
        Logger log = LoggerFactory.getLogger(CheckEngine.class);
        if (!options.standalone()) {
            exitWhenStdinCloses();
        }
        CheckEngine engine;
        try {
            engine = start(options);
        }
        catch (IOException | RuntimeException e) {
            log.error("kiln-check-engine did not start: {}", e.getMessage(), e);
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(engine::close, "kiln-shutdown"));
        stdout.println(LISTENING + " " + engine.port());
        stdout.flush();
        log.info("Listening on {}:{}, metrics in {}", options.bindAddress(), engine.port(), options.metricsDirectory());
    }

    private static void exitWhenStdinCloses() {
        Thread watcher = new Thread(() -> {
            InputStream in = System.in;
            byte[] buffer = new byte[256];
            try {
                while (in.read(buffer) >= 0) {
                    // the parent never writes; anything it does write is ignored
                }
            }
            catch (IOException e) {
                // treated like EOF
            }
            System.exit(0);
        }, "kiln-stdin-watch");
        watcher.setDaemon(true);
        watcher.start();
    }
}

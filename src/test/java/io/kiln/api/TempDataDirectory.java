package io.kiln.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** Gives each test run of the service a fresh data directory (catalog, warehouse, job store). */
public class TempDataDirectory implements QuarkusTestResourceLifecycleManager {
    @Override
    public Map<String, String> start() {
        try {
            Path directory = Files.createDirectories(Path.of("target")).resolve("kiln-test-data-" + System.nanoTime());
            return Map.of("kiln.data-dir", Files.createDirectories(directory).toString());
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {}
}

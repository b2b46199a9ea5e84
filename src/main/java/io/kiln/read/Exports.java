package io.kiln.read;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.stream.Stream;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kiln.KilnConfig;
import io.kiln.error.ErrorCode;
import io.kiln.error.KilnException;
import io.kiln.error.Violation;
import io.kiln.job.KilnMetrics;
import io.kiln.job.Operations;
import io.quarkus.runtime.Startup;

/**
 * Exports as operations: {@link #submit} checks the request at once (a bad one is a 400 before
 * anything is written) and queues the writing, which runs on its own thread, one export at a time.
 * A finished export's files can be read back by their paths in its manifest, for clients on other
 * machines. Operations are kept under {@code <data-dir>/operations/export}; the bean starts with
 * the service, so an export that a stop interrupted is marked FAILED and its files deleted at once.
 */
@ApplicationScoped
@Startup
public class Exports {
    private static final Logger LOG = Logger.getLogger(Exports.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What was asked: the table and the request body as given (it is parsed again, identically, to run). */
    public record Order(String table, JsonNode body) {}

    public record Export(Operations.Operation<Order, ExportManifest> operation, ExportRequest request, long rowsWritten) {}

    @Inject
    Exporter exporter;
    @Inject
    KilnConfig config;
    @Inject
    KilnMetrics metrics;

    private ExecutorService executor;
    private Operations<Order, ExportManifest> operations;
    private final Set<Path> directoriesInUse = new HashSet<>();

    @PostConstruct
    void start() {
        executor = Operations.oneAtATime("kiln-export");
        operations = new Operations<>("export", Path.of(config.dataDirectory()).resolve("operations").resolve("export"), Order.class,
                ExportManifest.class, executor, (operation, progress) -> {
                    ExportRequest request = ExportRequest.fromJson(operation.request().body());
                    try {
                        ExportManifest manifest = exporter.write(exporter.prepare(operation.request().table(), request), progress);
                        metrics.bytesOut("export", manifest.format(), manifest.files().stream().mapToLong(ExportManifest.ExportedFile::bytes).sum());
                        return manifest;
                    }
                    finally {
                        release(request.directory());
                    }
                }, operation -> deleteUnfinished(ExportRequest.fromJson(operation.request().body()).directory()));
    }

    @PreDestroy
    void stop() {
        executor.shutdownNow();
    }

    /** Checks the request (snapshot, columns, filter, split, directory) and queues the export; a retry with the same key gets the first. */
    public Export submit(String table, JsonNode body, Optional<String> idempotencyKey) {
        ExportRequest request = ExportRequest.fromJson(body);
        ObjectNode order = body.deepCopy();
        if (idempotencyKey.flatMap(operations::byKey).isPresent()) {
            // a retry: the first export, or a conflict if the key asked for another one; the directory is that export's
            return view(operations.submit(new Order(table, order), idempotencyKey));
        }
        Exporter.Prepared prepared = exporter.prepare(table, request);
        synchronized (directoriesInUse) {
            if (!directoriesInUse.add(prepared.directory())) {
                throw new KilnException(ErrorCode.INVALID_EXPORT, "The export request is invalid",
                        List.of(new Violation("directory", "another export is writing into " + request.directory() + "; name a new directory")));
            }
        }
        try {
            return view(operations.submit(new Order(table, order), idempotencyKey));
        }
        catch (RuntimeException e) {
            release(request.directory());
            throw e;
        }
    }

    public Export export(String id) {
        return view(operations.find(id).orElseThrow(() -> new KilnException(ErrorCode.RESOURCE_NOT_FOUND, "There is no export " + id)));
    }

    public List<Export> list(int limit) {
        return operations.list(limit).stream().map(this::view).toList();
    }

    /**
     * A file of a finished export, by its path in the manifest ({@code data/train-00000-of-00001.parquet},
     * {@code README.md}, {@code manifest.json}); nothing else in or outside the directory is served.
     */
    /** A file of a finished export on disk, and its sha256 when the manifest lists one (the shards). */
    public record FinishedFile(Path file, Optional<String> sha256) {}

    public FinishedFile file(String id, String path) {
        Export export = export(id);
        ExportManifest manifest = export.operation().result()
                .orElseThrow(() -> new KilnException(ErrorCode.RESOURCE_NOT_FOUND, "Export " + id + " is " + export.operation().state() + ", not finished"));
        if (!manifest.paths().contains(path)) {
            throw new KilnException(ErrorCode.RESOURCE_NOT_FOUND, "Export " + id + " has no file " + path + "; its files: " + String.join(", ", manifest.paths()));
        }
        Path file = export.request().directory().toAbsolutePath().normalize().resolve(path);
        if (!Files.isRegularFile(file)) {
            throw new KilnException(ErrorCode.RESOURCE_NOT_FOUND, "File " + path + " of export " + id + " is gone from the export directory");
        }
        return new FinishedFile(file, manifest.files().stream().filter(shard -> shard.path().equals(path)).map(ExportManifest.ExportedFile::sha256).findFirst());
    }

    private Export view(Operations.Operation<Order, ExportManifest> operation) {
        return new Export(operation, ExportRequest.fromJson(operation.request().body()),
                operation.result().map(ExportManifest::rows).orElseGet(() -> operations.progress(operation.id())));
    }

    private void release(Path directory) {
        synchronized (directoriesInUse) {
            directoriesInUse.remove(directory.toAbsolutePath().normalize());
        }
    }

    /** After a restart: the directory was new or empty when the export began, so what is in it now is the export's. */
    private static void deleteUnfinished(Path directory) {
        if (!Files.isDirectory(directory) || Files.exists(directory.resolve(ExportManifest.FILE_NAME))) {
            return;
        }
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).filter(path -> !path.equals(directory)).toList()) {
                Files.deleteIfExists(file);
            }
        }
        catch (IOException e) {
            LOG.warnf("Cannot delete what an interrupted export left in %s: %s", directory, e.getMessage());
        }
    }
}

package io.kiln.read;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.arrow.vector.VectorSchemaRoot;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;

import io.kiln.KilnConfig;
import io.kiln.error.ErrorCode;
import io.kiln.error.KilnException;
import io.kiln.error.Violation;

/**
 * Exports a pinned snapshot as shards ({@code part-00000.parquet}, ...) plus {@code manifest.json}
 * into a new or empty directory inside the configured export roots. It reads through
 * {@link SnapshotScan} like the rows endpoint, one batch at a time, so memory is bounded by a
 * batch plus one Parquet row group, whatever the snapshot's size. A shard ends at
 * {@code shardRows} rows exactly, or at the first batch that takes it past about
 * {@code shardBytes}. The same snapshot and options give byte-identical shards and manifest.
 * The manifest is written last: a directory without one is an unfinished export. A failed export
 * deletes what it wrote.
 */
@ApplicationScoped
public class Exporter {
    private static final Logger LOG = Logger.getLogger(Exporter.class);
    private static final int BUFFER_BYTES = 1 << 20;
    private static final ObjectMapper MANIFEST_JSON = new ObjectMapper()
            .registerModule(new Jdk8Module())
            .enable(SerializationFeature.INDENT_OUTPUT);

    @Inject
    SnapshotReader reader;
    @Inject
    KilnConfig config;

    public ExportManifest export(String tableName, ExportRequest request) {
        SnapshotReader.ResolvedSnapshot snapshot = request.snapshotId().isPresent()
                ? reader.bySnapshotId(tableName, request.snapshotId().get())
                : reader.byPin(tableName, request.pin().orElseThrow());
        SnapshotScan scan = snapshot.scan().columns(request.columns()).filter(request.filter()).split(request.split()).build();
        Path directory = checkDirectory(request.directory());
        boolean created = !Files.exists(directory);
        List<Path> written = new ArrayList<>();
        try {
            Files.createDirectories(directory);
            List<ExportManifest.ExportedFile> files = writeShards(scan, request, directory, written);
            Map<String, String> summary = snapshot.table().snapshot(snapshot.snapshotId()).summary();
            ExportManifest manifest = new ExportManifest(tableName, snapshot.snapshotId(), snapshot.pin(), scan.columns(),
                    request.filter(), request.split(), request.format().formatName(), request.shardRows(), request.shardBytes(),
                    files.stream().mapToLong(ExportManifest.ExportedFile::rows).sum(), files,
                    Optional.ofNullable(summary.get("kiln.recipe")), Optional.ofNullable(summary.get("kiln.content-digest")));
            Path manifestFile = directory.resolve(ExportManifest.FILE_NAME);
            written.add(manifestFile);
            Files.write(manifestFile, manifestBytes(manifest), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            LOG.infof("Exported %d rows of %s at snapshot %d as %s to %s (%d files)", manifest.rows(), tableName, snapshot.snapshotId(),
                    manifest.format(), directory, files.size());
            return manifest;
        }
        catch (IOException | RuntimeException e) {
            deleteQuietly(written, created ? Optional.of(directory) : Optional.empty());
            if (e instanceof KilnException kiln) {
                throw kiln;
            }
            LOG.errorf(e, "Export of %s at snapshot %d to %s failed", tableName, snapshot.snapshotId(), directory);
            throw new KilnException(ErrorCode.EXPORT_FAILED, "Export of " + tableName + " at snapshot " + snapshot.snapshotId()
                    + " to " + directory + " failed: " + (e.getMessage() == null ? "I/O error" : e.getMessage()), e);
        }
    }

    /** The manifest as written: indented JSON and a final newline. */
    public static byte[] manifestBytes(ExportManifest manifest) throws IOException {
        return (MANIFEST_JSON.writeValueAsString(manifest) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private List<ExportManifest.ExportedFile> writeShards(SnapshotScan scan, ExportRequest request, Path directory, List<Path> written)
            throws IOException {
        List<ExportManifest.ExportedFile> files = new ArrayList<>();
        Shard shard = null;
        try (SnapshotScan.Batches batches = scan.open(reader.allocator(), OptionalLong.empty())) {
            VectorSchemaRoot root = batches.root();
            while (batches.next(rowsLeft(request, shard))) {
                if (shard == null) {
                    shard = openShard(request, scan, root, directory, files.size(), written);
                }
                shard.writer.write(root);
                shard.rows += root.getRowCount();
                if (shard.rows >= request.shardRows() || shard.writer.bytes() >= request.shardBytes()) {
                    Shard full = shard;
                    shard = null;
                    files.add(full.finish());
                }
            }
            if (shard == null && files.isEmpty()) {
                // no rows: one empty shard still carries the schema
                shard = openShard(request, scan, root, directory, 0, written);
            }
            if (shard != null) {
                Shard last = shard;
                shard = null;
                files.add(last.finish());
            }
        }
        finally {
            if (shard != null) {
                shard.abandon();
            }
        }
        return files;
    }

    private static int rowsLeft(ExportRequest request, Shard shard) {
        long left = request.shardRows() - (shard == null ? 0 : shard.rows);
        return (int) Math.min(Integer.MAX_VALUE, left);
    }

    private static Shard openShard(ExportRequest request, SnapshotScan scan, VectorSchemaRoot root, Path directory, int index, List<Path> written)
            throws IOException {
        String name = String.format(Locale.ROOT, "part-%05d.%s", index, request.format().extension());
        Path file = directory.resolve(name);
        written.add(file);
        OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            MessageDigest sha256 = sha256();
            RowFormats.CountingStream counted = new RowFormats.CountingStream(new DigestOutputStream(new BufferedOutputStream(out, BUFFER_BYTES), sha256));
            RowWriter writer = RowFormats.fileWriter(request.format(), root, scan.schema(), counted);
            return new Shard(name, out, counted, sha256, writer);
        }
        catch (IOException | RuntimeException e) {
            out.close();
            throw e;
        }
    }

    private static final class Shard {
        private final String name;
        private final OutputStream file;
        private final RowFormats.CountingStream counted;
        private final MessageDigest sha256;
        private final RowWriter writer;
        private long rows;

        Shard(String name, OutputStream file, RowFormats.CountingStream counted, MessageDigest sha256, RowWriter writer) {
            this.name = name;
            this.file = file;
            this.counted = counted;
            this.sha256 = sha256;
            this.writer = writer;
        }

        ExportManifest.ExportedFile finish() throws IOException {
            try (file) {
                writer.finish();
                counted.flush();
            }
            return new ExportManifest.ExportedFile(name, rows, counted.count, HexFormat.of().formatHex(sha256.digest()));
        }

        /** Closes the file of a failed export; it is deleted afterwards. */
        void abandon() {
            try {
                file.close();
            }
            catch (IOException e) {
                LOG.debugf("Closing an abandoned shard: %s", e.getMessage());
            }
        }
    }

    /**
     * The directory, if it lies inside an export root (after resolving symbolic links) and is new or
     * empty; otherwise a 400 INVALID_EXPORT naming the field {@code directory}.
     */
    Path checkDirectory(Path requested) {
        Path directory = requested.toAbsolutePath().normalize();
        Path real = realPath(directory);
        List<Path> roots = exportRoots();
        boolean inside = roots.stream().map(Exporter::realPath).anyMatch(root -> real.startsWith(root) && !real.equals(root));
        if (!inside) {
            throw ExportRequest.invalid(List.of(new Violation("directory", "must be a directory inside the export roots ("
                    + String.join(", ", roots.stream().map(Path::toString).toList()) + "; setting kiln.export-roots), was " + requested)));
        }
        if (Files.exists(directory)) {
            if (!Files.isDirectory(directory)) {
                throw ExportRequest.invalid(List.of(new Violation("directory", "exists and is not a directory: " + requested)));
            }
            try (Stream<Path> entries = Files.list(directory)) {
                if (entries.findAny().isPresent()) {
                    throw ExportRequest.invalid(List.of(new Violation("directory", "exists and is not empty: " + requested
                            + "; exports never overwrite, so name a new directory")));
                }
            }
            catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return directory;
    }

    List<Path> exportRoots() {
        Optional<List<String>> configured = config.exportRoots();
        if (configured.isPresent()) {
            return configured.get().stream().filter(root -> !root.isBlank()).map(root -> Path.of(root.strip()).toAbsolutePath().normalize()).toList();
        }
        Path defaultRoot = Path.of(config.dataDirectory()).toAbsolutePath().normalize().resolve("exports");
        try {
            Files.createDirectories(defaultRoot);
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot create the export root " + defaultRoot, e);
        }
        return List.of(defaultRoot);
    }

    /** The real path of the longest existing prefix, with the rest appended: symbolic links cannot lead outside a root. */
    private static Path realPath(Path path) {
        Path existing = path;
        Path rest = path.getFileSystem().getPath("");
        while (existing != null) {
            try {
                return existing.toRealPath().resolve(rest);
            }
            catch (NoSuchFileException e) {
                rest = existing.getFileName().resolve(rest);
                existing = existing.getParent();
            }
            catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return path;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteQuietly(List<Path> files, Optional<Path> directory) {
        for (Path file : files) {
            try {
                Files.deleteIfExists(file);
            }
            catch (IOException e) {
                LOG.warnf("Cannot delete %s of a failed export: %s", file, e.getMessage());
            }
        }
        directory.ifPresent(path -> {
            try {
                Files.deleteIfExists(path);
            }
            catch (IOException e) {
                LOG.warnf("Cannot delete the directory of a failed export %s: %s", path, e.getMessage());
            }
        });
    }
}

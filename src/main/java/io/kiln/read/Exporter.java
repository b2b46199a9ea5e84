package io.kiln.read;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
import java.util.function.LongConsumer;
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
 * Exports a pinned snapshot into a new or empty directory inside the configured export roots, in
 * the layout Hugging Face's {@code datasets} loads as is: shards {@code data/<split>-00000-of-00002.parquet}
 * (or {@code .jsonl}, {@code .arrow}, {@code .tar}), a dataset card {@code README.md} (snapshot,
 * recipe, counts, checks, lineage), and {@code manifest.json} (each file's rows, bytes and sha256).
 * Parquet and Arrow files carry the snapshot id, recipe, digests and models in their schema
 * metadata ({@link SnapshotScan#metadata()}), and vectors are fixed-size lists.
 * It reads through {@link SnapshotScan} like the rows endpoint, one batch at a time, so memory is
 * bounded by a batch plus one Parquet row group, whatever the snapshot's size. A shard ends at
 * {@code shardRows} rows exactly, or at the first batch that takes it past about
 * {@code shardBytes}. The same snapshot and options give byte-identical shards and manifest.
 * The manifest is written last: a directory without one is an unfinished export. A failed export
 * deletes what it wrote.
 */
@ApplicationScoped
public class Exporter {
    private static final Logger LOG = Logger.getLogger(Exporter.class);
    private static final int BUFFER_BYTES = 1 << 20;
    static final String DATA_DIRECTORY = "data";
    private static final ObjectMapper MANIFEST_JSON = new ObjectMapper()
            .registerModule(new Jdk8Module())
            .enable(SerializationFeature.INDENT_OUTPUT);

    @Inject
    SnapshotReader reader;
    @Inject
    KilnConfig config;

    /** A checked export, ready to write: its snapshot, scan and directory. */
    public record Prepared(String table, SnapshotReader.ResolvedSnapshot snapshot, SnapshotScan scan, ExportRequest request, Path directory) {}

    /** Writes the export now, on the caller's thread. */
    public ExportManifest export(String tableName, ExportRequest request) {
        return write(prepare(tableName, request), rows -> {});
    }

    /**
     * Checks everything a request can get wrong before any byte is written: the snapshot (published,
     * not expired), the columns, the filter and the split, and the directory (new or empty, inside
     * the export roots). Throws a KilnException naming the problem.
     */
    public Prepared prepare(String tableName, ExportRequest request) {
        SnapshotReader.ResolvedSnapshot snapshot = request.snapshotId().isPresent()
                ? reader.bySnapshotId(tableName, request.snapshotId().get())
                : reader.byPin(tableName, request.pin().orElseThrow());
        SnapshotScan scan = snapshot.scan().columns(request.columns()).filter(request.filter()).split(request.split()).build();
        return new Prepared(tableName, snapshot, scan, request, checkDirectory(request.directory()));
    }

    /**
     * Writes a prepared export: shards under {@code data/}, the dataset card {@code README.md}, then
     * {@code manifest.json}. {@code progress} hears the rows written so far after each batch. A
     * failure deletes what the export wrote.
     */
    public ExportManifest write(Prepared prepared, LongConsumer progress) {
        String tableName = prepared.table();
        ExportRequest request = prepared.request();
        SnapshotReader.ResolvedSnapshot snapshot = prepared.snapshot();
        SnapshotScan scan = prepared.scan();
        Path directory = prepared.directory();
        boolean created = !Files.exists(directory);
        List<Path> written = new ArrayList<>();
        try {
            Files.createDirectories(directory.resolve(DATA_DIRECTORY));
            List<ExportManifest.ExportedFile> files = writeShards(scan, request, directory, written, progress);
            Map<String, String> summary = snapshot.table().snapshot(snapshot.snapshotId()).summary();
            ExportManifest manifest = new ExportManifest(tableName, snapshot.snapshotId(), snapshot.pin(), scan.columns(),
                    request.filter(), request.split(), request.format().formatName(), request.shardRows(), request.shardBytes(),
                    files.stream().mapToLong(ExportManifest.ExportedFile::rows).sum(), files,
                    Optional.ofNullable(summary.get("kiln.recipe")), Optional.ofNullable(summary.get("kiln.content-digest")),
                    ExportManifest.LAYOUT, request.splitName(), DatasetCard.FILE_NAME, scan.dimensions(), scan.metadata());
            Path card = directory.resolve(DatasetCard.FILE_NAME);
            written.add(card);
            Files.write(card, DatasetCard.render(manifest, new Lineage().snapshot(snapshot.table(), tableName, snapshot.snapshotId(), "kiln"),
                    Long.parseLong(summary.getOrDefault("total-records", "0"))).getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE);
            Path manifestFile = directory.resolve(ExportManifest.FILE_NAME);
            written.add(manifestFile);
            Files.write(manifestFile, manifestBytes(manifest), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            LOG.infof("Exported %d rows of %s at snapshot %d as %s to %s (%d files)", manifest.rows(), tableName, snapshot.snapshotId(),
                    manifest.format(), directory, files.size());
            return manifest;
        }
        catch (IOException | RuntimeException e) {
            written.add(directory.resolve(DATA_DIRECTORY));
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

    /**
     * Writes the shards under temporary names, then names them as Hugging Face's loaders expect:
     * {@code data/<split>-00000-of-00003.parquet}, once their number is known.
     */
    private List<ExportManifest.ExportedFile> writeShards(SnapshotScan scan, ExportRequest request, Path directory, List<Path> written,
            LongConsumer progress) throws IOException {
        List<ExportManifest.ExportedFile> files = new ArrayList<>();
        Shard shard = null;
        long rows = 0;
        try (SnapshotScan.Batches batches = scan.open(reader.allocator(), OptionalLong.empty())) {
            VectorSchemaRoot root = batches.root();
            while (batches.next(rowsLeft(request, shard))) {
                if (shard == null) {
                    shard = openShard(request, scan, root, directory, files.size(), written);
                }
                shard.writer.write(root);
                shard.rows += root.getRowCount();
                rows += root.getRowCount();
                progress.accept(rows);
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
        List<ExportManifest.ExportedFile> named = new ArrayList<>(files.size());
        for (int i = 0; i < files.size(); i++) {
            ExportManifest.ExportedFile file = files.get(i);
            String name = String.format(Locale.ROOT, "%s/%s-%05d-of-%05d.%s", DATA_DIRECTORY, request.splitName(), i, files.size(), request.format().extension());
            Path target = directory.resolve(name);
            written.add(target);
            Files.move(directory.resolve(file.path()), target, StandardCopyOption.ATOMIC_MOVE);
            named.add(new ExportManifest.ExportedFile(name, file.rows(), file.bytes(), file.sha256()));
        }
        return named;
    }

    private static int rowsLeft(ExportRequest request, Shard shard) {
        long left = request.shardRows() - (shard == null ? 0 : shard.rows);
        return (int) Math.min(Integer.MAX_VALUE, left);
    }

    private static Shard openShard(ExportRequest request, SnapshotScan scan, VectorSchemaRoot root, Path directory, int index, List<Path> written)
            throws IOException {
        String name = String.format(Locale.ROOT, "%s/.%s-%05d.%s.partial", DATA_DIRECTORY, request.splitName(), index, request.format().extension());
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

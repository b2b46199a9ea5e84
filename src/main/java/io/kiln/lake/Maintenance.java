package io.kiln.lake;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.ReachableFileUtil;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.FileInfo;
import org.apache.iceberg.io.SupportsPrefixOperations;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;

/**
 * Snapshot expiry and orphan-file cleanup that never touch what training jobs rely on: Iceberg's
 * own expiry keeps main's head, every snapshot a tag (so every pin) points at, and every snapshot
 * younger than the retention; only files no snapshot or metadata file reaches, and that are older
 * than a grace period (jobs still writing), are deleted as orphans, and only under a location this
 * catalog owns ({@link TableOwnership}): never another catalog's table that shares the folder.
 */
public final class Maintenance {
    private final Publisher publisher;

    public Maintenance(Publisher publisher) {
        this.publisher = publisher;
    }

    public record Report(String table, @JsonSerialize(contentUsing = ToStringSerializer.class) @Schema(type = SchemaType.ARRAY, implementation = String.class) List<Long> expiredSnapshots, @JsonSerialize(contentUsing = ToStringSerializer.class) @Schema(type = SchemaType.ARRAY, implementation = String.class) List<Long> retainedSnapshots, Optional<Integer> orphanFilesDeleted, String note) {
        public Report {
            expiredSnapshots = List.copyOf(expiredSnapshots);
            retainedSnapshots = List.copyOf(retainedSnapshots);
        }
    }

    public Report run(Table table, long maxSnapshotAgeMs, Optional<Long> orphanOlderThanMs, long nowMillis) {
        return publisher.locked(table, () -> {
            table.refresh();
            Set<Long> before = snapshotIds(table);
            if (!before.isEmpty()) {
                table.expireSnapshots()
                        .expireOlderThan(nowMillis - maxSnapshotAgeMs)
                        .retainLast(1)
                        .cleanExpiredFiles(true)
                        .commit();
                table.refresh();
            }
            Set<Long> after = snapshotIds(table);
            List<Long> expired = before.stream().filter(id -> !after.contains(id)).sorted().toList();
            Cleanup cleanup = orphanOlderThanMs.map(grace -> cleanOrphans(table, nowMillis - grace)).orElse(new Cleanup(Optional.empty(), ""));
            return new Report(table.name(), expired, after.stream().sorted().toList(), cleanup.deleted(), cleanup.note());
        });
    }

    /** What orphan cleanup did: how many files it deleted, or, with none, why not. */
    private record Cleanup(Optional<Integer> deleted, String note) {}

    /**
     * Deletes the files under the table's location that nothing reaches, when this catalog owns
     * the location; never another catalog's files, nor those of a table whose location lies inside
     * this one's (a nested namespace's), nor the ownership marker.
     */
    private Cleanup cleanOrphans(Table table, long olderThanMillis) {
        if (!(table.io() instanceof SupportsPrefixOperations prefixes)) {
            return new Cleanup(Optional.empty(), "orphan files were not cleaned: the table's FileIO cannot list files");
        }
        TableOwnership ownership = publisher.ownership();
        Optional<String> notOwned = ownership.claim(table);
        if (notOwned.isPresent()) {
            return new Cleanup(Optional.empty(), "orphan files were not cleaned: " + notOwned.get() + "; a catalog cleans only the locations it owns");
        }
        String root = normalize(table.location()).replaceAll("/+$", "");
        List<FileInfo> files = new ArrayList<>();
        // the trailing slash keeps an object store's listing out of sibling tables whose names start alike (docs, docs__rejects)
        prefixes.listPrefix(table.location().replaceAll("/+$", "") + "/").forEach(files::add);
        Set<String> nestedRoots = nestedTableRoots(root, files);
        Set<String> reachable = reachable(table);
        reachable.add(root + "/" + TableOwnership.MARKER);
        List<String> orphans = new ArrayList<>();
        List<String> unreachableMetadata = new ArrayList<>();
        for (FileInfo file : files) {
            String location = normalize(file.location());
            if (reachable.contains(location) || file.createdAtMillis() >= olderThanMillis || isChecksumOfReachable(location, reachable)
                    || nestedRoots.stream().anyMatch(nested -> location.startsWith(nested + "/"))) {
                continue;
            }
            if (TableOwnership.isTableMetadata(location)) {
                unreachableMetadata.add(file.location());
            }
            orphans.add(file.location());
        }
        Optional<String> other = ownership.otherTablesMetadata(table.uuid(), unreachableMetadata);
        if (other.isPresent()) {
            return new Cleanup(Optional.empty(), "orphan files were not cleaned: " + table.location() + " also holds another table's metadata (" + other.get() + ")");
        }
        orphans.forEach(location -> table.io().deleteFile(location));
        return new Cleanup(Optional.of(orphans.size()), "");
    }

    /** Folders below {@code root} that are another table's location: they hold a marker, or a {@code metadata/} folder of table metadata. */
    private static Set<String> nestedTableRoots(String root, List<FileInfo> files) {
        Set<String> roots = new HashSet<>();
        for (FileInfo file : files) {
            String location = normalize(file.location());
            String folder = location.substring(0, location.lastIndexOf('/'));
            String tableRoot = location.endsWith("/" + TableOwnership.MARKER) ? folder
                    : TableOwnership.isTableMetadata(location) ? folder.substring(0, folder.lastIndexOf('/')) : root;
            if (!tableRoot.equals(root)) {
                roots.add(tableRoot);
            }
        }
        return roots;
    }

    /** Every file that the table's metadata reaches: through every snapshot that any ref (branch or tag) keeps, and the Kiln files their summaries name. */
    private static Set<String> reachable(Table table) {
        Set<String> reachable = new HashSet<>();
        ReachableFileUtil.metadataFileLocations(table, true).forEach(location -> reachable.add(normalize(location)));
        reachable.add(normalize(ReachableFileUtil.versionHintLocation(table)));
        ReachableFileUtil.manifestListLocations(table).forEach(location -> reachable.add(normalize(location)));
        ReachableFileUtil.statisticsFilesLocations(table).forEach(location -> reachable.add(normalize(location)));
        for (Snapshot snapshot : table.snapshots()) {
            // the dedup and id index segments a snapshot names (main's head names every published one)
            snapshot.summary().forEach((key, value) -> {
                if (key.startsWith(DedupSegments.INDEX_PREFIX) || key.startsWith(IdSegments.INDEX_PREFIX)) {
                    DedupSegments.list(value).forEach(segment -> reachable.add(normalize(segment)));
                }
                else if (key.startsWith(DedupSegments.SEGMENT_PREFIX) || key.startsWith(IdSegments.SEGMENT_PREFIX) || key.equals(TableLayout.INPUT_MANIFEST_FILE)) {
                    reachable.add(normalize(value));
                }
            });
            for (ManifestFile manifest : snapshot.allManifests(table.io())) {
                reachable.add(normalize(manifest.path()));
                try (CloseableIterable<String> paths = ManifestFiles.readPaths(manifest, table.io(), table.specs())) {
                    paths.forEach(path -> reachable.add(normalize(path)));
                }
                catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        }
        return reachable;
    }

    /** Hadoop's local file system keeps {@code .name.crc} beside each file it writes: it lives and dies with its file. */
    private static boolean isChecksumOfReachable(String location, Set<String> reachable) {
        int slash = location.lastIndexOf('/');
        String name = location.substring(slash + 1);
        if (!name.startsWith(".") || !name.endsWith(".crc")) {
            return false;
        }
        return reachable.contains(location.substring(0, slash + 1) + name.substring(1, name.length() - ".crc".length()));
    }

    /** {@code file:/a}, {@code file:///a} and {@code /a} name the same local file. */
    static String normalize(String location) {
        if (location.startsWith("file:")) {
            String path = location.substring("file:".length());
            while (path.startsWith("//")) {
                path = path.substring(1);
            }
            return path;
        }
        return location;
    }

    private static Set<Long> snapshotIds(Table table) {
        Set<Long> ids = new HashSet<>();
        table.snapshots().forEach(snapshot -> ids.add(snapshot.snapshotId()));
        return ids;
    }
}

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

/**
 * Snapshot expiry and orphan-file cleanup that never touch what training jobs rely on: Iceberg's
 * own expiry keeps main's head, every snapshot a tag (so every pin) points at, and every snapshot
 * younger than the retention; only files no snapshot or metadata file reaches, and that are older
 * than a grace period (jobs still writing), are deleted as orphans.
 */
public final class Maintenance {
    private final Publisher publisher;

    public Maintenance(Publisher publisher) {
        this.publisher = publisher;
    }

    public record Report(String table, List<Long> expiredSnapshots, List<Long> retainedSnapshots, Optional<Integer> orphanFilesDeleted, String note) {
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
            Optional<Integer> orphans = Optional.empty();
            String note = "";
            if (orphanOlderThanMs.isPresent()) {
                if (table.io() instanceof SupportsPrefixOperations prefixes) {
                    orphans = Optional.of(deleteOrphans(table, prefixes, nowMillis - orphanOlderThanMs.get()));
                }
                else {
                    note = "orphan files were not cleaned: the table's FileIO cannot list files";
                }
            }
            return new Report(table.name(), expired, after.stream().sorted().toList(), orphans, note);
        });
    }

    private static int deleteOrphans(Table table, SupportsPrefixOperations io, long olderThanMillis) {
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
        List<String> orphans = new ArrayList<>();
        for (FileInfo file : io.listPrefix(table.location())) {
            String location = normalize(file.location());
            if (reachable.contains(location) || file.createdAtMillis() >= olderThanMillis || isChecksumOfReachable(location, reachable)) {
                continue;
            }
            orphans.add(file.location());
        }
        orphans.forEach(location -> table.io().deleteFile(location));
        return orphans.size();
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

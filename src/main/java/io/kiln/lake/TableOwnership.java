package io.kiln.lake;

import static java.util.Objects.requireNonNull;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import org.apache.iceberg.ReachableFileUtil;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadataParser;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.NotFoundException;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.FileInfo;
import org.apache.iceberg.io.SupportsPrefixOperations;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.kiln.error.ErrorCode;
import io.kiln.error.KilnException;

/**
 * Which catalog a warehouse, and each table location in it, belongs to. Two catalogs configured
 * with one warehouse put their tables of one name in one folder ({@code <warehouse>/<ns>/<table>}),
 * and each one's orphan cleanup would delete the other's files. A marker, {@value #MARKER}, holding
 * the catalog's id, says whose a location is: at the warehouse root (a catalog does not start on
 * another's warehouse) and in each table location Kiln creates (it does not create a table where
 * another catalog's table lies). A table made before the markers is adopted when it is loaded,
 * unless another table's metadata lies beside its own. Thread-safe.
 */
public final class TableOwnership implements AutoCloseable {
    public static final String MARKER = "kiln-catalog.json";
    private static final Logger LOG = Logger.getLogger(TableOwnership.class);
    private static final String METADATA_SUFFIX = ".metadata.json";
    /** How often an empty marker (another process writing it) is read before it counts as unreadable: about 2 s. */
    private static final int MARKER_READS = 40;

    private final String catalogName;
    private final String catalogId;
    private final FileIO io;
    /** By table location: empty where this catalog owns it, else why not. */
    private final Map<String, Optional<String>> verdicts = new ConcurrentHashMap<>();

    private TableOwnership(String catalogName, String catalogId, FileIO io) {
        this.catalogName = requireNonNull(catalogName, "catalogName is null");
        this.catalogId = requireNonNull(catalogId, "catalogId is null");
        this.io = requireNonNull(io, "io is null");
    }

    /** The marker's content: whose the location is, and for a person reading it, what lies there. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Marker(String catalogId, String catalog, String table) {}

    /**
     * Marks {@code warehouse} as the catalog's, or finds it already so; a catalog never starts on
     * another catalog's warehouse: the tables of one name would share a folder.
     */
    public static TableOwnership claimWarehouse(String catalogName, String catalogId, String warehouse, FileIO io) {
        TableOwnership ownership = new TableOwnership(catalogName, catalogId, io);
        String owner = ownership.markedBy(warehouse).orElseGet(() -> ownership.mark(warehouse, null));
        if (!owner.equals(catalogId)) {
            throw new KilnException(ErrorCode.LOCATION_OWNED_BY_ANOTHER_CATALOG, "The warehouse " + warehouse + " belongs to another catalog (id " + owner
                    + ", see " + markerOf(warehouse) + "), not to catalog " + catalogName + " (id " + catalogId
                    + "). A warehouse belongs to one catalog: give this one its own (kiln.catalog.warehouse, or another kiln.data-dir).");
        }
        return ownership;
    }

    public String catalogId() {
        return catalogId;
    }

    /** Writes a small file under {@code location} and deletes it: a readiness probe of the storage. Throws when either fails. */
    public void probe(String location) {
        String file = location.replaceAll("/+$", "") + "/.kiln-readiness-" + java.util.UUID.randomUUID();
        try (org.apache.iceberg.io.PositionOutputStream out = io.newOutputFile(file).create()) {
            out.write('\n');
        }
        catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        io.deleteFile(file);
    }

    @Override
    public void close() {
        io.close();
    }

    /**
     * Claims {@code location} for a table about to be created there; refuses, with a
     * {@link ErrorCode#LOCATION_OWNED_BY_ANOTHER_CATALOG}, when another catalog's table lies there
     * (its marker, or Iceberg metadata without a marker of this catalog).
     */
    public synchronized void claimNewTable(TableIdentifier table, String location) {
        Optional<String> owner = markedBy(location);
        if (owner.isEmpty()) {
            Optional<String> metadata = list(location + "/metadata/").stream().filter(TableOwnership::isTableMetadata).findFirst();
            if (metadata.isPresent()) {
                throw refused(table, location, "another catalog's table lies there (" + metadata.get() + ", without a marker of this catalog)");
            }
            owner = Optional.of(mark(location, catalogName + "." + table));
        }
        if (!owner.get().equals(catalogId)) {
            throw refused(table, location, "it belongs to another catalog (id " + owner.get() + ", see " + markerOf(location) + ")");
        }
        verdicts.put(location, Optional.empty());
    }

    private KilnException refused(TableIdentifier table, String location, String why) {
        return new KilnException(ErrorCode.LOCATION_OWNED_BY_ANOTHER_CATALOG, "Cannot create table " + table + " at " + location + ": " + why
                + ". A table location belongs to one catalog: give catalog " + catalogName + " a warehouse of its own (kiln.catalog.warehouse).");
    }

    /**
     * Empty when the table's location is this catalog's, adopting it first if it has no marker
     * yet and holds no other table's metadata; otherwise why it is not, in words. Decided once per
     * location and process.
     */
    public Optional<String> claim(Table table) {
        Optional<String> known = verdicts.get(table.location());
        if (known != null) {
            return known;
        }
        synchronized (this) {
            known = verdicts.get(table.location());
            if (known != null) {
                return known;
            }
            Optional<String> verdict = decide(table);
            verdicts.put(table.location(), verdict);
            verdict.ifPresent(why -> LOG.warnf("Kiln will not clean orphan files of %s: %s", table.name(), why));
            return verdict;
        }
    }

    private Optional<String> decide(Table table) {
        String location = table.location();
        Optional<String> owner = markedBy(location);
        if (owner.isEmpty()) {
            Set<String> known = ReachableFileUtil.metadataFileLocations(table, false).stream().map(Maintenance::normalize).collect(Collectors.toSet());
            List<String> unknown = list(location + "/metadata/").stream().filter(TableOwnership::isTableMetadata)
                    .filter(file -> !known.contains(Maintenance.normalize(file))).toList();
            Optional<String> other = otherTablesMetadata(table.uuid(), unknown);
            if (other.isPresent()) {
                return Optional.of(location + " also holds another table's metadata (" + other.get() + ")");
            }
            owner = Optional.of(mark(location, table.name()));
        }
        if (!owner.get().equals(catalogId)) {
            return Optional.of(location + " belongs to another catalog (id " + owner.get() + ", see " + markerOf(location) + ")");
        }
        return Optional.empty();
    }

    /** The first of {@code metadataFiles} that is another table's (or unreadable, so possibly another's). */
    Optional<String> otherTablesMetadata(UUID tableUuid, List<String> metadataFiles) {
        for (String file : metadataFiles) {
            try {
                if (!tableUuid.equals(TableMetadataParser.read(io, file).uuid())) {
                    return Optional.of(file);
                }
            }
            catch (NotFoundException gone) {
                // deleted meanwhile: no one's
            }
            catch (RuntimeException unreadable) {
                return Optional.of(file + ", unreadable: " + unreadable.getMessage());
            }
        }
        return Optional.empty();
    }

    static boolean isTableMetadata(String location) {
        return location.endsWith(METADATA_SUFFIX) && location.substring(0, location.lastIndexOf('/')).endsWith("/metadata");
    }

    static String markerOf(String location) {
        return location.replaceAll("/+$", "") + "/" + MARKER;
    }

    /**
     * The catalog id in the marker at {@code location}; "an unreadable marker" when it cannot be
     * read, which is never this catalog's. An empty marker is one being written: read again.
     */
    private Optional<String> markedBy(String location) {
        String marker = markerOf(location);
        for (int attempt = 0; attempt < MARKER_READS; attempt++) {
            byte[] content;
            try (InputStream in = io.newInputFile(marker).newStream()) {
                content = in.readAllBytes();
            }
            catch (NotFoundException | FileNotFoundException absent) {
                return Optional.empty();
            }
            catch (IOException e) {
                throw new UncheckedIOException("Cannot read " + marker, e);
            }
            if (content.length > 0) {
                return Optional.of(SummaryJson.read(new String(content, StandardCharsets.UTF_8), Marker.class)
                        .map(Marker::catalogId)
                        .filter(id -> !id.isBlank())
                        .orElse("an unreadable marker"));
            }
            try {
                Thread.sleep(50);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return Optional.of("an unreadable marker");
    }

    /** Writes this catalog's marker unless one is there; returns the id of the marker that is there then. */
    private String mark(String location, String table) {
        String marker = markerOf(location);
        try (OutputStream out = io.newOutputFile(marker).create()) {
            out.write(SummaryJson.write(new Marker(catalogId, catalogName, table)).getBytes(StandardCharsets.UTF_8));
        }
        catch (AlreadyExistsException raced) {
            // another process marked it first: its marker counts
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + marker, e);
        }
        return markedBy(location).orElseThrow(() -> new IllegalStateException(marker + " vanished right after it was written"));
    }

    /** Every file under {@code prefix}; none where it does not exist or the FileIO cannot list. */
    private List<String> list(String prefix) {
        if (!(io instanceof SupportsPrefixOperations prefixes)) {
            return List.of();
        }
        List<String> files = new ArrayList<>();
        try {
            for (FileInfo file : prefixes.listPrefix(prefix)) {
                files.add(file.location());
            }
        }
        catch (UncheckedIOException e) {
            if (!(e.getCause() instanceof FileNotFoundException)) {
                throw e;
            }
        }
        return files;
    }
}

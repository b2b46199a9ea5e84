package io.kiln.lake;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericFileWriterFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.iceberg.types.Types;

import io.kiln.catalog.CatalogIdentity;
import io.kiln.catalog.CatalogSettings;
import io.kiln.catalog.KilnCatalog;

/** One SQLite catalog on a warehouse folder, with its publisher, for tests below the service. */
final class LakeCatalog implements AutoCloseable {
    static final Schema SCHEMA = new Schema(Types.NestedField.required(1, "id", Types.StringType.get()));

    final CatalogSettings settings;
    final JdbcCatalog catalog;
    final Publisher publisher;

    private LakeCatalog(CatalogSettings settings, JdbcCatalog catalog, Publisher publisher) {
        this.settings = settings;
        this.catalog = catalog;
        this.publisher = publisher;
    }

    /** The catalog in {@code database} on {@code warehouse}, its warehouse claimed as the service claims it at start. */
    static LakeCatalog open(Path database, Path warehouse) {
        CatalogSettings settings = settings(database, warehouse);
        JdbcCatalog catalog = KilnCatalog.open(settings);
        return new LakeCatalog(settings, catalog, new Publisher(catalog, KilnCatalog.claimWarehouse(settings, CatalogIdentity.of(settings))));
    }

    /**
     * The catalog in {@code database} on {@code warehouse}, with a publisher whose ownership was
     * claimed on {@code claimedRoot}: a catalog whose warehouse marker is not there (made before the markers).
     */
    static LakeCatalog openClaiming(Path database, Path warehouse, Path claimedRoot) {
        CatalogSettings settings = settings(database, warehouse);
        TableOwnership ownership = TableOwnership.claimWarehouse(settings.name(), CatalogIdentity.of(settings).id(), "file://" + claimedRoot,
                new org.apache.iceberg.hadoop.HadoopFileIO(new org.apache.hadoop.conf.Configuration()));
        JdbcCatalog catalog = KilnCatalog.open(settings);
        return new LakeCatalog(settings, catalog, new Publisher(catalog, ownership));
    }

    static CatalogSettings settings(Path database, Path warehouse) {
        return new CatalogSettings("kiln", "jdbc:sqlite:" + database, Optional.empty(), Optional.empty(), "file://" + warehouse);
    }

    Table create(String table) {
        return publisher.loadOrCreate(TableIdentifier.parse(table), SCHEMA, TableLayout.properties(1 << 20));
    }

    Maintenance.Report maintain(Table table) {
        // every snapshot not kept by a ref is old enough to expire, and every file old enough to be an orphan
        long inAMinute = System.currentTimeMillis() + 60_000;
        return new Maintenance(publisher).run(table, 0, Optional.of(0L), inAMinute);
    }

    @Override
    public void close() throws IOException {
        catalog.close();
        publisher.ownership().close();
    }

    /** A Parquet data file of rows with these ids, written into the table's location and not committed. */
    static DataFile write(Table table, String... ids) {
        OutputFileFactory files = OutputFileFactory.builderFor(table, 1, System.nanoTime()).format(FileFormat.PARQUET).build();
        DataWriter<Record> writer = new GenericFileWriterFactory.Builder(table).dataFileFormat(FileFormat.PARQUET).build()
                .newDataWriter(files.newOutputFile(), table.spec(), null);
        try (writer) {
            for (String id : ids) {
                GenericRecord record = GenericRecord.create(table.schema());
                record.setField("id", id);
                writer.write(record);
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return writer.toDataFile();
    }

    /** Appends the rows to main; returns the new snapshot's id. */
    static long append(Table table, String... ids) {
        table.newAppend().appendFile(write(table, ids)).commit();
        table.refresh();
        return table.currentSnapshot().snapshotId();
    }

    /** The ids of the rows at {@code snapshotId}. */
    static List<String> ids(Table table, long snapshotId) {
        table.refresh();
        List<String> ids = new ArrayList<>();
        try (CloseableIterable<Record> records = IcebergGenerics.read(table).useSnapshot(snapshotId).build()) {
            records.forEach(record -> ids.add((String) record.getField("id")));
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ids.stream().sorted().toList();
    }

    static long tagged(Table table, String tag) {
        table.refresh();
        return table.refs().get(tag).snapshotId();
    }
}

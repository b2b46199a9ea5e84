package io.kiln.catalog;

import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.hadoop.HadoopFileIO;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.jdbc.JdbcCatalog;

import io.kiln.lake.TableOwnership;

/** Opens Iceberg's JdbcCatalog on the configured database and warehouse. */
public final class KilnCatalog {
    private KilnCatalog() {}

    public static JdbcCatalog open(CatalogSettings settings) {
        settings.loadDriver();
        JdbcCatalog catalog = new JdbcCatalog();
        catalog.setConf(hadoopConfiguration());
        Map<String, String> properties = settings.icebergProperties();
        catalog.initialize(settings.name(), properties);
        return catalog;
    }

    /**
     * This catalog's ownership of its warehouse, claimed (see {@link TableOwnership#claimWarehouse}),
     * with a FileIO configured as the catalog's own; close it with the catalog.
     */
    public static TableOwnership claimWarehouse(CatalogSettings settings, CatalogIdentity identity) {
        Map<String, String> properties = settings.icebergProperties();
        FileIO io = CatalogUtil.loadFileIO(properties.getOrDefault(CatalogProperties.FILE_IO_IMPL, HadoopFileIO.class.getName()), properties, hadoopConfiguration());
        try {
            return TableOwnership.claimWarehouse(identity.name(), identity.id(), settings.warehouse(), io);
        }
        catch (RuntimeException e) {
            io.close();
            throw e;
        }
    }

    private static Configuration hadoopConfiguration() {
        Configuration hadoop = new Configuration();
        // a local warehouse's files without Hadoop's ".name.crc" side files: LocalFileSystem checksums every 512 bytes it
        // writes into a second file that only Hadoop reads; Parquet pages carry their own CRC, and Trino and object stores never
        // had the side files (Maintenance removes those of files written before, once their files are gone). Not from Hadoop's
        // cache of file systems, which is keyed by scheme, not by configuration: whatever took a "file:" file system first
        // with another configuration would decide for the catalog too
        hadoop.setClass("fs.file.impl", org.apache.hadoop.fs.RawLocalFileSystem.class, org.apache.hadoop.fs.FileSystem.class);
        hadoop.setBoolean("fs.file.impl.disable.cache", true);
        return hadoop;
    }
}

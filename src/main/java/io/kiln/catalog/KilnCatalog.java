package io.kiln.catalog;

import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.jdbc.JdbcCatalog;

/** Opens Iceberg's JdbcCatalog on the configured database and warehouse. */
public final class KilnCatalog {
    private KilnCatalog() {}

    public static JdbcCatalog open(CatalogSettings settings) {
        settings.loadDriver();
        JdbcCatalog catalog = new JdbcCatalog();
        Configuration hadoop = new Configuration();
        hadoop.setBoolean("fs.file.impl.disable.cache", false);
        catalog.setConf(hadoop);
        Map<String, String> properties = settings.icebergProperties();
        catalog.initialize(settings.name(), properties);
        return catalog;
    }
}

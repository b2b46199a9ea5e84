package io.kiln.catalog;

import java.io.IOException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.jdbc.JdbcCatalog;

import io.kiln.KilnConfig;
import io.kiln.lake.Publisher;

/** Makes the catalog settings and the one Iceberg catalog of the service available for injection. */
@ApplicationScoped
public class CatalogProducer {
    @Produces
    @Singleton
    CatalogSettings settings(KilnConfig config) {
        return CatalogSettings.from(config);
    }

    @Produces
    @Singleton
    Catalog catalog(CatalogSettings settings) {
        return KilnCatalog.open(settings);
    }

    /** One publisher per service: its per-table locks serialize every commit Kiln makes to a table. */
    @Produces
    @Singleton
    Publisher publisher(Catalog catalog) {
        return new Publisher(catalog);
    }

    void close(@Disposes Catalog catalog) throws IOException {
        if (catalog instanceof JdbcCatalog jdbc) {
            jdbc.close();
        }
    }
}

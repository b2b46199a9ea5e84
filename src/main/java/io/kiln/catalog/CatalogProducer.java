package io.kiln.catalog;

import java.io.IOException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.jboss.logging.Logger;

import io.kiln.KilnConfig;
import io.kiln.error.KilnException;
import io.kiln.lake.Publisher;
import io.kiln.lake.TableOwnership;

/** Makes the catalog settings and the one Iceberg catalog of the service available for injection. */
@ApplicationScoped
public class CatalogProducer {
    private static final Logger LOG = Logger.getLogger(CatalogProducer.class);

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

    @Produces
    @Singleton
    CatalogIdentity identity(CatalogSettings settings) {
        return CatalogIdentity.of(settings);
    }

    /** Claimed when the service starts (the job service needs the publisher): on another catalog's warehouse, the service does not start. */
    @Produces
    @Singleton
    TableOwnership ownership(CatalogSettings settings, CatalogIdentity identity) {
        try {
            return KilnCatalog.claimWarehouse(settings, identity);
        }
        catch (KilnException e) {
            LOG.errorf("Kiln cannot start: %s", e.getMessage());
            throw e;
        }
    }

    /** One publisher per service: its per-table locks serialize every commit Kiln makes to a table. */
    @Produces
    @Singleton
    Publisher publisher(Catalog catalog, TableOwnership ownership) {
        return new Publisher(catalog, ownership);
    }

    void close(@Disposes Catalog catalog) throws IOException {
        if (catalog instanceof JdbcCatalog jdbc) {
            jdbc.close();
        }
    }

    void close(@Disposes TableOwnership ownership) {
        ownership.close();
    }
}

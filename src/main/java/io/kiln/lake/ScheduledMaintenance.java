package io.kiln.lake;

import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.jboss.logging.Logger;

import io.kiln.KilnConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/** Runs {@link Maintenance} over every table every {@code kiln.maintenance.interval}, when set. */
@ApplicationScoped
public class ScheduledMaintenance {
    private static final Logger LOG = Logger.getLogger(ScheduledMaintenance.class);

    @Inject
    KilnConfig config;
    @Inject
    Catalog catalog;
    @Inject
    Publisher publisher;

    private ScheduledExecutorService scheduler;

    void start(@Observes StartupEvent event) {
        Optional<java.time.Duration> interval = config.maintenance().interval();
        if (interval.isEmpty()) {
            return;
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "kiln-maintenance");
            thread.setDaemon(true);
            return thread;
        });
        long millis = interval.get().toMillis();
        scheduler.scheduleWithFixedDelay(this::runOnce, millis, millis, TimeUnit.MILLISECONDS);
        LOG.infof("Maintenance every %s: expire snapshots older than %s, orphans older than %s", interval.get(),
                config.maintenance().maxSnapshotAge(), config.maintenance().orphanGrace());
    }

    void stop(@Observes ShutdownEvent event) {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }

    void runOnce() {
        if (!(catalog instanceof SupportsNamespaces namespaces)) {
            return;
        }
        Maintenance maintenance = new Maintenance(publisher);
        for (Namespace namespace : namespaces.listNamespaces()) {
            for (TableIdentifier identifier : catalog.listTables(namespace)) {
                try {
                    Maintenance.Report report = maintenance.run(catalog.loadTable(identifier), config.maintenance().maxSnapshotAge().toMillis(),
                            Optional.of(config.maintenance().orphanGrace().toMillis()), System.currentTimeMillis());
                    if (!report.expiredSnapshots().isEmpty() || report.orphanFilesDeleted().orElse(0) > 0) {
                        LOG.infof("Maintenance of %s: expired %d snapshots, deleted %d orphan files", identifier,
                                report.expiredSnapshots().size(), report.orphanFilesDeleted().orElse(0));
                    }
                }
                catch (RuntimeException e) {
                    LOG.warnf(e, "Maintenance of %s failed", identifier);
                }
            }
        }
    }
}

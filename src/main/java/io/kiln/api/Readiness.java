package io.kiln.api;

import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.jboss.logging.Logger;

import io.kiln.catalog.CatalogSettings;
import io.kiln.check.CheckService;
import io.kiln.lake.TableOwnership;

/**
 * {@code /q/health/ready}: UP when Kiln can do its work now. The catalog database answers a
 * query, the warehouse takes a write and a delete, and, when suites can run (the check engine is
 * managed or external), the engine is UP. Each part is in the answer's data; a part that fails says
 * what, never an exception's class or a secret (the details go to the log). Liveness stays the
 * default: the process answers.
 */
@org.eclipse.microprofile.health.Readiness
@ApplicationScoped
public class Readiness implements HealthCheck {
    private static final Logger LOG = Logger.getLogger(Readiness.class);

    @Inject
    Catalog catalog;
    @Inject
    TableOwnership ownership;
    @Inject
    CatalogSettings settings;
    @Inject
    CheckService checks;

    @Override
    public HealthCheckResponse call() {
        return check(() -> ((SupportsNamespaces) catalog).listNamespaces(), () -> ownership.probe(settings.warehouse()),
                () -> checks.status().state());
    }

    /** The check itself, on what it probes: for tests with parts that fail. */
    static HealthCheckResponse check(Runnable catalogQuery, Runnable warehouseWrite, Supplier<String> engineState) {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("kiln").up();
        part(response, "catalog", catalogQuery, "the catalog database did not answer");
        part(response, "warehouse", warehouseWrite, "the warehouse did not take a write and a delete");
        String engine = engineState.get();
        response.withData("checkEngine", engine);
        if (!engine.equals("UP") && !engine.equals("EXTERNAL") && !engine.equals("OFF")) {
            response.down();
        }
        return response.build();
    }

    private static void part(HealthCheckResponseBuilder response, String name, Runnable probe, String failure) {
        try {
            probe.run();
            response.withData(name, "UP");
        }
        catch (RuntimeException e) {
            LOG.warnf("Readiness: %s: %s", failure, e.getMessage());
            response.withData(name, "DOWN: " + failure).down();
        }
    }
}

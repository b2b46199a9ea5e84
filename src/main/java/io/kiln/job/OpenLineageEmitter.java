package io.kiln.job;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.apache.iceberg.catalog.Catalog;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.kiln.KilnConfig;
import io.kiln.catalog.CatalogSettings;
import io.kiln.source.InputFile;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.openlineage.client.OpenLineage;
import io.openlineage.client.OpenLineageClient;
import io.openlineage.client.transports.ApiKeyTokenProvider;
import io.openlineage.client.transports.FileConfig;
import io.openlineage.client.transports.FileTransport;
import io.openlineage.client.transports.HttpConfig;
import io.openlineage.client.transports.HttpTransport;
import io.openlineage.client.transports.Transport;
import io.quarkus.runtime.ShutdownEvent;

/**
 * Sends each job's OpenLineage run events ({@link OpenLineageEvents}) through the OpenLineage Java
 * client, on one thread of its own, in the order the job's states change, so a slow or absent
 * lineage server never slows a job: at most {@link #QUEUE} events wait, beyond that an event is
 * dropped and counted. A failed send is logged (without the API key) and counted
 * ({@code kiln.openlineage.events} by outcome); it never fails a job. Off unless
 * {@code kiln.openlineage.transport} is {@code http} or {@code file}.
 */
@ApplicationScoped
public class OpenLineageEmitter {
    private static final Logger LOG = Logger.getLogger(OpenLineageEmitter.class);
    static final int QUEUE = 1000;

    @Inject
    KilnConfig config;
    @Inject
    Catalog catalog;
    @Inject
    CatalogSettings catalogSettings;
    @Inject
    MeterRegistry registry;
    @ConfigProperty(name = "quarkus.application.version", defaultValue = "dev")
    String kilnVersion;

    private OpenLineageClient client;
    private OpenLineageEvents events;
    private ThreadPoolExecutor sender;
    private java.time.Duration timeout;

    @PostConstruct
    void open() {
        open(config.openLineage(), catalog, catalogSettings, registry, kilnVersion);
    }

    /** Starts sending as {@code settings} say (nothing for {@code none}). */
    void open(KilnConfig.OpenLineage settings, Catalog tables, CatalogSettings catalogOf, MeterRegistry meters, String version) {
        Transport transport = transport(settings);
        if (transport == null) {
            return;
        }
        registry = meters;
        timeout = settings.timeout();
        client = OpenLineageClient.builder().transport(transport).build();
        events = new OpenLineageEvents(tables, catalogOf, settings.namespace(), version);
        sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE), runnable -> {
            Thread thread = new Thread(runnable, "kiln-openlineage");
            thread.setDaemon(true);
            return thread;
        });
        List.of("sent", "failed", "dropped").forEach(this::counter); // at zero from the start, as dashboards expect
        LOG.infof("OpenLineage events go to %s (namespace %s)", transport instanceof HttpTransport
                ? withoutSecrets(settings.url().orElseThrow()) + settings.endpoint() : settings.file().orElseThrow(), settings.namespace());
    }

    /** The configured transport, or null when events are off; a transport without its destination stops the start. */
    static Transport transport(KilnConfig.OpenLineage settings) {
        switch (settings.transport().toLowerCase(Locale.ROOT)) {
            case "none":
                return null;
            case "file": {
                String file = settings.file().filter(name -> !name.isBlank()).orElseThrow(() -> new IllegalStateException(
                        "kiln.openlineage.transport=file needs kiln.openlineage.file (KILN_OPENLINEAGE_FILE): the file events are appended to"));
                return new FileTransport(new FileConfig(Path.of(file).toAbsolutePath().toString()));
            }
            case "http": {
                java.net.URI url = settings.url().orElseThrow(() -> new IllegalStateException(
                        "kiln.openlineage.transport=http needs kiln.openlineage.url (KILN_OPENLINEAGE_URL), e.g. http://marquez:5000"));
                HttpConfig http = new HttpConfig();
                http.setUrl(url);
                http.setEndpoint(settings.endpoint());
                http.setTimeoutInMillis(Math.toIntExact(settings.timeout().toMillis()));
                settings.apiKey().filter(key -> !key.isBlank()).ifPresent(key -> {
                    ApiKeyTokenProvider token = new ApiKeyTokenProvider();
                    token.setApiKey(key);
                    http.setAuth(token);
                });
                return new HttpTransport(http);
            }
            default:
                throw new IllegalStateException("kiln.openlineage.transport must be none, http or file, not '" + settings.transport() + "'");
        }
    }

    /** The job started, reading {@code inputs}. */
    void started(Job job, List<InputFile> inputs) {
        if (client != null) {
            List<InputFile> listed = List.copyOf(inputs.subList(0, Math.min(inputs.size(), OpenLineageEvents.MAX_LISTED_INPUTS)));
            int count = inputs.size();
            send(job, () -> events.started(job, listed, count));
        }
    }

    /** The job reached a final state (its COMPLETE, FAIL or ABORT); a job that never started sends nothing. */
    void ended(Job job) {
        if (client != null && job.startedAt() != null) {
            send(job, () -> events.ended(job).orElse(null));
        }
    }

    private void send(Job job, Supplier<OpenLineage.RunEvent> event) {
        try {
            sender.execute(() -> {
                try {
                    OpenLineage.RunEvent built = event.get();
                    if (built != null) {
                        client.emit(built);
                        count("sent");
                    }
                }
                catch (RuntimeException e) {
                    count("failed");
                    LOG.warnf("OpenLineage event of job %s not sent: %s", job.id(), message(e));
                }
            });
        }
        catch (RejectedExecutionException e) {
            count("dropped");
            LOG.warnf("OpenLineage event of job %s dropped: %d events wait to be sent already", job.id(), QUEUE);
        }
    }

    /** The URL without user information or query, which may hold credentials. */
    static String withoutSecrets(java.net.URI url) {
        return url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort()) + (url.getRawPath() == null ? "" : url.getRawPath());
    }

    private static String message(Throwable e) {
        StringBuilder message = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable cause = e.getCause(); cause != null && cause != e; cause = cause.getCause()) {
            message.append(": ").append(cause.getMessage());
        }
        return message.toString();
    }

    private void count(String outcome) {
        counter(outcome).increment();
    }

    private Counter counter(String outcome) {
        return Counter.builder("kiln.openlineage.events").tag("outcome", outcome).description("OpenLineage run events, by what became of them").register(registry);
    }

    /** Sends what waits (for up to the transport's timeout and a second), then closes the client. */
    void stop(@Observes ShutdownEvent event) {
        close();
    }

    void close() {
        if (sender == null) {
            return;
        }
        sender.shutdown();
        try {
            if (!sender.awaitTermination(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS)) {
                LOG.warnf("OpenLineage: %d events not sent at shutdown", sender.getQueue().size());
                sender.shutdownNow();
            }
            client.close();
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        catch (Exception e) {
            LOG.warnf("OpenLineage client did not close: %s", message(e));
        }
    }
}

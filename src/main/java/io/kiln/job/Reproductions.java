package io.kiln.job;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.ExecutorService;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.kiln.KilnConfig;
import io.kiln.error.ErrorCode;
import io.kiln.error.KilnException;
import io.quarkus.runtime.Startup;

/**
 * Reproductions as operations: asking answers at once, and the re-run (which takes as long as the
 * job did) runs on its own thread, one at a time. Kept under {@code <data-dir>/operations/reproduce}.
 * One that a stop interrupted is marked FAILED at the next start; its scratch branch expires as any.
 */
@ApplicationScoped
@Startup
public class Reproductions {
    /** What was asked: reproduce this job. */
    public record Order(String jobId) {}

    @Inject
    JobService jobs;
    @Inject
    KilnConfig config;

    private ExecutorService executor;
    private Operations<Order, Reproduction.Result> operations;

    @PostConstruct
    void start() {
        executor = Operations.oneAtATime("kiln-reproduce");
        operations = new Operations<>("reproduction", Path.of(config.dataDirectory()).resolve("operations").resolve("reproduce"), Order.class,
                Reproduction.Result.class, executor, (operation, progress) -> jobs.reproduce(operation.request().jobId()), operation -> {});
    }

    @PreDestroy
    void stop() {
        executor.shutdownNow();
    }

    /** Queues a reproduction of a job that exists; a retry with the same key gets the first. */
    public Operations.Operation<Order, Reproduction.Result> submit(String jobId, Optional<String> idempotencyKey) {
        jobs.job(jobId);
        return operations.submit(new Order(jobId), idempotencyKey);
    }

    public Operations.Operation<Order, Reproduction.Result> reproduction(String id) {
        return operations.find(id).orElseThrow(() -> new KilnException(ErrorCode.RESOURCE_NOT_FOUND, "There is no reproduction " + id));
    }
}

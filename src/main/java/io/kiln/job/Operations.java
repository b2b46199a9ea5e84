package io.kiln.job;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.stream.Stream;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import io.kiln.error.ErrorCode;
import io.kiln.error.KilnException;

/**
 * Long work that outlives the request that asked for it (an export, a reproduction): the request
 * answers 202 with an operation at once, and the caller follows it until it ends. Each operation is
 * kept as a JSON file under {@code directory}, written atomically at every change of state, so it
 * is still there after a restart; one that was running when the service stopped is marked
 * {@code FAILED} at the next start and handed to {@code interrupted} to clean up after it. A retry
 * with the same idempotency key gets the first operation back. Thread-safe.
 *
 * @param <Q> what was asked (kept with the operation)
 * @param <R> what the work gives when it succeeds
 */
public final class Operations<Q, R> {
    private static final Logger LOG = Logger.getLogger(Operations.class);
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new Jdk8Module()).registerModule(new JavaTimeModule())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public enum State {
        QUEUED, RUNNING, SUCCEEDED, FAILED;

        public boolean isFinal() {
            return this == SUCCEEDED || this == FAILED;
        }
    }

    /** {@code progress}: a count the work reports (rows written, for an export); {@code error}: why it failed. */
    public record Operation<Q, R>(String id, State state, Instant createdAt, Optional<Instant> startedAt, Optional<Instant> finishedAt,
            Optional<String> idempotencyKey, Q request, Optional<R> result, Optional<Job.JobError> error) {
        public Operation {
            requireNonNull(id, "id is null");
            requireNonNull(state, "state is null");
            requireNonNull(createdAt, "createdAt is null");
            requireNonNull(startedAt, "startedAt is null");
            requireNonNull(finishedAt, "finishedAt is null");
            requireNonNull(idempotencyKey, "idempotencyKey is null");
            requireNonNull(request, "request is null");
            requireNonNull(result, "result is null");
            requireNonNull(error, "error is null");
        }

        Operation<Q, R> started() {
            return new Operation<>(id, State.RUNNING, createdAt, Optional.of(Instant.now()), finishedAt, idempotencyKey, request, result, error);
        }

        Operation<Q, R> succeeded(R value) {
            return new Operation<>(id, State.SUCCEEDED, createdAt, startedAt, Optional.of(Instant.now()), idempotencyKey, request, Optional.of(value), error);
        }

        Operation<Q, R> failed(Job.JobError why) {
            return new Operation<>(id, State.FAILED, createdAt, startedAt, Optional.of(Instant.now()), idempotencyKey, request, result, Optional.of(why));
        }
    }

    /** The work of one operation; {@code progress} takes a running count. A KilnException's code and message become the operation's error. */
    public interface Work<Q, R> {
        R run(Operation<Q, R> operation, LongConsumer progress) throws Exception;
    }

    private final String kind;
    private final Path directory;
    private final JavaType type;
    private final ExecutorService executor;
    private final Work<Q, R> work;
    private final Map<String, Operation<Q, R>> operations = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> progress = new ConcurrentHashMap<>();

    /**
     * Loads the operations kept under {@code directory}; each one that had not ended is marked
     * FAILED and given to {@code interrupted}.
     */
    public Operations(String kind, Path directory, Class<Q> request, Class<R> result, ExecutorService executor, Work<Q, R> work,
            Consumer<Operation<Q, R>> interrupted) {
        this.kind = requireNonNull(kind, "kind is null");
        this.directory = requireNonNull(directory, "directory is null");
        this.type = JSON.getTypeFactory().constructParametricType(Operation.class, request, result);
        this.executor = requireNonNull(executor, "executor is null");
        this.work = requireNonNull(work, "work is null");
        try {
            Files.createDirectories(directory);
            try (Stream<Path> files = Files.list(directory)) {
                for (Path file : files.filter(path -> path.getFileName().toString().endsWith(".json")).toList()) {
                    Operation<Q, R> operation = JSON.readValue(file.toFile(), type);
                    if (!operation.state().isFinal()) {
                        operation = operation.failed(new Job.JobError(ErrorCode.INTERNAL_ERROR.name(),
                                "The service stopped during this " + kind + "; what it had written was deleted. Ask for it again."));
                        interrupted.accept(operation);
                        save(operation);
                    }
                    operations.put(operation.id(), operation);
                }
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot read the " + kind + " operations under " + directory, e);
        }
    }

    /** An executor that runs one operation at a time, on a daemon thread of this name. */
    public static ExecutorService oneAtATime(String threadName) {
        return java.util.concurrent.Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, threadName);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Queues the work, or returns the operation that the same idempotency key asked for first. */
    public synchronized Operation<Q, R> submit(Q request, Optional<String> idempotencyKey) {
        if (idempotencyKey.isPresent()) {
            Optional<Operation<Q, R>> earlier = byKey(idempotencyKey.get());
            if (earlier.isPresent()) {
                if (!JSON.valueToTree(earlier.get().request()).equals(JSON.valueToTree(request))) {
                    throw new KilnException(ErrorCode.IDEMPOTENCY_KEY_REUSED, "The Idempotency-Key was used for another " + kind + " (" + earlier.get().id() + ")");
                }
                return earlier.get();
            }
        }
        Operation<Q, R> operation = new Operation<>(kind + "-" + UUID.randomUUID(), State.QUEUED, Instant.now(), Optional.empty(), Optional.empty(),
                idempotencyKey, request, Optional.empty(), Optional.empty());
        save(operation);
        operations.put(operation.id(), operation);
        executor.execute(() -> run(operation.id()));
        return operation;
    }

    /** The operation an idempotency key asked for, if any. */
    public Optional<Operation<Q, R>> byKey(String idempotencyKey) {
        return operations.values().stream().filter(operation -> operation.idempotencyKey().equals(Optional.of(idempotencyKey))).findFirst();
    }

    public Optional<Operation<Q, R>> find(String id) {
        return Optional.ofNullable(operations.get(id));
    }

    /** The newest first. */
    public List<Operation<Q, R>> list(int limit) {
        return operations.values().stream().sorted(Comparator.comparing((Operation<Q, R> operation) -> operation.createdAt()).reversed()
                .thenComparing(Operation::id)).limit(limit).toList();
    }

    /** The work's running count, while it runs; its last count after. */
    public long progress(String id) {
        AtomicLong count = progress.get(id);
        return count == null ? 0 : count.get();
    }

    private void run(String id) {
        Operation<Q, R> operation = operations.get(id).started();
        update(operation);
        AtomicLong count = progress.computeIfAbsent(id, key -> new AtomicLong());
        try {
            update(operation.succeeded(work.run(operation, count::set)));
        }
        catch (KilnException e) {
            update(operation.failed(new Job.JobError(e.code().name(), e.getMessage())));
        }
        catch (Exception | LinkageError e) {
            LOG.errorf(e, "%s %s failed", kind, id);
            update(operation.failed(new Job.JobError(ErrorCode.INTERNAL_ERROR.name(), "Internal error; the service log has the details for " + id)));
        }
    }

    private void update(Operation<Q, R> operation) {
        save(operation);
        operations.put(operation.id(), operation);
    }

    private void save(Operation<Q, R> operation) {
        Path file = directory.resolve(operation.id() + ".json");
        Path temporary = directory.resolve("." + operation.id() + ".json.partial");
        try {
            Files.write(temporary, JSON.writerFor(type).writeValueAsBytes(operation));
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot keep " + kind + " " + operation.id() + " under " + directory, e);
        }
    }
}

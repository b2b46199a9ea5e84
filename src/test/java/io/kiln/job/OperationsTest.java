package io.kiln.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.kiln.error.ErrorCode;
import io.kiln.error.KilnException;

class OperationsTest {
    public record Ask(String what) {}

    public record Answer(String value) {}

    @TempDir
    Path directory;

    private final ExecutorService executor = Executors.newSingleThreadExecutor();

    @AfterEach
    void stop() throws InterruptedException {
        executor.shutdownNow();
        assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void anOperationRunsInTheBackgroundAndIsKeptWithItsResult() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Operations<Ask, Answer> operations = new Operations<>("thing", directory, Ask.class, Answer.class, executor, (operation, progress) -> {
            progress.accept(7);
            release.await();
            return new Answer("done " + operation.request().what());
        }, operation -> {});

        Operations.Operation<Ask, Answer> submitted = operations.submit(new Ask("a"), Optional.empty());
        assertThat(submitted.state()).isEqualTo(Operations.State.QUEUED);
        assertThat(submitted.id()).startsWith("thing-");
        release.countDown();
        Operations.Operation<Ask, Answer> ended = awaitEnd(operations, submitted.id());
        assertThat(ended.state()).isEqualTo(Operations.State.SUCCEEDED);
        assertThat(ended.result()).contains(new Answer("done a"));
        assertThat(operations.progress(submitted.id())).isEqualTo(7);

        Operations<Ask, Answer> reloaded = new Operations<>("thing", directory, Ask.class, Answer.class, executor, (operation, progress) -> null, operation -> {});
        assertThat(reloaded.find(submitted.id()).orElseThrow().result()).contains(new Answer("done a"));
    }

    @Test
    void anOperationAStopInterruptedIsFailedAtTheNextStartAndCleanedUp() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        Operations<Ask, Answer> first = new Operations<>("thing", directory, Ask.class, Answer.class, executor, (operation, progress) -> {
            started.countDown();
            Thread.sleep(60_000);
            return new Answer("never");
        }, operation -> {});
        String id = first.submit(new Ask("long"), Optional.empty()).id();
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

        // a new service on the same data directory, as after a crash
        List<String> cleaned = new ArrayList<>();
        Operations<Ask, Answer> second = new Operations<>("thing", directory, Ask.class, Answer.class, executor,
                (operation, progress) -> null, operation -> cleaned.add(operation.request().what()));
        Operations.Operation<Ask, Answer> interrupted = second.find(id).orElseThrow();
        assertThat(interrupted.state()).isEqualTo(Operations.State.FAILED);
        assertThat(interrupted.error().orElseThrow().message()).contains("The service stopped during this thing");
        assertThat(cleaned).containsExactly("long");
        assertThat(Files.readString(directory.resolve(id + ".json"))).contains("FAILED");
    }

    @Test
    void aRetryWithTheSameKeyGetsTheFirstOperationAndAnotherRequestIsAConflict() throws Exception {
        Operations<Ask, Answer> operations = new Operations<>("thing", directory, Ask.class, Answer.class, executor,
                (operation, progress) -> new Answer("x"), operation -> {});
        String id = operations.submit(new Ask("a"), Optional.of("key-1")).id();
        assertThat(operations.submit(new Ask("a"), Optional.of("key-1")).id()).isEqualTo(id);
        assertThatThrownBy(() -> operations.submit(new Ask("b"), Optional.of("key-1")))
                .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.IDEMPOTENCY_KEY_REUSED));
        assertThat(operations.list(10)).hasSize(1);
    }

    @Test
    void aFailureKeepsItsCodeAndMessageButNeverAClassName() throws Exception {
        Operations<Ask, Answer> operations = new Operations<>("thing", directory, Ask.class, Answer.class, executor, (operation, progress) -> {
            if (operation.request().what().equals("known")) {
                throw new KilnException(ErrorCode.EXPORT_FAILED, "the disk is full");
            }
            throw new IllegalStateException("java.lang.secret detail");
        }, operation -> {});
        Operations.Operation<Ask, Answer> known = awaitEnd(operations, operations.submit(new Ask("known"), Optional.empty()).id());
        assertThat(known.error().orElseThrow()).isEqualTo(new Job.JobError("EXPORT_FAILED", "the disk is full"));
        Operations.Operation<Ask, Answer> unknown = awaitEnd(operations, operations.submit(new Ask("other"), Optional.empty()).id());
        assertThat(unknown.error().orElseThrow().code()).isEqualTo("INTERNAL_ERROR");
        assertThat(unknown.error().orElseThrow().message()).doesNotContain("java.lang").doesNotContain("secret");
    }

    private static Operations.Operation<Ask, Answer> awaitEnd(Operations<Ask, Answer> operations, String id) throws InterruptedException {
        for (int i = 0; i < 500; i++) {
            Operations.Operation<Ask, Answer> operation = operations.find(id).orElseThrow();
            if (operation.state().isFinal()) {
                return operation;
            }
            Thread.sleep(10);
        }
        throw new AssertionError(id + " did not end");
    }
}

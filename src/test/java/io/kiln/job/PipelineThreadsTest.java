package io.kiln.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

class PipelineThreadsTest {
    @Test
    void runsAtMostItsThreadsAtOnceAndEveryTask() throws Exception {
        ExecutorService executor = PipelineThreads.limited(2);
        AtomicInteger now = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        List<Future<Integer>> results = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            int n = i;
            results.add(executor.submit(() -> {
                most.accumulateAndGet(now.incrementAndGet(), Math::max);
                Thread.sleep(2);
                now.decrementAndGet();
                return n;
            }));
        }
        for (int i = 0; i < 40; i++) {
            assertThat(results.get(i).get(10, TimeUnit.SECONDS)).isEqualTo(i);
        }
        assertThat(most.get()).isEqualTo(2);
        executor.shutdown();
        assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void oneThreadRunsItsTasksInTheOrderGiven() throws Exception {
        ExecutorService executor = PipelineThreads.limited(1);
        List<Integer> order = Collections.synchronizedList(new ArrayList<>());
        List<Future<?>> done = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            int n = i;
            done.add(executor.submit(() -> order.add(n)));
        }
        for (Future<?> future : done) {
            future.get(10, TimeUnit.SECONDS);
        }
        assertThat(order).hasSize(100).isSorted();
        executor.shutdown();
    }

    @Test
    void aTaskThatThrowsDoesNotStopTheTasksAfterIt() throws Exception {
        ExecutorService executor = PipelineThreads.limited(1);
        executor.execute(() -> {
            throw new IllegalStateException("thrown on purpose by the test");
        });
        assertThat(executor.submit(() -> 42).get(10, TimeUnit.SECONDS)).isEqualTo(42);
        executor.shutdown();
        assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aLaterJobRunsOnTheThreadAnEarlierOneLeft() throws Exception {
        ExecutorService first = PipelineThreads.limited(1);
        Thread earlier = first.submit(Thread::currentThread).get(10, TimeUnit.SECONDS);
        first.shutdown();
        assertThat(first.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        // back in the pool, waiting for work: the pool hands new work to the thread that has waited the shortest
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (earlier.getState() != Thread.State.TIMED_WAITING && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        ExecutorService second = PipelineThreads.limited(1);
        Thread later = second.submit(Thread::currentThread).get(10, TimeUnit.SECONDS);
        second.shutdown();
        assertThat(later).isSameAs(earlier);
        assertThat(later.getName()).startsWith("kiln-pipeline-");
        assertThat(later.isDaemon()).isTrue();
    }

    @Test
    void shutdownNowStopsItsOwnTasksOnlyAndClearsTheInterrupt() throws Exception {
        ExecutorService stopped = PipelineThreads.limited(1);
        ExecutorService other = PipelineThreads.limited(1);
        CountDownLatch started = new CountDownLatch(2);
        AtomicBoolean interrupted = new AtomicBoolean();
        AtomicReference<Thread> victim = new AtomicReference<>();
        stopped.submit(() -> {
            victim.set(Thread.currentThread());
            started.countDown();
            try {
                Thread.sleep(60_000);
            }
            catch (InterruptedException e) {
                interrupted.set(true);
            }
        });
        Future<?> queued = stopped.submit(() -> {});
        CountDownLatch release = new CountDownLatch(1);
        Future<Boolean> untouched = other.submit(() -> {
            started.countDown();
            release.await(10, TimeUnit.SECONDS);
            return Thread.currentThread().isInterrupted();
        });
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

        assertThat(stopped.shutdownNow()).hasSize(1);
        assertThat(stopped.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(interrupted).isTrue();
        assertThat(victim.get().isInterrupted()).as("the stopped task's thread, back in the pool").isFalse();
        assertThat(queued.isDone()).isFalse();
        release.countDown();
        assertThat(untouched.get(10, TimeUnit.SECONDS)).isFalse();
        other.shutdown();

        // and whichever thread runs the next executor's task
        ExecutorService next = PipelineThreads.limited(2);
        assertThat(next.submit(() -> Thread.currentThread().isInterrupted()).get(10, TimeUnit.SECONDS)).isFalse();
        next.shutdown();
        assertThatThrownBy(() -> next.submit(() -> {})).isInstanceOf(RejectedExecutionException.class);
    }
}

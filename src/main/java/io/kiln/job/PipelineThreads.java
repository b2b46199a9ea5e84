package io.kiln.job;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that jobs transform and write on, kept across jobs. A job's threads used to be its
 * own, started with it and ended with it; each new thread then found its thread-local state empty
 * (Jackson's buffers, Hadoop's per-thread statistics) on paths that the compiled code of the jobs
 * before had never seen empty, and the JIT threw that code away and compiled it again (about 1 s of
 * C2 time in every job of a warm service, measured on 1 GB of JSON lines). A job takes {@link #limited}
 * threads of the service's pool instead: at most that many of its tasks run at once, in the order
 * given, and shutting it down stops only its own tasks. Pool threads that stay idle for ten minutes end.
 */
final class PipelineThreads {
    private static final AtomicInteger COUNT = new AtomicInteger();
    private static final ThreadPoolExecutor POOL = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 10, TimeUnit.MINUTES, new SynchronousQueue<>(), runnable -> {
        Thread thread = new Thread(runnable, "kiln-pipeline-" + COUNT.incrementAndGet());
        thread.setDaemon(true);
        return thread;
    });

    private PipelineThreads() {
    }

    /** An executor that runs at most {@code threads} of its tasks at a time on the shared pool, first submitted first started. */
    static ExecutorService limited(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, was " + threads);
        }
        return new Limited(threads);
    }

    private static final class Limited extends AbstractExecutorService {
        private final int limit;
        private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
        /** The pool threads running this executor's tasks now: shutdownNow interrupts them, and only them. */
        private final Set<Thread> running = new HashSet<>();
        private int drainers;
        private boolean shutdown;

        Limited(int limit) {
            this.limit = limit;
        }

        @Override
        public void execute(Runnable task) {
            synchronized (this) {
                if (shutdown) {
                    throw new RejectedExecutionException("the job's threads are shut down");
                }
                queue.addLast(task);
                if (drainers >= limit) {
                    return;
                }
                drainers++;
            }
            try {
                POOL.execute(this::drain);
            }
            catch (RuntimeException | Error e) {
                synchronized (this) {
                    drainers--;
                    queue.remove(task);
                    notifyAll();
                }
                throw e;
            }
        }

        /** On a pool thread: runs queued tasks until there are none left, then gives the thread back. */
        private void drain() {
            Thread thread = Thread.currentThread();
            synchronized (this) {
                running.add(thread);
            }
            while (true) {
                Runnable task;
                synchronized (this) {
                    // an interrupt from shutdownNow was for the task before, not for what the thread runs next
                    Thread.interrupted();
                    task = queue.pollFirst();
                    if (task == null) {
                        running.remove(thread);
                        drainers--;
                        notifyAll();
                        return;
                    }
                }
                try {
                    task.run();
                }
                catch (RuntimeException | Error e) {
                    // as a pool thread would report it; the tasks after it still run (submit's tasks never throw here)
                    thread.getUncaughtExceptionHandler().uncaughtException(thread, e);
                }
            }
        }

        @Override
        public synchronized void shutdown() {
            shutdown = true;
        }

        @Override
        public synchronized List<Runnable> shutdownNow() {
            shutdown = true;
            List<Runnable> never = new ArrayList<>(queue);
            queue.clear();
            running.forEach(Thread::interrupt);
            return never;
        }

        @Override
        public synchronized boolean isShutdown() {
            return shutdown;
        }

        @Override
        public synchronized boolean isTerminated() {
            return shutdown && drainers == 0;
        }

        @Override
        public synchronized boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
            long deadline = System.nanoTime() + unit.toNanos(timeout);
            while (!isTerminated()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return true;
        }
    }
}

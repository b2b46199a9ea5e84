package io.kiln.job;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongConsumer;

import io.kiln.source.ContentChangedException;
import io.kiln.source.InputChangedException;
import io.kiln.source.ReadOptions;
import io.kiln.source.RecordReader;
import io.kiln.source.SourceFormat;
import io.kiln.source.SourceRecord;
import io.kiln.source.UnreadableInputException;

/**
 * Passes over a job's planned inputs: each reads every input in order, on the calling thread, in
 * batches of records as read (a JSON line's bytes); each batch is parsed and worked on by the job's
 * executor (at most {@code 2 x threads} batches in flight, so memory is bounded whatever the input
 * size) and its result consumed in input order, on a writing thread. The first pass over a file
 * hashes it before reading it; every pass checks that the file is still what was hashed. A file whose content cannot be decoded past some point (a corrupt or cut-short compressed
 * stream) gives the records before it, then one reject for the rest, at position {@value #UNREADABLE_POSITION}.
 * A job makes one pass per group of fitted steps, then the pass that writes.
 */
final class InputPasses {
    private final InputPlan plan;
    private final SourceFormat format;
    private final ReadOptions options;
    private final int batchSize;
    private final long batchBytes;
    private final int threads;
    private final ExecutorService executor;
    private final BooleanSupplier cancelled;
    private final Joins joins;

    /**
     * {@code executor}: null to work on the calling thread; {@code batchBytes}: a batch also ends once its records hold this many bytes ({@link RecordReader.Pending#bytes}), so that large
     * records (long documents, images) keep fewer rows in flight; {@code joins}: the lookups each record is joined with as it is
     * read; their files are read when a pass loads them, not in the pass's loop.
     */
    InputPasses(InputPlan plan, SourceFormat format, ReadOptions options, int batchSize, long batchBytes, int threads, ExecutorService executor,
            BooleanSupplier cancelled, Joins joins) {
        this.joins = requireNonNull(joins, "joins is null");
        this.plan = requireNonNull(plan, "plan is null");
        this.format = requireNonNull(format, "format is null");
        this.options = requireNonNull(options, "options is null");
        this.batchSize = batchSize;
        this.batchBytes = batchBytes;
        this.threads = threads;
        this.executor = executor;
        this.cancelled = requireNonNull(cancelled, "cancelled is null");
    }

    /** A record of input {@code fileIndex} (in the sorted inputs), the {@code ordinal}-th of its file. */
    record Item(InputPlan.PlannedInput input, int fileIndex, long ordinal, SourceRecord record) {}

    /** The records of a batch that became rows: their items and rows, in batch order. */
    record Parsed(List<Item> items, List<io.kiln.transform.Row> rows) {
        static Parsed of(List<Item> batch) {
            List<Item> items = new ArrayList<>(batch.size());
            List<io.kiln.transform.Row> rows = new ArrayList<>(batch.size());
            for (Item item : batch) {
                if (item.record() instanceof SourceRecord.Parsed parsed) {
                    items.add(item);
                    rows.add(parsed.row());
                }
            }
            return new Parsed(items, rows);
        }
    }

    /** The records of one input, with the files they name loaded where the source says so. */
    private RecordReader open(InputPlan.PlannedInput input, LongConsumer bytesRead) throws java.io.IOException {
        RecordReader reader = format.open(input.toRead(), input.sha256(), options, bytesRead);
        return options.media().isPresent() ? options.media().get().wrap(reader, input.file()) : reader;
    }

    /**
     * Reads every input once: {@code work} runs on the executor, {@code consume} on one thread in input
     * order (the job's writing thread, or this one when the job has one thread). Records are parsed
     * where {@code work} runs, before it, unless the pass joins: with joins, the lookups are loaded
     * first, each record is parsed and joined as it is read, and the lookup files' rejects come after
     * the last record; the pass's joins are returned, empty without.
     */
    <T> Optional<Joins.Pass> pass(LongConsumer bytesRead, Function<List<Item>, T> work, Consumer<T> consume) {
        Optional<Joins.Pass> joined = joins.isEmpty() ? Optional.empty() : Optional.of(joins.open(plan, options, bytesRead));
        try (Feeder<T> feeder = new Feeder<>(work, consume)) {
            List<InputPlan.PlannedInput> inputs = plan.inputs();
            for (int fileIndex = 0; fileIndex < inputs.size(); fileIndex++) {
                InputPlan.PlannedInput input = inputs.get(fileIndex);
                if (joined.isPresent() && joins.isLookup(input.file())) {
                    continue;
                }
                int index = fileIndex;
                if (joined.isPresent()) {
                    readWhole(input, () -> open(input, bytesRead),
                            (record, ordinal) -> feeder.add(new Unparsed(input, index, ordinal, RecordReader.Pending.of(joined.get().apply(record)))));
                }
                else {
                    readPending(input, () -> open(input, bytesRead), (pending, ordinal) -> feeder.add(new Unparsed(input, index, ordinal, pending)));
                }
            }
            joined.ifPresent(pass -> pass.leftovers().forEach(item -> feeder.add(Unparsed.of(item))));
            feeder.finish();
        }
        return joined;
    }

    /** A record as read, parsed when its batch is worked on. */
    private record Unparsed(InputPlan.PlannedInput input, int fileIndex, long ordinal, RecordReader.Pending record) {
        static Unparsed of(Item item) {
            return new Unparsed(item.input(), item.fileIndex(), item.ordinal(), RecordReader.Pending.of(item.record()));
        }

        Item parse() {
            return new Item(input, fileIndex, ordinal, record.parse());
        }
    }

    /** Opens a reader; may fail reading. */
    @FunctionalInterface
    interface Opener {
        RecordReader open() throws IOException;
    }

    /** Takes each record of a file with its ordinal. */
    @FunctionalInterface
    interface RecordSink {
        void accept(SourceRecord record, long ordinal);
    }

    /** Takes each record of a file, not parsed yet, with its ordinal. */
    @FunctionalInterface
    interface PendingSink {
        void accept(RecordReader.Pending record, long ordinal);
    }

    /**
     * Reads a planned input whole: every record in order, the rest of a file that cannot be decoded as
     * one last reject; then fails the job unless the file is still what was hashed.
     */
    static void readWhole(InputPlan.PlannedInput input, Opener opener, RecordSink sink) {
        readPending(input, opener, (record, ordinal) -> sink.accept(record.parse(), ordinal));
    }

    /** {@link #readWhole}, with each record handed on as read, to be parsed by whoever takes it. */
    static void readPending(InputPlan.PlannedInput input, Opener opener, PendingSink sink) {
        try (RecordReader reader = opener.open()) {
            long ordinal = 0;
            while (true) {
                Optional<RecordReader.Pending> next;
                try {
                    next = reader.nextPending();
                }
                catch (UnreadableInputException e) {
                    // the rest of the file cannot be decoded: one reject for it, and the file ends here
                    sink.accept(RecordReader.Pending.of(unreadable(e, ordinal)), ordinal);
                    break;
                }
                if (next.isEmpty()) {
                    break;
                }
                sink.accept(next.get(), ordinal++);
            }
            InputPlan.checkRead(input, reader.finish());
        }
        catch (InputChangedException e) {
            throw InputPlan.replaced(input.file(), e);
        }
        catch (ContentChangedException e) {
            throw InputPlan.changed(input.file(), e);
        }
        catch (IOException e) {
            throw InputPlan.unreadable(input.file(), e);
        }
    }

    /**
     * Batches records for the executor, which parses them and runs {@code work}: at most {@code 2 x threads}
     * batches in flight, their results consumed in input order, on a writing thread of its own when
     * the pass has an executor (at most two results waiting for it), else on this thread. Memory stays
     * bounded whatever the input size.
     */
    private final class Feeder<T> implements AutoCloseable {
        private static final int WAITING_WRITES = 2;
        private final Function<List<Item>, T> work;
        private final Consumer<T> consume;
        private final Deque<Future<T>> inFlight = new ArrayDeque<>();
        private final ExecutorService writer;
        private final Deque<Future<?>> writes = new ArrayDeque<>();
        private List<Unparsed> batch = new ArrayList<>(batchSize);
        private long bytes;

        Feeder(Function<List<Item>, T> work, Consumer<T> consume) {
            this.work = work;
            this.consume = consume;
            this.writer = executor == null ? null : PipelineThreads.limited(1);
        }

        void add(Unparsed record) {
            batch.add(record);
            bytes += record.record().bytes();
            if (batch.size() < batchSize && bytes < batchBytes) {
                return;
            }
            if (cancelled.getAsBoolean()) {
                throw new IngestPipeline.CancelledException();
            }
            submit(batch);
            batch = new ArrayList<>(Math.min(batchSize, 2 * batch.size()));
            bytes = 0;
            while (inFlight.size() > 2 * threads) {
                hand(inFlight.removeFirst());
            }
        }

        void finish() {
            if (!batch.isEmpty()) {
                submit(batch);
            }
            while (!inFlight.isEmpty()) {
                hand(inFlight.removeFirst());
            }
            while (!writes.isEmpty()) {
                await(writes.removeFirst());
            }
        }

        private void submit(List<Unparsed> records) {
            Function<List<Unparsed>, T> parsed = unparsed -> {
                List<Item> items = new ArrayList<>(unparsed.size());
                for (Unparsed record : unparsed) {
                    items.add(record.parse());
                }
                return work.apply(items);
            };
            if (executor == null) {
                inFlight.addLast(CompletableFuture.completedFuture(parsed.apply(records)));
            }
            else {
                inFlight.addLast(executor.submit(() -> parsed.apply(records)));
            }
        }

        /** Consumes a batch's result after the ones before it. */
        private void hand(Future<T> result) {
            if (writer == null) {
                consume.accept(await(result));
                return;
            }
            writes.addLast(writer.submit(() -> consume.accept(await(result))));
            while (writes.size() > WAITING_WRITES) {
                await(writes.removeFirst());
            }
        }

        /** Stops the writing thread and waits for it: after a failure, nothing writes while the job aborts its files. */
        @Override
        public void close() {
            if (writer == null) {
                return;
            }
            writer.shutdownNow();
            try {
                writer.awaitTermination(5, java.util.concurrent.TimeUnit.MINUTES);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The position of the reject for the part of a file that could not be decoded. */
    static final String UNREADABLE_POSITION = "file";

    /** The reject of the rest of a file that cannot be decoded, after the {@code ordinal} records read before it. */
    private static SourceRecord.Malformed unreadable(UnreadableInputException e, long ordinal) {
        String before = ordinal == 0 ? "no record of the file could be read"
                : ordinal == 1 ? "the 1 record before it was read, the rest of the file was not"
                : "the " + ordinal + " records before it were read, the rest of the file was not";
        return new SourceRecord.Malformed(UNREADABLE_POSITION, e.reason(), e.getMessage() + "; " + before, "");
    }

    private static <T> T await(Future<T> future) {
        try {
            return future.get();
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IngestPipeline.CancelledException();
        }
        catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        }
    }
}

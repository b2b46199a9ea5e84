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

import io.kiln.source.InputChangedException;
import io.kiln.source.ReadOptions;
import io.kiln.source.RecordReader;
import io.kiln.source.SourceFormat;
import io.kiln.source.SourceRecord;
import io.kiln.source.UnreadableInputException;

/**
 * Passes over a job's planned inputs: each reads every input in order, on the calling thread, in
 * batches of records; each batch is worked on by the job's executor (at most {@code 2 x threads}
 * batches in flight, so memory is bounded whatever the input size) and its result consumed on the
 * calling thread, in input order. A pass checks that every file still has the sha256 it had when
 * planned. A file whose content cannot be decoded past some point (a corrupt or cut-short compressed
 * stream) gives the records before it, then one reject for the rest, at position {@value #UNREADABLE_POSITION}.
 * A job makes one pass per group of fitted steps, then the pass that writes.
 */
final class InputPasses {
    private final InputPlan plan;
    private final SourceFormat format;
    private final ReadOptions options;
    private final int batchSize;
    private final int threads;
    private final ExecutorService executor;
    private final BooleanSupplier cancelled;
    private final Joins joins;

    /** {@code executor}: null to work on the calling thread. */
    InputPasses(InputPlan plan, SourceFormat format, ReadOptions options, int batchSize, int threads, ExecutorService executor, BooleanSupplier cancelled) {
        this(plan, format, options, batchSize, threads, executor, cancelled, Joins.NONE);
    }

    /** {@code joins}: the lookups each record is joined with as it is read; their files are read when a pass loads them, not in the pass's loop. */
    InputPasses(InputPlan plan, SourceFormat format, ReadOptions options, int batchSize, int threads, ExecutorService executor, BooleanSupplier cancelled,
            Joins joins) {
        this.joins = requireNonNull(joins, "joins is null");
        this.plan = requireNonNull(plan, "plan is null");
        this.format = requireNonNull(format, "format is null");
        this.options = requireNonNull(options, "options is null");
        this.batchSize = batchSize;
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
        RecordReader reader = format.open(input.file(), input.sha256(), options, bytesRead);
        return options.media().isPresent() ? options.media().get().wrap(reader, input.file()) : reader;
    }

    /**
     * Reads every input once: {@code work} runs on the executor, {@code consume} on this thread in input
     * order. With joins, the lookups are loaded first, each record is joined as it is read, and the
     * lookup files' rejects come after the last record; the pass's joins are returned, empty without.
     */
    <T> Optional<Joins.Pass> pass(LongConsumer bytesRead, Function<List<Item>, T> work, Consumer<T> consume) {
        Feeder<T> feeder = new Feeder<>(work, consume);
        List<InputPlan.PlannedInput> inputs = plan.inputs();
        Optional<Joins.Pass> joined = joins.isEmpty() ? Optional.empty() : Optional.of(joins.open(plan, options, bytesRead));
        for (int fileIndex = 0; fileIndex < inputs.size(); fileIndex++) {
            InputPlan.PlannedInput input = inputs.get(fileIndex);
            if (joined.isPresent() && joins.isLookup(input.file())) {
                continue;
            }
            int index = fileIndex;
            readWhole(input, () -> open(input, bytesRead),
                    (record, ordinal) -> feeder.add(new Item(input, index, ordinal, joined.isPresent() ? joined.get().apply(record) : record)));
        }
        joined.ifPresent(pass -> pass.leftovers().forEach(feeder::add));
        feeder.finish();
        return joined;
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

    /**
     * Reads a planned input whole: every record in order, the rest of a file that cannot be decoded as
     * one last reject; then fails the job unless the bytes read had the sha256 planned.
     */
    static void readWhole(InputPlan.PlannedInput input, Opener opener, RecordSink sink) {
        try (RecordReader reader = opener.open()) {
            long ordinal = 0;
            while (true) {
                Optional<SourceRecord> next;
                try {
                    next = reader.next();
                }
                catch (UnreadableInputException e) {
                    // the rest of the file cannot be decoded: one reject for it, and the file ends here
                    sink.accept(unreadable(e, ordinal), ordinal);
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
        catch (IOException e) {
            throw InputPlan.unreadable(input.file(), e);
        }
    }

    /** Batches items for the executor, at most {@code 2 x threads} batches in flight, their results consumed in input order. */
    private final class Feeder<T> {
        private final Function<List<Item>, T> work;
        private final Consumer<T> consume;
        private final Deque<Future<T>> inFlight = new ArrayDeque<>();
        private List<Item> batch = new ArrayList<>(batchSize);

        Feeder(Function<List<Item>, T> work, Consumer<T> consume) {
            this.work = work;
            this.consume = consume;
        }

        void add(Item item) {
            batch.add(item);
            if (batch.size() < batchSize) {
                return;
            }
            if (cancelled.getAsBoolean()) {
                throw new IngestPipeline.CancelledException();
            }
            submit(work, batch, inFlight);
            batch = new ArrayList<>(batchSize);
            while (inFlight.size() > 2 * threads) {
                consume.accept(await(inFlight.removeFirst()));
            }
        }

        void finish() {
            if (!batch.isEmpty()) {
                submit(work, batch, inFlight);
            }
            while (!inFlight.isEmpty()) {
                consume.accept(await(inFlight.removeFirst()));
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

    private <T> void submit(Function<List<Item>, T> work, List<Item> batch, Deque<Future<T>> inFlight) {
        if (executor == null) {
            inFlight.addLast(CompletableFuture.completedFuture(work.apply(batch)));
        }
        else {
            inFlight.addLast(executor.submit(() -> work.apply(batch)));
        }
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

package io.kiln.job;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.iceberg.Table;

import io.kiln.error.ErrorCode;
import io.kiln.error.KilnException;
import io.kiln.lake.DedupSegments;
import io.kiln.transform.FittedStep;
import io.kiln.transform.Row;
import io.kiln.transform.TransformChain;

/**
 * The first passes of a job whose chain has {@link FittedStep}s (duplicate filters, and any step
 * that learns from the whole job): one pass per run of consecutive fitted steps, in chain order.
 * Each pass reads the inputs, runs the chain up to its run (gated by the runs fitted before), hands
 * each fitted step what it observes of every row that reaches it, and fits them. The pass that
 * writes then asks the fits what becomes of each row ({@link #gate}). Each fit starts from the
 * table's published states of its name (or, when reproducing, from those the job itself started
 * from), and its own state is written beside the table's data for later jobs.
 *
 * <p>A row is known by its occurrence: input index in the sorted inputs, record ordinal in its
 * file, and chunk index; the same in every pass, whatever the batch or thread count.
 */
final class FittedPasses {
    private static final int CHUNK_BITS = 12;
    private static final int ORDINAL_BITS = 31;
    private static final int FILE_BITS = 63 - ORDINAL_BITS - CHUNK_BITS;

    private final TransformChain chain;
    private final List<FittedStep> steps;
    private final List<FittedStep.Fit> fits;
    private final List<Integer> statesSeen;

    private FittedPasses(TransformChain chain, List<FittedStep> steps, List<FittedStep.Fit> fits, List<Integer> statesSeen) {
        this.chain = chain;
        this.steps = List.copyOf(steps);
        this.fits = List.copyOf(fits);
        this.statesSeen = List.copyOf(statesSeen);
    }

    /**
     * Empty when the chain has no fitted step; otherwise a new fit of each, with the published
     * states of {@code table} loaded: those on main now, or, when reproducing a published job (its
     * snapshot's summary given), those the job itself started from.
     */
    static Optional<FittedPasses> prepare(TransformChain chain, Table table, Optional<Map<String, String>> reproducing) {
        if (chain.fittedGroups().isEmpty()) {
            return Optional.empty();
        }
        List<FittedStep> steps = new ArrayList<>();
        List<FittedStep.Fit> fits = new ArrayList<>();
        List<Integer> seen = new ArrayList<>();
        for (TransformChain.FittedGroup group : chain.fittedGroups()) {
            for (int i = group.from(); i < group.to(); i++) {
                FittedStep step = (FittedStep) chain.steps().get(i);
                List<String> states = reproducing.isEmpty() ? DedupSegments.published(table, step.stateName()) : asOf(reproducing.get(), step.stateName());
                FittedStep.Fit fit = step.newFit();
                try (InputStream in = new SequenceInputStream(streams(table, states))) {
                    fit.loadHistory(in);
                }
                catch (IOException | RuntimeException e) {
                    throw new KilnException(ErrorCode.SOURCE_UNREADABLE, "Cannot read the state " + step.stateName() + " of " + table.name()
                            + " (" + states.size() + " segments): " + e.getMessage(), e);
                }
                steps.add(step);
                fits.add(fit);
                seen.add(states.size());
            }
        }
        return Optional.of(new FittedPasses(chain, steps, fits, seen));
    }

    private static Enumeration<InputStream> streams(Table table, List<String> locations) {
        Iterator<String> next = locations.iterator();
        return new Enumeration<>() {
            @Override
            public boolean hasMoreElements() {
                return next.hasNext();
            }

            @Override
            public InputStream nextElement() {
                return new BufferedInputStream(table.io().newInputFile(next.next()).newStream(), 1 << 16);
            }
        };
    }

    private static List<String> asOf(Map<String, String> summary, String name) {
        List<String> all = DedupSegments.list(summary.get(DedupSegments.INDEX_PREFIX + name));
        int seen = Integer.parseInt(summary.getOrDefault("kiln.dedup-segments-seen." + name, "0"));
        return all.subList(0, Math.min(seen, all.size()));
    }

    /** What one row that reached a run of fitted steps gave each of them. */
    private record Observed(long occurrence, String id, Object[] observations) {}

    /** Runs the first passes, one per run of fitted steps, each fitting its steps before the next pass. */
    void fit(InputPasses passes, java.util.function.LongConsumer bytesRead) {
        for (TransformChain.FittedGroup group : chain.fittedGroups()) {
            passes.pass(bytesRead, batch -> observe(batch, group), observed -> add(observed, group));
            for (int i = group.from(); i < group.to(); i++) {
                fits.get(indexOf(chain.steps().get(i))).fit();
            }
        }
    }

    /** On any thread: what the rows of a batch that reach {@code group} give its steps. */
    private List<Observed> observe(List<InputPasses.Item> batch, TransformChain.FittedGroup group) {
        InputPasses.Parsed parsed = InputPasses.Parsed.of(batch);
        List<InputPasses.Item> items = parsed.items();
        List<List<Row>> reaching = chain.preview(parsed.rows(), group.from(), gate(items));
        List<Observed> observed = new ArrayList<>(items.size());
        for (int source = 0; source < reaching.size(); source++) {
            for (Row row : reaching.get(source)) {
                Object[] observations = new Object[group.to() - group.from()];
                for (int i = 0; i < observations.length; i++) {
                    observations[i] = ((FittedStep) chain.steps().get(group.from() + i)).observe(row);
                }
                observed.add(new Observed(occurrence(items.get(source), row), row.id(), observations));
            }
        }
        return observed;
    }

    /** On the job's thread. */
    private void add(List<Observed> observed, TransformChain.FittedGroup group) {
        for (Observed row : observed) {
            for (int i = 0; i < row.observations().length; i++) {
                if (row.observations()[i] != null) {
                    fits.get(indexOf(chain.steps().get(group.from() + i))).add(row.occurrence(), row.id(), row.observations()[i]);
                }
            }
        }
    }

    private int indexOf(Object step) {
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i) == step) {
                return i;
            }
        }
        throw new IllegalArgumentException("not a fitted step of this chain: " + step);
    }

    /** What the fits decide for the rows of {@code parsedItems} (a batch's parsed records, in order); thread-safe once fitted. */
    TransformChain.FitGate gate(List<InputPasses.Item> parsedItems) {
        return (step, source, row) -> fits.get(indexOf(step)).apply(occurrence(parsedItems.get(source), row), row);
    }

    /** Writes each fit's state of this job; the summary entries that name them for publishing. */
    Map<String, String> writeStates(Table table, String jobId) {
        Map<String, String> summary = new LinkedHashMap<>();
        for (int i = 0; i < steps.size(); i++) {
            String name = steps.get(i).stateName();
            String location = DedupSegments.segmentLocation(table, name, jobId);
            java.security.MessageDigest sha256;
            try {
                sha256 = java.security.MessageDigest.getInstance("SHA-256");
            }
            catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            try (OutputStream out = new java.security.DigestOutputStream(table.io().newOutputFile(location).createOrOverwrite(), sha256)) {
                fits.get(i).writeState(out);
            }
            catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            summary.put(DedupSegments.SEGMENT_PREFIX + name, location);
            summary.put(DedupSegments.STATE_SHA256_PREFIX + name, java.util.HexFormat.of().formatHex(sha256.digest()));
            summary.put("kiln.dedup-segments-seen." + name, Integer.toString(statesSeen.get(i)));
            summary.put("kiln.dedup-index-bytes." + name, Long.toString(fits.get(i).estimatedBytes()));
            summary.putAll(fits.get(i).summary());
        }
        return Collections.unmodifiableMap(summary);
    }

    static long occurrence(InputPasses.Item item, Row row) {
        Object chunkColumn = row.value(BatchWriter.CHUNK_INDEX).orElse(null);
        long chunk = chunkColumn == null ? 0 : ((Number) chunkColumn).longValue();
        if (item.fileIndex() >= (1L << FILE_BITS) || item.ordinal() >= (1L << ORDINAL_BITS) || chunk >= (1L << CHUNK_BITS)) {
            throw new KilnException(ErrorCode.INVALID_JOB_SPEC, "Fitted steps support up to " + (1L << FILE_BITS) + " input files, "
                    + (1L << ORDINAL_BITS) + " records per file and " + (1L << CHUNK_BITS) + " chunks per record before the step");
        }
        return ((long) item.fileIndex() << (ORDINAL_BITS + CHUNK_BITS)) | (item.ordinal() << CHUNK_BITS) | chunk;
    }
}

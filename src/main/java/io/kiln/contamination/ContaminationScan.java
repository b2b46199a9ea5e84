package io.kiln.contamination;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Scans a whole snapshot against an eval set, for the contamination report and the
 * {@code Contamination} suite rule: which eval items the snapshot's rows overlap by n-grams (the
 * dirty items; the others are clean, and evaluations can be reported on them), and, when both
 * sides have vectors, each eval item's most similar rows. Rows are streamed; memory holds the eval
 * set, a counter per item and the k best rows per item.
 */
public final class ContaminationScan {
    /** Rows named per dirty item in the report. */
    public static final int ROWS_PER_ITEM = 10;
    private static final int BLOCK = 1024;

    private ContaminationScan() {}

    public record Neighbour(String row, float similarity) {}

    /** An eval item: how many rows share n-grams with it (the first of them by the snapshot's order), and its nearest rows. */
    public record Item(String id, long overlappingRows, List<String> rows, List<Neighbour> nearest) {
        public Item {
            requireNonNull(id, "id is null");
            rows = List.copyOf(rows);
            nearest = List.copyOf(nearest);
        }
    }

    /** The scan of one snapshot against one eval set. {@code dirty}: items with overlapping rows; {@code clean}: the others, in eval order. */
    public record Result(String evalTable, long evalSnapshotId, int n, int frequencyCap, String rule, long rows, List<String> dirty, List<String> clean,
            List<Item> items) {
        public Result {
            dirty = List.copyOf(dirty);
            clean = List.copyOf(clean);
            items = List.copyOf(items);
        }

        /** The share of the eval items that the snapshot overlaps. */
        public double dirtyRate() {
            int total = dirty.size() + clean.size();
            return total == 0 ? 0 : dirty.size() / (double) total;
        }
    }

    /**
     * Scans rows given by {@code rows} (each {@code {id, text}} or, with {@code k > 0} and vectors on
     * both sides, {@code {id, text, vector}}), called twice when neighbours are asked for (the second
     * pass names the neighbours' rows).
     */
    public static Result scan(EvalSet evalSet, Consumer<Consumer<Object[]>> rows, int k) {
        int items = evalSet.items();
        long[] overlapping = new long[items];
        Map<Integer, List<String>> firstRows = new HashMap<>();
        Optional<ExactCosine.TopRows> top = k > 0 ? evalSet.vectors().map(cosine -> cosine.topRows(k)) : Optional.empty();
        long[] count = {0};
        List<float[]> block = new ArrayList<>();
        List<Long> ordinals = new ArrayList<>();
        rows.accept(values -> {
            long ordinal = count[0]++;
            if (values[1] instanceof String text) {
                for (int item : evalSet.ngrams().match(text).items()) {
                    if (overlapping[item]++ < ROWS_PER_ITEM) {
                        firstRows.computeIfAbsent(item, any -> new ArrayList<>()).add(String.valueOf(values[0]));
                    }
                }
            }
            if (top.isPresent() && values.length > 2 && values[2] instanceof float[] vector) {
                block.add(vector);
                ordinals.add(ordinal);
                if (block.size() == BLOCK) {
                    flush(top.get(), block, ordinals);
                }
            }
        });
        top.ifPresent(topRows -> flush(topRows, block, ordinals));
        List<List<ExactCosine.Neighbour>> nearest = top.map(ExactCosine.TopRows::result).orElse(List.of());
        Map<Long, String> names = new HashMap<>();
        if (!nearest.isEmpty()) {
            nearest.forEach(list -> list.forEach(neighbour -> names.put(neighbour.row(), null)));
            long[] again = {0};
            rows.accept(values -> {
                long ordinal = again[0]++;
                if (names.containsKey(ordinal)) {
                    names.put(ordinal, String.valueOf(values[0]));
                }
            });
        }
        List<String> dirty = new ArrayList<>();
        List<String> clean = new ArrayList<>();
        List<Item> details = new ArrayList<>();
        for (int item = 0; item < items; item++) {
            (overlapping[item] > 0 ? dirty : clean).add(evalSet.id(item));
            List<Neighbour> neighbours = nearest.isEmpty() ? List.of()
                    : nearest.get(item).stream().map(neighbour -> new Neighbour(names.get(neighbour.row()), neighbour.similarity())).toList();
            if (overlapping[item] > 0 || !neighbours.isEmpty()) {
                details.add(new Item(evalSet.id(item), overlapping[item], firstRows.getOrDefault(item, List.of()), neighbours));
            }
        }
        return new Result(evalSet.table(), evalSet.snapshotId(), evalSet.ngrams().n(), evalSet.ngrams().frequencyCap(), NgramText.RULE, count[0], dirty, clean, details);
    }

    private static void flush(ExactCosine.TopRows top, List<float[]> block, List<Long> ordinals) {
        if (block.isEmpty()) {
            return;
        }
        top.add(ordinals.stream().mapToLong(Long::longValue).toArray(), block.toArray(new float[0][]));
        block.clear();
        ordinals.clear();
    }
}

package io.kiln.job;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongConsumer;

import io.kiln.error.ErrorCode;
import io.kiln.error.KilnException;
import io.kiln.source.InputFile;
import io.kiln.source.ReadOptions;
import io.kiln.source.SourceFormat;
import io.kiln.source.SourceRecord;
import io.kiln.transform.Column;
import io.kiln.transform.DataType;
import io.kiln.transform.Row;
import io.kiln.transform.StepContext;
import io.kiln.transform.Values;

/**
 * The lookups a job joins its rows with, in order: a hash join whose lookup side (another source's
 * records, or a pinned table's rows) is held in memory up to a declared number of records, past which
 * the job fails ({@code JOIN_TOO_LARGE}) rather than grow. Each pass over the inputs loads the lookups
 * again ({@link #open}); the rows are read and joined on the job's thread, in input order, so what a
 * row is joined with does not depend on threads or batches.
 *
 * <p>What is not joined is a reject, never lost: a row without a match in an inner join
 * ({@code unmatched-key}); a row whose key a lookup holds more than once under {@code duplicates:
 * reject} ({@code duplicate-key}); and of a lookup file, every record that cannot be read, that has a
 * null key ({@code missing-key}), that a duplicate rule set aside ({@code duplicate-key}) or that no
 * row matched ({@code unmatched-key}). Those come after the rows, at the lookup file's positions. A
 * lookup record that joined rows is counted as merged. A pinned table's rows are in the lake already:
 * its unmatched and duplicate rows are not rejects.
 */
final class Joins {
    static final int DEFAULT_MAX_ROWS = 1_000_000;
    static final int MAX_ROWS_LIMIT = 50_000_000;
    static final String STEP = "join";
    static final String UNMATCHED = "unmatched-key";
    static final String DUPLICATE = "duplicate-key";
    static final String MISSING = "missing-key";

    static final Joins NONE = new Joins(List.of());

    /** What a key that a lookup holds more than once means. */
    enum Duplicates { REJECT, FIRST, LAST }

    /** A lookup's records: another source's files, read with their format and options. */
    record FileSide(SourceFormat format, ReadOptions options, List<InputFile> inputs) {
        FileSide {
            requireNonNull(format, "format is null");
            requireNonNull(options, "options is null");
            inputs = List.copyOf(inputs);
        }
    }

    /**
     * One bound join: its lookup (a file side or a table's rows, {@code columns} of which are read:
     * the id, then the rest), the key columns of the rows and of the lookup, and what the rows get:
     * {@code output} maps a lookup column to the row's column, {@code added} are those columns as
     * the table has them.
     */
    record Lookup(int index, String name, Optional<FileSide> file, Optional<StepContext.TableRows> table, List<String> rowKeys, List<String> lookupKeys,
            boolean inner, Duplicates duplicates, Map<String, String> output, List<Column> added, int maxRows) {
        Lookup {
            requireNonNull(name, "name is null");
            if (file.isPresent() == table.isPresent()) {
                throw new IllegalArgumentException("a lookup is a file side or a table");
            }
            rowKeys = List.copyOf(rowKeys);
            lookupKeys = List.copyOf(lookupKeys);
            output = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(output));
            added = List.copyOf(added);
        }

        String describe() {
            return "join[" + index + "] (" + name + ")";
        }
    }

    private final List<Lookup> lookups;
    private final Set<String> lookupUris = new HashSet<>();

    Joins(List<Lookup> lookups) {
        this.lookups = List.copyOf(lookups);
        lookups.forEach(lookup -> lookup.file().ifPresent(file -> file.inputs().forEach(input -> lookupUris.add(input.uri()))));
    }

    boolean isEmpty() {
        return lookups.isEmpty();
    }

    List<Lookup> lookups() {
        return lookups;
    }

    /** The lookup files, which the job's plan hashes and its manifest lists after the rows' inputs. */
    List<InputFile> inputs() {
        List<InputFile> inputs = new ArrayList<>();
        lookups.forEach(lookup -> lookup.file().ifPresent(file -> inputs.addAll(file.inputs())));
        return inputs;
    }

    boolean isLookup(InputFile input) {
        return lookupUris.contains(input.uri());
    }

    /** The columns the joins add to the rows, in order. */
    List<Column> columns() {
        List<Column> columns = new ArrayList<>();
        lookups.forEach(lookup -> columns.addAll(lookup.added()));
        return columns;
    }

    /** Loads every lookup for one pass over the inputs: the lookup files are read here, and checked against the plan's sha256. */
    Pass open(InputPlan plan, ReadOptions limits, LongConsumer bytesRead) {
        Map<String, Integer> indexes = new HashMap<>();
        for (int i = 0; i < plan.inputs().size(); i++) {
            indexes.put(plan.inputs().get(i).file().uri(), i);
        }
        List<Loaded> loaded = new ArrayList<>();
        for (Lookup lookup : lookups) {
            Loaded side = new Loaded(lookup);
            if (lookup.file().isPresent()) {
                for (InputFile file : lookup.file().get().inputs()) {
                    int index = indexes.get(file.uri());
                    side.read(plan.inputs().get(index), index, lookup.file().get(), limits, bytesRead);
                }
            }
            else {
                side.read(lookup.table().get());
            }
            loaded.add(side);
        }
        return new Pass(loaded);
    }

    /** What a pass's joins did, per lookup, for the snapshot summary ({@code kiln.joins}). */
    record Statistics(int join, String lookup, long lookupRecords, long keys, long rowsMatched, long rowsUnmatched, long rowsAmbiguous, long duplicateRecords,
            long missingKeyRecords, long unmatchedRecords) {}

    /** One record of a lookup file, held: where it came from, and its row. */
    private static final class Entry {
        final InputPlan.PlannedInput input;
        final int fileIndex;
        final long ordinal;
        final String position;
        final Row row;
        boolean used;

        Entry(InputPlan.PlannedInput input, int fileIndex, long ordinal, String position, Row row) {
            this.input = input;
            this.fileIndex = fileIndex;
            this.ordinal = ordinal;
            this.position = position;
            this.row = row;
        }
    }

    /** A lookup loaded for a pass. */
    private static final class Loaded {
        final Lookup lookup;
        final Map<List<Object>, Entry> entries = new HashMap<>();
        /** Keys the lookup holds more than once, under {@code duplicates: reject}: how many records have each. */
        final Map<List<Object>, Integer> ambiguous = new HashMap<>();
        /** Records of the lookup files that are rejects whatever the rows are. */
        final List<InputPasses.Item> rejects = new ArrayList<>();
        long records;
        long duplicates;
        long missing;
        long rowsMatched;
        long rowsUnmatched;
        long rowsAmbiguous;

        Loaded(Lookup lookup) {
            this.lookup = lookup;
        }

        void read(InputPlan.PlannedInput input, int fileIndex, FileSide side, ReadOptions limits, LongConsumer bytesRead) {
            ReadOptions options = side.options().withLimits(limits.maxRecordBytes(), limits.documentLimits());
            InputPasses.readWhole(input, () -> side.format().open(input.toRead(), input.sha256(), options, bytesRead), (record, ordinal) -> {
                count();
                if (record instanceof SourceRecord.Parsed parsed) {
                    add(new Entry(input, fileIndex, ordinal, parsed.position(), parsed.row()));
                }
                else {
                    rejects.add(new InputPasses.Item(input, fileIndex, ordinal, record));
                }
            });
        }

        void read(StepContext.TableRows rows) {
            List<String> columns = rows.columns();
            rows.source().forEach(values -> {
                count();
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i < values.length; i++) {
                    row.put(columns.get(i), values[i]);
                }
                add(new Entry(null, -1, records - 1, "", new Row(String.valueOf(values[0]), row)));
            });
        }

        private void count() {
            if (++records > lookup.maxRows()) {
                throw new KilnException(ErrorCode.JOIN_TOO_LARGE, lookup.describe() + " holds more than " + lookup.maxRows()
                        + " records, the most it may hold in memory (join[" + lookup.index() + "].maxRows); raise it, or join a smaller lookup");
            }
        }

        private void add(Entry entry) {
            List<Object> key = key(entry.row, lookup.lookupKeys());
            if (key == null) {
                missing++;
                reject(entry, MISSING, lookup.describe() + ": the record's key " + String.join(", ", lookup.lookupKeys()) + " is null; it can match no row");
                return;
            }
            Integer seen = ambiguous.get(key);
            if (seen != null) {
                ambiguous.put(key, seen + 1);
                duplicates++;
                reject(entry, DUPLICATE, duplicateDetail(key, "reject"));
                return;
            }
            Entry earlier = entries.get(key);
            if (earlier == null) {
                entries.put(key, entry);
                return;
            }
            switch (lookup.duplicates()) {
                case FIRST -> {
                    duplicates++;
                    reject(entry, DUPLICATE, duplicateDetail(key, "first") + "; the record at " + earlier.position + " is kept");
                }
                case LAST -> {
                    duplicates++;
                    entries.put(key, entry);
                    reject(earlier, DUPLICATE, duplicateDetail(key, "last") + "; the record at " + entry.position + " is kept");
                }
                case REJECT -> {
                    duplicates += 2;
                    entries.remove(key);
                    ambiguous.put(key, 2);
                    reject(earlier, DUPLICATE, duplicateDetail(key, "reject"));
                    reject(entry, DUPLICATE, duplicateDetail(key, "reject"));
                }
            }
        }

        private String duplicateDetail(List<Object> key, String policy) {
            return lookup.describe() + ": key " + keyText(key) + " appears more than once in the lookup; duplicates: " + policy;
        }

        /** A lookup file's record as a reject; a table's rows are not rejects (the table keeps them). */
        private void reject(Entry entry, String reason, String detail) {
            if (entry.input != null) {
                rejects.add(new InputPasses.Item(entry.input, entry.fileIndex, entry.ordinal,
                        new SourceRecord.Malformed(entry.position, reason, detail, Values.json(entry.row), STEP, entry.row.id())));
            }
        }
    }

    /** The key of {@code row}: its key columns' values, whole numbers as longs and decimals without trailing zeros; null when one is null. */
    private static List<Object> key(Row row, List<String> columns) {
        List<Object> key = new ArrayList<>(columns.size());
        for (String column : columns) {
            Object value = row.value(column).orElse(null);
            if (value == null) {
                return null;
            }
            if (value instanceof Integer number) {
                value = number.longValue();
            }
            else if (value instanceof BigDecimal decimal) {
                value = decimal.stripTrailingZeros();
            }
            key.add(value);
        }
        return key;
    }

    private static String keyText(List<Object> key) {
        return key.size() == 1 ? String.valueOf(key.get(0)) : key.toString();
    }

    /** The joins of one pass: {@link #apply} on the job's thread for each record read, in input order, then {@link #leftovers}. */
    static final class Pass {
        private final List<Loaded> loaded;

        private Pass(List<Loaded> loaded) {
            this.loaded = loaded;
        }

        /** A record joined with every lookup, or a reject when a join refuses it. */
        SourceRecord apply(SourceRecord record) {
            if (!(record instanceof SourceRecord.Parsed parsed)) {
                return record;
            }
            Row row = parsed.row();
            Map<String, Object> added = new LinkedHashMap<>();
            List<Entry> matched = new ArrayList<>(loaded.size());
            for (Loaded side : loaded) {
                Lookup lookup = side.lookup;
                List<Object> key = key(row, lookup.rowKeys());
                Entry entry = key == null ? null : side.entries.get(key);
                if (entry == null) {
                    Integer times = key == null ? null : side.ambiguous.get(key);
                    if (times != null) {
                        side.rowsAmbiguous++;
                        return refused(parsed, DUPLICATE, lookup.describe() + ": key " + keyText(key) + " appears " + times
                                + " times in the lookup; duplicates: reject");
                    }
                    side.rowsUnmatched++;
                    if (lookup.inner()) {
                        return refused(parsed, UNMATCHED, lookup.describe() + ": " + (key == null ? "the row's key " + String.join(", ", lookup.rowKeys()) + " is null"
                                : "no lookup record has key " + keyText(key)) + "; an inner join keeps only rows with a match");
                    }
                    continue;
                }
                side.rowsMatched++;
                matched.add(entry);
                lookup.output().forEach((from, to) -> {
                    Object value = entry.row.value(from).orElse(null);
                    if (value != null) {
                        added.put(to, value);
                    }
                });
            }
            matched.forEach(entry -> entry.used = true);
            return added.isEmpty() ? parsed : new SourceRecord.Parsed(row.with(added), parsed.position());
        }

        private static SourceRecord refused(SourceRecord.Parsed parsed, String reason, String detail) {
            return new SourceRecord.Malformed(parsed.position(), reason, detail, Values.json(parsed.row()), STEP, parsed.row().id());
        }

        /** After every row: the lookup files' rejects (unreadable, missing keys, duplicates, matched by no row), by file and position. */
        List<InputPasses.Item> leftovers() {
            List<InputPasses.Item> items = new ArrayList<>();
            for (Loaded side : loaded) {
                List<InputPasses.Item> rejects = new ArrayList<>(side.rejects);
                for (Entry entry : side.entries.values()) {
                    if (!entry.used && entry.input != null) {
                        rejects.add(new InputPasses.Item(entry.input, entry.fileIndex, entry.ordinal, new SourceRecord.Malformed(entry.position, UNMATCHED,
                                side.lookup.describe() + ": no row has key " + keyText(key(entry.row, side.lookup.lookupKeys())), Values.json(entry.row), STEP,
                                entry.row.id())));
                    }
                }
                rejects.sort(Comparator.comparingInt(InputPasses.Item::fileIndex).thenComparingLong(InputPasses.Item::ordinal));
                items.addAll(rejects);
            }
            return items;
        }

        /** Lookup file records that joined at least one row. */
        long merged() {
            long merged = 0;
            for (Loaded side : loaded) {
                for (Entry entry : side.entries.values()) {
                    if (entry.used && entry.input != null) {
                        merged++;
                    }
                }
            }
            return merged;
        }

        List<Statistics> statistics() {
            List<Statistics> statistics = new ArrayList<>();
            for (Loaded side : loaded) {
                long unmatched = side.entries.values().stream().filter(entry -> !entry.used).count();
                statistics.add(new Statistics(side.lookup.index(), side.lookup.name(), side.records, side.entries.size(), side.rowsMatched, side.rowsUnmatched,
                        side.rowsAmbiguous, side.duplicates, side.missing, unmatched));
            }
            return statistics;
        }
    }
}

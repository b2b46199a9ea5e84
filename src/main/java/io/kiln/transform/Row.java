package io.kiln.transform;

import static java.util.Objects.requireNonNull;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * One record flowing through the chain: its id and its named values. Immutable.
 *
 * <p>A value is of one of the Java types {@link DataType} lists for its column's type; a column
 * without a value (null) is absent from the row. Text is not special: {@link #TEXT} is only the
 * column that text steps read by default. The id is required: uniqueness, deduplication and
 * lineage name rows by it.
 *
 * <p>Rows that a source reads share their column names ({@link Layout}), so that a row holds
 * no more than its id and an array of values.
 */
public final class Row {
    /** The column text steps read and write unless told another ({@code column} parameter). */
    public static final String TEXT = "text";

    private static final String[] NO_NAMES = new String[0];
    private static final Object[] NO_VALUES = new Object[0];

    private final String id;
    /** Sorted, never mutated; shared between rows of one layout. */
    private final String[] names;
    /** Parallel to {@link #names}; null where the row has no value. */
    private final Object[] values;

    private Row(String id, String[] names, Object[] values) {
        this.id = requireNonNull(id, "id is null");
        this.names = names;
        this.values = values;
    }

    /** A row with the non-null entries of {@code columns}. */
    public Row(String id, Map<String, ?> columns) {
        requireNonNull(id, "id is null");
        requireNonNull(columns, "columns is null");
        TreeMap<String, Object> sorted = new TreeMap<>();
        columns.forEach((name, value) -> {
            if (value != null) {
                sorted.put(requireNonNull(name, "column name is null"), value);
            }
        });
        this.id = id;
        this.names = sorted.isEmpty() ? NO_NAMES : sorted.keySet().toArray(NO_NAMES);
        this.values = sorted.isEmpty() ? NO_VALUES : sorted.values().toArray();
    }

    /** A row with one column, {@link #TEXT}: what text sources read. */
    public static Row text(String id, String text) {
        return new Row(id, new String[] {TEXT}, new Object[] {requireNonNull(text, "text is null")});
    }

    public String id() {
        return id;
    }

    /** The row's values by column name, in name order, without the absent ones. Unmodifiable. */
    public Map<String, Object> columns() {
        return new ColumnsView();
    }

    /**
     * {@code name}'s index in the sorted {@code names}, else (-(insertion point) - 1), as {@link Arrays#binarySearch(Object[], Object)}
     * gives it, but by {@link String#compareTo(String)}: that one casts every name it compares to {@link Comparable}, an
     * interface test that JDK 17 makes slow when other code tests strings against another interface.
     */
    private static int indexOf(String[] names, String name) {
        int low = 0;
        int high = names.length - 1;
        while (low <= high) {
            int middle = (low + high) >>> 1;
            int order = names[middle].compareTo(name);
            if (order < 0) {
                low = middle + 1;
            }
            else if (order > 0) {
                high = middle - 1;
            }
            else {
                return middle;
            }
        }
        return -(low + 1);
    }

    public Optional<Object> value(String name) {
        int index = indexOf(names, name);
        return index < 0 ? Optional.empty() : Optional.ofNullable(values[index]);
    }

    /** The value of a string column; empty when the row has none. */
    public Optional<String> string(String name) {
        return value(name).map(String.class::cast);
    }

    @SuppressWarnings("unchecked")
    public Optional<List<Integer>> intListColumn(String name) {
        return value(name).map(value -> (List<Integer>) value);
    }

    public Row withId(String newId) {
        return new Row(newId, names, values);
    }

    /** This row with {@code name} set to {@code value}, replacing an earlier value; a null value removes the column. */
    public Row with(String name, Object value) {
        requireNonNull(name, "name is null");
        int index = indexOf(names, name);
        if (index >= 0) {
            Object[] copy = values.clone();
            copy[index] = value;
            return new Row(id, names, copy);
        }
        if (value == null) {
            return this;
        }
        int insert = -index - 1;
        String[] newNames = new String[names.length + 1];
        Object[] newValues = new Object[names.length + 1];
        System.arraycopy(names, 0, newNames, 0, insert);
        System.arraycopy(values, 0, newValues, 0, insert);
        newNames[insert] = name;
        newValues[insert] = value;
        System.arraycopy(names, insert, newNames, insert + 1, names.length - insert);
        System.arraycopy(values, insert, newValues, insert + 1, names.length - insert);
        return new Row(id, newNames, newValues);
    }

    /**
     * This row with each of {@code columns} set (a null value removes the column). The row's sorted
     * columns and the new ones, sorted, are merged in one pass: the same row as setting them one by one.
     */
    public Row with(Map<String, ?> columns) {
        if (columns.isEmpty()) {
            return this;
        }
        TreeMap<String, Object> set = new TreeMap<>();
        columns.forEach((name, value) -> set.put(requireNonNull(name, "column name is null"), value));
        String[] mergedNames = new String[names.length + set.size()];
        Object[] mergedValues = new Object[mergedNames.length];
        int size = 0;
        int at = 0;
        for (Map.Entry<String, Object> entry : set.entrySet()) {
            String name = entry.getKey();
            int order;
            while (at < names.length && (order = names[at].compareTo(name)) <= 0) {
                if (order < 0 && values[at] != null) {
                    mergedNames[size] = names[at];
                    mergedValues[size++] = values[at];
                }
                at++;
            }
            if (entry.getValue() != null) {
                mergedNames[size] = name;
                mergedValues[size++] = entry.getValue();
            }
        }
        for (; at < names.length; at++) {
            if (values[at] != null) {
                mergedNames[size] = names[at];
                mergedValues[size++] = values[at];
            }
        }
        return size == 0 ? new Row(id, NO_NAMES, NO_VALUES)
                : new Row(id, size == mergedNames.length ? mergedNames : Arrays.copyOf(mergedNames, size),
                        size == mergedValues.length ? mergedValues : Arrays.copyOf(mergedValues, size));
    }

    /** This row without the named columns. */
    public Row without(Set<String> columns) {
        Row row = this;
        for (String column : columns) {
            row = row.with(column, null);
        }
        return row;
    }

    /**
     * The column names of the rows of one source, sorted once: {@link #row} makes a row from values
     * given in the order the layout was declared, without sorting or copying names again.
     * Thread-safe.
     */
    public static final class Layout {
        private final String[] sorted;
        /** For each declared position, its place in {@link #sorted}. */
        private final int[] place;

        public Layout(List<String> names) {
            this.sorted = names.toArray(NO_NAMES);
            Arrays.sort(sorted);
            for (int i = 1; i < sorted.length; i++) {
                if (sorted[i].equals(sorted[i - 1])) {
                    throw new IllegalArgumentException("column " + sorted[i] + " is named twice");
                }
            }
            this.place = new int[sorted.length];
            for (int i = 0; i < names.size(); i++) {
                place[i] = Arrays.binarySearch(sorted, names.get(i));
            }
        }

        public int size() {
            return sorted.length;
        }

        /** A row of {@code values}, one per name in declared order (null where absent); takes the array over. */
        public Row row(String id, Object[] values) {
            if (values.length != sorted.length) {
                throw new IllegalArgumentException("expected " + sorted.length + " values, got " + values.length);
            }
            Object[] placed = new Object[values.length];
            for (int i = 0; i < values.length; i++) {
                placed[place[i]] = values[i];
            }
            return new Row(id, sorted, placed);
        }
    }

    /** Arrays compare by content, so two rows with equal vectors are equal; an absent column equals a null one. */
    @Override
    public boolean equals(Object other) {
        if (!(other instanceof Row that) || !id.equals(that.id)) {
            return false;
        }
        return columns().equals(that.columns());
    }

    @Override
    public int hashCode() {
        int hash = id.hashCode();
        for (int i = 0; i < names.length; i++) {
            Object value = values[i];
            if (value != null) {
                hash += names[i].hashCode() ^ (value instanceof float[] vector ? Arrays.hashCode(vector) : value.hashCode());
            }
        }
        return hash;
    }

    @Override
    public String toString() {
        String text = string(TEXT).map(value -> value.length() > 60 ? value.substring(0, 60) + "..." : value).orElse(null);
        return "Row[id=" + id + (text == null ? "" : ", text=" + text) + ", columns=" + columns().keySet() + "]";
    }

    /** The present values, in name order; float arrays compare by content. */
    private final class ColumnsView extends AbstractMap<String, Object> {
        @Override
        public Object get(Object key) {
            if (!(key instanceof String name)) {
                return null;
            }
            int index = indexOf(names, name);
            return index < 0 ? null : values[index];
        }

        @Override
        public boolean containsKey(Object key) {
            return get(key) != null;
        }

        @Override
        public boolean equals(Object other) {
            if (!(other instanceof Map<?, ?> that) || that.size() != size()) {
                return false;
            }
            for (Map.Entry<String, Object> entry : entrySet()) {
                Object theirs = that.get(entry.getKey());
                Object mine = entry.getValue();
                boolean same = mine instanceof float[] a && theirs instanceof float[] b ? Arrays.equals(a, b) : mine.equals(theirs);
                if (!same) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public int hashCode() {
            return Row.this.hashCode() - id.hashCode();
        }

        @Override
        public Set<Entry<String, Object>> entrySet() {
            return new AbstractSet<>() {
                @Override
                public Iterator<Entry<String, Object>> iterator() {
                    return new Iterator<>() {
                        private int next = advance(0);

                        private int advance(int from) {
                            int i = from;
                            while (i < names.length && values[i] == null) {
                                i++;
                            }
                            return i;
                        }

                        @Override
                        public boolean hasNext() {
                            return next < names.length;
                        }

                        @Override
                        public Entry<String, Object> next() {
                            if (next >= names.length) {
                                throw new NoSuchElementException();
                            }
                            Entry<String, Object> entry = new SimpleImmutableEntry<>(names[next], values[next]);
                            next = advance(next + 1);
                            return entry;
                        }
                    };
                }

                @Override
                public int size() {
                    int count = 0;
                    for (Object value : values) {
                        if (value != null) {
                            count++;
                        }
                    }
                    return count;
                }
            };
        }
    }
}

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
    private static final Names NONE = new Names(NO_NAMES);
    private static final Names TEXT_ONLY = new Names(new String[] {TEXT});

    private final String id;
    /** Shared between rows of one layout, and between the rows a step makes from them by adding a column. */
    private final Names names;
    /** Parallel to {@link #names}; null where the row has no value. */
    private final Object[] values;

    private Row(String id, Names names, Object[] values) {
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
        this.names = sorted.isEmpty() ? NONE : new Names(sorted.keySet().toArray(NO_NAMES));
        this.values = sorted.isEmpty() ? NO_VALUES : sorted.values().toArray();
    }

    /** A row with one column, {@link #TEXT}: what text sources read. */
    public static Row text(String id, String text) {
        return new Row(id, TEXT_ONLY, new Object[] {requireNonNull(text, "text is null")});
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
        int index = indexOf(names.sorted, name);
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
        int index = indexOf(names.sorted, name);
        if (index >= 0) {
            Object[] copy = values.clone();
            copy[index] = value;
            return new Row(id, names, copy);
        }
        if (value == null) {
            return this;
        }
        int insert = -index - 1;
        Object[] newValues = new Object[values.length + 1];
        System.arraycopy(values, 0, newValues, 0, insert);
        newValues[insert] = value;
        System.arraycopy(values, insert, newValues, insert + 1, values.length - insert);
        return new Row(id, names.adding(name, insert), newValues);
    }

    /**
     * This row with each of {@code columns} set (a null value removes the column): the same row as setting them one
     * by one, which it does, so that rows given the same columns share their names as {@link #with(String, Object)}
     * makes them.
     */
    public Row with(Map<String, ?> columns) {
        Row row = this;
        for (Map.Entry<String, ?> column : columns.entrySet()) {
            row = row.with(requireNonNull(column.getKey(), "column name is null"), column.getValue());
        }
        return row;
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
        private final Names names;
        /** For each declared position, its place in the sorted names. */
        private final int[] place;

        public Layout(List<String> declared) {
            String[] sorted = declared.toArray(NO_NAMES);
            Arrays.sort(sorted);
            for (int i = 1; i < sorted.length; i++) {
                if (sorted[i].equals(sorted[i - 1])) {
                    throw new IllegalArgumentException("column " + sorted[i] + " is named twice");
                }
            }
            this.names = new Names(sorted);
            this.place = new int[sorted.length];
            for (int i = 0; i < declared.size(); i++) {
                place[i] = Arrays.binarySearch(sorted, declared.get(i));
            }
        }

        public int size() {
            return names.size();
        }

        /** A row of {@code values}, one per name in declared order (null where absent); takes the array over. */
        public Row row(String id, Object[] values) {
            if (values.length != place.length) {
                throw new IllegalArgumentException("expected " + place.length + " values, got " + values.length);
            }
            Object[] placed = new Object[values.length];
            for (int i = 0; i < values.length; i++) {
                placed[place[i]] = values[i];
            }
            return new Row(id, names, placed);
        }
    }

    /**
     * The sorted column names of a row, shared: by the rows of one {@link Layout}, and by the rows a step makes from
     * rows of one {@code Names} by adding the same column ({@link #with(String, Object)}). Code that reads many rows
     * can therefore work a row's layout out once per {@code Names} instance, compared by identity. Immutable.
     */
    public static final class Names {
        private final String[] sorted;
        /** The names with one more column, as {@link #adding} last made them; replaced when another is added. */
        private volatile Added added;

        private record Added(String name, Names names) {}

        private Names(String[] sorted) {
            this.sorted = sorted;
        }

        public int size() {
            return sorted.length;
        }

        public String name(int index) {
            return sorted[index];
        }

        /** These names with {@code name} inserted at {@code insert}; the same instance for the same name as last time. */
        private Names adding(String name, int insert) {
            Added last = added;
            if (last != null && last.name.equals(name)) {
                return last.names;
            }
            String[] more = new String[sorted.length + 1];
            System.arraycopy(sorted, 0, more, 0, insert);
            more[insert] = name;
            System.arraycopy(sorted, insert, more, insert + 1, sorted.length - insert);
            Names names = new Names(more);
            added = new Added(name, names);
            return names;
        }
    }

    /** The row's column names; a column's value is {@link #valueAt} its index there. */
    public Names names() {
        return names;
    }

    /** The value of the column at {@code index} of {@link #names()}; null where the row has none. */
    public Object valueAt(int index) {
        return values[index];
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
        for (int i = 0; i < names.sorted.length; i++) {
            Object value = values[i];
            if (value != null) {
                hash += names.sorted[i].hashCode() ^ (value instanceof float[] vector ? Arrays.hashCode(vector) : value.hashCode());
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
            int index = indexOf(names.sorted, name);
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
                            while (i < names.sorted.length && values[i] == null) {
                                i++;
                            }
                            return i;
                        }

                        @Override
                        public boolean hasNext() {
                            return next < names.sorted.length;
                        }

                        @Override
                        public Entry<String, Object> next() {
                            if (next >= names.sorted.length) {
                                throw new NoSuchElementException();
                            }
                            Entry<String, Object> entry = new SimpleImmutableEntry<>(names.sorted[next], values[next]);
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

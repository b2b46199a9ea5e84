package io.kiln.transform;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One record flowing through the chain: its id, its text, and the extra columns that the source
 * and the steps gave it (language, token ids, an embedding...), by column name. Immutable.
 *
 * <p>A column value is a {@link String}, {@link Integer}, {@link Long}, {@link Double},
 * {@link Boolean}, a {@code List<Integer>} or a {@code float[]} (a vector, never mutated once in
 * a row); each column is declared by the step that sets it ({@link Transform#columns()}).
 */
public record Row(String id, String text, SortedMap<String, Object> columns) {
    public Row {
        requireNonNull(id, "id is null");
        requireNonNull(text, "text is null");
        requireNonNull(columns, "columns is null");
        if (columns.isEmpty()) {
            columns = Collections.emptySortedMap();
        }
        else {
            columns.forEach((name, value) -> requireNonNull(value, () -> "value of column " + name + " is null"));
            columns = Collections.unmodifiableSortedMap(new TreeMap<>(columns));
        }
    }

    public Row(String id, String text) {
        this(id, text, Collections.emptySortedMap());
    }

    public Row withText(String newText) {
        return new Row(id, newText, columns);
    }

    public Row withId(String newId) {
        return new Row(newId, text, columns);
    }

    /** This row with {@code name} set to {@code value}, replacing an earlier value. */
    public Row with(String name, Object value) {
        requireNonNull(name, "name is null");
        requireNonNull(value, "value is null");
        TreeMap<String, Object> copy = new TreeMap<>(columns);
        copy.put(name, value);
        return new Row(id, text, copy);
    }

    public Row with(Map<String, ?> values) {
        TreeMap<String, Object> copy = new TreeMap<>(columns);
        copy.putAll(values);
        return new Row(id, text, copy);
    }

    public Optional<Object> column(String name) {
        return Optional.ofNullable(columns.get(name));
    }

    public Optional<String> stringColumn(String name) {
        return column(name).map(String.class::cast);
    }

    @SuppressWarnings("unchecked")
    public Optional<List<Integer>> intListColumn(String name) {
        return column(name).map(value -> (List<Integer>) value);
    }

    /** Arrays compare by content, so two rows with equal vectors are equal. */
    @Override
    public boolean equals(Object other) {
        if (!(other instanceof Row that) || !id.equals(that.id) || !text.equals(that.text) || !columns.keySet().equals(that.columns.keySet())) {
            return false;
        }
        for (Map.Entry<String, Object> entry : columns.entrySet()) {
            Object mine = entry.getValue();
            Object theirs = that.columns.get(entry.getKey());
            boolean same = mine instanceof float[] a && theirs instanceof float[] b ? java.util.Arrays.equals(a, b) : mine.equals(theirs);
            if (!same) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int hash = id.hashCode() * 31 + text.hashCode();
        for (Map.Entry<String, Object> entry : columns.entrySet()) {
            Object value = entry.getValue();
            hash = hash * 31 + entry.getKey().hashCode() * 17 + (value instanceof float[] vector ? java.util.Arrays.hashCode(vector) : value.hashCode());
        }
        return hash;
    }

    @Override
    public String toString() {
        return "Row[id=" + id + ", text=" + (text.length() > 60 ? text.substring(0, 60) + "..." : text) + ", columns=" + columns.keySet() + "]";
    }
}

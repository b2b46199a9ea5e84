package io.kiln.transform;

import static java.util.Objects.requireNonNull;

import java.util.regex.Pattern;

/**
 * A named, typed column of the rows flowing through the chain: declared by a source's schema, or
 * set by a step ({@link Transform#columns()}). A column a step sets is optional: rows of older
 * jobs, and rows the step did not reach, have none. A required column has a value in every row.
 */
public record Column(String name, DataType type, boolean required, String doc) {
    private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]*");

    public Column {
        requireNonNull(name, "name is null");
        requireNonNull(type, "type is null");
        requireNonNull(doc, "doc is null");
        if (!isValidName(name)) {
            throw new IllegalArgumentException("column name must be lower snake case (a-z, 0-9, _; not starting with a digit), was '" + name + "'");
        }
    }

    /** Lower snake case: what Trino, Spark and Iceberg all read without quoting or case folding. */
    public static boolean isValidName(String name) {
        return name != null && NAME.matcher(name).matches() && name.length() <= 128;
    }

    /** An optional column. */
    public static Column optional(String name, DataType type, String doc) {
        return new Column(name, type, false, doc);
    }

    public static Column string(String name, String doc) {
        return optional(name, DataType.STRING, doc);
    }

    public static Column integer(String name, String doc) {
        return optional(name, DataType.INT, doc);
    }

    public static Column doubleColumn(String name, String doc) {
        return optional(name, DataType.DOUBLE, doc);
    }

    /** A {@code list<int>} column whose elements are never null. */
    public static Column intList(String name, String doc) {
        return optional(name, new DataType.ListOf(DataType.INT, true), doc);
    }

    /** A {@code list<float>} column, for vectors given as {@code float[]}. */
    public static Column floatList(String name, String doc) {
        return optional(name, new DataType.ListOf(DataType.FLOAT, true), doc);
    }

    public Column asOptional() {
        return required ? new Column(name, type, false, doc) : this;
    }

    @Override
    public String toString() {
        return name + " " + type.spec() + (required ? " not null" : "");
    }
}

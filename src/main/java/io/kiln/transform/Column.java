package io.kiln.transform;

import static java.util.Objects.requireNonNull;

import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * An extra column that a step (or a source) adds to its table: its name, Iceberg type and
 * documentation. Every extra column is optional in the table: rows of older jobs have none.
 */
public record Column(String name, Type type, String doc) {
    public Column {
        requireNonNull(name, "name is null");
        requireNonNull(type, "type is null");
        requireNonNull(doc, "doc is null");
        if (!name.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException("Column name must be lower snake case: " + name);
        }
    }

    public static Column string(String name, String doc) {
        return new Column(name, Types.StringType.get(), doc);
    }

    public static Column integer(String name, String doc) {
        return new Column(name, Types.IntegerType.get(), doc);
    }

    public static Column doubleColumn(String name, String doc) {
        return new Column(name, Types.DoubleType.get(), doc);
    }

    /** A {@code list<int>} column; {@code elementId} is a placeholder the table re-assigns. */
    public static Column intList(String name, String doc) {
        return new Column(name, Types.ListType.ofRequired(1, Types.IntegerType.get()), doc);
    }

    /** A {@code list<float>} column, for vectors given as {@code float[]}. */
    public static Column floatList(String name, String doc) {
        return new Column(name, Types.ListType.ofRequired(1, Types.FloatType.get()), doc);
    }
}

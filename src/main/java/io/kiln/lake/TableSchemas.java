package io.kiln.lake;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.UpdateSchema;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

import io.kiln.transform.Column;
import io.kiln.transform.DataType;

/**
 * How a table's schema must change for a job's columns, decided before anything is written:
 * a table that does not exist yet is created with exactly the job's columns; an existing one may
 * gain optional columns and widen int to long, float to double and a decimal's precision. Any other
 * difference is a conflict: a column of another type, or a required column of the table that the
 * job does not always write.
 */
public final class TableSchemas {
    private TableSchemas() {}

    /** A column the job cannot write into the table as it is, and why, naming both types. */
    public record Conflict(String column, String message) {
        public Conflict {
            requireNonNull(column, "column is null");
            requireNonNull(message, "message is null");
        }
    }

    /** A widening of a table column to {@code type}. */
    public record Widening(String column, DataType from, DataType to) {}

    /** The changes a job makes to an existing table's schema, or why it cannot write into it. */
    public record Plan(List<Column> additions, List<Widening> widenings, List<Conflict> conflicts) {
        public Plan {
            additions = List.copyOf(additions);
            widenings = List.copyOf(widenings);
            conflicts = List.copyOf(conflicts);
        }

        public boolean changes() {
            return !additions.isEmpty() || !widenings.isEmpty();
        }
    }

    /** Plans writing rows of {@code columns} into a table of {@code existing} schema, named {@code table} in messages. */
    public static Plan plan(Schema existing, List<Column> columns, String table) {
        List<Column> additions = new ArrayList<>();
        List<Widening> widenings = new ArrayList<>();
        List<Conflict> conflicts = new ArrayList<>();
        for (Column column : columns) {
            Types.NestedField field = existing.findField(column.name());
            if (field == null) {
                additions.add(column.asOptional());
                continue;
            }
            Optional<DataType> tableType = IcebergTypes.kilnType(field.type());
            if (tableType.isEmpty()) {
                conflicts.add(new Conflict(column.name(), "column " + column.name() + " of table " + table + " is " + field.type()
                        + ", which Kiln cannot write; this job writes " + column.type().spec()));
                continue;
            }
            if (tableType.get().accepts(column.type())) {
                continue;
            }
            if (column.type().accepts(tableType.get()) && field.type().isPrimitiveType()) {
                widenings.add(new Widening(column.name(), tableType.get(), column.type()));
                continue;
            }
            conflicts.add(new Conflict(column.name(), "column " + column.name() + " of table " + table + " is " + tableType.get().spec()
                    + "; this job writes " + column.type().spec()));
        }
        for (Types.NestedField field : existing.columns()) {
            if (field.isRequired() && columns.stream().noneMatch(column -> column.name().equals(field.name()) && column.required())) {
                String type = IcebergTypes.kilnType(field.type()).map(DataType::spec).orElse(field.type().toString());
                boolean written = columns.stream().anyMatch(column -> column.name().equals(field.name()));
                conflicts.add(new Conflict(field.name(), "table " + table + " requires column " + field.name() + " (" + type + " not null); this job "
                        + (written ? "does not write it in every row (it is optional in the job)" : "does not write it")));
            }
        }
        return new Plan(additions, widenings, conflicts);
    }

    /** Applies the plan's additions and widenings in one schema commit; call under the table's lock. */
    static void apply(Table table, Plan plan) {
        UpdateSchema update = table.updateSchema();
        for (Column column : plan.additions()) {
            update.addColumn(column.name(), IcebergTypes.toIceberg(column.type()), column.doc().isEmpty() ? null : column.doc());
        }
        for (Widening widening : plan.widenings()) {
            Type to = IcebergTypes.toIceberg(widening.to());
            update.updateColumn(widening.column(), to.asPrimitiveType());
        }
        update.commit();
    }
}

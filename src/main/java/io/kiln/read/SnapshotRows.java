package io.kiln.read;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.iceberg.Table;

/** A snapshot's rows as plain values, for Kiln's own checks (eval sets, contamination reports). */
public final class SnapshotRows {
    private SnapshotRows() {}

    /**
     * Streams the rows of a snapshot in the stable order of the rows endpoint ({@link SnapshotScan}),
     * each as its values in {@code columns} order: text as a String, a vector as a float[].
     */
    public static void forEach(String name, Table table, long snapshotId, List<String> columns, Consumer<Object[]> consumer) {
        SnapshotScan scan = SnapshotScan.builder(name, table, snapshotId).columns(Optional.of(columns)).build();
        ArrowAccess.ensureOpen();
        try (BufferAllocator allocator = new RootAllocator();
                SnapshotScan.Batches batches = scan.open(allocator, OptionalLong.empty())) {
            List<FieldVector> vectors = batches.root().getFieldVectors();
            while (batches.next()) {
                for (int row = 0; row < batches.root().getRowCount(); row++) {
                    Object[] values = new Object[vectors.size()];
                    for (int column = 0; column < values.length; column++) {
                        values[column] = value(vectors.get(column).getObject(row));
                    }
                    consumer.accept(values);
                }
            }
        }
    }

    private static Object value(Object arrow) {
        if (arrow instanceof org.apache.arrow.vector.util.Text text) {
            return text.toString();
        }
        if (arrow instanceof List<?> list && list.stream().allMatch(element -> element instanceof Float)) {
            float[] vector = new float[list.size()];
            for (int i = 0; i < vector.length; i++) {
                vector[i] = (Float) list.get(i);
            }
            return vector;
        }
        return arrow;
    }
}

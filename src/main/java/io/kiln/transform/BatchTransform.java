package io.kiln.transform;

import java.util.ArrayList;
import java.util.List;

/**
 * A step that works best on many rows at once (model inference). The runtime hands it the rows of
 * a batch together; {@link #applyAll} must give, for each row, exactly the outcome that
 * {@link #apply} gives for that row alone, whatever the batch: the batch changes speed, never
 * output. Same contract as {@link Transform} otherwise.
 */
public interface BatchTransform extends Transform {
    /** One outcome per row, in the order of {@code rows}. */
    List<Outcome> applyAll(List<Row> rows);

    @Override
    default Outcome apply(Row row) {
        return applyAll(List.of(row)).get(0);
    }

    static List<Outcome> each(Transform step, List<Row> rows) {
        List<Outcome> outcomes = new ArrayList<>(rows.size());
        rows.forEach(row -> outcomes.add(step.apply(row)));
        return outcomes;
    }
}

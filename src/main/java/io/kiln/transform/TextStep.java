package io.kiln.transform;

import java.util.List;

/**
 * A step that works on one string column: {@link Row#TEXT} unless its {@code column} parameter
 * names another. The job is refused when the rows lack that column or hold another type there; a
 * row without a value in it is passed on unchanged.
 */
public interface TextStep extends Transform {
    /** The string column this step reads. */
    String column();

    /** What this step makes of a row whose column holds {@code text}. */
    Outcome apply(Row row, String text);

    @Override
    default Outcome apply(Row row) {
        return row.string(column()).map(text -> apply(row, text)).orElseGet(() -> Outcome.emit(row));
    }

    @Override
    default List<Column> reads() {
        return List.of(Column.string(column(), ""));
    }
}

package io.kiln.transform;

import static java.util.Objects.requireNonNull;

/** One record flowing through the chain: its id and its text. Immutable. */
public record Row(String id, String text) {
    public Row {
        requireNonNull(id, "id is null");
        requireNonNull(text, "text is null");
    }

    public Row withText(String newText) {
        return new Row(id, newText);
    }
}

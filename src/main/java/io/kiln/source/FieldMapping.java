package io.kiln.source;

import static java.util.Objects.requireNonNull;

/**
 * Where the id and the text of a record are found in a JSON object. A path may name a nested
 * field with dots ({@code meta.id}).
 */
public record FieldMapping(String idField, String textField) {
    public static final FieldMapping DEFAULT = new FieldMapping("id", "text");

    public FieldMapping {
        requireNonNull(idField, "idField is null");
        requireNonNull(textField, "textField is null");
    }
}

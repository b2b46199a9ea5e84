package io.kiln.embed;

import static java.util.Objects.requireNonNull;

/** A model or tokenizer file that is missing, unreadable, or not a model Kiln can run; {@link #part()} says which file. */
public class ModelLoadException extends RuntimeException {
    public enum Part {
        MODEL,
        TOKENIZER
    }

    private final Part part;

    public ModelLoadException(Part part, String message, Throwable cause) {
        super(message, cause);
        this.part = requireNonNull(part, "part is null");
    }

    public ModelLoadException(Part part, String message) {
        this(part, message, null);
    }

    public Part part() {
        return part;
    }
}

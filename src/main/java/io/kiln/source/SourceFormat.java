package io.kiln.source;

import java.util.Arrays;
import java.util.Optional;

/** The formats a source can be read as; the JobSpec names them in lower case. */
public enum SourceFormat {
    JSONL("jsonl"),
    TEXT("text");

    private final String specName;

    SourceFormat(String specName) {
        this.specName = specName;
    }

    public String specName() {
        return specName;
    }

    public static Optional<SourceFormat> fromSpecName(String name) {
        return Arrays.stream(values()).filter(format -> format.specName.equals(name)).findFirst();
    }

    public static String specNames() {
        return String.join(", ", Arrays.stream(values()).map(SourceFormat::specName).toList());
    }
}

package io.kiln.source;

import java.util.Arrays;
import java.util.Optional;

/**
 * The formats a source can be read as; the JobSpec names them in lower case. {@code document}
 * reads any file that Apache Tika parses (HTML, Markdown, PDF, DOCX, RTF, EPUB, e-mail, mbox, ...);
 * {@code auto} decides per file from its content: JSON lines, plain UTF-8 text, or a document.
 */
public enum SourceFormat {
    JSONL("jsonl"),
    TEXT("text"),
    DOCUMENT("document"),
    AUTO("auto");

    private final String specName;

    SourceFormat(String specName) {
        this.specName = specName;
    }

    public String specName() {
        return specName;
    }

    /** Whether a field mapping applies: JSON lines are read (always, or for some files). */
    public boolean readsJson() {
        return this == JSONL || this == AUTO;
    }

    public static Optional<SourceFormat> fromSpecName(String name) {
        return Arrays.stream(values()).filter(format -> format.specName.equals(name)).findFirst();
    }

    public static String specNames() {
        return String.join(", ", Arrays.stream(values()).map(SourceFormat::specName).toList());
    }
}

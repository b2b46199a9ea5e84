package io.kiln.transform.text.pii;

import java.util.List;

/** Finds one kind of PII in a text. Implementations are stateless and thread-safe; spans may overlap those of other detectors. */
interface PiiDetector {
    PiiKind kind();

    /** Adds every match in {@code text} to {@code matches}, in any order. */
    void find(String text, List<PiiMatch> matches);
}
